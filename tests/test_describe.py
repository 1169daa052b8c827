"""Column documentation everywhere: describe, the shipped dictionaries, pandas attrs, TableName, docstrings, Spanish."""

from __future__ import annotations

import doctest
import inspect
import json
import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cecot_data
import cecot_data.loaders
from cecot_data.cli import main
from cecot_data.dictionary import DICTIONARY_PATHS, LANGUAGES
from cecot_data.models import MODELS, MODELS_BY_TABLE
from cecot_data.schema import column_names, columns
from cecot_data.tables import TableName


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_table_name_literal_is_the_models_list() -> None:
    assert typing.get_args(TableName) == tuple(MODELS_BY_TABLE) == cecot_data.TABLE_NAMES
    assert cecot_data.TableName is TableName


def test_typed_functions_take_table_name() -> None:
    for function in (cecot_data.load_table, cecot_data.read_table, cecot_data.parquet_path):
        assert "TableName" in str(inspect.signature(function).parameters["name"].annotation), function


LOADERS = {name: getattr(cecot_data, f"load_{name}") for name in cecot_data.TABLE_NAMES if name != "retired_ids"}


@pytest.mark.parametrize("name", LOADERS)
def test_loader_docstring_lists_every_column(name: str) -> None:
    doc = inspect.getdoc(LOADERS[name]) or ""
    match = re.search(r"Columns: (.*?)\s\(``cecot-data describe (\w+)``", doc, re.DOTALL)
    assert match is not None, name
    assert tuple(n.strip() for n in match.group(1).split(",")) == column_names(MODELS_BY_TABLE[name])
    assert match.group(2) == name


def test_loader_doctests_pass() -> None:
    result = doctest.testmod(cecot_data.loaders)
    assert result.failed == 0
    assert result.attempted >= 2 * len(LOADERS)


def test_every_table_and_column_has_spanish() -> None:
    for model in MODELS:
        assert model.table_title_es and model.table_description_es
        for col in columns(model):
            assert col.title_es and col.description_es, (model.table_name, col.name)
            assert col.description_es != col.description, (model.table_name, col.name)
            if col.unit is not None:
                assert col.unit_es and col.unit_es != col.unit, (model.table_name, col.name)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_data_dictionaries_ship_in_the_wheel(lang: str, repo: Path) -> None:
    path = cecot_data.data_dictionary_path(lang)  # type: ignore[arg-type]
    assert path.read_bytes() == (repo / DICTIONARY_PATHS[lang]).read_bytes()  # type: ignore[index]
    for model in MODELS:
        assert f"## `{model.table_name}`" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_describe_markdown_is_the_data_dictionary(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    code, out = run(capsys, "describe", "--format", "markdown", "--lang", lang)
    assert code == 0
    assert out == cecot_data.data_dictionary_path(lang).read_text(encoding="utf-8")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", cecot_data.TABLE_NAMES)
def test_describe_json_every_table(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out = run(capsys, "describe", name, "--format", "json")
    assert code == 0
    described = json.loads(out)
    model = MODELS_BY_TABLE[name]
    records = cecot_data.load_table(name)
    assert described["table"] == name
    assert described["rows"] == len(records)
    assert described["primary_key"] == list(model.primary_key)
    assert [c["name"] for c in described["columns"]] == list(column_names(model))
    for column, col in zip(described["columns"], columns(model), strict=True):
        assert column["description"] == col.description
        assert column["required"] == col.required
        assert column["values"] == (list(col.enum) if col.enum else None)
        if column["example"] is not None:
            assert any(column["example"] == _cell(getattr(r, col.name)) for r in records), (name, col.name)
        else:
            assert all(getattr(r, col.name) is None for r in records), (name, col.name)


def _cell(value: Any) -> str:
    from cecot_data.csv_files import format_cell

    return format_cell(value)


def test_describe_units_and_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, "describe", "facilities", "--format", "json", "--lang", "es")
    described = json.loads(out)
    latitude = next(c for c in described["columns"] if c["name"] == "latitude")
    assert (latitude["title"], latitude["unit"]) == ("latitud", "grados")
    assert "≥ -90" in latitude["constraints"]
    assert described["title"] == "Centros penales"
    _, out = run(capsys, "describe", "facilities", "--format", "json")
    latitude = next(c for c in json.loads(out)["columns"] if c["name"] == "latitude")
    assert latitude["unit"] == "degrees"


@pytest.mark.parametrize("width", [50, 100])
def test_describe_text_fits_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    code, out = run(capsys, "describe", "population_counts", "--lang", "es")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= width
    assert "154 filas" in out or f"{len(cecot_data.load_population_counts())} filas" in out
    for name in column_names(MODELS_BY_TABLE["population_counts"]):
        assert f"\n  {name} (" in out


def test_describe_unknown_table_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["describe", "prisons"])
    assert exit_info.value.code == 2
    capsys.readouterr()


def test_column_descriptions() -> None:
    for name in cecot_data.TABLE_NAMES:
        model = MODELS_BY_TABLE[name]
        english = cecot_data.column_descriptions(name)
        spanish = cecot_data.column_descriptions(name, lang="es")
        assert list(english) == list(spanish) == list(column_names(model))
        assert english == {c.name: c.description for c in columns(model)}
        assert spanish == {c.name: c.description_es for c in columns(model)}
    with pytest.raises(ValueError, match="unknown language"):
        cecot_data.column_descriptions("events", lang="fr")  # type: ignore[arg-type]


def test_pandas_frame_carries_descriptions(peer: Callable[[str], Any]) -> None:
    peer("pandas")
    for name, derived in (("population_counts", "as_of"), ("events", "occurred_on")):
        frame = cecot_data.read_table(name, backend="pandas")
        table = cecot_data.read_table(name)
        model = MODELS_BY_TABLE[name]
        assert frame.attrs["table"] == name
        assert frame.attrs["title"] == model.table_title
        assert frame.attrs["primary_key"] == list(model.primary_key)
        described = frame.attrs["column_descriptions"]
        assert list(described) == list(frame.columns) == table.column_names
        stored = cecot_data.column_descriptions(name)
        assert {k: v for k, v in described.items() if k in stored} == stored
        assert described[f"{derived}_earliest"].startswith(f"First day {derived} can mean")


def test_croissant_carries_spanish_language_maps(installed_package_dir: Path, peer: Callable[[str], Any]) -> None:
    jsonld = peer("pyld.jsonld")
    document = json.loads((installed_package_dir / "croissant.json").read_text(encoding="utf-8"))
    expanded = jsonld.expand(document)
    vocab = "https://schema.org/"
    record_sets = {rs["@id"].rsplit("/", 1)[-1]: rs for rs in expanded[0]["http://mlcommons.org/croissant/recordSet"]}
    for model in MODELS:
        record_set = record_sets[model.table_name]
        descriptions = {d["@language"]: d["@value"] for d in record_set[vocab + "description"]}
        assert descriptions == {"en": MODELS_BY_TABLE[model.table_name].__doc__.strip().splitlines()[0],  # type: ignore[union-attr]
                                "es": model.table_description_es}  # fmt: skip
        titles = {d["@language"]: d["@value"] for d in record_set[vocab + "alternateName"]}
        assert titles["es"] == model.table_title_es
        fields = record_set["http://mlcommons.org/croissant/field"]
        for field, col in zip(fields, columns(model), strict=True):
            found = {d["@language"]: d["@value"] for d in field[vocab + "description"]}
            assert found == {"en": col.description, "es": col.description_es}
    titles = {d["@language"]: d["@value"] for d in expanded[0][vocab + "alternateName"]}
    assert set(titles) == {"en", "es"}
