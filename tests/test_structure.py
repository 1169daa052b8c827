"""The structure the guarantees rest on: the problem-code catalogue, the row-rule registry, the module map."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
import re
import typing
from pathlib import Path

import pytest

import cecot_data
from cecot_data.errors import PROBLEM_CODES, ProblemCode, problem_codes_markdown
from cecot_data.models import MODELS
from cecot_data.rules import Rule
from cecot_data.validate.row_rules import EVALUATORS, Batch, MissingEvaluatorError, evaluate

PACKAGE_DIR = Path(cecot_data.__file__).parent
MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="cecot_data.") if "._data" not in name
)


def test_every_problem_code_has_a_meaning() -> None:
    assert list(PROBLEM_CODES) == list(typing.get_args(ProblemCode))
    assert all(meaning and "\n" not in meaning for meaning in PROBLEM_CODES.values())


def test_problem_codes_are_rendered_into_the_docs(repo: Path) -> None:
    text = (repo / "docs" / "problem-codes.md").read_text(encoding="utf-8")
    assert text == problem_codes_markdown()
    for code in PROBLEM_CODES:
        assert f"| `{code}` |" in text


def _emitted_codes() -> list[tuple[str, int, str]]:
    """(module file, line, code) for every string literal given as the rule of a Problem in the source."""
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
                rule = (
                    node.args[3]
                    if len(node.args) > 3
                    else next((k.value for k in node.keywords if k.arg == "rule"), None)
                )
                if isinstance(rule, ast.Constant):
                    found.append((path.name, node.lineno, rule.value))
    return found


def test_every_code_an_engine_emits_is_catalogued() -> None:
    emitted = _emitted_codes()
    assert len(emitted) > 30  # the scan does find the engines' problems
    assert [e for e in emitted if e[2] not in PROBLEM_CODES] == []


def test_cell_check_rules_are_catalogued() -> None:
    source = (PACKAGE_DIR / "validate" / "cells.py").read_text(encoding="utf-8")
    rules = re.findall(r'CellCheck\("([a-z-]+)"', source)
    assert rules and set(rules) <= set(PROBLEM_CODES)


def test_every_row_rule_type_has_a_columnar_evaluator() -> None:
    assert set(EVALUATORS) == set(typing.get_args(Rule))
    used = {type(rule) for model in MODELS for rule in model.row_rules}
    assert used <= set(EVALUATORS)


def test_a_rule_without_an_evaluator_is_an_error_not_skipped() -> None:
    class Unknown:
        pass

    with pytest.raises(MissingEvaluatorError, match="Unknown"):
        evaluate(Unknown(), Batch({}, {}))  # type: ignore[arg-type]


def test_module_map_names_every_module(repo: Path) -> None:
    design = (repo / "docs" / "design.md").read_text(encoding="utf-8")
    section = design.split("## Module map", 1)[1].split("\n## ", 1)[0]
    for name in MODULES:
        rel = name.removeprefix("cecot_data.").replace(".", "/")
        shown = f"`{rel}/`" if (PACKAGE_DIR / rel).is_dir() else f"`{rel}.py`"
        assert shown in section, f"docs/design.md's module map does not list {shown}"


def test_doctests_pass() -> None:
    """Every example in a docstring runs and prints what it says (the README's test command runs this)."""
    attempted = 0
    for name in ["cecot_data", *MODULES]:
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, raise_on_error=False)
        assert result.failed == 0, name
        attempted += result.attempted
    assert attempted >= 5


def test_constants_module_is_a_leaf() -> None:
    source = (PACKAGE_DIR / "constants.py").read_text(encoding="utf-8")
    imports = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
    assert all(n.level == 0 for n in imports), "constants.py must import nothing of the package"
    for path in PACKAGE_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"from \.+build import [A-Z_]+\b(?!\()", text), f"{path.name} imports build for a constant"
