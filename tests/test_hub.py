"""The Hugging Face dataset card, read by the Hub's own libraries.

``datasets.load_dataset`` loads every configuration from a clean copy of the
installed data folder, in a process started outside the repository (whose own
``datasets/`` folder would shadow the library), offline, with its cache in a
temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cecot_data
from cecot_data.hub import CARD_PATH, size_category


@pytest.fixture(scope="module")
def card_path(installed_package_dir: Path) -> Path:
    return installed_package_dir / CARD_PATH


@pytest.fixture(scope="module")
def counts() -> dict[str, int]:
    return {name: cecot_data.read_table(name).num_rows for name in cecot_data.TABLE_NAMES}


def _front_matter(card_path: Path, peer: Callable[[str], Any]) -> dict[str, Any]:
    yaml = peer("yaml")
    text = card_path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    loaded: dict[str, Any] = yaml.safe_load(text.split("---\n", 2)[1])
    return loaded


def test_card_ships_with_the_data(card_path: Path, repo: Path) -> None:
    assert card_path.read_bytes() == (repo / CARD_PATH).read_bytes()


def test_card_front_matter(card_path: Path, counts: dict[str, int], peer: Callable[[str], Any]) -> None:
    meta = _front_matter(card_path, peer)
    descriptor = json.loads(cecot_data.datapackage_path().read_text(encoding="utf-8"))
    assert meta["license"] == ["cc-by-4.0"]
    assert meta["pretty_name"] == descriptor["title"]
    assert meta["language"] == sorted({s.language for s in cecot_data.load_sources()})
    assert meta["size_categories"] == [size_category(sum(counts.values()))]
    assert meta["task_categories"]
    configs = {c["config_name"]: c["data_files"] for c in meta["configs"]}
    assert list(configs) == [name for name in cecot_data.TABLE_NAMES if counts[name] > 0]
    for name, files in configs.items():
        assert files == [{"split": "train", "path": f"{name}.parquet"}]
    empty = [name for name in cecot_data.TABLE_NAMES if counts[name] == 0]
    text = card_path.read_text(encoding="utf-8")
    for name in empty:
        assert f"`{name}`" in text.split("Empty in this release", 1)[1].split("\n", 1)[0]


def test_card_is_read_by_huggingface_hub(card_path: Path, peer: Callable[[str], Any]) -> None:
    hub = peer("huggingface_hub")
    card = hub.DatasetCard.load(card_path)
    assert card.data.license == ["cc-by-4.0"]
    assert card.data.configs[0]["config_name"] == "sources"
    assert "## Columns" in card.text


def test_size_categories() -> None:
    assert [size_category(n) for n in (0, 999, 1_000, 54_321, 2_000_000)] == [
        "n<1K",
        "n<1K",
        "1K<n<10K",
        "10K<n<100K",
        "1M<n<10M",
    ]


@pytest.mark.slow
def test_load_dataset_reads_every_config(
    tmp_path: Path, installed_package_dir: Path, counts: dict[str, int], peer: Callable[[str], Any]
) -> None:
    peer("datasets")
    folder = tmp_path / "copy"
    shutil.copytree(installed_package_dir / "datasets", folder)
    names = [name for name in cecot_data.TABLE_NAMES if counts[name] > 0]
    script = textwrap.dedent(
        """
        import json, sys
        import datasets
        assert "site-packages" in datasets.__file__, datasets.__file__
        out = {}
        for name in sys.argv[2:]:
            loaded = datasets.load_dataset(sys.argv[1], name, split="train")
            out[name] = [loaded.num_rows, loaded.column_names]
        print(json.dumps(out))
        """
    )
    env = {
        **os.environ,
        "HF_HOME": str(tmp_path / "hf"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(folder), *names],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(loaded) == names
    for name in names:
        table = cecot_data.read_table(name)
        assert loaded[name] == [table.num_rows, table.column_names], name


def test_an_empty_table_gets_no_config(counts: dict[str, int], peer: Callable[[str], Any]) -> None:
    from cecot_data.hub import dataset_card

    yaml = peer("yaml")
    descriptor = json.loads(cecot_data.datapackage_path().read_text(encoding="utf-8"))
    emptied = {**counts, "retired_ids": 0}
    card = dataset_card(descriptor, emptied, ["en", "es"])
    meta = yaml.safe_load(card.split("---\n", 2)[1])
    assert "retired_ids" not in {c["config_name"] for c in meta["configs"]}
    assert len(meta["configs"]) == len(cecot_data.TABLE_NAMES) - 1
    assert "Empty in this release, so without a configuration" in card
    assert "`retired_ids`" in card.split("Empty in this release", 1)[1].split("\n", 1)[0]
