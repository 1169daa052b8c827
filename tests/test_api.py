"""The public API: typed, frozen, cached, offline, light to import, installed outside the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cecot_data
from cecot_data.models import Event, Facility, LegalInstrument, PopulationCount, Source


def test_tested_package_is_the_installed_wheel(repo: Path) -> None:
    package_dir = Path(cecot_data.__file__).resolve().parent
    assert repo / "src" not in package_dir.parents, "tests must run against the installed package, not src/"
    assert "site-packages" in package_dir.parts
    assert (package_dir / "py.typed").is_file()


@pytest.mark.parametrize(
    ("loader", "model"),
    [
        (cecot_data.load_facilities, Facility),
        (cecot_data.load_population_counts, PopulationCount),
        (cecot_data.load_legal_instruments, LegalInstrument),
        (cecot_data.load_events, Event),
        (cecot_data.load_sources, Source),
    ],
)
def test_loaders_return_lists_of_frozen_models(loader, model) -> None:  # type: ignore[no-untyped-def]
    records = loader()
    assert isinstance(records, list)
    assert records
    assert all(type(r) is model for r in records)
    assert model.model_config.get("frozen") is True
    # cached: the same records come back, in a new list the caller may change
    again = loader()
    assert again == records and again is not records and again[0] is records[0]


def test_unknown_table_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown table 'prisons'; tables are: .*population_counts"):
        cecot_data.read_table("prisons")
    with pytest.raises(ValueError, match=r"unknown table '\.\./datasets/x'"):
        cecot_data.read_table("../datasets/x")


def test_datapackage_path() -> None:
    path = cecot_data.datapackage_path()
    assert path.name == "datapackage.json"
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "cecot-data"


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True, cwd="/"
    )
    return result.stdout.strip()


def test_import_reads_no_file_and_stays_light() -> None:
    out = _run(
        """
        import sys
        opened = []
        def hook(event, args):
            # source and bytecode files are fine; data files are not
            if event == "open" and isinstance(args[0], str) and "cecot_data" in args[0]:
                if not args[0].endswith((".py", ".pyc")):
                    opened.append(args[0])
        sys.addaudithook(hook)
        import cecot_data
        heavy = [m for m in ("pyarrow", "pandas", "frictionless", "pydantic", "polars") if m in sys.modules]
        print(opened, heavy)
        """
    )
    assert out == "[] []"


def test_loaders_never_touch_the_network() -> None:
    out = _run(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network access attempted")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        import cecot_data
        for name in cecot_data.TABLE_NAMES:
            cecot_data.load_table(name)
            cecot_data.read_table(name)
        from cecot_data.validate import validate_package
        print(validate_package(cecot_data.datapackage_path()).valid)
        """
    )
    assert out == "True"


def test_read_table_does_not_import_pandas() -> None:
    out = _run(
        """
        import sys, cecot_data
        cecot_data.read_table("events")
        print("pandas" in sys.modules)
        """
    )
    assert out == "False"


def test_version_is_the_distribution_version() -> None:
    from importlib.metadata import version

    assert cecot_data.__version__ == version("cecot-data")
