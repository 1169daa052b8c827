"""Every class of bad input gets one clear problem and the right exit code, never a traceback.

Each case edits a copy of the installed package, re-records the edited files'
sizes and hashes (so that only the intended problem remains, unless the case
is about the hash), runs ``cecot-data validate --format json`` and checks the
exit code and the single problem reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cecot_data.cli import main
from cecot_data.constants import PARQUET_PROPERTY
from cecot_data.errors import PROBLEM_CODES
from cecot_data.models import MODELS

Edit = Callable[[Path], None]


def _descriptor(package: Path) -> dict[str, Any]:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def _save(package: Path, descriptor: dict[str, Any]) -> None:
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def _rehash(package: Path) -> None:
    """Record the current size and sha256 of every file the descriptor names."""
    descriptor = _descriptor(package)
    for resource in descriptor["resources"]:
        for spec in (resource, resource.get(PARQUET_PROPERTY, {})):
            path = package / str(spec.get("path", ""))
            if spec.get("path") and path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                spec["bytes"] = len(data)
                spec["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    _save(package, descriptor)


def _resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def _set_path(table: str, value: str) -> Edit:
    def edit(package: Path) -> None:
        descriptor = _descriptor(package)
        _resource(descriptor, table)["path"] = value
        _save(package, descriptor)

    return edit


def _csv(table: str) -> Path:
    return Path("datasets") / f"{table}.csv"


def _rewrite(table: str, change: Callable[[str], str]) -> Edit:
    def edit(package: Path) -> None:
        path = package / _csv(table)
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")
        _rehash(package)

    return edit


def _replace(table: str, old: str, new: str) -> Edit:
    def change(text: str) -> str:
        assert old in text, f"{old!r} not in {table}"
        return text.replace(old, new, 1)

    return _rewrite(table, change)


def _line(table: str, number: int, change: Callable[[str], str]) -> Edit:
    def apply(text: str) -> str:
        lines = text.split("\n")
        lines[number - 1] = change(lines[number - 1])
        return "\n".join(lines)

    return _rewrite(table, apply)


def _write_bytes(rel: str, data: bytes, rehash: bool = True) -> Edit:
    def edit(package: Path) -> None:
        (package / rel).write_bytes(data)
        if rehash:
            _rehash(package)

    return edit


def _parquet_other_schema(package: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = package / "datasets" / "events.parquet"
    table = pq.read_table(path)
    table = table.set_column(0, pa.field("event_id", pa.large_string()), table.column(0).cast(pa.large_string()))
    pq.write_table(table, path)
    _rehash(package)


def _parquet_precision_disagrees(package: Path) -> None:
    """The derived precision column says 'day' where the EDTF date is a year."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = package / "datasets" / "events.parquet"
    table = pq.read_table(path)
    index = table.schema.get_field_index("occurred_on_precision")
    wrong = pc.if_else(pc.equal(table.column("occurred_on"), "2023"), "day", table.column(index))
    pq.write_table(table.set_column(index, table.schema.field(index), wrong.cast(pa.string())), path)
    _rehash(package)


def _truncate(rel: str) -> Edit:
    def edit(package: Path) -> None:
        path = package / rel
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        _rehash(package)

    return edit


def _symlink_outside(package: Path) -> None:
    outside = package.parent / "outside.csv"
    shutil.copy(package / "datasets" / "events.csv", outside)
    link = package / "datasets" / "linked.csv"
    link.symlink_to(outside)
    _set_path("events", "datasets/linked.csv")(package)


def _directory_instead(package: Path) -> None:
    path = package / "datasets" / "events.csv"
    path.unlink()
    path.mkdir()


def _header(table: str, change: Callable[[list[str]], list[str]]) -> Edit:
    return _line(table, 1, lambda header: ",".join(change(header.split(","))))


def _swap_first_two(cells: list[str]) -> list[str]:
    return [cells[1], cells[0], *cells[2:]]


def _append_bytes(table: str, data: bytes) -> Edit:
    def edit(package: Path) -> None:
        path = package / _csv(table)
        path.write_bytes(path.read_bytes() + data)
        _rehash(package)

    return edit


def _append_copy_of_row(table: str, row: int) -> Edit:
    return _rewrite(table, lambda text: text + text.split("\n")[row - 1] + "\n")


def _cell(table: str, row: int, column: str, value: str) -> Edit:
    """Set one cell (row numbers as reported: header = 1) through the csv module."""

    def change(text: str) -> str:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        rows[row - 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    return _rewrite(table, change)


def _descriptor_edit(change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(package: Path) -> None:
        descriptor = _descriptor(package)
        change(descriptor)
        _save(package, descriptor)

    return edit


# (id, edit, expected exit code, expected rule, expected file, expected row, expected field)
CASES: list[tuple[str, Edit, int, str, str | None, int | None, str | None]] = [
    (
        "descriptor-profile",
        _descriptor_edit(lambda d: d.pop("$schema")),
        1,
        "descriptor",
        "datapackage.json",
        None,
        "$schema",
    ),
    (
        "resource-missing",
        _descriptor_edit(lambda d: d["resources"].pop()),
        1,
        "resource",
        "datapackage.json",
        None,
        None,
    ),
    (
        "unknown-resource",
        _descriptor_edit(lambda d: d["resources"].append({**d["resources"][0], "name": "prisons"})),
        1,
        "resource",
        "datapackage.json",
        None,
        f"resources[{len(MODELS)}]",
    ),
    ("absolute-path", _set_path("events", "/etc/passwd"), 1, "unsafe-path", "datapackage.json", None, "events.path"),
    (
        "dotdot-path",
        _set_path("events", "../outside/events.csv"),
        1,
        "unsafe-path",
        "datapackage.json",
        None,
        "events.path",
    ),
    (
        "url-path",
        _set_path("events", "https://example.org/events.csv"),
        1,
        "unsafe-path",
        "datapackage.json",
        None,
        "events.path",
    ),
    ("symlink-outside", _symlink_outside, 1, "unsafe-path", "datapackage.json", None, "events.path"),
    (
        "missing-file",
        lambda p: (p / "datasets" / "events.csv").unlink(),
        1,
        "missing-file",
        "datasets/events.csv",
        None,
        None,
    ),
    ("directory-not-file", _directory_instead, 1, "not-a-file", "datasets/events.csv", None, None),
    ("empty-file", _write_bytes("datasets/events.csv", b""), 1, "empty-file", "datasets/events.csv", None, None),
    ("not-utf8", _append_bytes("events", b"x,\xff\xfe\n"), 1, "encoding", "datasets/events.csv", None, None),
    ("bom", _rewrite("events", lambda t: "\ufeff" + t), 1, "encoding", "datasets/events.csv", 1, None),
    ("wrong-header", _header("events", lambda h: ["id", *h[1:]]), 1, "header", "datasets/events.csv", 1, None),
    ("reordered-header", _header("events", _swap_first_two), 1, "header", "datasets/events.csv", 1, None),
    ("extra-column", _header("events", lambda h: [*h, "extra"]), 1, "header", "datasets/events.csv", 1, None),
    ("missing-column", _header("events", lambda h: h[:-1]), 1, "header", "datasets/events.csv", 1, None),
    ("ragged-row", _append_bytes("events", b"a,b\n"), 1, "row-length", "datasets/events.csv", None, None),
    ("blank-row", _line("events", 3, lambda line: "\n" + line), 1, "blank-row", "datasets/events.csv", 3, None),
    ("unclosed-quote", _append_bytes("events", b'x,"unclosed\n'), 1, "csv-syntax", "datasets/events.csv", None, None),
    ("cell-too-long", _cell("events", 2, "notes", "x" * 20_001), 1, "cell-size", "datasets/events.csv", 2, "notes"),
    (
        "wrong-type",
        _cell("population_counts", 2, "value", "many"),
        1,
        "type",
        "datasets/population_counts.csv",
        2,
        "value",
    ),
    ("boolean-type", _cell("events", 2, "date_inferred", "yes"), 1, "type", "datasets/events.csv", 2, "date_inferred"),
    ("required-null", _cell("events", 2, "title", ""), 1, "required", "datasets/events.csv", 2, "title"),
    ("enum", _cell("events", 2, "event_type", "party"), 1, "enum", "datasets/events.csv", 2, "event_type"),
    (
        "pattern",
        _cell("facilities", 2, "country_iso2", "El Salvador"),
        1,
        "pattern",
        "datasets/facilities.csv",
        2,
        "country_iso2",
    ),
    ("out-of-range", _cell("facilities", 2, "latitude", "95"), 1, "maximum", "datasets/facilities.csv", 2, "latitude"),
    (
        "impossible-date",
        _cell("events", 2, "occurred_on", "2022-02-30"),
        1,
        "edtf",
        "datasets/events.csv",
        2,
        "occurred_on",
    ),
    (
        "impossible-day-type",
        _cell("sources", 2, "accessed_on", "2026-02-30"),
        1,
        "type",
        "datasets/sources.csv",
        2,
        "accessed_on",
    ),
    (
        "quote-too-long",
        _cell("events", 2, "quote", " ".join(["word"] * 41)),
        1,
        "max-words",
        "datasets/events.csv",
        2,
        "quote",
    ),
    ("precision-disagrees", _parquet_precision_disagrees, 1, "parquet", "datasets/events.parquet", None, None),
    (
        "qualifier-bounds",
        _replace("population_counts", ",40000,at_most,", ",40000,at_least,"),
        1,
        "row-rule",
        "datasets/population_counts.csv",
        None,
        "qualifier",
    ),
    (
        "duplicate-key",
        _append_copy_of_row("event_facilities", 2),
        1,
        "primary-key",
        "datasets/event_facilities.csv",
        None,
        "event_id,facility_id",
    ),
    (
        "dangling-foreign-key",
        _cell("event_facilities", 2, "facility_id", "sv-nowhere"),
        1,
        "foreign-key",
        "datasets/event_facilities.csv",
        2,
        "facility_id",
    ),
    (
        "hash-mismatch",
        lambda p: (p / "datasets" / "events.csv").write_text(
            (p / "datasets" / "events.csv").read_text(encoding="utf-8").replace("CECOT opens", "CECOT OPENS"),
            encoding="utf-8",
        ),
        1,
        "hash",
        "datasets/events.csv",
        None,
        None,
    ),
    ("truncated-parquet", _truncate("datasets/events.parquet"), 1, "parquet", "datasets/events.parquet", None, None),
    (
        "corrupt-parquet",
        _write_bytes("datasets/events.parquet", b"PAR1 not really parquet"),
        1,
        "parquet",
        "datasets/events.parquet",
        None,
        None,
    ),
    ("parquet-schema", _parquet_other_schema, 1, "parquet-schema", "datasets/events.parquet", None, None),
]


@pytest.mark.parametrize(
    ("edit", "code", "rule", "file", "row", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(
    capsys: pytest.CaptureFixture[str],
    package_copy: Path,
    edit: Edit,
    code: int,
    rule: str,
    file: str | None,
    row: int | None,
    field: str | None,
) -> None:
    edit(package_copy)
    assert main(["validate", str(package_copy), "--format", "json"]) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    problems = json.loads(out)["problems"]
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem["rule"] == rule
    assert rule in PROBLEM_CODES
    assert problem["file"] == file
    if row is not None:
        assert problem["row"] == row
    assert problem["field"] == field
    assert problem["message"]


UNUSABLE: list[tuple[str, Callable[[Path], Path], str]] = [
    ("no-descriptor", lambda p: (p / "datapackage.json").unlink() or p, "no datapackage.json"),
    ("not-json", lambda p: (p / "datapackage.json").write_text("{oops", encoding="utf-8") and p, "not valid JSON"),
    (
        "not-a-package",
        lambda p: (p / "datapackage.json").write_text("[1, 2]", encoding="utf-8") and p,
        "not a Data Package",
    ),
    (
        "descriptor-is-directory",
        lambda p: ((p / "datapackage.json").unlink(), (p / "datapackage.json").mkdir(), p)[2],
        "is a directory",
    ),
    ("descriptor-not-utf8", lambda p: (p / "datapackage.json").write_bytes(b"\xff\xfe{}") and p, "not UTF-8"),
    ("path-does-not-exist", lambda p: p / "nowhere", "no datapackage.json"),
]


@pytest.mark.parametrize(("prepare", "message"), [c[1:] for c in UNUSABLE], ids=[c[0] for c in UNUSABLE])
def test_unusable_input_exits_2(
    capsys: pytest.CaptureFixture[str], package_copy: Path, prepare: Callable[[Path], Path], message: str
) -> None:
    target = prepare(package_copy)
    assert main(["validate", str(target)]) == 2
    out, err = capsys.readouterr()
    assert message in err
    assert "Traceback" not in out + err


def test_permission_denied_on_a_data_file(
    capsys: pytest.CaptureFixture[str], package_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root ignores file modes, so the refusal is simulated where the file is opened."""
    denied = package_copy / "datasets" / "events.csv"
    real_open = os.open

    def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(path) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    assert main(["validate", str(package_copy), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["file"], p["rule"]) for p in problems] == [("datasets/events.csv", "permission")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_for_real(capsys: pytest.CaptureFixture[str], package_copy: Path) -> None:
    path = package_copy / "datasets" / "events.csv"
    path.chmod(0)
    try:
        assert main(["validate", str(package_copy), "--format", "json"]) == 1
        problems = json.loads(capsys.readouterr().out)["problems"]
        assert [p["rule"] for p in problems] == ["permission"]
    finally:
        path.chmod(0o644)


def test_url_resource_is_never_fetched(package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the validator tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    _set_path("events", "https://example.org/events.csv")(package_copy)
    assert main(["validate", str(package_copy)]) == 1


def test_text_report_ends_with_a_summary(capsys: pytest.CaptureFixture[str], package_copy: Path) -> None:
    _cell("events", 2, "event_type", "party")(package_copy)
    _cell("facilities", 2, "country_iso2", "El Salvador")(package_copy)
    assert main(["validate", str(package_copy)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[-1].endswith("INVALID: 2 problem(s)")
