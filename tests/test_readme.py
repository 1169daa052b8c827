"""The README's promises: its Python example prints what it says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path


def test_developer_example_output(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Developers\n\n```python\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    code_lines, expected = [], []
    for line in block.group(1).splitlines():
        if line.startswith("# "):
            expected.append(line[2:])
        elif expected:
            break  # the printed lines end the part we run
        else:
            code_lines.append(line)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec("\n".join(code_lines), {})  # noqa: S102 - our own README
    assert out.getvalue().splitlines() == expected


def test_quick_start_commands_are_the_real_ones(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme
    assert (repo / "scripts" / "test.sh").is_file()
    assert "scripts/test.sh" in (repo / ".ci" / "run").read_text(encoding="utf-8")


def _block(readme: str, heading: str) -> str:
    section = readme.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None, heading
    return block.group(1)


def test_researcher_example_runs_from_any_folder(repo: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    code = _block((repo / "README.md").read_text(encoding="utf-8"), "Researchers")
    assert "parquet_path(" in code
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "measure" in line)
    for column in ("measure", "claimant", "qualifier", "value", "lower_bound", "upper_bound", "as_of"):
        assert column in header


def test_install_instructions_need_no_index(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    # Not published yet: nothing may tell a reader to install cecot-data from an index.
    assert not re.search(r"pip install ['\"]?cecot-data", readme)
    assert "pip install '.[all]'" in readme
    assert "python -m build --wheel" in readme
    assert "cecot-data --version" in readme


def test_datasette_line_has_an_extra(repo: Path) -> None:
    pyproject = (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^datasette = \["datasette[>=<]', pyproject, re.MULTILINE)
    assert re.search(r'"cecot-data\[[a-z,]*\bdatasette\b[a-z,]*\]"', pyproject)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "datasette cecot.db" in readme and "the datasette extra" in readme


def test_readme_speaks_spanish_too(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    spanish = readme.split("## En español", 1)[1].split("\n## ", 1)[0]
    assert "cecot-data describe TABLA --lang es" in spanish
    assert "docs/diccionario-de-datos.md" in spanish
    assert "In English:" in spanish
