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
