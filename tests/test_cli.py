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


@pytest.mark.parametrize("argv", [[], ["info"], ["show"], ["validate"], ["build"]])
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
