"""The columnar validator and the row-by-row reader report the same problems.

Random cells of the shipped tables are replaced with values that break one
rule or another; both engines read the damaged file and must agree on every
(row, field, rule). This is what lets the loaders use pydantic models while
`cecot-data validate` checks millions of rows with pyarrow.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cecot_data
from cecot_data.csv_files import parse_csv_rows
from cecot_data.models import MODELS, Record
from cecot_data.schema import column_names
from cecot_data.validate.ranges import scan_csv

BAD_VALUES = (
    "",
    "x",
    " padded",
    "padded ",
    "Not A Slug",
    "2023-02-30",
    "2023-13",
    "2025-03-16/2025-03-01",
    "-1",
    "1e999",
    "NaN",
    "12,5",
    "true",
    "yes",
    "95",
    "exact",
    "at_least",
    "vague",
    "SV",
    "sv-cecot",
    "http://",
    "word " * 45,
    "x" * 2001,
    "ÅÄÖ ünïcødé",
    # wording that fixes a qualifier (the stated_as rule)
    "nearly 300",
    "casi 400",
    "más de 40",
    "up to 5",
    "hasta esta fecha 454",
    "nearly",
    "nul\x00byte",
    "escape \x1b[2J",
    "c1 \x9b control",
    "tab\tand\nline",
)


def _problems_of(model: type[Record], text: str) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{model.table_name}.csv"
        path.write_text(text, encoding="utf-8")
        columnar = scan_csv(path, model, "t.csv", keep=())
    _, rowwise = parse_csv_rows(model, text, "t.csv")
    return (
        {(p.row, p.field, p.rule) for p in columnar.problems},
        {(p.row, p.field, p.rule) for p in rowwise},
    )


@pytest.mark.parametrize(
    "model", [m for m in MODELS if cecot_data.load_table(m.table_name)], ids=lambda m: m.table_name
)
@given(data=st.data())
def test_engines_agree(model: type[Record], data: st.DataObject) -> None:
    names = list(column_names(model))
    source = (cecot_data.datapackage_path().parent / "datasets" / f"{model.table_name}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(source)))
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.integers(1, len(rows) - 1))
        column = data.draw(st.integers(0, len(names) - 1))
        rows[row][column] = data.draw(st.sampled_from(BAD_VALUES))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    columnar, rowwise = _problems_of(model, out.getvalue())
    assert columnar == rowwise
