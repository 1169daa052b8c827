"""`cecot-data diff`: what changed between two releases, and retired ids that are never reused."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from cecot_data.cli import main


def _edit(package: Path, table: str, change: object) -> None:
    path = package / "datasets" / f"{table}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = list(rows[0]) if rows else next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = change(rows)  # type: ignore[operator]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def old_and_new(package_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    new = tmp_path / "new"
    shutil.copytree(package_copy, new)
    _edit(new, "events", lambda rows: [r for r in rows if r["event_id"] != "2023-cecot-opened"])
    _edit(
        new,
        "facilities",
        lambda rows: [
            {**r, "municipality": "Tecoluca (San Vicente)"} if r["facility_id"] == "sv-cecot" else r for r in rows
        ],
    )
    return package_copy, new


def test_no_differences(capsys: pytest.CaptureFixture[str], package_copy: Path) -> None:
    assert main(["diff", str(package_copy), str(package_copy / "datapackage.json")]) == 0
    assert "no differences" in capsys.readouterr().out


def test_rows_added_removed_changed(capsys: pytest.CaptureFixture[str], old_and_new: tuple[Path, Path]) -> None:
    old, new = old_and_new
    assert main(["diff", str(old), str(new), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)["tables"]
    assert report["events"]["removed"] == ["2023-cecot-opened"]
    assert report["facilities"]["changed"] == {
        "sv-cecot": {"municipality": {"old": "Tecoluca", "new": "Tecoluca (San Vicente)"}}
    }
    assert main(["diff", str(new), str(old), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["tables"]["events"]["added"] == ["2023-cecot-opened"]


def test_changelog_entry(capsys: pytest.CaptureFixture[str], old_and_new: tuple[Path, Path]) -> None:
    old, new = old_and_new
    main(["diff", str(old), str(new), "--format", "changelog"])
    entry = capsys.readouterr().out
    assert "### Changed\n- `facilities`: 1 row (`sv-cecot`); fields: municipality." in entry
    assert "### Removed\n- `events`: 1 row (`2023-cecot-opened`); their ids are retired." in entry


def test_retired_ids_are_never_reused(
    capsys: pytest.CaptureFixture[str], old_and_new: tuple[Path, Path], repo: Path, tmp_path: Path
) -> None:
    old, new = old_and_new
    main(["diff", str(old), str(new), "--retire"])
    retired = (new / "datasets" / "retired_ids.csv").read_text(encoding="utf-8")
    assert "events,2023-cecot-opened," in retired
    # A maintainer rebuilds the edited package, then someone brings the retired id back.
    checkout = tmp_path / "checkout"
    shutil.copytree(new, checkout)
    for rel in ("pyproject.toml", "CHANGELOG.md", "docs/datasheet-template.md"):
        (checkout / rel).parent.mkdir(exist_ok=True)
        shutil.copy(repo / rel, checkout / rel)
    _edit(checkout, "event_facilities", lambda rows: [r for r in rows if r["event_id"] != "2023-cecot-opened"])
    assert main(["build", "--root", str(checkout)]) == 0
    capsys.readouterr()
    assert main(["validate", str(checkout)]) == 0
    original = {r["event_id"]: r for r in csv.DictReader(io.StringIO((old / "datasets" / "events.csv").read_text()))}
    _edit(checkout, "events", lambda rows: [*rows, original["2023-cecot-opened"]])
    assert main(["build", "--root", str(checkout)]) == 0
    capsys.readouterr()
    assert main(["validate", str(checkout), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["rule"], p["value"]) for p in problems] == [("retired-id", "2023-cecot-opened")]


def test_unreadable_package_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, package_copy: Path) -> None:
    assert main(["diff", str(tmp_path), str(package_copy)]) == 2
    assert "no datapackage.json" in capsys.readouterr().err
