"""The least any pyarrow-based validator must spend on a package: hash every file, parse every CSV.

Run by benchmarks/validate_scale.py as a reference beside `cecot-data validate`:

    python benchmarks/floor.py PACKAGE_FOLDER

It reads the descriptor, hashes each described file (CSV and Parquet) on one
thread and parses each CSV file into string columns on two threads (two
byte ranges cut after a newline, as the validator does), and checks nothing.
A validator that checks every cell cannot be faster than this; the ratio of
frictionless's time to this one bounds the speed-up any such validator can
reach on this machine.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pv


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _open(path: Path, start: int, end: int, names: list[str], stack: ExitStack) -> pv.CSVStreamingReader:
    # As the validator reads a range (see cecot_data.validate.ranges._open_range): an Arrow stream over an OSFile.
    source = stack.enter_context(pa.OSFile(str(path)))
    reader = pv.open_csv(
        source.get_stream(start, end - start),
        read_options=pv.ReadOptions(block_size=6 << 20, column_names=names, use_threads=False),
        parse_options=pv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
    )
    stack.callback(reader.close)
    return reader


def _rows(reader: pv.CSVStreamingReader) -> int:
    return sum(batch.num_rows for batch in reader)


def main() -> None:
    root = Path(sys.argv[1])
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    files = []
    for resource in descriptor["resources"]:
        files.append(root / resource["path"])
        if "cecot:parquet" in resource:
            files.append(root / resource["cecot:parquet"]["path"])
    with ThreadPoolExecutor(max_workers=1) as hasher, ThreadPoolExecutor(max_workers=2) as parsers:
        hashes = [hasher.submit(_hash, path) for path in files]
        rows = 0
        for resource in descriptor["resources"]:
            path = root / resource["path"]
            names = [field["name"] for field in resource["schema"]["fields"]]
            # The cut of cecot_data.validate.ranges.split_points, written out: importing cecot_data would
            # import pydantic and the models, which is not work a validator must do.
            size = path.stat().st_size
            with path.open("rb") as handle:
                header_end = len(handle.readline())
                handle.seek(max(header_end, size // 2))
                handle.readline()
                middle = min(handle.tell(), size)
            ranges = [(a, b) for a, b in ((header_end, middle), (middle, size)) if a < b]
            with ExitStack() as stack:
                readers = [_open(path, a, b, names, stack) for a, b in ranges]
                rows += sum(parsers.map(_rows, readers))
        for future in hashes:
            future.result()
    print(rows)


if __name__ == "__main__":
    main()
