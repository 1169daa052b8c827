"""Time to first records, against peers, measured in one run.

Run (not part of the test suite) in an environment with cecot-data and the peers:

    python -m venv .venv-bench
    .venv-bench/bin/pip install . palmerpenguins vega_datasets frictionless
    .venv-bench/bin/python benchmarks/startup.py

Every case runs in a fresh process, the cases alternate, each is repeated
(``--reps``, default 9), and the medians and peak resident memory are
reported with the ratios the release targets are stated in.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CASES: dict[str, str] = {
    "python -c pass": "pass",
    "import pydantic": "import pydantic",
    "import cecot_data": "import cecot_data",
    # The least any pydantic-validated load can cost: one model with one constrained field,
    # one row validated. It includes pydantic's plugin discovery, which scans every installed
    # distribution's entry points when the first validator is built.
    "floor: one pydantic model, one row": (
        "from pydantic import BaseModel, Field\n"
        "class M(BaseModel):\n    x: str = Field(pattern='^a')\n"
        "M.model_validate({'x': 'a'})"
    ),
    "cecot_data.load_events()": "import cecot_data; cecot_data.load_events()",
    "cecot_data: all five loaders": (
        "import cecot_data as c; [f() for f in (c.load_facilities, c.load_population_counts, "
        "c.load_legal_instruments, c.load_events, c.load_sources)]"
    ),
    "cecot_data.read_table()": "import cecot_data; cecot_data.read_table('population_counts')",
    "naive pq.read_table() of the same file": (
        "import pyarrow.parquet as pq, cecot_data; pq.read_table(cecot_data.parquet_path('population_counts'))"
    ),
    "frictionless Package() of our descriptor": (
        "import frictionless, cecot_data; p = frictionless.Package(str(cecot_data.datapackage_path())); "
        "[r.name for r in p.resources]"
    ),
    "palmerpenguins.load_penguins()": "import palmerpenguins; palmerpenguins.load_penguins()",
    "vega_datasets data.cars()": "from vega_datasets import data; data.cars()",
}

# (case, baseline, target ratio): the targets of the release (see README).
TARGETS = [
    ("import cecot_data", "import pydantic", 1.25),
    ("cecot_data.load_events()", "palmerpenguins.load_penguins()", 0.3),
    ("cecot_data.read_table()", "naive pq.read_table() of the same file", 0.5),
]


# Ratios that are not targets but bound them: no pydantic-validated load can beat the floor.
REFERENCES = [("floor: one pydantic model, one row", "palmerpenguins.load_penguins()")]


def run_once(code: str) -> tuple[float, float]:
    """(seconds, peak MiB) of one fresh interpreter running ``code``."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"case failed (status {status}): {code}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=9)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    memory: dict[str, float] = dict.fromkeys(CASES, 0.0)
    for code in CASES.values():  # warm the file cache once, unmeasured
        run_once(code)
    for _ in range(args.reps):
        for name, code in CASES.items():  # alternate: noise hits every case alike
            seconds, mib = run_once(code)
            times[name].append(seconds)
            memory[name] = max(memory[name], mib)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"| case | median (n={args.reps}) | peak RSS |")
    print("|---|---:|---:|")
    for name in CASES:
        print(f"| {name} | {median[name] * 1000:.0f} ms | {memory[name]:.0f} MiB |")
    print()
    print("| target | ratio | limit | met |")
    print("|---|---:|---:|---|")
    for case, baseline, limit in TARGETS:
        ratio = median[case] / median[baseline]
        print(f"| {case} / {baseline} | {ratio:.2f} | {limit} | {'yes' if ratio <= limit else 'NO'} |")
    for case, baseline in REFERENCES:
        print(f"| (reference) {case} / {baseline} | {median[case] / median[baseline]:.2f} | none | - |")


if __name__ == "__main__":
    main()
