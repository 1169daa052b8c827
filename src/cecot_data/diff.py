"""What changed between two releases of the data: rows added, removed and changed, field by field.

``cecot-data diff OLD NEW`` compares two package folders (or their
``datapackage.json``) table by table, matching rows on their primary key.
Removed identifiers must never be reused: ``--retire`` records them in
``datasets/retired_ids.csv`` of the NEW folder (run ``cecot-data build``
afterwards), and the validator refuses a live row whose id was retired.
``--format changelog`` prints a Keep-a-Changelog section for a data release.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DiffError
from .fileio import read_regular, write_atomic
from .models import MODELS, MODELS_BY_TABLE, Record

RETIRED_TABLE = "retired_ids"


@dataclass
class TableDiff:
    """The changes to one table."""

    table: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # key -> field -> (old, new)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


MAX_DESCRIPTOR_BYTES = 32 << 20


def _package_root(path: Path) -> Path:
    root = path.parent if path.name == "datapackage.json" else path
    if not (root / "datapackage.json").is_file():
        raise DiffError(f"{path}: no datapackage.json here")
    return root


def _text(path: Path) -> str:
    """A file's text; a FIFO, a device or undecodable bytes are a DiffError naming the file."""
    try:
        return read_regular(path).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DiffError(f"{path}: cannot read it ({reason})") from None


def _version(root: Path) -> str:
    path = root / "datapackage.json"
    try:
        text = read_regular(path, max_bytes=MAX_DESCRIPTOR_BYTES).decode("utf-8")
        found = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DiffError(f"{path}: cannot read it ({exc})") from None
    return str(found.get("version", "?")) if isinstance(found, dict) else "?"


def _rows(root: Path, model: type[Record]) -> dict[str, dict[str, str]]:
    """Rows of a table by key (cells as written; key parts joined with '/'); empty if the file is absent."""
    path = root / "datasets" / f"{model.table_name}.csv"
    if not path.exists():
        return {}
    text = _text(path)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        return {"/".join(row[k] for k in model.primary_key): row for row in reader}
    except (csv.Error, KeyError, TypeError) as exc:
        raise DiffError(f"{path}: cannot read it as this table ({exc})") from None


def diff_packages(old: Path, new: Path) -> tuple[str, str, list[TableDiff]]:
    """(old version, new version, per-table differences) between two package folders."""
    old_root, new_root = _package_root(old), _package_root(new)
    tables = []
    for model in MODELS:
        before, after = _rows(old_root, model), _rows(new_root, model)
        result = TableDiff(model.table_name)
        result.added = sorted(set(after) - set(before))
        result.removed = sorted(set(before) - set(after))
        for key in sorted(set(before) & set(after)):
            fields = {
                name: (before[key].get(name, ""), after[key].get(name, ""))
                for name in sorted(set(before[key]) | set(after[key]))
                if before[key].get(name, "") != after[key].get(name, "")
            }
            if fields:
                result.changed[key] = fields
        tables.append(result)
    return _version(old_root), _version(new_root), tables


def retire(new: Path, tables: list[TableDiff], version: str, reason: str = "removed from the data") -> int:
    """Append the removed ids to ``datasets/retired_ids.csv`` under ``new``; returns how many were added."""
    root = _package_root(new)
    path = root / "datasets" / f"{RETIRED_TABLE}.csv"
    model = MODELS_BY_TABLE[RETIRED_TABLE]
    from .schema import column_names

    names = list(column_names(model))
    existing = _rows(root, model)
    rows = list(existing.values())
    added = 0
    for table in tables:
        if table.table == RETIRED_TABLE:
            continue
        for key in table.removed:
            if f"{table.table}/{key}" in existing:
                continue
            rows.append({"from_table": table.table, "record_id": key, "retired_in": version, "reason": reason})
            added += 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({n: row.get(n, "") for n in names} for row in rows)
    write_atomic(path, out.getvalue())
    return added


def as_json(old: str, new: str, tables: list[TableDiff]) -> dict[str, Any]:
    """JSON-ready form of a diff."""
    return {
        "old_version": old,
        "new_version": new,
        "tables": {
            t.table: {
                "added": t.added,
                "removed": t.removed,
                "changed": {
                    key: {f: {"old": a, "new": b} for f, (a, b) in fields.items()} for key, fields in t.changed.items()
                },
            }
            for t in tables
            if not t.empty
        },
    }


def as_text(old: str, new: str, tables: list[TableDiff]) -> str:
    """A readable report, table by table."""
    lines = [f"{old} -> {new}"]
    for t in tables:
        if t.empty:
            continue
        lines.append(f"{t.table}: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed")
        lines += [f"  + {key}" for key in t.added]
        lines += [f"  - {key}" for key in t.removed]
        for key, fields in t.changed.items():
            lines.append(f"  ~ {key}")
            lines += [f"      {name}: {a!r} -> {b!r}" for name, (a, b) in fields.items()]
    if len(lines) == 1:
        lines.append("no differences")
    return "\n".join(lines)


def _n_rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def as_changelog(old: str, new: str, tables: list[TableDiff]) -> str:
    """A Keep-a-Changelog section for a data release (paste it under the new version's heading)."""
    added = [t for t in tables if t.added]
    changed = [t for t in tables if t.changed]
    removed = [t for t in tables if t.removed]
    lines = [f"<!-- generated by `cecot-data diff` ({old} -> {new}) -->"]
    if added:
        lines += ["### Added", *(f"- `{t.table}`: {_n_rows(len(t.added))} ({_ids(t.added)})." for t in added), ""]
    if changed:
        lines += ["### Changed"]
        for t in changed:
            fields = sorted({name for f in t.changed.values() for name in f})
            lines.append(
                f"- `{t.table}`: {_n_rows(len(t.changed))} ({_ids(list(t.changed))}); fields: {', '.join(fields)}."
            )
        lines.append("")
    if removed:
        lines += [
            "### Removed",
            *(f"- `{t.table}`: {_n_rows(len(t.removed))} ({_ids(t.removed)}); their ids are retired." for t in removed),
            "",
        ]
    if len(lines) == 1:
        lines.append("No data changes.")
    return "\n".join(lines).rstrip() + "\n"


def _ids(keys: list[str], shown: int = 5) -> str:
    listed = ", ".join(f"`{k}`" for k in keys[:shown])
    return listed + (f" and {len(keys) - shown} more" if len(keys) > shown else "")
