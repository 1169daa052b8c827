"""Synthetic data packages in the project's own schema, valid or with known errors.

``write_package(folder, rows, errors=0)`` writes a complete package (all
tables, Parquet twins, descriptor with sizes and hashes) whose
``population_counts`` table has ``rows`` rows, and returns the problems it
injected as ``(file, row, field, rule)`` tuples: the validator must report
exactly those. The generator writes CSV text directly (no pydantic models),
so it can make a million rows in seconds.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from cecot_data.build import descriptor
from cecot_data.constants import PARQUET_PROPERTY, ROW_GROUP_ROWS
from cecot_data.models import MODELS, MODELS_BY_TABLE
from cecot_data.schema import arrow_schema, column_names, derived_values

Injected = tuple[str, int, str, str]  # file, row, field, rule

MEASURES = ("prison_population", "capacity", "deaths_in_custody", "arrests", "people_transferred")
KINDS = ("government", "ngo", "news_agency", "news_outlet")
WORDS = (
    "the",
    "prison",
    "system",
    "held",
    "about",
    "people",
    "according",
    "to",
    "figures",
    "released",
    "by",
    "officials",
    "in",
    "the",
    "capital",
)


def _count_row(rng: random.Random, index: int, sources: int, facilities: int) -> dict[str, str]:
    qualifier = rng.choice(("exact", "approximate", "at_least", "at_most", "range", "vague"))
    figure = rng.randint(1, 120_000)
    numbers = {"value": "", "lower_bound": "", "upper_bound": ""}
    if qualifier in ("exact", "approximate"):
        numbers["value"] = str(figure)
    elif qualifier == "at_least":
        numbers["lower_bound"] = str(figure)
    elif qualifier == "at_most":
        numbers["upper_bound"] = str(figure)
    elif qualifier == "range":
        numbers["lower_bound"], numbers["upper_bound"] = str(figure), str(figure + rng.randint(1, 500))
    year = rng.randint(2007, 2024)
    as_of = rng.choice((str(year), f"{year}-{rng.randint(1, 12):02d}", f"{year}-{rng.randint(1, 12):02d}-15"))
    return {
        "count_id": f"sv-count-{index:07d}",
        "measure": rng.choice(MEASURES),
        "facility_id": f"sv-facility-{rng.randrange(facilities):03d}" if rng.random() < 0.5 else "",
        "country_iso2": "SV",
        "period_start": "2022-03-27" if rng.random() < 0.2 and year >= 2023 else "",
        **numbers,
        "qualifier": qualifier,
        "stated_as": f"{qualifier.replace('_', ' ')} {figure:,}",
        "as_of": as_of,
        "basis": rng.choice(("record", "estimate", "claim")),
        "claimant": rng.choice(("Cristosal", "Ministry of Justice and Public Security", "Reuters")),
        "claimant_kind": rng.choice(KINDS),
        "claim_group": "",
        "source_id": f"synthetic-source-{index % sources:05d}",
        "quote": " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))),
        "notes": "",
    }


def _write_csv(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    names = column_names(MODELS_BY_TABLE[table])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([row.get(n, "") for n in names] for row in rows)


def _write_parquet(csv_path: Path, parquet_path: Path, table: str) -> None:
    """The Parquet twin, typed from the model's Arrow schema (derived EDTF columns included)."""
    model = MODELS_BY_TABLE[table]
    schema = arrow_schema(model)
    names = list(column_names(model))
    strings = pv.read_csv(
        csv_path,
        convert_options=pv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True),
    )
    arrays = []
    for field in schema:
        if field.name in names:
            column = strings.column(field.name)
            arrays.append(column.cast(field.type) if field.type != pa.bool_() else pc.equal(column, "true"))
            continue
        base, _, part = field.name.rpartition("_")
        values = strings.column(base).to_pylist()
        lookup = {v: derived_values(v) for v in set(values)}
        position = ("earliest", "latest", "precision").index(part)
        arrays.append(pa.array([lookup[v][position] for v in values], field.type))
    pq.write_table(
        pa.Table.from_arrays(arrays, schema=schema), parquet_path, compression="zstd", row_group_size=ROW_GROUP_ROWS
    )


def _inject(rows: list[dict[str, str]], count: int, rng: random.Random, sources: int) -> list[Injected]:
    """Break ``count`` distinct rows of population_counts, one known problem each."""
    file = "datasets/population_counts.csv"
    injected: list[Injected] = []
    # Rows that keep a source or a facility referenced, and the first row (a duplicate's
    # original), are left alone, so that the only problems are the injected ones.
    protected = max(sources, 50)
    targets = rng.sample(range(protected, len(rows)), count)
    for n, index in enumerate(targets):
        row, line = rows[index], index + 2
        kind = n % 10
        if kind == 0:
            row["measure"] = "prisoners"
            injected.append((file, line, "measure", "enum"))
        elif kind == 1:
            row["country_iso2"] = "El Salvador"
            injected.append((file, line, "country_iso2", "pattern"))
        elif kind == 2:
            row["claimant"] = ""
            injected.append((file, line, "claimant", "required"))
        elif kind == 3:
            row.update(qualifier="exact", value="", lower_bound="10", upper_bound="")
            injected.append((file, line, "qualifier", "row-rule"))
        elif kind == 4:
            row["as_of"] = "2023-02-30"
            row["period_start"] = ""
            injected.append((file, line, "as_of", "edtf"))
        elif kind == 5:
            row.update(qualifier="exact", value="lots", lower_bound="", upper_bound="")
            injected.append((file, line, "value", "type"))
        elif kind == 6:
            row.update(qualifier="exact", value="-5", lower_bound="", upper_bound="")
            injected.append((file, line, "value", "minimum"))
        elif kind == 7:
            row["count_id"] = rows[0]["count_id"]
            injected.append((file, line, "count_id", "primary-key"))
        elif kind == 8:
            row["source_id"] = "synthetic-source-missing"
            injected.append((file, line, "source_id", "foreign-key"))
        else:
            row["quote"] = " ".join(["word"] * 45)
            injected.append((file, line, "quote", "max-words"))
    return injected


def write_package(folder: Path, rows: int, *, errors: int = 0, seed: int = 1) -> list[Injected]:
    """Write a synthetic package with ``rows`` population counts; returns the injected problems."""
    rng = random.Random(seed)
    datasets = folder / "datasets"
    datasets.mkdir(parents=True, exist_ok=True)
    n_sources = max(10, min(5_000, rows // 200))
    n_facilities = 50
    sources = [
        {
            "source_id": f"synthetic-source-{i:05d}",
            "publisher": f"Synthetic Outlet {i}",
            "published_on": "2025-01-01",
            "source_kind": "news_outlet",
            "language": "en",
            "weak": "false",
        }
        for i in range(n_sources)
    ]
    facilities = [
        {
            "facility_id": f"sv-facility-{i:03d}",
            "name_en": f"Synthetic prison {i}",
            "facility_type": "prison",
            "country_iso2": "SV",
            "source_id": f"synthetic-source-{i % n_sources:05d}",
            "quote": "a synthetic facility for benchmarking",
        }
        for i in range(n_facilities)
    ]
    counts = [_count_row(rng, i, n_sources, n_facilities) for i in range(rows)]
    for i in range(n_facilities):  # every facility referenced: no orphans
        counts[i]["facility_id"] = f"sv-facility-{i:03d}"
    for s in range(n_sources):  # every source cited
        counts[s]["source_id"] = f"synthetic-source-{s:05d}"
    tables = {"sources": sources, "facilities": facilities, "population_counts": counts}
    for model in MODELS:
        csv_path = datasets / f"{model.table_name}.csv"
        _write_csv(csv_path, model.table_name, tables.get(model.table_name, []))
        _write_parquet(csv_path, datasets / f"{model.table_name}.parquet", model.table_name)
    # Errors go into the CSV only: its Parquet twin stays the valid one, as after a bad edit.
    injected = _inject(counts, errors, rng, n_sources) if errors else []
    if injected:
        _write_csv(datasets / "population_counts.csv", "population_counts", counts)
    package = descriptor(folder, "0.0.0-synthetic", [])
    for resource in package["resources"]:  # descriptor() hashes the files already; keep it honest here
        for spec in (resource, resource[PARQUET_PROPERTY]):
            data = (folder / spec["path"]).read_bytes()
            assert spec["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return injected
