"""Shared fixtures. The tests run against the *installed* package (see scripts/test.sh)."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


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
