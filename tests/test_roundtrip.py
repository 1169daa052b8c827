"""Lossless round trip, shown on generated records of every model.

CSV -> models -> CSV gives identical bytes; CSV -> Parquet -> models -> CSV too;
empty strings cannot occur (an empty cell is null), unicode, bounds and partial
dates survive unchanged.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cecot_data.build import arrow_rows, parquet_bytes, records_from_arrow
from cecot_data.csv_files import parse_csv, to_csv_text
from cecot_data.models import MODELS, Record
from cecot_data.schema import arrow_schema
from strategies import records


def _distinct_keys(rows: list[Record]) -> list[Record]:
    seen, out = set(), []
    for row in rows:
        if row.key() not in seen:
            seen.add(row.key())
            out.append(row)
    return out


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.table_name)
@given(data=st.data())
def test_csv_parquet_models_csv(model: type[Record], data: st.DataObject) -> None:
    rows = _distinct_keys(data.draw(st.lists(records(model), min_size=0, max_size=5)))
    text = to_csv_text(model, rows)

    parsed, problems = parse_csv(model, text, "generated.csv")
    assert problems == []
    assert sorted(parsed, key=lambda r: str(r.key())) == sorted(rows, key=lambda r: str(r.key()))
    assert to_csv_text(model, parsed) == text

    table = pq.ParquetFile(io.BytesIO(parquet_bytes(model, parsed))).read()
    assert table.schema.equals(arrow_schema(model), check_metadata=True)
    assert table.equals(pa.Table.from_pylist(arrow_rows(model, parsed), schema=arrow_schema(model)))
    back = records_from_arrow(model, table)
    assert to_csv_text(model, back) == text
    assert sorted(back, key=lambda r: str(r.key())) == sorted(rows, key=lambda r: str(r.key()))
