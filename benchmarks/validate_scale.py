"""Scale benchmark: `cecot-data validate` against `frictionless validate` on the same packages.

Run (not part of the test suite; needs the package and frictionless installed):

    python benchmarks/validate_scale.py                     # 1k, 10k, 100k, 1M rows
    python benchmarks/validate_scale.py --sizes 1000 10000  # a quick run

For each size it writes a valid and an invalid synthetic package of the
project's own schema (benchmarks/synthetic.py), then, alternating the two
tools, times each whole command in a fresh process and records its peak
resident memory. It checks that `cecot-data validate` reports exactly the
problems injected into the invalid package. Results are medians, with the
ratio against frictionless measured in the same run. benchmarks/floor.py,
timed alongside, only hashes the files and parses the CSV: the best any
validator built on pyarrow's CSV reader could do here.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import write_package

FLOOR = Path(__file__).parent / "floor.py"  # hash and parse only: no validator can be faster

# Runs one command and prints its wall time and the peak RSS of that child only.
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
print(done.returncode, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def measure(command: list[str]) -> tuple[int, float, float]:
    """(exit code, seconds, peak MiB) of one fresh run of ``command``."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    code, seconds, mib = out.stdout.split()
    return int(code), float(seconds), float(mib)


def tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(path).exists():
        raise SystemExit(f"{name} not found; install cecot-data with the 'validate' extra")
    return path


def check_injected(cecot: str, package: Path, injected: list[tuple[str, int, str, str]]) -> tuple[int, int]:
    """(missed, extra) problems of `cecot-data validate` on the invalid package."""
    out = subprocess.run([cecot, "validate", str(package), "--format", "json"], capture_output=True, text=True)
    reported = {(p["file"], p["row"], p["field"], p["rule"]) for p in json.loads(out.stdout)["problems"]}
    expected = set(injected)
    return len(expected - reported), len(reported - expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per tool and size (medians reported)")
    parser.add_argument("--frictionless-reps-at-1m", type=int, default=1, help="frictionless takes minutes there")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    cecot, frictionless = tool("cecot-data"), tool("frictionless")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.sizes:
            valid, invalid = Path(tmp) / f"valid-{rows}", Path(tmp) / f"invalid-{rows}"
            write_package(valid, rows)
            injected = write_package(invalid, rows, errors=min(1_000, max(10, rows // 100)))
            missed, extra = check_injected(cecot, invalid, injected)
            ours: list[tuple[int, float, float]] = []
            theirs: list[tuple[int, float, float]] = []
            floor: list[tuple[int, float, float]] = []
            their_reps = args.frictionless_reps_at_1m if rows >= 1_000_000 else args.reps
            for rep in range(max(args.reps, their_reps)):  # alternate the tools within the run
                if rep < args.reps:
                    ours.append(measure([cecot, "validate", str(valid)]))
                    floor.append(measure([sys.executable, str(FLOOR), str(valid)]))
                if rep < their_reps:
                    theirs.append(measure([frictionless, "validate", str(valid / "datapackage.json")]))
            assert all(code == 0 for code, _, _ in ours + theirs + floor), "the valid package must pass"
            row = {
                "rows": rows,
                "injected": len(injected),
                "missed": missed,
                "extra": extra,
                "cecot_s": statistics.median(s for _, s, _ in ours),
                "frictionless_s": statistics.median(s for _, s, _ in theirs),
                "floor_s": statistics.median(s for _, s, _ in floor),
                "cecot_mib": max(m for _, _, m in ours),
                "frictionless_mib": max(m for _, _, m in theirs),
            }
            row["speedup"] = row["frictionless_s"] / row["cecot_s"]
            row["best_possible_speedup"] = row["frictionless_s"] / row["floor_s"]
            row["memory_ratio"] = row["cecot_mib"] / row["frictionless_mib"]
            results.append(row)
            print(json.dumps(row), flush=True)
    base = results[0]
    print()
    print(
        "| rows | cecot-data validate | frictionless validate | speed-up | peak RSS cecot / frictionless |"
        " marginal µs per row | injected errors found | floor: parse + hash only | frictionless / floor |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for row in results:
        extra_rows = row["rows"] - base["rows"]
        marginal = (row["cecot_s"] - base["cecot_s"]) / extra_rows * 1e6 if extra_rows else float("nan")
        found = f"{row['injected'] - row['missed']}/{row['injected']}, {row['extra']} extra"
        print(
            f"| {row['rows']:,} | {row['cecot_s']:.2f} s | {row['frictionless_s']:.2f} s | {row['speedup']:.0f}x |"
            f" {row['cecot_mib']:.0f} / {row['frictionless_mib']:.0f} MiB ({row['memory_ratio']:.2f}x) |"
            f" {marginal:.2f} | {found} | {row['floor_s']:.2f} s | {row['best_possible_speedup']:.0f}x |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
