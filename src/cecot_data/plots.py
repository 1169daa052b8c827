"""Figures drawn from the shipped tables: the chronology, the prison population, deaths in custody.

matplotlib is optional (``pip install 'cecot-data[plot]'``) and imported only
inside the functions that draw. Each figure is drawn on its own
``matplotlib.figure.Figure`` with the non-interactive Agg canvas: drawing
needs no display, opens no window and leaves pyplot alone (no global backend
switch, so an interactive session's figures are not closed).

Every mark comes from one row and carries that row's key as its SVG id
(``<g id="sv-prison-population-2024-census">``), so a figure can be checked
against the data. Figures keep each claim's shape:

- exact figure: a filled circle; approximate ("about"): an open diamond;
- range: a vertical bar from the lower to the upper bound;
- at least: an arrow pointing up from the lower bound; at most: down from the upper bound;
- vague ("hundreds"): not drawn, counted in the caption; undated: not drawn, listed in the caption;
- a date coarser than a day (a month, a year, an interval): a horizontal bar over the whole span;
- claims that dispute the same quantity (same ``claim_group``): separate marks, joined by a dotted line.

Nothing is hard-coded: every figure, date, label and source comes from the loaded tables.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from . import edtf
from .errors import CecotDataError
from .loaders import load_events, load_population_counts, load_sources
from .models import ClaimantKind, Event, PopulationCount, Qualifier, Source

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PLOTS",
    "SUFFIXES",
    "SeriesPoint",
    "TimelineMark",
    "deaths_series",
    "plot_deaths",
    "plot_population",
    "plot_timeline",
    "population_series",
    "timeline_marks",
]

SUFFIXES: tuple[str, ...] = (".png", ".svg")
"""File suffixes the plot functions write (the format follows the suffix)."""

MISSING_MATPLOTLIB = "plots need matplotlib: pip install 'cecot-data[plot]'"

FIGSIZE = (10.0, 6.0)
PNG_DPI = 150

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
_KIND_COLOURS: dict[str, str] = {
    "government": "#0072B2",
    "ngo": "#D55E00",
    "news_outlet": "#009E73",
    "news_agency": "#56B4E9",
    "academic": "#CC79A7",
    "international_org": "#E69F00",
    "court": "#000000",
    "reference_work": "#999999",
}
_KIND_LABELS: dict[str, str] = {
    "government": "government",
    "ngo": "NGO",
    "news_outlet": "news outlet",
    "news_agency": "news agency",
    "academic": "academic",
    "international_org": "international organisation",
    "court": "court",
    "reference_work": "reference work",
}
_QUALIFIER_LABELS: dict[str, str] = {
    "exact": "exact figure",
    "approximate": "approximate ('about')",
    "range": "range (lower to upper bound)",
    "at_least": "at least (lower bound)",
    "at_most": "at most (upper bound)",
}


# ---------------------------------------------------------------------------
# The plotted data, computed without matplotlib.


@dataclass(frozen=True)
class SeriesPoint:
    """One non-vague claim of a country-wide series, as the population and deaths plots draw it."""

    count_id: str
    qualifier: Qualifier
    value: float | None
    lower_bound: float | None
    upper_bound: float | None
    stated_as: str
    as_of: str | None
    span: edtf.EdtfRange | None
    """The calendar span of ``as_of``; None for an undated claim (listed in the caption, not drawn)."""
    period_start: str | None
    claimant: str
    claimant_kind: ClaimantKind
    claim_group: str | None
    source_id: str
    country_iso2: str

    @property
    def anchor(self) -> float:
        """Where the mark sits: the figure, the bound an arrow starts from, or a range's midpoint."""
        if self.value is not None:
            return self.value
        if self.lower_bound is not None and self.upper_bound is not None:
            return (self.lower_bound + self.upper_bound) / 2
        bound = self.lower_bound if self.lower_bound is not None else self.upper_bound
        if bound is None:  # excluded by the qualifier rules; kept for the type checker
            raise ValueError(f"{self.count_id}: a {self.qualifier} claim without a figure")
        return bound

    @property
    def low(self) -> float:
        """Lowest value the mark covers."""
        return self.lower_bound if self.lower_bound is not None else self.anchor

    @property
    def high(self) -> float:
        """Highest value the mark covers."""
        return self.upper_bound if self.upper_bound is not None else self.anchor


@dataclass(frozen=True)
class TimelineMark:
    """One event as the timeline draws it."""

    event_id: str
    event_type: str
    title: str
    occurred_on: str
    span: edtf.EdtfRange
    date_inferred: bool
    claim_group: str | None
    source_id: str
    country_iso2: str


def _country_wide(measure: str) -> list[PopulationCount]:
    rows = [r for r in load_population_counts() if r.measure == measure and r.facility_id is None]
    return sorted(rows, key=lambda r: (_sort_day(r.as_of), r.count_id))


def _sort_day(text: str | None) -> date:
    return date.max if text is None else edtf.parse(text).earliest


def _series(measure: str) -> list[SeriesPoint]:
    return [
        SeriesPoint(
            count_id=r.count_id,
            qualifier=r.qualifier,
            value=r.value,
            lower_bound=r.lower_bound,
            upper_bound=r.upper_bound,
            stated_as=r.stated_as,
            as_of=r.as_of,
            span=None if r.as_of is None else edtf.parse(r.as_of),
            period_start=r.period_start,
            claimant=r.claimant,
            claimant_kind=r.claimant_kind,
            claim_group=r.claim_group,
            source_id=r.source_id,
            country_iso2=r.country_iso2,
        )
        for r in _country_wide(measure)
        if r.qualifier != "vague"
    ]


def population_series() -> list[SeriesPoint]:
    """Every non-vague country-wide ``prison_population`` claim, oldest ``as_of`` first, undated last.

    >>> {p.qualifier for p in population_series()} <= {"exact", "approximate", "at_least", "at_most", "range"}
    True
    """
    return _series("prison_population")


def deaths_series() -> list[SeriesPoint]:
    """Every non-vague country-wide ``deaths_in_custody`` claim, oldest ``as_of`` first, undated last."""
    return _series("deaths_in_custody")


def timeline_marks() -> list[TimelineMark]:
    """Every event with its EDTF span, oldest first."""
    marks = [
        TimelineMark(
            event_id=e.event_id,
            event_type=e.event_type,
            title=e.title,
            occurred_on=e.occurred_on,
            span=edtf.parse(e.occurred_on),
            date_inferred=e.date_inferred,
            claim_group=e.claim_group,
            source_id=e.source_id,
            country_iso2=e.country_iso2,
        )
        for e in load_events()
    ]
    return sorted(marks, key=lambda m: (m.span.earliest, m.span.latest, m.event_id))


EVENT_TYPES: tuple[str, ...] = get_args(Event.model_fields["event_type"].annotation)
"""The event types in the model's order, which is the timeline's lane order."""

# Event types whose events get a text label on the timeline, most important first; others are marks only.
LABELLED_EVENT_TYPES: tuple[str, ...] = ("opening", "transfer", "deportation", "repatriation", "ruling")


# ---------------------------------------------------------------------------
# Captions.


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cecot-data")
    except PackageNotFoundError:
        return "(version unknown)"


def _publishers(source_ids: Iterable[str]) -> list[str]:
    """Distinct publishers of the cited sources, the most cited first."""
    by_id: dict[str, Source] = {s.source_id: s for s in load_sources()}
    counts = Counter(_short_name(by_id[s].publisher) for s in source_ids if s in by_id)
    return [name for name, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))]


def _join_limited(items: Sequence[str], limit: int) -> str:
    """``a, b and c``, cut to at most ``limit`` characters with ``and N more``."""
    shown: list[str] = []
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        tail = f" and {rest} more" if rest else ""
        if shown and len(", ".join([*shown, item])) + len(tail) > limit:
            break
        shown.append(item)
    more = len(items) - len(shown)
    text = ", ".join(shown)
    return f"{text} and {more} more" if more else text


def _sources_sentence(source_ids: Iterable[str], limit: int) -> str:
    ids = list(source_ids)
    publishers = _publishers(ids)
    return (
        f"Sources: see the sources table of cecot-data {_version()}. "
        f"Publishers ({len(publishers)}): {_join_limited(publishers, limit)}."
    )


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _figure_text(point: SeriesPoint) -> str:
    """The claim in a few characters: 36,000; ≈40,000; ≥261; ≤40,000; 65–70."""
    if point.qualifier == "range" and point.lower_bound is not None and point.upper_bound is not None:
        return f"{_format_number(point.lower_bound)}–{_format_number(point.upper_bound)}"
    prefix = {"approximate": "≈", "at_least": "≥", "at_most": "≤"}.get(point.qualifier, "")
    return prefix + _format_number(point.anchor)


def _short_name(name: str) -> str:
    """A claimant or publisher without its parenthesised explanation."""
    return name.split(" (", 1)[0]


def _wrap(text: str, width: int = 170) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False))


# ---------------------------------------------------------------------------
# Writing files.


def _check_suffix(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise CecotDataError(
            f"cannot write {str(out)!r}: the plot format follows the file suffix, one of {', '.join(SUFFIXES)}"
        )
    return suffix


def _new_figure(height: float = FIGSIZE[1]) -> Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise CecotDataError(MISSING_MATPLOTLIB) from error
    figure = Figure(figsize=(FIGSIZE[0], height))
    FigureCanvasAgg(figure)  # non-interactive: attaches itself to the figure
    return figure


def _rc() -> Any:
    import matplotlib

    return matplotlib.rc_context(
        {
            "svg.fonttype": "none",  # text stays text in SVG: searchable, accessible, smaller
            "svg.hashsalt": "cecot-data",  # stable ids, reproducible files
            "font.size": 8,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "axes.labelsize": 9,
            "legend.fontsize": 7.5,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def _draw_and_save(draw: Callable[[], Figure], out: Path) -> Path:
    suffix = _check_suffix(out)
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise CecotDataError(MISSING_MATPLOTLIB) from error
    with _rc():
        figure = draw()
        try:
            if suffix == ".png":
                figure.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": None})
            else:
                figure.savefig(out, format="svg", metadata={"Date": None})
        except OSError as error:
            raise CecotDataError(f"cannot write {str(out)!r}: {error.strerror or error}") from error
    return out


# ---------------------------------------------------------------------------
# Date axis helpers.


def _num(day: date) -> float:
    from matplotlib.dates import date2num

    return float(date2num(day))


def _span_nums(span: edtf.EdtfRange) -> tuple[float, float]:
    """Start and end of a span on the date axis; the end is the end of the last day."""
    return _num(span.earliest), _num(span.latest + timedelta(days=1))


def _date_axis(ax: Axes) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))


# ---------------------------------------------------------------------------
# Quantity series (population, deaths).


def _arrow_marker(direction: int) -> Any:
    """A marker anchored at a bound: a short bar with an arrow pointing up (1) or down (-1)."""
    from matplotlib.path import Path as MplPath

    d = float(direction)
    vertices = [(-0.6, 0.0), (0.6, 0.0), (0.0, 0.0), (0.0, 1.8 * d), (-0.45, 1.25 * d), (0.0, 1.8 * d), (0.45, 1.25 * d)]
    codes = [MplPath.MOVETO, MplPath.LINETO, MplPath.MOVETO, MplPath.LINETO, MplPath.MOVETO, MplPath.LINETO]
    codes.append(MplPath.LINETO)
    return MplPath(vertices, codes)


def _qualifier_style(qualifier: str, colour: str) -> dict[str, Any]:
    """Line2D keyword arguments for the mark of one claim (not for ranges, which are drawn as bars)."""
    if qualifier == "exact":
        return {"marker": "o", "markersize": 6, "markerfacecolor": colour, "markeredgecolor": "white", "mew": 0.6}
    if qualifier == "approximate":
        return {"marker": "D", "markersize": 5.5, "markerfacecolor": "white", "markeredgecolor": colour, "mew": 1.5}
    if qualifier in ("at_least", "at_most"):
        return {
            "marker": _arrow_marker(1 if qualifier == "at_least" else -1),
            "markersize": 22,
            "markerfacecolor": "none",
            "markeredgecolor": colour,
            "mew": 1.6,
        }
    raise ValueError(f"no point mark for qualifier {qualifier!r}")


def _dodged_x(points: Sequence[SeriesPoint], axis_days: float) -> dict[str, float]:
    """x of each dated point: the middle of its span, nudged apart when marks would sit on each other."""
    step = axis_days * 0.009
    x: dict[str, float] = {}
    by_centre: dict[tuple[float, int], list[SeriesPoint]] = {}
    for p in points:
        assert p.span is not None
        start, end = _span_nums(p.span)
        centre = (start + end) / 2
        # Marks closer than a step in time and within 3% in value would overlap.
        by_centre.setdefault((round(centre / step), 0), []).append(p)
        x[p.count_id] = centre
    for group in by_centre.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda p: (p.anchor, p.count_id))
        top = max(p.high for p in group) or 1.0
        clustered = [p for p in group if any(q is not p and abs(q.anchor - p.anchor) < 0.04 * top for q in group)]
        for i, p in enumerate(clustered):
            x[p.count_id] += (i - (len(clustered) - 1) / 2) * step
    return x


def _series_colours(points: Sequence[SeriesPoint], by: Callable[[SeriesPoint], str]) -> dict[str, str]:
    names: list[str] = []
    for p in points:
        if by(p) not in names:
            names.append(by(p))
    return {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(names)}


def _draw_series(
    ax: Axes,
    points: Sequence[SeriesPoint],
    colour_of: Callable[[SeriesPoint], str],
) -> int:
    """Draw every dated point; returns how many claims were drawn."""
    from matplotlib.lines import Line2D

    dated = [p for p in points if p.span is not None]
    if not dated:
        return 0
    starts = [_span_nums(p.span)[0] for p in dated if p.span is not None]
    ends = [_span_nums(p.span)[1] for p in dated if p.span is not None]
    axis_days = max(max(ends) - min(starts), 365.0)
    x_of = _dodged_x(dated, axis_days)

    # Claims disputing the same quantity: joined by a dotted grey line, behind the marks.
    groups: dict[str, list[SeriesPoint]] = {}
    for p in dated:
        if p.claim_group is not None:
            groups.setdefault(p.claim_group, []).append(p)
    for name, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        members.sort(key=lambda p: (x_of[p.count_id], p.anchor))
        ax.add_line(
            Line2D(
                [x_of[p.count_id] for p in members],
                [p.anchor for p in members],
                color="#888888",
                linestyle=(0, (1, 2)),
                linewidth=1.1,
                zorder=1,
                gid=f"claim-group--{name}",
            )
        )

    for p in dated:
        assert p.span is not None
        colour = colour_of(p)
        x = x_of[p.count_id]
        if p.span.precision != "day":
            start, end = _span_nums(p.span)
            ax.add_line(
                Line2D(
                    [start, end],
                    [p.anchor, p.anchor],
                    color=colour,
                    alpha=0.45,
                    linewidth=2.4,
                    solid_capstyle="butt",
                    zorder=2,
                    gid=f"{p.count_id}--as-of-span",
                )
            )
        if p.qualifier == "range":
            ax.add_line(
                Line2D(
                    [x, x],
                    [p.low, p.high],
                    color=colour,
                    linewidth=1.8,
                    marker="_",
                    markersize=9,
                    mew=1.8,
                    zorder=3,
                    gid=p.count_id,
                )
            )
        else:
            ax.add_line(Line2D([x], [p.anchor], linestyle="none", zorder=3, gid=p.count_id, **_qualifier_style(p.qualifier, colour)))

    low = min(p.low for p in dated)
    high = max(p.high for p in dated)
    arrows = any(p.qualifier in ("at_least", "at_most") for p in dated)
    pad = (high - low) * (0.12 if arrows else 0.06) or high * 0.1 or 1.0
    ax.set_ylim(max(0.0, low - pad) if low - pad > 0 else 0.0, high + pad)
    margin = axis_days * 0.03
    ax.set_xlim(min(starts) - margin, max(ends) + margin)
    return len(dated)


def _qualifier_legend(ax: Axes, points: Sequence[SeriesPoint], colour_handles: list[Any], title: str) -> None:
    from matplotlib.lines import Line2D

    present = {p.qualifier for p in points if p.span is not None}
    shapes: list[Any] = []
    for qualifier, label in _QUALIFIER_LABELS.items():
        if qualifier not in present:
            continue
        if qualifier == "range":
            handle = Line2D([], [], color="#444444", linewidth=1.8, marker="_", markersize=9, mew=1.8, label=label)
        else:
            style = _qualifier_style(qualifier, "#444444")
            if qualifier in ("at_least", "at_most"):
                style["markersize"] = 14
            handle = Line2D([], [], linestyle="none", label=label, **style)
        shapes.append(handle)
    if any(p.span is not None and p.span.precision != "day" for p in points):
        shapes.append(
            Line2D([], [], color="#444444", alpha=0.45, linewidth=2.4, label="date known to a month, year or interval")
        )
    if any(
        sum(1 for q in points if q.span is not None and q.claim_group == p.claim_group) > 1
        for p in points
        if p.claim_group is not None and p.span is not None
    ):
        shapes.append(Line2D([], [], color="#888888", linestyle=(0, (1, 2)), linewidth=1.1, label="claims disputing each other"))
    first = ax.legend(
        handles=colour_handles, title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, alignment="left"
    )
    ax.add_artist(first)
    ax.legend(handles=shapes, title="How the figure is stated", loc="upper left", bbox_to_anchor=(1.01, 0.52), frameon=False, alignment="left")


def _colour_handles(colours: dict[str, str], labels: dict[str, str]) -> list[Any]:
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], linestyle="none", marker="s", markersize=7, markerfacecolor=colour, markeredgecolor=colour, label=labels.get(name, name))
        for name, colour in colours.items()
    ]


def _series_caption(points: Sequence[SeriesPoint], vague: Sequence[PopulationCount], drawn: int, what: str) -> str:
    undated = [p for p in points if p.span is None]
    sources = {p.source_id for p in points} | {r.source_id for r in vague}
    parts = [f"{drawn} {what} drawn, from {len(sources)} sources; each mark is one claim, as its source states it."]
    if undated:
        listed = "; ".join(f"{_figure_text(p)} ({_short_name(p.claimant)})" for p in undated)
        parts.append(f"Not drawn, no date given: {listed}.")
    if vague:
        listed = "; ".join(f"'{r.stated_as}' ({_short_name(r.claimant)})" for r in vague)
        parts.append(f"Not drawn, vague ({len(vague)}): {listed}.")
    else:
        parts.append("Vague claims (no figure): none.")
    parts.append(_sources_sentence(sorted(sources), limit=360))
    return _wrap(" ".join(parts))


def _countries(points: Sequence[SeriesPoint]) -> str:
    return ", ".join(sorted({p.country_iso2 for p in points}))


def _population_figure() -> Figure:
    points = population_series()
    vague = [r for r in _country_wide("prison_population") if r.qualifier == "vague"]
    figure = _new_figure()
    ax = figure.add_axes((0.08, 0.25, 0.66, 0.66))
    kinds = sorted({p.claimant_kind for p in points}, key=lambda k: list(_KIND_COLOURS).index(k))
    colours = {k: _KIND_COLOURS[k] for k in kinds}
    drawn = _draw_series(ax, points, lambda p: colours[p.claimant_kind])
    _date_axis(ax)
    ax.yaxis.set_major_formatter(_thousands())
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(f"Prison population, country-wide ({_countries(points)}): the figures as claimed", loc="left")
    ax.set_ylabel("People held in prison")
    ax.set_xlabel("Date the figure refers to (as_of)")
    _qualifier_legend(ax, points, _colour_handles(colours, _KIND_LABELS), "Who makes the claim")
    figure.text(0.015, 0.015, _series_caption(points, vague, drawn, "prison-population claims"), fontsize=7, va="bottom", gid="caption")
    return figure


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: f"{value:,.0f}")


def _deaths_claimant(points: Sequence[SeriesPoint]) -> Callable[[SeriesPoint], str]:
    """Claimants with two or more figures are their own series; the others are grouped by kind."""
    counts = Counter(p.claimant for p in points)

    def category(p: SeriesPoint) -> str:
        if counts[p.claimant] >= 2:
            return p.claimant
        return f"other: {_KIND_LABELS[p.claimant_kind]}"

    return category


def _deaths_figure() -> Figure:
    points = deaths_series()
    vague = [r for r in _country_wide("deaths_in_custody") if r.qualifier == "vague"]
    figure = _new_figure()
    ax = figure.add_axes((0.08, 0.25, 0.66, 0.66))
    category = _deaths_claimant(points)
    named = sorted({category(p) for p in points if not category(p).startswith("other: ")}, key=lambda c: -sum(1 for p in points if category(p) == c))
    others = sorted({category(p) for p in points if category(p).startswith("other: ")})
    colours = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate([*named, *others])}
    drawn = _draw_series(ax, points, lambda p: colours[category(p)])

    # Where most cumulative counts start counting, as the rows state it.
    starts = Counter(p.period_start for p in points if p.period_start is not None)
    if starts:
        start_text, n = starts.most_common(1)[0]
        day, _ = _span_nums(edtf.parse(start_text))
        ax.axvline(day, color="#777777", linewidth=0.9, linestyle="--", zorder=0, gid="period-start")
        ax.annotate(
            f"counting starts {start_text}\n({n} of {len(points)} figures say so)",
            xy=(day, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -2),
            textcoords="offset points",
            va="top",
            fontsize=7,
            color="#555555",
        )
        left, right = ax.get_xlim()
        ax.set_xlim(min(left, day - (right - left) * 0.02), right)
    _date_axis(ax)
    ax.yaxis.set_major_formatter(_thousands())
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(f"Deaths in custody, country-wide ({_countries(points)}): the counts as claimed", loc="left")
    ax.set_ylabel("Deaths in custody (cumulative count)")
    ax.set_xlabel("Date the count refers to (as_of)")
    _qualifier_legend(ax, points, _colour_handles(colours, {}), "Who makes the claim")
    figure.text(0.015, 0.015, _series_caption(points, vague, drawn, "death-in-custody counts"), fontsize=7, va="bottom", gid="caption")
    return figure


# ---------------------------------------------------------------------------
# Timeline.


def _split_eras(marks: Sequence[TimelineMark]) -> tuple[list[TimelineMark], list[TimelineMark]]:
    """Split off events long before the rest, for a narrow panel of their own.

    The split falls at the gap that is longest compared with the span of the
    events after it, provided it is longer than that span (otherwise the early
    events would not squeeze the rest) and at least half the events come after it.
    """
    ordered = sorted(marks, key=lambda m: (m.span.earliest, m.event_id))
    best_ratio, best_index = 1.0, 0
    for i in range(1, len(ordered)):
        later = ordered[i:]
        if 2 * len(later) < len(ordered):
            break
        gap = (ordered[i].span.earliest - max(m.span.latest for m in ordered[:i])).days
        later_span = (max(m.span.latest for m in later) - later[0].span.earliest).days
        ratio = gap / max(later_span, 1)
        if ratio > best_ratio:
            best_ratio, best_index = ratio, i
    return ordered[:best_index], ordered[best_index:]


def _short_title(title: str, limit: int = 44) -> str:
    """A title without parenthesised asides, cut at a word boundary."""
    import re

    text = re.sub(r"\s*\([^)]*\)", "", title).strip() or title
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _lane_rows(marks: Sequence[TimelineMark], lanes: Sequence[str], min_days: float) -> dict[str, float]:
    """y of each mark: its lane, with marks that would touch spread over sub-rows of the lane."""
    y: dict[str, float] = {}
    for lane_index, lane in enumerate(lanes):
        rows_end: list[float] = []
        assigned: list[tuple[TimelineMark, int]] = []
        for m in sorted((m for m in marks if m.event_type == lane), key=lambda m: (m.span.earliest, m.event_id)):
            start, end = _span_nums(m.span)
            end = max(end, start + min_days)
            for row, row_end in enumerate(rows_end):
                if start > row_end:
                    rows_end[row] = end
                    assigned.append((m, row))
                    break
            else:
                rows_end.append(end)
                assigned.append((m, len(rows_end) - 1))
        n = max(len(rows_end), 1)
        step = min(0.22, 0.72 / n) if n > 1 else 0.0
        for m, row in assigned:
            y[m.event_id] = lane_index + (row - (n - 1) / 2) * step
    return y


def _draw_events(ax: Axes, marks: Sequence[TimelineMark], y: dict[str, float], colours: dict[str, str]) -> None:
    from matplotlib.lines import Line2D

    for m in marks:
        colour = colours[m.event_type]
        start, end = _span_nums(m.span)
        if m.span.precision == "day":
            ax.add_line(
                Line2D(
                    [start + 0.5],
                    [y[m.event_id]],
                    linestyle="none",
                    marker="o",
                    markersize=5,
                    markerfacecolor="white" if m.date_inferred else colour,
                    markeredgecolor=colour,
                    mew=1.2,
                    zorder=3,
                    gid=m.event_id,
                )
            )
        else:
            ax.add_line(
                Line2D(
                    [start, end],
                    [y[m.event_id]] * 2,
                    color=colour,
                    linewidth=4,
                    alpha=0.75,
                    solid_capstyle="butt",
                    marker="|",
                    markersize=7,
                    mew=1.4,
                    zorder=2,
                    gid=m.event_id,
                )
            )


def _label_candidates(marks: Sequence[TimelineMark]) -> list[tuple[str, list[TimelineMark]]]:
    """(label, events) pairs to label, most important first; a claim group gets one label for all its accounts."""
    candidates: list[tuple[int, date, str, list[TimelineMark]]] = []
    seen_groups: set[str] = set()
    for m in marks:
        if m.event_type not in LABELLED_EVENT_TYPES:
            continue
        if m.claim_group is not None:
            if m.claim_group in seen_groups:
                continue
            seen_groups.add(m.claim_group)
            members = [x for x in marks if x.claim_group == m.claim_group]
        else:
            members = [m]
        title = min((x.title for x in members), key=lambda t: (len(_short_title(t, 1000)), t))
        label = _short_title(title)
        if len(members) > 1:
            label += f" ({len(members)} accounts)"
        rank = LABELLED_EVENT_TYPES.index(m.event_type)
        candidates.append((rank, min(x.span.earliest for x in members), label, members))
    candidates.sort(key=lambda c: (c[0], c[1]))
    return [(label, members) for _, _, label, members in candidates]


def _place_labels(ax: Axes, marks: Sequence[TimelineMark], y: dict[str, float], limit: int) -> int:
    """Label a selection of events where the text overlaps neither marks nor other labels; returns the count."""
    from matplotlib.transforms import Bbox

    figure = ax.get_figure()
    assert figure is not None
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    axes_box = ax.get_window_extent(renderer)
    pad = 2.0

    occupied: list[Bbox] = []
    for line in ax.get_lines():
        box = line.get_window_extent(renderer)
        occupied.append(Bbox.from_extents(box.x0 - pad, box.y0 - 1, box.x1 + pad, box.y1 + 1))

    placed = 0
    for label, members in _label_candidates(marks):
        if placed >= limit:
            break
        ends = [_span_nums(m.span) for m in members]
        right = max(end for _, end in ends)
        left = min(start for start, _ in ends)
        anchor_y = sum(y[m.event_id] for m in members) / len(members)
        for x, ha, dx in ((right, "left", 4), (left, "right", -4)):
            text = ax.annotate(
                label,
                xy=(x, anchor_y),
                xytext=(dx, 0),
                textcoords="offset points",
                ha=ha,
                va="center",
                fontsize=6.8,
                color="#222222",
                zorder=4,
                gid=f"label--{members[0].event_id}",
            )
            box = text.get_window_extent(renderer)
            inside = axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1
            if inside and not any(box.overlaps(other) for other in occupied):
                occupied.append(Bbox.from_extents(box.x0 - pad, box.y0, box.x1 + pad, box.y1))
                placed += 1
                break
            text.remove()
    return placed


def _timeline_figure() -> Figure:
    marks = timeline_marks()
    if not marks:
        raise CecotDataError("no events to plot")
    lanes = [t for t in EVENT_TYPES if any(m.event_type == t for m in marks)]
    lanes += sorted({m.event_type for m in marks} - set(lanes))
    early, main = _split_eras(marks)
    cmap_colours = _lane_colours(lanes)

    figure = _new_figure(height=6.4)
    left, bottom, width, height = 0.16, 0.2, 0.82, 0.69
    panels: list[tuple[Axes, list[TimelineMark]]] = []
    rows: dict[str, float] = {}
    if early:
        early_width = 0.07
        gap = 0.012
        ax_early = figure.add_axes((left, bottom, early_width, height))
        ax_main = figure.add_axes((left + early_width + gap, bottom, width - early_width - gap, height), sharey=ax_early)
        panels = [(ax_early, early), (ax_main, main)]
    else:
        ax_main = figure.add_axes((left, bottom, width, height))
        panels = [(ax_main, main)]

    for ax, group in panels:
        start = min(_span_nums(m.span)[0] for m in group)
        end = max(_span_nums(m.span)[1] for m in group)
        days = max(end - start, 60.0)
        margin = days * (0.08 if ax is not ax_main else 0.015)
        ax.set_xlim(start - margin, end + margin)
        y = _lane_rows(group, lanes, min_days=days * 0.012)
        rows.update(y)
        _draw_events(ax, group, y, cmap_colours)
        ax.set_ylim(len(lanes) - 0.5, -0.5)
        for i in range(len(lanes)):
            ax.axhspan(i - 0.5, i + 0.5, color="#f4f4f4" if i % 2 == 0 else "white", zorder=0, linewidth=0)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines["left"].set_visible(ax is panels[0][0])

    first = panels[0][0]
    first.set_yticks(range(len(lanes)), [_lane_label(t, marks) for t in lanes])
    first.tick_params(axis="y", length=0)
    for i, label in enumerate(first.get_yticklabels()):
        label.set_color(cmap_colours[lanes[i]])
    if early:
        ax_early = panels[0][0]
        from matplotlib.ticker import FixedLocator, FuncFormatter

        years = sorted({m.span.earliest.year for m in early})
        ax_early.xaxis.set_major_locator(FixedLocator([_num(date(year, 1, 1)) for year in years]))
        ax_early.xaxis.set_major_formatter(FuncFormatter(lambda value, _p: _year_of(value)))
        ax_early.tick_params(axis="x", labelrotation=90)
        ax_main.tick_params(axis="y", left=False, labelleft=False)
        _break_marks(ax_early, ax_main)
    _date_axis(ax_main)

    placed = _place_labels(ax_main, main, rows, limit=14)

    n_sources = len({m.source_id for m in marks})
    title_from = min(m.span.earliest for m in marks)
    title_to = max(m.span.latest for m in marks)
    figure.text(
        left,
        0.965,
        f"Chronology: {len(marks)} events, {title_from.year}–{title_to.year}",
        fontsize=11,
        fontweight="bold",
        va="top",
    )
    figure.text(
        left,
        0.935,
        "One mark per event: a dot for a day (open dot: the day was worked out from a weekday), a bar for a "
        "month, a year or an interval.\n"
        f"Labelled: a selection of {', '.join(t + 's' for t in LABELLED_EVENT_TYPES[:-1])} "
        f"and {LABELLED_EVENT_TYPES[-1]}s ({placed} labels; accounts of one event share a label).",
        fontsize=7.5,
        color="#444444",
        va="top",
    )
    caption = (
        f"{len(marks)} events from {n_sources} sources"
        + (f"; events before {main[0].span.earliest.year} in the narrow left panel." if early else ".")
        + " "
        + _sources_sentence([m.source_id for m in marks], limit=420)
    )
    figure.text(0.015, 0.015, _wrap(caption), fontsize=7, va="bottom", gid="caption")
    return figure


def _year_of(value: float) -> str:
    from matplotlib.dates import num2date

    return str(num2date(value).year)


def _lane_label(event_type: str, marks: Sequence[TimelineMark]) -> str:
    n = sum(1 for m in marks if m.event_type == event_type)
    return f"{event_type.replace('_', ' ')} ({n})"


def _lane_colours(lanes: Sequence[str]) -> dict[str, str]:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return {lane: _hex(cmap(i % 20)) for i, lane in enumerate(lanes)}


def _hex(rgba: tuple[float, float, float, float]) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


def _break_marks(left_ax: Axes, right_ax: Axes) -> None:
    """Diagonal strokes where the date axis is broken between the two panels."""
    kwargs: dict[str, Any] = {"marker": [(-1, -1.6), (1, 1.6)], "markersize": 7, "linestyle": "none", "color": "#444444", "mew": 1, "clip_on": False}
    left_ax.plot([1, 1], [0, 1], transform=left_ax.transAxes, **kwargs)
    right_ax.plot([0, 0], [0, 1], transform=right_ax.transAxes, **kwargs)
    left_ax.spines["right"].set_visible(False)
    right_ax.spines["left"].set_visible(False)


# ---------------------------------------------------------------------------
# Public functions.


def plot_timeline(out: Path) -> Path:
    """Write the chronology of events (PNG or SVG, by ``out``'s suffix) and return ``out``."""
    return _draw_and_save(_timeline_figure, Path(out))


def plot_population(out: Path) -> Path:
    """Write the country-wide prison population claims over time (PNG or SVG) and return ``out``."""
    return _draw_and_save(_population_figure, Path(out))


def plot_deaths(out: Path) -> Path:
    """Write the country-wide deaths-in-custody counts over time, by claimant (PNG or SVG), and return ``out``."""
    return _draw_and_save(_deaths_figure, Path(out))


PLOTS: dict[str, Callable[[Path], Path]] = {
    "timeline": plot_timeline,
    "population": plot_population,
    "deaths": plot_deaths,
}
"""The plots by name, as ``cecot-data plot NAME --out FILE`` offers them."""
