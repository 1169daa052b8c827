"""The ``cecot-data`` command line.

Commands: ``info``, ``show``, ``describe``, ``claims``, ``validate``, ``export``,
``plot``, ``diff`` and ``build``; ``cecot-data --version`` prints the version.
Each command is declared by the :func:`command` decorator on its handler, with
its arguments beside it; options shared by several commands are defined once
(``TABLE``, ``FORMAT_ROWS``, ``LANG``). A test checks that every command is in
``--help``, in this docstring and in the README.

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
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .display import escape
from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, CecotDataError
from .tables import TABLE_NAMES

if TYPE_CHECKING:
    from .models import Record


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


def _width() -> int:
    """The terminal's width (COLUMNS when set; 80 when the output is not a terminal)."""
    return shutil.get_terminal_size().columns


# ---------------------------------------------------------------------------
# Declaring commands: each handler carries its name, help and arguments.


@dataclass(frozen=True)
class Arg:
    """One argparse argument: its flags (or name) and options."""

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    """An argument for :func:`command`, spelt as for ``ArgumentParser.add_argument``."""
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    """A subcommand: what ``--help`` says, its arguments and its handler."""

    name: str
    help: str
    description: str | None
    args: tuple[Arg, ...]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def command(
    name: str, help: str, *args: Arg, description: str | None = None
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register the decorated handler as the subcommand ``name`` (in the order of this module)."""

    def register(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = Command(name, help, description, args, run)
        return run

    return register


# Options that several commands share, defined once.
TABLE = arg("table", choices=TABLE_NAMES, metavar="TABLE", help=f"one of: {', '.join(TABLE_NAMES)}")
OPTIONAL_TABLE = arg(
    "table", nargs="?", choices=TABLE_NAMES, metavar="TABLE", help=f"one of: {', '.join(TABLE_NAMES)} (default: all)"
)
FORMAT_ROWS = arg("--format", choices=("table", "csv", "json"), default="table", help="output format")
LANG = arg("--lang", choices=("en", "es"), default="en", help="language: en (English) or es (español)")


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="cecot-data",
        description="Sourced datasets on El Salvador's CECOT prison, mass incarceration and the 2025 US transfers.",
    )
    parser.add_argument("--version", action="version", version=f"cecot-data {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for spec in COMMANDS.values():
        sub = commands.add_parser(spec.name, help=spec.help, description=spec.description or spec.help)
        for argument in spec.args:
            sub.add_argument(*argument.flags, **argument.options)
        sub.set_defaults(run=spec.run)
    return parser


# ---------------------------------------------------------------------------
# info


@command("info", "tables, row counts, version, licence, citation")
def _cmd_info(_: argparse.Namespace) -> int:
    from . import __version__
    from .constants import CODE_LICENSE, DATA_LICENSE
    from .loaders import TABLE_NAMES, datapackage_path, load_table
    from .models import MODELS_BY_TABLE
    from .schema import table_description
    from .views import coverage_by_series

    _out(f"cecot-data {__version__}: El Salvador's CECOT, mass incarceration, and the 2025 US transfers")
    _out(f"Data licence: {DATA_LICENSE['name']}   Code licence: {CODE_LICENSE['name']}")
    _out()
    _out("Tables:")
    width = max(len(n) for n in TABLE_NAMES)
    tables = {name: load_table(name) for name in TABLE_NAMES}
    for name, records in tables.items():
        _out(f"  {name:<{width}}  {len(records):>5} rows  {table_description(MODELS_BY_TABLE[name])}")
    _out()
    _out("Coverage (first and last date the rows cover; newest source cited):")
    covered = coverage_by_series()
    width = max(len(c.series_id) for c in covered)
    for c in covered:
        period = f"{c.first or '?'} to {c.last or '?'}"
        _out(f"  {c.series_id:<{width}}  {c.rows:>4} rows  {period:<24}  newest source {c.newest_source or '?'}")
    _out()
    _out(f"Descriptor: {datapackage_path()}")
    _out(
        f"Cite as: cecot-data contributors, cecot-data: sourced datasets on El Salvador's CECOT, "
        f"version {__version__} [dataset], licensed {DATA_LICENSE['name']}. "
        "Cite the original sources listed in the sources table for individual facts."
    )
    return EXIT_OK


# ---------------------------------------------------------------------------
# show

# The tables a point-in-time snapshot holds (the fields of cecot_data.views.Snapshot; a test keeps them equal).
AS_OF_TABLES = ("facilities", "facility_quantities", "population_counts", "legal_instruments", "events")


class UsageError(Exception):
    """A command line that names something that does not exist (exit 2)."""


def _columns_option(text: str | None, names: Sequence[str]) -> list[str]:
    if text is None:
        return list(names)
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in names]
    if unknown or not chosen:
        raise UsageError(f"--columns: no column {', '.join(unknown) or '(none given)'}; columns: {', '.join(names)}")
    return chosen


def _where_option(conditions: Sequence[str], names: Sequence[str]) -> list[tuple[str, str]]:
    parsed = []
    for condition in conditions:
        name, equals, value = condition.partition("=")
        if not equals or name not in names:
            raise UsageError(f"--where {condition!r}: expected FIELD=VALUE with FIELD one of: {', '.join(names)}")
        parsed.append((name, value))
    return parsed


def _sort_key(name: str) -> Callable[[Record], tuple[bool, Any]]:
    def key(record: Record) -> tuple[bool, Any]:
        value = getattr(record, name)
        return (value is None, value if value is not None else 0)

    return key


@command(
    "show",
    "print a table (fitted to the terminal), or pick, filter and sort its rows",
    TABLE,
    FORMAT_ROWS,
    arg("--columns", metavar="A,B,...", default=None, help="only these columns, in this order"),
    arg(
        "--where",
        metavar="FIELD=VALUE",
        action="append",
        default=[],
        help="only rows whose FIELD reads VALUE as in the CSV (empty VALUE: null); repeat to combine",
    ),
    arg("--sort", metavar="FIELD", default=None, help="sort by FIELD (nulls last)"),
    arg("--limit", type=_non_negative, default=None, help="print at most this many rows (0 or more)"),
    arg(
        "--as-of",
        metavar="YYYY-MM-DD",
        default=None,
        help="only what was known or in force at the end of that day (" + ", ".join(AS_OF_TABLES) + ")",
    ),
    description="Print a table: as a table fitted to the terminal's width, or one record per row when its "
    "columns cannot fit; --format csv or json for other programs (columns in CSV order, integral numbers as "
    "integers). The last line says how many rows were shown of how many.",
)
def _cmd_show(args: argparse.Namespace) -> int:
    from .loaders import load_table
    from .models import MODELS_BY_TABLE
    from .schema import column_names
    from .terminal import cell_text

    model = MODELS_BY_TABLE[args.table]
    names = column_names(model)
    try:
        shown = _columns_option(args.columns, names)
        where = _where_option(args.where, names)
        if args.sort is not None and args.sort not in names:
            raise UsageError(f"--sort: no column {args.sort}; columns: {', '.join(names)}")
    except UsageError as exc:
        _err(f"error: {exc}")
        return EXIT_UNUSABLE
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
    records = [r for r in records if all(cell_text(getattr(r, n)) == v for n, v in where)]
    if args.sort is not None:
        records.sort(key=_sort_key(args.sort))
    total = len(records)
    if args.limit is not None:
        records = records[: args.limit]
    _print_records(records, args.format, shown)
    if args.format == "table":
        _out(_count_line(len(records), total, args))
    return EXIT_OK


def _count_line(shown: int, total: int, args: argparse.Namespace) -> str:
    from .terminal import plural

    counted = plural(total, "row") if shown == total else f"{shown:,} of {plural(total, 'row')}"
    context = [f"where {' and '.join(args.where)}"] if args.where else []
    if args.as_of is not None:
        context.append(f"as of {args.as_of}")
    return f"({counted}{', ' + '; '.join(context) if context else ''})"


class _Escaped:
    """A text stream that escapes control characters on their way to a terminal."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(escape(text)))


def _print_records(records: Sequence[Record], output: str, names: Sequence[str]) -> None:
    from .csv_files import format_cell
    from .terminal import cell_text, json_value, rows_lines

    if output == "json":
        objects = [{n: json_value(getattr(r, n)) for n in names} for r in records]
        _out(json.dumps(objects, indent=2, ensure_ascii=False))
    elif output == "csv":
        # Data to a pipe stays as it is; to a terminal, control characters are shown escaped.
        writer = csv.writer(_Escaped(sys.stdout) if sys.stdout.isatty() else sys.stdout, lineterminator="\n")
        writer.writerow(names)
        for record in records:
            writer.writerow([format_cell(getattr(record, n)) for n in names])
    else:
        rows = [[cell_text(getattr(r, n)) for n in names] for r in records]
        for line in rows_lines(names, rows, _width()):
            _out(line)


# ---------------------------------------------------------------------------
# describe


@command(
    "describe",
    "the columns of a table (or of every table): types, units, constraints, descriptions, examples",
    OPTIONAL_TABLE,
    arg("--format", choices=("text", "markdown", "json"), default="text", help="output format"),
    LANG,
    description="Document the columns of TABLE, or of every table: type, required, unit, constraints, "
    "description and an example value. --lang es gives the Spanish titles and descriptions.",
)
def _cmd_describe(args: argparse.Namespace) -> int:
    from .dictionary import data_dictionary, describe, describe_text, examples, shipped_tables, table_markdown
    from .models import MODELS_BY_TABLE

    tables = shipped_tables()
    samples = examples(tables)
    names = [args.table] if args.table else list(tables)
    models = [MODELS_BY_TABLE[name] for name in names]
    if args.format == "json":
        described = [describe(m, samples[m.table_name], len(tables[m.table_name]), args.lang) for m in models]
        _out(json.dumps(described[0] if args.table else described, indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        if args.table:
            _out("\n".join(table_markdown(models[0], samples[args.table], args.lang)).rstrip())
        else:
            _out(data_dictionary(samples, args.lang).rstrip())
    else:
        width = _width()
        texts = [describe_text(m, samples[m.table_name], len(tables[m.table_name]), args.lang, width) for m in models]
        _out("\n\n".join(texts))
    return EXIT_OK


# ---------------------------------------------------------------------------
# claims


def _claim_date(row: Record) -> str | None:
    value = getattr(row, "as_of", None) or getattr(row, "occurred_on", None)
    return str(value) if value is not None else None


def _claim_subject(row: Record) -> str:
    """What a claim is about: the measure, the attribute or the kind of event."""
    for name in ("measure", "attribute", "event_type"):
        value = getattr(row, name, None)
        if value is not None:
            return str(value)
    raise TypeError(f"not a claim: {type(row).__name__}")


def _claim_place(row: Record) -> str:
    """Where a claim is about: its facility, else its country (a count without a facility is country-wide)."""
    if not hasattr(row, "facility_id"):  # an event: its facilities are links of their own
        return str(row.country_iso2)  # type: ignore[attr-defined]
    return str(row.facility_id or f"{row.country_iso2} (country-wide)")  # type: ignore[attr-defined]


def _figure(row: Record) -> str:
    """A claim's figure as numbers: the value, or its bounds; the event's title for an event."""
    from .terminal import cell_text

    if not hasattr(row, "qualifier"):
        return str(getattr(row, "title", ""))
    value, low, high = (getattr(row, n) for n in ("value", "lower_bound", "upper_bound"))
    if value is not None:
        return cell_text(value)
    if low is not None and high is not None:
        return f"{cell_text(low)} to {cell_text(high)}"
    if low is not None:
        return f"{cell_text(low)} or more"
    if high is not None:
        return f"under {cell_text(high)}" if row.qualifier == "nearly" else f"up to {cell_text(high)}"
    return "no number"


def _group_summary(group: str, rows: Sequence[Record]) -> dict[str, Any]:
    from .coverage import edtf_bounds

    dates = [d for d in (_claim_date(r) for r in rows) if d is not None]
    bounds = edtf_bounds(dates)
    return {
        "group": group,
        "table": type(rows[0]).table_name,
        "about": sorted({_claim_subject(r) for r in rows}),
        "where": sorted({_claim_place(r) for r in rows}),
        "first": bounds[0] if bounds else None,
        "last": bounds[1] if bounds else None,
        "claims": len(rows),
    }


def _claim_view(row: Record, sources: dict[str, Any]) -> dict[str, Any]:
    """One claim for a reader: who, when, how qualified, what figure, from where, in whose words."""
    from .terminal import json_value

    source = sources.get(row.source_id)  # type: ignore[attr-defined]
    return {
        "table": type(row).table_name,
        "id": "/".join(str(k) for k in row.key()),
        "claimant": getattr(row, "claimant", None) or (source.publisher if source else None),
        "claimant_kind": getattr(row, "claimant_kind", None),
        "date": _claim_date(row),
        "qualifier": getattr(row, "qualifier", None),
        "figure": _figure(row),
        "value": json_value(getattr(row, "value", None)),
        "lower_bound": json_value(getattr(row, "lower_bound", None)),
        "upper_bound": json_value(getattr(row, "upper_bound", None)),
        "stated_as": getattr(row, "stated_as", None),
        "source_id": row.source_id,  # type: ignore[attr-defined]
        "publisher": source.publisher if source else None,
        "published_on": source.published_on if source else None,
        "quote": row.quote,  # type: ignore[attr-defined]
    }


@command(
    "claims",
    "list claim groups and what each is about, or show the claims of one group side by side",
    arg("group", nargs="?", metavar="GROUP", help="a claim group, e.g. sv-cecot-capacity"),
    FORMAT_ROWS,
    description="Rows that claim something about the same quantity or happening share a claim group. "
    "Without GROUP: each group with what it is about (measure, facility, period) and how many claims it holds. "
    "With GROUP: every claim, oldest source first, with claimant, date, qualifier, figure, source and quote.",
)
def _cmd_claims(args: argparse.Namespace) -> int:
    from .terminal import plural
    from .views import claim_groups, claims

    if args.group is None:
        summaries = [_group_summary(group, claims(group)) for group in claim_groups()]
        _print_group_list(summaries, args.format)
        return EXIT_OK
    try:
        rows = claims(args.group)
    except ValueError as exc:
        _err(f"error: {exc}")
        return EXIT_UNUSABLE
    from .loaders import load_sources

    sources = {s.source_id: s for s in load_sources()}
    views = [_claim_view(r, sources) for r in rows]
    if args.format == "json":
        _out(json.dumps(views, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(views[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in view.items()} for view in views)
    else:
        summary = _group_summary(args.group, rows)
        _out(f"{args.group}: {_about(summary)} ({plural(len(rows), 'claim')}, oldest source first)")
        for number, view in enumerate(views, 1):
            _out()
            _print_claim(number, view)
    return EXIT_OK


def _about(summary: dict[str, Any]) -> str:
    period = summary["first"] if summary["first"] == summary["last"] else f"{summary['first']} to {summary['last']}"
    when = f", {period}" if summary["first"] else ""
    return f"{', '.join(summary['about'])} at {', '.join(summary['where'])}{when}"


def _print_group_list(summaries: Sequence[dict[str, Any]], output: str) -> None:
    from .terminal import plural, rows_lines

    if output == "json":
        _out(json.dumps(list(summaries), indent=2, ensure_ascii=False))
        return
    headers = ["group", "about", "where", "period", "claims"]
    rows = [
        [
            s["group"],
            ", ".join(s["about"]),
            ", ".join(s["where"]),
            (s["first"] if s["first"] == s["last"] else f"{s['first']}/{s['last']}") if s["first"] else "",
            str(s["claims"]),
        ]
        for s in summaries
    ]
    if output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return
    for line in rows_lines(headers, rows, _width()):
        _out(line)
    _out(f"({plural(len(summaries), 'claim group')}; `cecot-data claims GROUP` shows one side by side)")


def _print_claim(number: int, view: dict[str, Any]) -> None:
    from .terminal import wrapped

    width = _width()
    who = view["claimant"] or "?"
    if view["claimant_kind"]:
        who += f" ({view['claimant_kind']})"
    when = f", {view['date']}" if view["date"] else ""
    _out("\n".join(wrapped(f"{who}{when}", width, "    ", first=f"{number}. ")))
    if view["qualifier"] is not None:
        what, figure = "figure", f"{view['figure']} ({view['qualifier']}; stated as {view['stated_as']!r})"
    else:  # an event: what happened, in one line
        what, figure = "what", view["figure"]
    published = f", published {view['published_on']}" if view["published_on"] else ""
    for label, text in (
        (what, figure),
        ("source", f"{view['source_id']} ({view['publisher']}{published})"),
        ("quote", f"\u201c{view['quote']}\u201d"),
    ):
        _out("\n".join(wrapped(f"{label}: {text}", width, "      ", first="   ")))


# ---------------------------------------------------------------------------
# validate


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


@command(
    "validate",
    "check a data package (default: the installed one)",
    arg("path", nargs="?", help="package folder or its datapackage.json"),
    arg("--format", choices=("text", "json"), default="text", help="report format"),
    description="Check descriptor, files, hashes, rows, keys and cross-table rules. "
    "Exit 0 valid, 1 invalid, 2 unusable input.",
)
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


# ---------------------------------------------------------------------------
# export, plot, diff, build


def _export_formats() -> tuple[str, ...]:
    from .export import FORMATS

    return tuple(FORMATS)


@command(
    "export",
    "write the tables as csv, json, parquet, sqlite, duckdb or postgresql",
    arg("format", choices=_export_formats(), metavar="FORMAT", help=f"one of: {', '.join(_export_formats())}"),
    arg("dest", metavar="DEST", help="folder, database file, or PostgreSQL DSN"),
    arg(
        "--force",
        "--replace",
        action="store_true",
        help="replace an existing target: a file or link (never written through), the files a folder export "
        "writes (others are left alone), or PostgreSQL's schema 'cecot' when nothing outside it depends on it",
    ),
    arg(
        "--formulas",
        choices=("escape", "keep"),
        default="escape",
        help="csv: cells a spreadsheet would run as formulas (=, +, -, @, tab, CR; not plain numbers) get a "
        "leading single quote (escape, the default, per OWASP) or stay as they are (keep)",
    ),
    description="csv/json/parquet: a new or empty folder. sqlite/duckdb: a new database file (sqlite also "
    "writes <name>.metadata.json for Datasette). postgresql: a DSN such as "
    "postgresql://user@localhost/db; the tables go into schema 'cecot'. An existing target is refused "
    "unless --force; every file is written beside its place and renamed when complete.",
)
def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export, redact_dsn

    export(args.format, args.dest, force=args.force, formulas=args.formulas)
    shown = redact_dsn(args.dest) if args.format == "postgresql" else args.dest
    _out(f"{args.format}: written to {shown}")
    return EXIT_OK


@command(
    "plot",
    "draw the timeline, the population series or the deaths in custody (needs matplotlib)",
    arg("kind", choices=("timeline", "population", "deaths"), metavar="KIND", help="timeline, population or deaths"),
    arg("--out", required=True, metavar="FILE", help="output file, .png or .svg"),
    arg("--force", action="store_true", help="replace FILE if it exists (a link is replaced, not followed)"),
    description="Write a PNG or SVG (by the suffix of --out). Uncertainty stays visible: ranges as bars, "
    "'at least' as open-ended arrows, conflicting claims as separate marks; the caption names the sources.",
)
def _cmd_plot(args: argparse.Namespace) -> int:
    # Imported here: the plots module loads matplotlib and the models.
    from .plots import PLOTS

    written = PLOTS[args.kind](Path(args.out), force=args.force)
    _out(f"{args.kind}: written to {written}")
    return EXIT_OK


@command(
    "diff",
    "rows added, removed and changed between two releases",
    arg("old", metavar="OLD", help="the older package folder or descriptor"),
    arg("new", metavar="NEW", help="the newer package folder or descriptor"),
    arg("--format", choices=("text", "json", "changelog"), default="text", help="report format"),
    arg("--retire", action="store_true", help="record the removed ids in NEW's datasets/retired_ids.csv"),
    description="Compare two package folders (or their datapackage.json) table by table on primary keys. "
    "Exit 0 when they hold the same data, 1 when they differ, 2 when one cannot be read.",
)
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


@command(
    "build",
    "maintainers: regenerate Parquet, schemas, docs and descriptor from the CSVs",
    arg("--root", default=".", help="repository checkout (default: current directory)"),
    arg("--check", action="store_true", help="write nothing; exit 1 if anything is stale"),
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


# ---------------------------------------------------------------------------


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
