"""Regenerate everything derived from the models and the CSV files.

``cecot-data build`` (maintainers) reads ``datasets/*.csv`` in a checkout,
validates them, and writes:

- the CSV files again, in canonical form (see :mod:`cecot_data.csv_files`);
- ``datasets/<table>.parquet``, typed from the models (zstd);
- ``schemas/<table>.json``, the Table Schemas;
- ``docs/data-dictionary.md``, its Spanish twin ``docs/diccionario-de-datos.md``, and ``docs/problem-codes.md``;
- ``datapackage.json``, with every file's size and sha256;
- from the descriptor: ``croissant.json``, ``schema-org.jsonld``, ``CITATION.cff``,
  ``DATASHEET.md``, ``.zenodo.json`` and the Hugging Face card ``datasets/README.md``.

``cecot-data build --check`` writes nothing and lists what is stale. A
Parquet file counts as current when its schema and rows equal what the CSV
gives; its bytes may differ between pyarrow versions, so they are not compared.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .constants import (
    CODE_LICENSE,
    COVERAGE_PROPERTY,
    DATA_LICENSE,
    DATASHEET_TEMPLATE,
    DESCRIPTOR_NAME,
    PACKAGE_NAME,
    PARQUET_MEDIATYPE,
    PARQUET_PROPERTY,
    PROBLEM_CODES_DOC,
    ROW_GROUP_ROWS,
    V2_PROFILE,
    csv_path,
    parquet_path,
    schema_path,
)
from .coverage import series_coverage
from .csv_files import parse_csv, to_csv_text
from .dictionary import DICTIONARY_PATHS, data_dictionary, examples
from .errors import Problem, problem_codes_markdown
from .fileio import NotRegularFileError, read_regular, write_atomic
from .models import MODELS, Record, Source
from .schema import arrow_columns, arrow_schema, derived_values, table_description, table_schema

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass
class BuildResult:
    """What a build wrote (or, with ``check``, would have to write)."""

    stale: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def project_version(root: Path) -> str:
    """The version in ``pyproject.toml``: the one version of code and data."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise ValueError(f"{root / 'pyproject.toml'}: no version line")
    return match.group(1)


RELEASE_URL_PATTERN = re.compile(r"^https://[^\s\"]+/$")


def release_url(root: Path) -> str | None:
    """``release-url`` under ``[tool.cecot-data]`` in ``pyproject.toml``, if set.

    It is the web address of the folder where a release's ``datapackage.json``
    and data files are published. It is the only source of absolute URLs in
    the metadata: without it, files are named by their relative paths and no
    ``url`` is written anywhere (an address is never guessed).
    """
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    table = re.search(r"^\[tool\.cecot-data\]\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    if table is None:
        return None
    match = re.search(r'^release-url\s*=\s*"([^"]*)"', table.group(1), re.MULTILINE)
    if match is None:
        return None
    url = match.group(1)
    if not RELEASE_URL_PATTERN.match(url):
        raise ValueError(f"pyproject.toml: release-url must be an https:// address ending in '/', got {url!r}")
    return url


def sha256_of(data: bytes) -> str:
    """The descriptor's form of a hash: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_tables(root: Path) -> tuple[dict[str, list[Record]], list[Problem]]:
    """Parse every CSV of a checkout; returns records by table and all problems."""
    tables: dict[str, list[Record]] = {}
    problems: list[Problem] = []
    for model in MODELS:
        rel = csv_path(model.table_name)
        try:
            text = read_regular(root / rel).decode("utf-8")
        except FileNotFoundError:
            problems.append(Problem(rel, None, None, "missing-file", "file not found"))
            continue
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, None, None, "encoding", f"not UTF-8: byte {exc.start} is invalid"))
            continue
        except NotRegularFileError as exc:
            problems.append(Problem(rel, None, None, "not-a-file", str(exc)))
            continue
        except OSError as exc:
            problems.append(Problem(rel, None, None, "unreadable", f"cannot read: {exc.strerror or exc}"))
            continue
        records, found = parse_csv(model, text, rel)
        tables[model.table_name] = records
        problems.extend(found)
    return tables, problems


def arrow_rows(model: type[Record], records: list[Record]) -> list[dict[str, Any]]:
    """Rows for the Parquet file: stored columns plus the derived EDTF columns."""
    names = [name for name, _, _, _ in arrow_columns(model)]
    edtf_columns = {c.removesuffix("_earliest") for c in names if c.endswith("_earliest")}
    rows = []
    for record in sorted(records, key=lambda r: tuple(str(v) for v in r.key())):
        row = {name: getattr(record, name) for name in model.model_fields}
        for column in edtf_columns:
            earliest, latest, precision = derived_values(row[column])
            row[f"{column}_earliest"] = earliest
            row[f"{column}_latest"] = latest
            row[f"{column}_precision"] = precision
        rows.append({name: row[name] for name in names})
    return rows


def parquet_bytes(model: type[Record], records: list[Record]) -> bytes:
    """The Parquet file of a table, zstd-compressed, schema from the model."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(arrow_rows(model, records), schema=arrow_schema(model))
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", row_group_size=ROW_GROUP_ROWS)
    return sink.getvalue()


def parquet_is_current(path: Path, model: type[Record], records: list[Record]) -> bool:
    """True when the Parquet file at ``path`` holds exactly the expected schema and rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        actual = pq.ParquetFile(pa.BufferReader(read_regular(path))).read()
    except (OSError, pa.ArrowException):
        return False
    expected = pa.Table.from_pylist(arrow_rows(model, records), schema=arrow_schema(model))
    return bool(actual.schema.equals(expected.schema, check_metadata=True) and actual.equals(expected))


def records_from_arrow(model: type[Record], table: pa.Table) -> list[Record]:
    """Models from a table's Arrow form (a Parquet file read back); derived columns are ignored."""
    stored = set(model.model_fields)
    return [model.model_validate({k: v for k, v in row.items() if k in stored}) for row in table.to_pylist()]


def _json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def descriptor(
    root: Path,
    version: str,
    sources: list[Source],
    released: str | None = None,
    coverage: list[dict[str, Any]] | None = None,
    homepage: str | None = None,
    contents: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    """The Data Package (v2) descriptor, sizes and hashes of the files under ``root``.

    ``coverage`` (see :func:`cecot_data.coverage.series_coverage`) goes under ``cecot:coverage``;
    ``homepage`` is the release URL (see :func:`release_url`), when there is one. ``contents``
    gives the bytes of files by path (relative to ``root``) in place of the files on disk: those
    a build is about to write.
    """
    contents = contents or {}

    def data(rel: str) -> bytes:
        return contents[rel] if rel in contents else (root / rel).read_bytes()

    resources = []
    for model in MODELS:
        csv_rel = csv_path(model.table_name)
        parquet_rel = parquet_path(model.table_name)
        csv_data = data(csv_rel)
        parquet_data = data(parquet_rel)
        resources.append(
            {
                "name": model.table_name,
                "type": "table",
                "title": model.table_title,
                "description": table_description(model),
                "path": csv_rel,
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(csv_data),
                "hash": sha256_of(csv_data),
                "dialect": {
                    "$schema": "https://datapackage.org/profiles/2.0/tabledialect.json",
                    "header": True,
                    "delimiter": ",",
                    "quoteChar": '"',
                    "lineTerminator": "\n",
                },
                "schema": table_schema(model),
                "licenses": [DATA_LICENSE],
                PARQUET_PROPERTY: {
                    "path": parquet_rel,
                    "format": "parquet",
                    "mediatype": PARQUET_MEDIATYPE,
                    "compression": "zstd",
                    "bytes": len(parquet_data),
                    "hash": sha256_of(parquet_data),
                },
            }
        )
    return {
        "$schema": V2_PROFILE,
        "name": PACKAGE_NAME,
        "title": "CECOT data: El Salvador's Terrorism Confinement Center, mass incarceration and the 2025 US transfers",
        "description": (
            "Sourced, schema-validated tables about El Salvador's Terrorism Confinement Center "
            "(CECOT), the country's mass incarceration under the state of exception declared in "
            "March 2022, and the 2025 transfers of immigrants from the United States to CECOT under "
            "the Alien Enemies Act. Every row cites a source and a short verbatim quote; figures keep "
            "their qualifier (exact, approximate, at least, at most, nearly, range, vague), dates keep their "
            "precision (EDTF), and conflicting claims are kept as separate rows. No personal data "
            "about detained or deported individuals."
        ),
        "version": version,
        **({"homepage": homepage} if homepage else {}),
        # The release date comes from CHANGELOG.md's heading for this version: one place.
        **({"created": f"{released}T00:00:00Z"} if released else {}),
        "keywords": [
            "El Salvador",
            "CECOT",
            "prisons",
            "incarceration",
            "state of exception",
            "Alien Enemies Act",
            "deportation",
            "human rights",
        ],
        "licenses": [DATA_LICENSE, CODE_LICENSE],
        "contributors": [{"title": "cecot-data contributors", "roles": ["author", "publisher"]}],
        "sources": [
            {"title": f"{s.publisher}: {s.title}" if s.title else s.publisher, "path": s.url}
            for s in sorted(sources, key=lambda s: s.source_id)
            if s.url is not None
        ],
        **({COVERAGE_PROPERTY: coverage} if coverage is not None else {}),
        "resources": resources,
    }


def expected_text_files(tables: dict[str, list[Record]]) -> dict[str, str]:
    """Every generated text file except the descriptor, by path relative to the root."""
    out: dict[str, str] = {}
    for model in MODELS:
        out[csv_path(model.table_name)] = to_csv_text(model, tables[model.table_name])
        out[schema_path(model.table_name)] = _json_text(table_schema(model))
    samples = examples(tables)
    for lang, path in DICTIONARY_PATHS.items():
        out[path] = data_dictionary(samples, lang)
    out[PROBLEM_CODES_DOC] = problem_codes_markdown()
    return out


def _is_current(path: Path, data: bytes) -> bool:
    try:
        return read_regular(path) == data
    except OSError:
        return False


def build(root: Path, *, check: bool = False) -> BuildResult:
    """Regenerate (or, with ``check``, verify) every generated file under ``root``.

    Every stale file is listed, the descriptor and metadata files included:
    they are computed from what the data files will hold. Each file is written
    to a temporary file beside it and renamed, data files first and the
    descriptor last, so a killed build leaves every file whole (old or new)
    and a rerun finishes the job.
    """
    result = BuildResult()
    tables, problems = read_tables(root)
    if problems:
        result.problems = problems
        return result
    planned: dict[str, bytes] = {rel: text.encode("utf-8") for rel, text in expected_text_files(tables).items()}
    result.stale = [rel for rel, data in planned.items() if not _is_current(root / rel, data)]
    for model in MODELS:
        rel = parquet_path(model.table_name)
        if parquet_is_current(root / rel, model, tables[model.table_name]):
            planned[rel] = read_regular(root / rel)
        else:
            planned[rel] = parquet_bytes(model, tables[model.table_name])
            result.stale.append(rel)
    sources = [r for r in tables["sources"] if isinstance(r, Source)]
    coverage = [c.as_json() for c in series_coverage(tables)]
    package = descriptor(
        root, project_version(root), sources, release_date(root), coverage, release_url(root), contents=planned
    )
    outputs = {DESCRIPTOR_NAME: _json_text(package), **metadata_files(root, package, tables, sources)}
    for rel, text in outputs.items():
        planned[rel] = text.encode("utf-8")
        if not _is_current(root / rel, planned[rel]):
            result.stale.append(rel)
    if not check:
        for rel in result.stale:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(root / rel, planned[rel])
    return result


def metadata_files(
    root: Path, package: dict[str, Any], tables: dict[str, list[Record]], sources: list[Source]
) -> dict[str, str]:
    """Croissant, schema.org, CITATION.cff, DATASHEET.md and the Hub's card, from the descriptor and the tables."""
    from collections import Counter

    from .hub import CARD_PATH, dataset_card
    from .standards import citation_cff, croissant, datasheet, schema_org
    from .zenodo import ZENODO_PATH, zenodo_json

    template = (root / DATASHEET_TEMPLATE).read_text(encoding="utf-8")
    counts = {name: len(rows) for name, rows in tables.items()}
    kinds: dict[str, int] = dict(Counter(str(s.source_kind) for s in sources))
    return {
        "croissant.json": _json_text(croissant(package, sources, tables)),
        "schema-org.jsonld": _json_text(schema_org(package, sources, tables, first_released=first_release_date(root))),
        "CITATION.cff": citation_cff(package),
        "DATASHEET.md": datasheet(package, counts, kinds, template),
        CARD_PATH: dataset_card(package, counts, sorted({s.language for s in sources})),
        ZENODO_PATH: _json_text(zenodo_json(package, sources)),
    }


def _release_dates(root: Path) -> list[str]:
    """The dates of the release headings in CHANGELOG.md (``## [x.y.z] - YYYY-MM-DD``), newest first."""
    path = root / "CHANGELOG.md"
    if not path.is_file():
        return []
    return re.findall(r"^## \[[0-9]+\.[0-9]+\.[0-9]+\] - ([0-9]{4}-[0-9]{2}-[0-9]{2})$", path.read_text("utf-8"), re.M)


def release_date(root: Path) -> str | None:
    """The date of the newest release heading in CHANGELOG.md, if any."""
    dates = _release_dates(root)
    return dates[0] if dates else None


def first_release_date(root: Path) -> str | None:
    """The date of the oldest release heading in CHANGELOG.md (when the dataset was first published), if any."""
    dates = _release_dates(root)
    return dates[-1] if dates else None
