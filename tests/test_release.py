"""Release engineering: wheel and sdist contents, twine check, reproducible builds, one version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

EPOCH = "1764115200"  # any fixed time: the point is that two builds agree


def _build(repo: Path, out: Path, kind: str) -> Path:
    """Build a wheel or sdist without network (hatchling is installed in the test environment)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run(
        [sys.executable, "-m", "build", f"--{kind}", "--no-isolation", "--outdir", str(out), str(repo)],
        check=True,
        capture_output=True,
        env=env,
    )
    (artifact,) = out.glob("*.whl" if kind == "wheel" else "*.tar.gz")
    return artifact


@pytest.fixture(scope="module")
def artifacts(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    # Build from a copy so that the checkout gains no build/ or dist/ folders.
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(repo, source, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".venv*", ".git", "dist", "build"))
    out1, out2 = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    return {
        "wheel": _build(source, out1, "wheel"),
        "sdist": _build(source, out1, "sdist"),
        "wheel2": _build(source, out2, "wheel"),
        "sdist2": _build(source, out2, "sdist"),
    }


def test_wheel_carries_every_described_file_and_no_tests(artifacts: dict[str, Path], repo: Path) -> None:
    names = set(zipfile.ZipFile(artifacts["wheel"]).namelist())
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    expected = {"cecot_data/_data/datapackage.json", "cecot_data/py.typed"}
    for resource in descriptor["resources"]:
        expected.add(f"cecot_data/_data/{resource['path']}")
        expected.add(f"cecot_data/_data/{resource['cecot:parquet']['path']}")
        expected.add(f"cecot_data/_data/schemas/{resource['name']}.json")
    assert expected <= names
    assert not [n for n in names if n.startswith("tests/") or "/tests/" in n or "__pycache__" in n]
    assert not [n for n in names if n.startswith("benchmarks/")]


def test_sdist_carries_sources_data_and_tests(artifacts: dict[str, Path]) -> None:
    with tarfile.open(artifacts["sdist"]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for required in (
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "datapackage.json",
        "src/cecot_data/models.py",
        "datasets/events.csv",
        "tests/test_release.py",
        "LICENSE",
        "LICENSE-DATA",
    ):
        assert required in names, required


def test_twine_check(artifacts: dict[str, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(artifacts["wheel"]), str(artifacts["sdist"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_builds_are_reproducible(artifacts: dict[str, Path]) -> None:
    assert artifacts["wheel"].read_bytes() == artifacts["wheel2"].read_bytes()
    assert artifacts["sdist"].read_bytes() == artifacts["sdist2"].read_bytes()
