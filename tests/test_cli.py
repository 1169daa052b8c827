"""The command line: output, formats and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cecot_data.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "cecot-data"
    result = subprocess.run([str(script), "info"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "population_counts" in result.stdout


def test_info(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "info")
    assert code == 0
    assert "CC-BY-4.0" in out and "MIT" in out and "Cite as" in out
    assert "datapackage.json" in out
    import cecot_data

    for name in cecot_data.TABLE_NAMES:
        assert f"{name} " in out


def test_show_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "facilities")
    import cecot_data

    assert code == 0
    assert "sv-cecot" in out
    assert f"({len(cecot_data.load_facilities())} rows)" in out
    code, out, _ = run(capsys, "show", "population_counts", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert {r["count_id"]: r["upper_bound"] for r in rows}["sv-cecot-capacity-ap-2025"] == "40000"
    code, out, _ = run(capsys, "show", "events", "--format", "json", "--limit", "2")
    assert code == 0 and len(json.loads(out)) == 2


@pytest.mark.parametrize("argv", [[], ["info"], ["show"], ["describe"], ["claims"], ["validate"], ["build"]])
def test_help_everywhere(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    assert "usage: cecot-data" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import cecot_data

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"cecot-data {cecot_data.__version__}\n"


def test_unknown_table_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["show", "prisons"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_validate_shipped_package(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert out.strip().endswith("valid")


def test_validate_reports_file_row_field_reason(capsys: pytest.CaptureFixture[str], package_copy: Path) -> None:
    path = package_copy / "datasets" / "population_counts.csv"
    text = path.read_text(encoding="utf-8").replace(",at_most,", ",about,", 1)
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(package_copy), "--format", "json")
    assert code == 1
    problems = json.loads(out)["problems"]
    enum_problem = next(p for p in problems if p["field"] == "qualifier")
    assert enum_problem["file"] == "datasets/population_counts.csv"
    assert enum_problem["row"] >= 2
    assert enum_problem["value"] == "about"
    assert "'exact'" in enum_problem["message"]
    # the edited file no longer matches its hash either
    assert any(p["rule"] == "hash" and p["file"] == "datasets/population_counts.csv" for p in problems)


def test_validate_text_report_lists_every_problem(capsys: pytest.CaptureFixture[str], package_copy: Path) -> None:
    path = package_copy / "datasets" / "events.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[0]
    rows[1][header.index("occurred_on")] = "2022-02-30"  # impossible date
    rows[2][header.index("event_type")] = "party"  # not an event type
    out_text = io.StringIO()
    csv.writer(out_text, lineterminator="\n").writerows(rows)
    path.write_text(out_text.getvalue(), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(package_copy))
    assert code == 1
    assert "datasets/events.csv:2 [occurred_on]" in out
    assert "datasets/events.csv:3 [event_type]" in out
    assert "INVALID" in out.splitlines()[-1]


def test_validate_missing_descriptor_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 2
    assert "no datapackage.json" in err


def test_validate_descriptor_not_json_exits_2(capsys: pytest.CaptureFixture[str], package_copy: Path) -> None:
    (package_copy / "datapackage.json").write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "validate", str(package_copy))
    assert code == 2
    assert "not valid JSON" in err
    assert "Traceback" not in err


def test_build_check_outside_a_checkout_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "build", "--root", str(tmp_path), "--check")
    assert code == 2
    assert "not a cecot-data checkout" in err


def test_build_check_on_the_checkout(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, out, _ = run(capsys, "build", "--root", str(repo), "--check")
    assert code == 0
    assert "all generated files are current" in out


def test_build_refuses_invalid_csv(capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path) -> None:
    import shutil

    checkout = tmp_path / "checkout"
    for rel in ("pyproject.toml", "datasets"):
        source = repo / rel
        if source.is_dir():
            shutil.copytree(source, checkout / rel)
        else:
            checkout.mkdir(exist_ok=True)
            shutil.copy(source, checkout / rel)
    path = checkout / "datasets" / "facilities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",SV,", ",El Salvador,", 1), encoding="utf-8")
    code, _, err = run(capsys, "build", "--root", str(checkout))
    assert code == 1
    assert "datasets/facilities.csv:2 [country_iso2]" in err


def test_output_cut_short_by_a_pipe_is_not_an_error() -> None:
    script = Path(sys.executable).parent / "cecot-data"
    show = subprocess.Popen([str(script), "show", "sources"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert show.stdout is not None and show.stderr is not None
    first = show.stdout.readline()
    show.stdout.close()  # the reader stops early, like `| head -n 1`
    errors = show.stderr.read()
    assert show.wait() == 0
    assert first.startswith(b"source_id")
    assert errors == b""


# ---------------------------------------------------------------------------
# A readable terminal


def _narrow(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))


@pytest.mark.parametrize("width", [60, 100, 200])
@pytest.mark.parametrize("table", ["population_counts", "facilities", "events", "event_facilities"])
def test_show_fits_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int, table: str
) -> None:
    _narrow(monkeypatch, width)
    code, out, _ = run(capsys, "show", table)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= width


def test_show_says_how_many_of_how_many(capsys: pytest.CaptureFixture[str]) -> None:
    import cecot_data

    total = len(cecot_data.load_population_counts())
    _, out, _ = run(capsys, "show", "population_counts", "--limit", "3")
    assert out.splitlines()[-1] == f"(3 of {total:,} rows)"
    _, out, _ = run(capsys, "show", "retired_ids")
    assert out.splitlines()[-1] == f"({len(cecot_data.load_table('retired_ids'))} rows)"


def test_show_columns_where_sort(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import cecot_data

    _narrow(monkeypatch, 200)
    argv = ["show", "population_counts", "--columns", "count_id,value,as_of", "--where", "measure=capacity"]
    code, out, _ = run(capsys, *argv, "--sort", "value", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    capacity = [c for c in cecot_data.load_population_counts() if c.measure == "capacity"]
    assert list(rows[0]) == ["count_id", "value", "as_of"]
    assert {r["count_id"] for r in rows} == {c.count_id for c in capacity}
    values = [float(r["value"]) for r in rows if r["value"]]
    assert values == sorted(values)
    assert all(r["value"] for r in rows[: len(values)]), "nulls sort last"
    _, out, _ = run(capsys, *argv, "--limit", "2")
    assert out.splitlines()[0].split() == ["count_id", "value", "as_of"]
    assert out.splitlines()[-1] == f"(2 of {len(capacity)} rows, where measure=capacity)"
    _, out, _ = run(capsys, "show", "population_counts", "--where", "facility_id=", "--format", "csv")
    assert all(r["facility_id"] == "" for r in csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize(
    "argv",
    [
        ["--columns", "count_id,prisoners"],
        ["--where", "prisoners=1"],
        ["--where", "measure"],
        ["--sort", "prisoners"],
    ],
)
def test_show_unknown_columns_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, "show", "population_counts", *argv)
    assert code == 2
    assert "count_id" in err  # the message lists the columns there are


def test_show_json_keeps_integers_and_csv_order(capsys: pytest.CaptureFixture[str]) -> None:
    from cecot_data.models import MODELS_BY_TABLE
    from cecot_data.schema import column_names

    _, out, _ = run(capsys, "show", "population_counts", "--format", "json")
    rows = json.loads(out)
    assert all(list(row) == list(column_names(MODELS_BY_TABLE["population_counts"])) for row in rows)
    ap = next(r for r in rows if r["count_id"] == "sv-cecot-capacity-ap-2025")
    assert ap["upper_bound"] == 40000 and isinstance(ap["upper_bound"], int)
    assert '"upper_bound": 40000,' in out
    fractional = [r["value"] for r in rows if isinstance(r["value"], float)]
    assert all(not v.is_integer() for v in fractional)


def test_claims_list_says_what_each_group_is_about(capsys: pytest.CaptureFixture[str]) -> None:
    from cecot_data.views import claim_groups

    code, out, _ = run(capsys, "claims", "--format", "json")
    assert code == 0
    groups = json.loads(out)
    assert [g["group"] for g in groups] == list(claim_groups())
    capacity = next(g for g in groups if g["group"] == "sv-cecot-capacity")
    assert capacity["about"] == ["capacity"] and capacity["where"] == ["sv-cecot"]
    assert capacity["claims"] == claim_groups()["sv-cecot-capacity"]
    assert all(g["about"] and g["where"] and g["claims"] >= 1 for g in groups)
    _, out, _ = run(capsys, "claims")
    assert out.splitlines()[0].split() == ["group", "about", "where", "period", "claims"]
    assert f"({len(groups)} claim groups;" in out


def test_claims_group_shows_every_claim(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import cecot_data
    from cecot_data.views import claims

    _narrow(monkeypatch, 90)
    rows = claims("sv-cecot-capacity")
    code, out, _ = run(capsys, "claims", "sv-cecot-capacity")
    assert code == 0
    assert out.splitlines()[0].startswith(f"sv-cecot-capacity: capacity at sv-cecot ({len(rows)} claims")
    assert max(len(line) for line in out.splitlines()) <= 90
    flat = " ".join(out.split())
    sources = {s.source_id: s for s in cecot_data.load_sources()}
    for number, row in enumerate(rows, 1):
        assert f"{number}. {row.claimant} ({row.claimant_kind})" in out
        assert f"{row.qualifier}; stated as {row.stated_as!r}" in flat
        assert row.source_id in flat and sources[row.source_id].publisher in flat
        assert " ".join(row.quote.split()) in flat
    _, out, _ = run(capsys, "claims", "sv-cecot-capacity", "--format", "json")
    views = json.loads(out)
    assert [v["id"] for v in views] == [r.count_id for r in rows]
    for view in views:
        assert {"claimant", "date", "qualifier", "figure", "source_id", "publisher", "quote"} <= set(view)


def test_plurals() -> None:
    from cecot_data.terminal import plural

    assert [plural(n, "row") for n in (0, 1, 2, 1000)] == ["0 rows", "1 row", "2 rows", "1,000 rows"]
    assert plural(1, "claim group") == "1 claim group"


def test_as_of_tables_are_the_snapshot_fields() -> None:
    import dataclasses

    from cecot_data.cli import AS_OF_TABLES
    from cecot_data.views import Snapshot

    assert tuple(f.name for f in dataclasses.fields(Snapshot) if f.name != "on") == AS_OF_TABLES


def test_every_command_is_in_help_readme_and_docstring(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    import cecot_data.cli

    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    readme = (repo / "README.md").read_text(encoding="utf-8")
    listed = readme.split("### Command line", 1)[1].split("\n## ", 1)[0]
    expected = ["info", "show", "describe", "claims", "validate", "export", "plot", "diff", "build"]
    assert list(cecot_data.cli.COMMANDS) == expected
    for name, spec in cecot_data.cli.COMMANDS.items():
        assert spec.help, name
        assert f"    {name} " in help_text, name
        assert f"cecot-data {name}" in listed, name
        assert f"``{name}``" in (cecot_data.cli.__doc__ or ""), name
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: cecot-data {name}" in capsys.readouterr().out
