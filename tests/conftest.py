"""Shared fixtures and Hypothesis profiles. The tests run against the *installed* package (see scripts/test.sh).

Hypothesis profiles, chosen with ``CECOT_HYPOTHESIS_PROFILE``:

- ``ci`` (what scripts/test.sh selects unless told otherwise): derandomized, so a
  run gives the same examples every time and CI never fails by chance;
- ``dev`` (the default outside scripts/test.sh): random examples, as many;
- ``long``: random and ten times as many examples, for a thorough local run.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = 50

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]}
settings.register_profile("ci", max_examples=EXAMPLES, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("dev", max_examples=EXAMPLES, **_COMMON)
settings.register_profile("long", max_examples=10 * EXAMPLES, **_COMMON)
settings.load_profile(os.environ.get("CECOT_HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def repo() -> Path:
    """The source checkout (for generated-file and quality checks)."""
    return REPO


@pytest.fixture(scope="session")
def installed_package_dir() -> Path:
    """Folder of the installed datapackage.json."""
    import cecot_data

    return cecot_data.datapackage_path().parent


@pytest.fixture
def package_copy(tmp_path: Path, installed_package_dir: Path) -> Path:
    """A writable copy of the installed data package, for tampering."""
    target = tmp_path / "package"
    shutil.copytree(installed_package_dir, target)
    return target


REQUIRE_PEERS = os.environ.get("CECOT_REQUIRE_PEERS") == "1"


@pytest.fixture(scope="session")
def peer() -> Callable[[str], Any]:
    """Import a peer tool by module name; with CECOT_REQUIRE_PEERS=1 (CI) a missing one fails instead of skipping."""

    def load(module: str) -> Any:
        if REQUIRE_PEERS:
            return importlib.import_module(module)
        return pytest.importorskip(module)

    return load


@pytest.fixture(scope="session")
def descriptor() -> dict[str, Any]:
    """The installed descriptor, parsed."""
    import cecot_data

    loaded: dict[str, Any] = json.loads(cecot_data.datapackage_path().read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def facts() -> dict[str, list[Any]]:
    """Every installed table's records, by table name."""
    import cecot_data

    return {name: list(cecot_data.load_table(name)) for name in cecot_data.TABLE_NAMES}
