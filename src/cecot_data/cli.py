"""The ``cecot-data`` command line: info, show, validate, build.

Exit codes (see :mod:`cecot_data.errors`): 0 success (or valid data), 1 invalid
data, 2 unusable input or a refused usage, 3 an internal error (a bug), 130
interrupted. Errors are one readable message each, never a traceback (set
CECOT_DATA_DEBUG=1 to see one). Everything printed has its control characters
escaped (:mod:`cecot_data.display`), so data and paths cannot repaint a terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.abc
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .display import escape
from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, CecotDataError

if TYPE_CHECKING:
    from .models import Record

SHOW_CELL_WIDTH = 40


def _out(text: str = "") -> None:
    sys.stdout.write(escape(text) + "\n")


def _err(text: str) -> None:
    # One line each: a newline in a path or a value could otherwise fake a line of output.
    sys.stderr.write(escape(text, one_line=True) + "\n")


def _non_negative(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {number}")
    return number


def _cmd_info(_: argparse.Namespace) -> int:
    from . import __version__
    from .constants import CODE_LICENSE, DATA_LICENSE
    from .loaders import TABLE_NAMES, datapackage_path, load_table
    from .models import MODELS_BY_TABLE
    from .schema import table_description

    _out(f"cecot-data {__version__}: El Salvador's CECOT, mass incarceration, and the 2025 US transfers")
    _out(f"Data licence: {DATA_LICENSE['name']}   Code licence: {CODE_LICENSE['name']}")
    _out()
    _out("Tables:")
    width = max(len(n) for n in TABLE_NAMES)
    for name in TABLE_NAMES:
        rows = len(load_table(name))
        _out(f"  {name:<{width}}  {rows:>5} rows  {table_description(MODELS_BY_TABLE[name])}")
    _out()
    _out(f"Descriptor: {datapackage_path()}")
    _out(
        f"Cite as: cecot-data contributors, cecot-data: sourced datasets on El Salvador's CECOT, "
        f"version {__version__} [dataset], licensed {DATA_LICENSE['name']}. "
        "Cite the original sources listed in the sources table for individual facts."
    )
    return EXIT_OK


def _cell(value: Any) -> str:
    from .csv_files import format_cell

    text = escape(format_cell(value).replace("\n", " "), one_line=True)
    return text if len(text) <= SHOW_CELL_WIDTH else text[: SHOW_CELL_WIDTH - 1] + "…"


AS_OF_TABLES = ("facilities", "facility_quantities", "population_counts", "legal_instruments", "events")


def _cmd_show(args: argparse.Namespace) -> int:
    from .loaders import load_table
    from .models import MODELS_BY_TABLE

    records: list[Record]
    if args.as_of is not None:
        if args.table not in AS_OF_TABLES:
            _err(f"--as-of applies to {', '.join(AS_OF_TABLES)}; not to {args.table}")
            return EXIT_UNUSABLE
        from .views import as_of

        try:
            snapshot = as_of(args.as_of)
        except ValueError as exc:
            _err(f"error: --as-of: {exc}")
            return EXIT_UNUSABLE
        records = list(getattr(snapshot, args.table))
    else:
        records = load_table(args.table)
    if args.limit is not None:
        records = records[: args.limit]
    _print_records(MODELS_BY_TABLE[args.table], records, args.format)
    return EXIT_OK


class _Escaped:
    """A text stream that escapes control characters on their way to a terminal."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(escape(text)))


def _print_records(model: type[Record], records: Sequence[Record], output: str, names: list[str] | None = None) -> None:
    from .csv_files import format_cell
    from .schema import column_names

    names = names or list(column_names(model))
    if output == "json":
        _out(json.dumps([r.model_dump(mode="json") for r in records], indent=2, ensure_ascii=False))
    elif output == "csv":
        # Data to a pipe stays as it is; to a terminal, control characters are shown escaped.
        writer = csv.writer(_Escaped(sys.stdout) if sys.stdout.isatty() else sys.stdout, lineterminator="\n")
        writer.writerow(names)
        for record in records:
            writer.writerow([format_cell(getattr(record, n)) for n in names])
    else:
        rows = [[_cell(getattr(r, n)) for n in names] for r in records]
        widths = [max([len(n), *(len(row[i]) for row in rows)]) for i, n in enumerate(names)]
        _out("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip())
        _out("  ".join("-" * w for w in widths))
        for row in rows:
            _out("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        _out(f"({len(records)} rows)")


CLAIM_COLUMNS = {
    "population_counts": [
        "count_id",
        "measure",
        "facility_id",
        "claimant",
        "qualifier",
        "value",
        "lower_bound",
        "upper_bound",
        "stated_as",
        "as_of",
        "source_id",
    ],
    "facility_quantities": [
        "quantity_id",
        "attribute",
        "facility_id",
        "claimant",
        "qualifier",
        "value",
        "lower_bound",
        "upper_bound",
        "stated_as",
        "as_of",
        "source_id",
    ],
    "events": ["event_id", "occurred_on", "event_type", "title", "source_id"],
}


def _cmd_claims(args: argparse.Namespace) -> int:
    from .views import claim_groups, claims

    if args.group is None:
        groups = claim_groups()
        if args.format == "json":
            _out(json.dumps(groups, indent=2))
        else:
            width = max((len(g) for g in groups), default=5)
            for group, count in groups.items():
                _out(f"{group:<{width}}  {count} claims")
            _out(f"({len(groups)} claim groups; `cecot-data claims GROUP` shows one side by side)")
        return EXIT_OK
    try:
        rows = claims(args.group)
    except ValueError as exc:
        _err(f"error: {exc}")
        return EXIT_UNUSABLE
    tables = {type(r).table_name for r in rows}
    if args.format == "json":
        _out(
            json.dumps(
                [{"table": r.table_name, **r.model_dump(mode="json")} for r in rows], indent=2, ensure_ascii=False
            )
        )
        return EXIT_OK
    for table in sorted(tables):
        group_rows = [r for r in rows if r.table_name == table]
        _print_records(type(group_rows[0]), group_rows, args.format, CLAIM_COLUMNS[table])
    return EXIT_OK


class _NoPandas(importlib.abc.MetaPathFinder):
    """An import finder under which ``import pandas`` fails."""

    def find_spec(self, name: str, *_: Any) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {name!r}")


@contextlib.contextmanager
def _pandas_hidden() -> Iterator[None]:
    """Hide pandas from pyarrow while validating.

    pyarrow imports pandas, when it is installed, as soon as it builds arrays
    or compares them with Python values, only to ask whether they are pandas
    objects. That import costs about 0.2 s, a fifth of validating a million
    rows, and the validator never uses pandas. pyarrow treats the failed
    import as "pandas is not installed". Only the CLI does this, in its own
    process and for the run of `validate` only; the library never does.
    """
    if "pandas" in sys.modules:
        yield  # imported already: nothing to save
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .csv_files import quoted
    from .loaders import datapackage_path

    target = Path(args.path) if args.path else datapackage_path()
    workers = _fit_memory_limit()
    with _pandas_hidden():
        from .validate import validate_package
        from .validate.run import described_bytes

        if workers is not None:
            _check_room(described_bytes(target))

        report = validate_package(target, workers=workers)
    if args.format == "json":
        _out(
            json.dumps(
                {
                    "descriptor": str(report.descriptor),
                    "valid": report.valid,
                    "problems": [p.as_dict() for p in report.problems],
                    "rows": report.rows,
                    **({"hint": report.hint} if report.hint else {}),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for p in report.problems:
            where = p.file + (f":{p.row}" if p.row is not None else "")
            field = f" [{p.field}]" if p.field else ""
            value = f" (value: {quoted(p.value, 200)})" if p.value is not None else ""
            _out(escape(f"{where}{field} {p.rule}: {p.message}{value}", one_line=True))
        if report.hint:
            _out(f"hint: {report.hint}")
        rows = sum(report.rows.values())
        status = "valid" if report.valid else f"INVALID: {len(report.problems)} problem(s)"
        _out(f"{report.descriptor}: {len(report.rows)} tables, {rows} rows checked; {status}")
    return EXIT_OK if report.valid else EXIT_INVALID


def _fit_memory_limit() -> int | None:
    """Under a limit on address space (``ulimit -v``), use as little of it as validating can.

    Returns the number of workers to use (None: as many as there are cores).
    Each thread's malloc arena and pyarrow's own allocator reserve address
    space far beyond what they use; under a limit of 1 GB that made runs end in
    SIGSEGV or an abort. With one arena, the system allocator, one thread for
    pyarrow and one byte range at a time the validator fits; what still does
    not fit ends as MemoryError, which ``main`` reports with exit code 2.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    # Read when numpy (imported by pyarrow) loads OpenBLAS: one thread, one buffer, instead of
    # one per core, which under a tight limit fail and make OpenBLAS end the process with exit(1).
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 1)  # M_ARENA_MAX (glibc): one malloc arena for every thread
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError, pa.ArrowException):
        pa.set_memory_pool(pa.system_memory_pool())
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    return 1


# Below this much address space (`ulimit -v`), loading pyarrow itself can crash (its allocator
# cannot start its threads: SIGSEGV) or hang in a reader whose I/O thread could not be made;
# measured on a 50 MB package: 120 MiB crashed, 300 MiB hung once, 400 MiB and more worked.
MIN_ADDRESS_SPACE = 512 << 20


def _address_space_too_small() -> str | None:
    """A message when a limit on address space is too low for any command to run safely, else None."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft >= MIN_ADDRESS_SPACE:
        return None
    return (
        f"error: cecot-data needs at least {MIN_ADDRESS_SPACE >> 20} MiB of address space; "
        f"the limit (ulimit -v) is {soft >> 20} MiB"
    )


# What validating needs under a limit on address space: about this much for the libraries,
# their reservations and one batch's work, plus this many bytes per byte of the package's data.
# Measured with one worker: a 52 MiB package worked from 806 MiB, a 274 MiB one from 2000 MiB
# (not at 1800); below that, pyarrow's CSV parser can abort the process on a failed allocation
# instead of reporting it. The estimate leaves room: a run refused here might have worked, but
# one let through has the room it was seen to need.
VALIDATE_BASE_BYTES = 650 << 20
VALIDATE_BYTES_PER_DATA_BYTE = 6


def _check_room(data_bytes: int) -> None:
    import resource

    from .errors import ResourceLimitError

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    needed = VALIDATE_BASE_BYTES + VALIDATE_BYTES_PER_DATA_BYTE * data_bytes
    if soft != resource.RLIM_INFINITY and soft < needed:
        raise ResourceLimitError(
            f"validating this package ({data_bytes >> 20} MiB of data) needs about {needed >> 20} MiB of "
            f"address space; the limit (ulimit -v) is {soft >> 20} MiB"
        )


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    root = Path(args.root)
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or 'name = "cecot-data"' not in pyproject.read_text(encoding="utf-8"):
        _err(f"{root.resolve()}: not a cecot-data checkout (no pyproject.toml naming cecot-data)")
        return EXIT_UNUSABLE
    result = build(root, check=args.check)
    for p in result.problems:
        where = p.file + (f":{p.row}" if p.row is not None else "")
        field = f" [{p.field}]" if p.field else ""
        _err(f"{where}{field} {p.rule}: {p.message}")
    if result.problems:
        _err(f"build stopped: {len(result.problems)} problem(s) in the CSV files")
        return EXIT_INVALID
    verb = "stale" if args.check else "written"
    for rel in result.stale:
        _out(f"{verb}: {rel}")
    if args.check and result.stale:
        _err(f"{len(result.stale)} generated file(s) are out of date: run `cecot-data build`")
        return EXIT_INVALID
    _out("all generated files are current" if not result.stale else f"{len(result.stale)} file(s) written")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export, redact_dsn

    export(args.format, args.dest, force=args.force, formulas=args.formulas)
    shown = redact_dsn(args.dest) if args.format == "postgresql" else args.dest
    _out(f"{args.format}: written to {shown}")
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace) -> int:
    from .diff import as_changelog, as_json, as_text, diff_packages, retire

    old, new, tables = diff_packages(Path(args.old), Path(args.new))
    if args.format == "json":
        _out(json.dumps(as_json(old, new, tables), indent=2, ensure_ascii=False))
    elif args.format == "changelog":
        _out(as_changelog(old, new, tables).rstrip())
    else:
        _out(as_text(old, new, tables))
    if args.retire:
        added = retire(Path(args.new), tables, new)
        _err(f"{added} id(s) added to retired_ids.csv in {args.new}; run `cecot-data build`")
    return EXIT_OK if all(t.empty for t in tables) else EXIT_INVALID


def _cmd_plot(args: argparse.Namespace) -> int:
    # Imported here: the plots module loads matplotlib and the models.
    from .plots import PLOTS

    written = PLOTS[args.kind](Path(args.out), force=args.force)
    _out(f"{args.kind}: written to {written}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    from .loaders import TABLE_NAMES

    parser = argparse.ArgumentParser(
        prog="cecot-data",
        description="Sourced datasets on El Salvador's CECOT prison, mass incarceration and the 2025 US transfers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    info = commands.add_parser("info", help="tables, row counts, version, licence, citation")
    info.set_defaults(run=_cmd_info)

    show = commands.add_parser("show", help="print a table")
    show.add_argument("table", choices=TABLE_NAMES, metavar="TABLE", help=f"one of: {', '.join(TABLE_NAMES)}")
    show.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    show.add_argument("--limit", type=_non_negative, default=None, help="print at most this many rows (0 or more)")
    show.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        default=None,
        help="only what was known or in force at the end of that day (" + ", ".join(AS_OF_TABLES) + ")",
    )
    show.set_defaults(run=_cmd_show)

    claims = commands.add_parser(
        "claims",
        help="list claim groups, or show the claims of one group side by side",
        description="Rows that claim something about the same quantity or happening share a claim group. "
        "Without GROUP: list the groups. With GROUP: the claims side by side, oldest source first.",
    )
    claims.add_argument("group", nargs="?", metavar="GROUP", help="a claim group, e.g. sv-cecot-capacity")
    claims.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    claims.set_defaults(run=_cmd_claims)

    validate = commands.add_parser(
        "validate",
        help="check a data package (default: the installed one)",
        description="Check descriptor, files, hashes, rows, keys and cross-table rules. "
        "Exit 0 valid, 1 invalid, 2 unusable input.",
    )
    validate.add_argument("path", nargs="?", help="package folder or its datapackage.json")
    validate.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    validate.set_defaults(run=_cmd_validate)

    from .export import FORMATS

    export = commands.add_parser(
        "export",
        help="write the tables as csv, json, parquet, sqlite, duckdb or postgresql",
        description="csv/json/parquet: a new or empty folder. sqlite/duckdb: a new database file (sqlite also "
        "writes <name>.metadata.json for Datasette). postgresql: a DSN such as "
        "postgresql://user@localhost/db; the tables go into schema 'cecot'. An existing target is refused "
        "unless --force; every file is written beside its place and renamed when complete.",
    )
    export.add_argument("format", choices=FORMATS, metavar="FORMAT", help=f"one of: {', '.join(FORMATS)}")
    export.add_argument("dest", metavar="DEST", help="folder, database file, or PostgreSQL DSN")
    export.add_argument(
        "--force",
        "--replace",
        action="store_true",
        help="replace an existing target: a file or link (never written through), the files a folder export "
        "writes (others are left alone), or PostgreSQL's schema 'cecot' when nothing outside it depends on it",
    )
    export.add_argument(
        "--formulas",
        choices=("escape", "keep"),
        default="escape",
        help="csv: cells a spreadsheet would run as formulas (=, +, -, @, tab, CR; not plain numbers) get a "
        "leading single quote (escape, the default, per OWASP) or stay as they are (keep)",
    )
    export.set_defaults(run=_cmd_export)

    diff = commands.add_parser(
        "diff",
        help="rows added, removed and changed between two releases",
        description="Compare two package folders (or their datapackage.json) table by table on primary keys. "
        "Exit 0 when they hold the same data, 1 when they differ, 2 when one cannot be read.",
    )
    diff.add_argument("old", metavar="OLD", help="the older package folder or descriptor")
    diff.add_argument("new", metavar="NEW", help="the newer package folder or descriptor")
    diff.add_argument("--format", choices=("text", "json", "changelog"), default="text", help="report format")
    diff.add_argument("--retire", action="store_true", help="record the removed ids in NEW's datasets/retired_ids.csv")
    diff.set_defaults(run=_cmd_diff)

    plot = commands.add_parser(
        "plot",
        help="draw the timeline, the population series or the deaths in custody (needs matplotlib)",
        description="Write a PNG or SVG (by the suffix of --out). Uncertainty stays visible: ranges as bars, "
        "'at least' as open-ended arrows, conflicting claims as separate marks; the caption names the sources.",
    )
    plot.add_argument(
        "kind", choices=("timeline", "population", "deaths"), metavar="KIND", help="timeline, population or deaths"
    )
    plot.add_argument("--out", required=True, metavar="FILE", help="output file, .png or .svg")
    plot.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (a link is replaced, not followed)"
    )
    plot.set_defaults(run=_cmd_plot)

    build = commands.add_parser(
        "build",
        help="maintainers: regenerate Parquet, schemas, docs and descriptor from the CSVs",
    )
    build.add_argument("--root", default=".", help="repository checkout (default: current directory)")
    build.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything is stale")
    build.set_defaults(run=_cmd_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see :mod:`cecot_data.errors`)."""
    for stream in (sys.stdout, sys.stderr):
        # A terminal or pipe that cannot show a character gets an escape, not an exception.
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")
    try:
        args = _parser().parse_args(argv)
        too_small = _address_space_too_small()
        if too_small is not None:
            _err(too_small)
            return EXIT_UNUSABLE
        code: int = args.run(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except CecotDataError as exc:
        _err(f"error: {exc}")
        return exc.exit_code
    except BrokenPipeError:  # e.g. `cecot-data show sources | head`: the reader has had enough
        # Point stdout at devnull so that the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except MemoryError:
        _err("error: not enough memory for this run (is a limit such as `ulimit -v` set?)")
        return EXIT_UNUSABLE
    except ImportError as exc:  # a library that is missing or cannot be loaded (e.g. under a memory limit)
        _err(f"error: cannot load {exc.name or 'a library'}: {exc}")
        return EXIT_UNUSABLE
    except OSError as exc:
        _err(f"error: {exc.filename or ''}: {exc.strerror or exc}")
        return EXIT_UNUSABLE
    except Exception as exc:  # a bug of ours: one readable line, the details only on request
        if os.environ.get("CECOT_DATA_DEBUG"):
            raise
        if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
            _err("error: cannot start a thread: a limit on memory or processes is too low for this run")
            return EXIT_UNUSABLE
        _err(f"internal error: {type(exc).__name__}: {exc} (set CECOT_DATA_DEBUG=1 for details, and please report it)")
        return EXIT_INTERNAL
    return code


if __name__ == "__main__":
    sys.exit(main())
