"""Reading a large CSV file in byte ranges on several threads changes nothing in the result.

`scan_csv` cuts files above a size into ranges (one per worker) and joins the
results: row numbers, kept columns and the Parquet comparison must come out
exactly as from one pass over the whole file. Here the cut is forced on the
shipped (small) tables with ``parts``.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cecot_data
from cecot_data.models import MODELS_BY_TABLE
from cecot_data.validate import needed_columns
from cecot_data.validate.ranges import ScanResult, scan_csv, split_points

TABLE = "population_counts"  # the largest shipped table, with a Parquet twin and kept columns
MODEL = MODELS_BY_TABLE[TABLE]
DATASETS = cecot_data.datapackage_path().parent / "datasets"
DAMAGE = ("", "x", "Not A Slug", "2023-02-30", "-1", "lots", "word " * 45)


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO((DATASETS / f"{TABLE}.csv").read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _scan(path: Path, parts: int, parquet: bool = True) -> ScanResult:
    twin = DATASETS / f"{TABLE}.parquet" if parquet else None
    return scan_csv(path, MODEL, "t.csv", needed_columns(MODEL), twin, parts=parts)


def _same(one: ScanResult, other: ScanResult) -> None:
    assert one.problems == other.problems
    assert one.rows == other.rows
    assert one.parquet_diff == other.parquet_diff
    assert one.retained is not None and other.retained is not None
    assert one.retained.equals(other.retained)


def test_cut_points_follow_newlines(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", _rows())
    data = path.read_bytes()
    points = split_points(path, 4)
    assert len(points) == 5
    assert points[0] == data.index(b"\n") + 1 and points[-1] == len(data)
    assert all(data[p - 1 : p] == b"\n" for p in points[:-1])
    assert points == sorted(set(points))


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_valid_file_in_ranges_matches_one_pass(tmp_path: Path, parts: int) -> None:
    path = _write(tmp_path / "t.csv", _rows())
    whole = _scan(path, 1)
    assert whole.problems == [] and whole.parquet_diff is None and whole.rows == len(_rows()) - 1
    _same(_scan(path, parts), whole)
    # the kept row numbers run on across the cuts
    assert _scan(path, parts).retained.column("__row").to_pylist() == list(range(2, whole.rows + 2))  # type: ignore[union-attr]


@given(data=st.data())
def test_damaged_file_in_ranges_matches_one_pass(tmp_path: Path, data: st.DataObject) -> None:
    rows = _rows()
    for _ in range(data.draw(st.integers(1, 6))):
        row = data.draw(st.integers(1, len(rows) - 1))
        column = data.draw(st.integers(0, len(rows[0]) - 1))
        rows[row][column] = data.draw(
            st.sampled_from(["", "x", "Not A Slug", "2023-02-30", "-1", "lots", "word " * 45])
        )
    path = _write(tmp_path / "damaged.csv", rows)
    _same(_scan(path, data.draw(st.integers(2, 6))), _scan(path, 1))


@given(data=st.data())
def test_a_changed_key_anywhere_is_reported_as_in_one_pass(tmp_path: Path, data: st.DataObject) -> None:
    """Whatever row a key changes at (the first of a later range included), every cut gives one pass's answer."""
    rows = _rows()
    for _ in range(data.draw(st.integers(1, 3))):
        row = data.draw(st.integers(1, len(rows) - 1))
        rows[row][0] = data.draw(st.sampled_from(["sv-count-not-in-parquet", rows[max(1, row - 1)][0], rows[-1][0]]))
    if data.draw(st.booleans()):
        del rows[data.draw(st.integers(1, len(rows) - 1))]
    path = _write(tmp_path / "keys.csv", rows)
    whole = _scan(path, 1)
    for parts in (2, 3, data.draw(st.integers(4, 9))):
        _same(_scan(path, parts), whole)


def test_parquet_difference_in_a_later_range_is_found(tmp_path: Path) -> None:
    rows = _rows()
    late = len(rows) - 5
    notes = rows[0].index("notes")
    rows[late][notes] = "a note the Parquet file does not have"
    path = _write(tmp_path / "t.csv", rows)
    whole = _scan(path, 1)
    assert whole.problems == []
    assert whole.parquet_diff == f"column notes differs at row {late + 1}"
    assert _scan(path, 3).parquet_diff == whole.parquet_diff


def test_a_row_missing_from_the_csv_puts_the_parquet_file_out_of_step(tmp_path: Path) -> None:
    rows = _rows()
    del rows[len(rows) // 2 + 3]  # in the second of two ranges
    path = _write(tmp_path / "t.csv", rows)
    assert _scan(path, 1).parquet_diff is not None
    assert _scan(path, 2).parquet_diff is not None


@pytest.mark.parametrize("parts", [2, 3])
def test_a_changed_key_at_the_first_row_of_a_later_range_is_reported_as_in_one_pass(tmp_path: Path, parts: int) -> None:
    rows = _rows()
    cut = split_points(_write(tmp_path / "t.csv", rows), parts)[-2]
    # the first row of the last range gets a key the Parquet file does not have
    text = (tmp_path / "t.csv").read_bytes()
    first_id = text[cut:].split(b",", 1)[0]
    path = tmp_path / "renamed.csv"
    path.write_bytes(text[:cut] + b"sv-count-not-in-parquet" + text[cut + len(first_id) :])
    row = text[:cut].count(b"\n") + 1
    assert _scan(path, 1).parquet_diff == f"column count_id differs at row {row}"
    assert _scan(path, parts).parquet_diff == _scan(path, 1).parquet_diff


def test_cut_inside_a_multiline_cell_falls_back_to_one_pass(tmp_path: Path) -> None:
    rows = _rows()
    notes = rows[0].index("notes")
    for row in rows[1:]:
        row[notes] = "first line of a note\nsecond line of the same note"
    path = _write(tmp_path / "t.csv", rows)
    whole = _scan(path, 1, parquet=False)
    assert whole.problems == [] and whole.rows == len(rows) - 1
    for parts in (2, 3, 5):
        _same(_scan(path, parts, parquet=False), whole)


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
def test_validate_does_not_import_pandas() -> None:
    """pyarrow would import pandas (0.2 s) to probe its inputs; `validate` hides it, then puts it back."""
    code = (
        "import sys\n"
        "from cecot_data.cli import main\n"
        "code = main(['validate'])\n"
        "print(code, 'pandas' in sys.modules)\n"
        "import pandas\n"
        "print(pandas.DataFrame({'a': [1]}).shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-2:] == ["0 False", "(1, 1)"]


@pytest.mark.parametrize("parts", [1, 2])
def test_a_header_without_rows_is_read_column_by_column(tmp_path: Path, parts: int) -> None:
    path = _write(tmp_path / "t.csv", _rows()[:1])
    result = _scan(path, parts, parquet=False)  # no StructuralError: the row-wise reader is not needed
    assert (result.rows, result.problems) == (0, [])


def _large_copy(path: Path, megabytes: int = 120) -> None:
    """The shipped table's rows repeated to ``megabytes``: each range is then larger than
    pyarrow's read-ahead (no hang was seen below 35 MB per range, one at 50 MB)."""
    text = (DATASETS / f"{TABLE}.csv").read_bytes()
    header, _, body = text.partition(b"\n")
    with path.open("wb") as out:
        out.write(header + b"\n")
        for _ in range(megabytes * (1 << 20) // len(body) + 1):
            out.write(body)


# Runs in a child process with a timeout: the failure this guards against is a hang.
_SCAN_CHILD = """
import sys
from pathlib import Path
from cecot_data.validate.ranges import StructuralError, scan_csv
from cecot_data.models import MODELS_BY_TABLE
try:
    scan_csv(Path(sys.argv[1]), MODELS_BY_TABLE["population_counts"], "t.csv", (), parts=2)
except StructuralError:
    print("structural")
else:
    print("read")
"""


_OPEN_CHILD = """
import itertools, sys
from contextlib import ExitStack
from pathlib import Path
from cecot_data.validate.batches import TableChecker
from cecot_data.validate.ranges import _open_range, _Range, split_points
from cecot_data.models import MODELS_BY_TABLE
path = Path(sys.argv[1])
with ExitStack() as stack:
    readers = [
        _open_range(path, _Range(a, b, TableChecker(MODELS_BY_TABLE["population_counts"], "t.csv", ())), stack)
        for a, b in itertools.pairwise(split_points(path, 2))
    ]
print("opened")
"""


def test_readers_close_with_their_files(tmp_path: Path) -> None:
    """Readers left unread with a read-ahead pending must not hang or abort the process at exit.

    Over Python file objects they did (4 runs in 6 at this size, with pyarrow 26);
    over Arrow's own file streams they do not.
    """
    path = tmp_path / "big.csv"
    _large_copy(path)
    # Four runs: at 4 failures in 6, all four would pass about once in 80.
    for _ in range(4):
        args = [sys.executable, "-c", _OPEN_CHILD, str(path)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout.strip()) == (0, "opened"), done.stderr


@pytest.mark.parametrize(
    "damage",
    [pytest.param(b",an extra cell", id="ragged-row-early"), pytest.param(b"\xff\xfe", id="invalid-utf8-early")],
)
def test_a_range_that_stops_early_does_not_hang(tmp_path: Path, damage: bytes) -> None:
    """A large file whose first range stops early is read again in one pass, and the process ends."""
    path = tmp_path / "big.csv"
    _large_copy(path)
    with path.open("r+b") as handle:
        head = handle.read(10_000)
        cut = head.index(b"\n", 5000)  # the end of an early row, in the first range
        handle.seek(cut)
        rest = handle.read(len(damage))
        handle.seek(cut)
        handle.write(damage)  # over the next bytes: the file keeps its size
        assert rest != damage
    done = subprocess.run([sys.executable, "-c", _SCAN_CHILD, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "structural"
