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
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from . import edtf
from .errors import PlotError
from .fileio import atomic_target, check_target
from .loaders import load_events, load_population_counts, load_sources
from .models import ClaimantKind, Event, PopulationCount, Qualifier, Source

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "EVENT_TYPES",
    "LABELLED_EVENT_TYPES",
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
_KIND_PLURALS: dict[str, str] = {
    "government": "government bodies",
    "ngo": "NGOs",
    "news_outlet": "news outlets",
    "news_agency": "news agencies",
    "academic": "academics",
    "international_org": "international organisations",
    "court": "courts",
    "reference_work": "reference works",
}
_QUALIFIER_LABELS: dict[str, str] = {
    "exact": "exact figure",
    "approximate": "approximate ('about')",
    "range": "range (lower to upper bound)",
    "at_least": "at least (lower bound)",
    "at_most": "at most (upper bound)",
    "nearly": "nearly (just under the bound)",
}
# Claims drawn as an arrow from their bound: up for a lower bound, down for an upper one.
_BOUND_DIRECTION: dict[str, int] = {"at_least": 1, "at_most": -1, "nearly": -1}


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

    >>> {p.qualifier for p in population_series()} <= {"exact", "approximate", "at_least", "at_most", "nearly", "range"}
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
        f"Publishers ({len(publishers)}, most cited first): {_join_limited(publishers, limit)}."
    )


def _format_number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _figure_text(point: SeriesPoint) -> str:
    """The claim in a few characters: 36,000; ≈40,000; ≥261; ≤40,000; 65-70 (with an en dash)."""
    if point.qualifier == "range" and point.lower_bound is not None and point.upper_bound is not None:
        return f"{_format_number(point.lower_bound)}\N{EN DASH}{_format_number(point.upper_bound)}"
    prefix = {"approximate": "≈", "at_least": "≥", "at_most": "≤", "nearly": "<"}.get(point.qualifier, "")
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
        raise PlotError(
            f"cannot write {str(out)!r}: the plot format follows the file suffix, one of {', '.join(SUFFIXES)}"
        )
    return suffix


def _new_figure(height: float = FIGSIZE[1]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(FIGSIZE[0], height))
    FigureCanvasAgg(figure)  # non-interactive: attaches itself to the figure
    return figure


def _rc() -> AbstractContextManager[None]:
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


def _draw_and_save(draw: Callable[[], tuple[Figure, str]], out: Path, force: bool) -> Path:
    """Check the suffix and the target, draw the figure, write it; the file's metadata carry the figure's title.

    The target follows the rule of every export (an existing file needs
    ``force``; a link is replaced, not written through); the file is written
    beside it and renamed when complete.
    """
    suffix = _check_suffix(out)
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise PlotError(MISSING_MATPLOTLIB) from error
    check_target(out, force=force)
    with _rc():
        figure, title = draw()
        with atomic_target(out) as temporary:
            if suffix == ".png":
                # No "Software" entry: the bytes do not depend on the matplotlib version's banner.
                figure.savefig(temporary, format="png", dpi=PNG_DPI, metadata={"Title": title, "Software": None})
            else:
                # No "Date" or "Creator" entry: the same data give the same file.
                figure.savefig(temporary, format="svg", metadata={"Title": title, "Date": None, "Creator": None})
    return out


# ---------------------------------------------------------------------------
# Date axis helpers.


def _dates() -> Any:
    """``matplotlib.dates``, whose functions are not all annotated."""
    from matplotlib import dates

    return dates


def _num(day: date) -> float:
    return float(_dates().date2num(day))


def _span_nums(span: edtf.EdtfRange) -> tuple[float, float]:
    """Start and end of a span on the date axis; the end is the end of the last day."""
    return _num(span.earliest), _num(span.latest + timedelta(days=1))


def _date_axis(ax: Axes) -> None:
    dates = _dates()
    locator = dates.AutoDateLocator(minticks=6, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    # Months with their year ("Jul 2022"), so that the first tick always names a year.
    formats = ["%Y", "%b %Y", "%d %b %Y", "%H:%M", "%H:%M", "%S.%f"]
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator, formats=formats, show_offset=False))


# ---------------------------------------------------------------------------
# Quantity series (population, deaths).


def _arrow_marker(direction: int) -> Any:
    """A marker anchored at a bound: a short bar with an arrow pointing up (1) or down (-1)."""
    from matplotlib.path import Path as MplPath

    d = float(direction)
    bar = [(-0.6, 0.0), (0.6, 0.0)]
    stem = [(0.0, 0.0), (0.0, 1.8 * d)]
    head = [(-0.45, 1.25 * d), (0.0, 1.8 * d), (0.45, 1.25 * d)]
    move, line = MplPath.MOVETO, MplPath.LINETO
    return MplPath([*bar, *stem, *head], [move, line, move, line, move, line, line])


def _qualifier_style(qualifier: str, colour: str) -> dict[str, Any]:
    """Line2D keyword arguments for the mark of one claim (not for ranges, which are drawn as bars)."""
    if qualifier == "exact":
        return {"marker": "o", "markersize": 6, "markerfacecolor": colour, "markeredgecolor": "white", "mew": 0.6}
    if qualifier == "approximate":
        return {"marker": "D", "markersize": 5.5, "markerfacecolor": "white", "markeredgecolor": colour, "mew": 1.5}
    if qualifier in _BOUND_DIRECTION:
        return {
            "marker": _arrow_marker(_BOUND_DIRECTION[qualifier]),
            "markersize": 22,
            "markerfacecolor": "none",
            "markeredgecolor": colour,
            "mew": 1.6,
        }
    raise ValueError(f"no point mark for qualifier {qualifier!r}")


def _dodged_x(points: Sequence[SeriesPoint], x_step: float, y_step: float) -> dict[str, float]:
    """x of each dated point: the middle of its span, spread apart where marks would sit on each other.

    Points closer than ``x_step`` in time and ``y_step`` in value form a cluster,
    spread evenly, ``x_step`` apart, around the cluster's mean date.
    """
    centre: dict[str, float] = {}
    for p in points:
        start, end = _span_nums(_dated(p))
        centre[p.count_id] = (start + end) / 2
    ordered = sorted(points, key=lambda p: (centre[p.count_id], p.anchor, p.count_id))
    clusters: list[list[SeriesPoint]] = []
    for p in ordered:
        touching = [
            c
            for c in clusters
            if any(
                abs(centre[q.count_id] - centre[p.count_id]) < x_step and abs(q.anchor - p.anchor) < y_step for q in c
            )
        ]
        merged = [p]
        for c in touching:
            clusters.remove(c)
            merged = [*c, *merged]
        clusters.append(merged)
    x: dict[str, float] = {}
    for cluster in clusters:
        cluster.sort(key=lambda p: (centre[p.count_id], p.count_id))
        middle = sum(centre[p.count_id] for p in cluster) / len(cluster)
        for i, p in enumerate(cluster):
            x[p.count_id] = middle + (i - (len(cluster) - 1) / 2) * x_step if len(cluster) > 1 else centre[p.count_id]
    return x


def _dated(point: SeriesPoint) -> edtf.EdtfRange:
    if point.span is None:
        raise ValueError(f"{point.count_id} has no date and cannot be drawn")
    return point.span


def _figure_of(ax: Axes) -> Figure:
    from matplotlib.figure import Figure

    figure = ax.get_figure()
    if not isinstance(figure, Figure):
        raise TypeError("the axes must belong to a top-level figure")
    return figure


def _renderer(ax: Axes) -> Any:
    """The Agg renderer of the axes' figure, which measures text and marks in display space."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = _figure_of(ax).canvas
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError("plots are drawn on the Agg canvas")
    get_renderer: Callable[[], Any] = canvas.get_renderer  # not annotated in matplotlib
    return get_renderer()


def _set_series_limits(ax: Axes, dated: Sequence[SeriesPoint]) -> None:
    """Date limits with a margin; values from zero, with room above for upward arrows."""
    starts = [_span_nums(_dated(p))[0] for p in dated]
    ends = [_span_nums(_dated(p))[1] for p in dated]
    days = max(max(ends) - min(starts), 365.0)
    ax.set_xlim(min(starts) - days * 0.03, max(ends) + days * 0.03)
    high = max(p.high for p in dated)
    ax.set_ylim(0, high * 1.1 or 1.0)


def _marker_steps(ax: Axes, points: float = 8.0) -> tuple[float, float]:
    """How much ``points`` typographic points are in data units along x and y."""
    figure = _figure_of(ax)
    box = ax.get_position()
    width_pt = box.width * figure.get_figwidth() * 72
    height_pt = box.height * figure.get_figheight() * 72
    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    return (right - left) * points / width_pt, (top - bottom) * points / height_pt


def _draw_series(ax: Axes, points: Sequence[SeriesPoint], colour_of: Callable[[SeriesPoint], str]) -> list[SeriesPoint]:
    """Draw every dated claim, one mark each (SVG id: its ``count_id``); returns the claims drawn."""
    from matplotlib.lines import Line2D

    dated = [p for p in points if p.span is not None]
    if not dated:
        return []
    _set_series_limits(ax, dated)
    x_step, y_step = _marker_steps(ax)
    x_of = _dodged_x(dated, x_step, y_step)

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
        colour = colour_of(p)
        x = x_of[p.count_id]
        if _dated(p).precision != "day":
            start, end = _span_nums(_dated(p))
            ax.add_line(
                Line2D(
                    [start, end],
                    [p.anchor, p.anchor],
                    color=colour,
                    alpha=0.4,
                    linewidth=3,
                    solid_capstyle="butt",
                    zorder=2,
                    gid=f"as-of-span--{p.count_id}",
                )
            )
        if p.qualifier == "range":
            style: dict[str, Any] = {"color": colour, "linewidth": 1.8, "marker": "_", "markersize": 9, "mew": 1.8}
            ax.add_line(Line2D([x, x], [p.low, p.high], zorder=3, gid=p.count_id, **style))
        else:
            style = _qualifier_style(p.qualifier, colour)
            ax.add_line(Line2D([x], [p.anchor], linestyle="none", zorder=3, gid=p.count_id, **style))
    _label_values(ax, dated, x_of)
    return dated


def _label_values(ax: Axes, dated: Sequence[SeriesPoint], x_of: dict[str, float]) -> None:
    """Write each claim's figure (≈110,000; ≥261) beside its mark where it overlaps nothing."""
    occupied = _Occupied(ax)
    for p in sorted(dated, key=lambda p: (-p.anchor, p.count_id)):
        y = p.anchor
        options = [
            ((7, 0), "left", "center"),
            ((-7, 0), "right", "center"),
            ((0, 7), "center", "bottom"),
            ((0, -7), "center", "top"),
        ]
        if p.qualifier == "at_least":  # the arrow goes up from the bound: beside the arrow, or below the bound
            options = [((12, 5), "left", "center"), ((-12, 5), "right", "center"), ((0, -12), "center", "top")]
        if _BOUND_DIRECTION.get(p.qualifier) == -1:  # and down from it
            options = [((12, -5), "left", "center"), ((-12, -5), "right", "center"), ((0, 12), "center", "bottom")]
        occupied.place(
            _figure_text(p),
            [(x_of[p.count_id], y, offset, ha, va) for offset, ha, va in options],
            gid=f"value--{p.count_id}",
            fontsize=6.5,
            color="#333333",
        )


class _Occupied:
    """Display-space boxes of the marks drawn so far, for placing text where it overlaps nothing."""

    def __init__(self, ax: Axes, pad: float = 1.0) -> None:
        from matplotlib.transforms import Bbox

        self.ax = ax
        self.pad = pad
        self.renderer = _renderer(ax)
        self.area = ax.get_window_extent(self.renderer)
        self.boxes: list[Bbox] = []
        for line in ax.get_lines():
            if line.get_gid() is None:  # not a mark of the data (axis-break strokes)
                continue
            box = line.get_window_extent(self.renderer)
            self.boxes.append(Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad))

    def place(
        self,
        text: str | Sequence[str],
        options: Sequence[tuple[float, float, tuple[float, float], str, str]],
        gid: str,
        **style: Any,
    ) -> bool:
        """Write the text at the first (x, y, offset in points, ha, va) that is inside the axes and free."""
        texts = [text] if isinstance(text, str) else list(text)
        for candidate in texts:
            for x, y, offset, ha, va in options:
                artist = self.ax.annotate(
                    candidate,
                    xy=(x, y),
                    xytext=offset,
                    textcoords="offset points",
                    ha=ha,
                    va=va,
                    zorder=4,
                    gid=gid,
                    **style,
                )
                box = artist.get_window_extent(self.renderer)
                inside = (
                    self.area.x0 <= box.x0
                    and box.x1 <= self.area.x1
                    and self.area.y0 <= box.y0
                    and box.y1 <= self.area.y1
                )
                if inside and not any(box.overlaps(other) for other in self.boxes):
                    self.boxes.append(box.expanded(1.0, 1.0).padded(self.pad))
                    return True
                artist.remove()
        return False


def _qualifier_legend(ax: Axes, points: Sequence[SeriesPoint], colour_handles: list[Any], title: str) -> None:
    from matplotlib.lines import Line2D

    drawn = [p for p in points if p.span is not None]
    present = {p.qualifier for p in drawn}
    shapes: list[Any] = []
    for qualifier, label in _QUALIFIER_LABELS.items():
        if qualifier not in present:
            continue
        if qualifier == "range":
            handle = Line2D([], [], color="#444444", linewidth=1.8, marker="_", markersize=9, mew=1.8, label=label)
        else:
            style = _qualifier_style(qualifier, "#444444")
            if qualifier in _BOUND_DIRECTION:
                style["markersize"] = 16
            handle = Line2D([], [], linestyle="none", label=label, **style)
        shapes.append(handle)
    if any(p.span is not None and p.span.precision != "day" for p in drawn):
        shapes.append(
            Line2D(
                [],
                [],
                color="#444444",
                alpha=0.4,
                linewidth=3,
                label="date only to a month, year\nor interval: its span",
            )
        )
    group_sizes = Counter(p.claim_group for p in drawn if p.claim_group is not None)
    if any(n > 1 for n in group_sizes.values()):
        shapes.append(
            Line2D(
                [],
                [],
                color="#888888",
                linestyle=(0, (1, 2)),
                linewidth=1.1,
                label="claims about the same\nquantity that disagree",
            )
        )
    legend_style: dict[str, Any] = {"loc": "upper left", "frameon": False, "alignment": "left", "borderaxespad": 0}
    first = ax.legend(handles=colour_handles, title=title, bbox_to_anchor=(1.03, 1.0), **legend_style)
    ax.add_artist(first)
    below = first.get_window_extent(_renderer(ax)).transformed(ax.transAxes.inverted()).y0
    ax.legend(handles=shapes, title="How the figure is stated", bbox_to_anchor=(1.03, below - 0.08), **legend_style)


def _colour_handles(colours: dict[str, str]) -> list[Any]:
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], linestyle="none", marker="s", markersize=7, color=colour, label=label)
        for label, colour in colours.items()
    ]


def _series_caption(points: Sequence[SeriesPoint], vague: Sequence[PopulationCount], drawn: int, what: str) -> str:
    undated = [p for p in points if p.span is None]
    sources = {p.source_id for p in points} | {r.source_id for r in vague}
    total = len(points) + len(vague)
    parts = [f"{total} {what} from {len(sources)} sources; {drawn} drawn, one mark per claim, as its source states it."]
    if undated:
        listed = "; ".join(f"{_figure_text(p)} ({_short_name(p.claimant)})" for p in undated)
        parts.append(f"Not drawn, no date given ({len(undated)}): {listed}.")
    if vague:
        listed = "; ".join(f"'{r.stated_as}' ({_short_name(r.claimant)})" for r in vague)
        parts.append(f"Not drawn, vague ({len(vague)}): {listed}.")
    else:
        parts.append("Vague claims (words, no figure): none.")
    parts.append(_sources_sentence(sorted(sources), limit=360))
    return _wrap(" ".join(parts))


def _countries(points: Sequence[SeriesPoint]) -> str:
    return ", ".join(sorted({p.country_iso2 for p in points}))


def _series_axes(figure: Figure) -> Axes:
    ax = figure.add_axes((0.08, 0.24, 0.63, 0.67))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return ax


def _finish_series_axes(ax: Axes, title: str, ylabel: str, xlabel: str) -> None:
    from matplotlib.ticker import FuncFormatter

    _date_axis(ax)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: f"{value:,.0f}"))
    ax.set_title(title, loc="left")
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)


def _population_figure() -> tuple[Figure, str]:
    points = population_series()
    vague = [r for r in _country_wide("prison_population") if r.qualifier == "vague"]
    figure = _new_figure()
    ax = _series_axes(figure)
    kinds = sorted({p.claimant_kind for p in points}, key=lambda k: list(_KIND_COLOURS).index(k))
    drawn = _draw_series(ax, points, lambda p: _KIND_COLOURS[p.claimant_kind])
    title = f"Prison population, country-wide ({_countries(points)}): the figures as claimed"
    _finish_series_axes(
        ax,
        title,
        "People held in prison",
        "Date the figure refers to (as_of)",
    )
    handles = _colour_handles({_KIND_LABELS[k]: _KIND_COLOURS[k] for k in kinds})
    _qualifier_legend(ax, points, handles, "Who makes the claim")
    caption = _series_caption(points, vague, len(drawn), "country-wide prison-population claims")
    figure.text(0.015, 0.015, caption, fontsize=7, va="bottom", gid="caption")
    return figure, title


def _deaths_category(points: Sequence[SeriesPoint]) -> Callable[[SeriesPoint], str]:
    """Claimants with two or more counts are a series of their own; the others are grouped by kind."""
    counts = Counter(p.claimant for p in points)

    def category(p: SeriesPoint) -> str:
        if counts[p.claimant] >= 2:
            return p.claimant
        return f"other {_KIND_PLURALS[p.claimant_kind]}"

    return category


def _deaths_figure() -> tuple[Figure, str]:
    points = deaths_series()
    vague = [r for r in _country_wide("deaths_in_custody") if r.qualifier == "vague"]
    figure = _new_figure()
    ax = _series_axes(figure)
    category = _deaths_category(points)
    counts = Counter(category(p) for p in points)
    named = sorted({c for c in counts if not c.startswith("other ")}, key=lambda c: (-counts[c], c))
    others = sorted(c for c in counts if c.startswith("other "))
    colours = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate([*named, *others])}
    drawn = _draw_series(ax, points, lambda p: colours[category(p)])

    # Where most of the cumulative counts start counting, as the rows state it.
    starts = Counter(p.period_start for p in points if p.period_start is not None)
    if starts and drawn:
        start_text, n = sorted(starts.items(), key=lambda item: (-item[1], item[0]))[0]
        day = _span_nums(edtf.parse(start_text))[0]
        left, right = ax.get_xlim()
        ax.set_xlim(min(left, day - (right - left) * 0.02), right)
        ax.axvline(day, color="#777777", linewidth=0.9, linestyle="--", zorder=0, gid="period-start")
        ax.annotate(
            f"counts start {start_text}\n({n} of {len(points)} say so)",
            xy=(day, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -2),
            textcoords="offset points",
            va="top",
            fontsize=7,
            color="#555555",
        )
    title = f"Deaths in custody, country-wide ({_countries(points)}): the counts as claimed"
    _finish_series_axes(
        ax,
        title,
        "Deaths in custody (cumulative count)",
        "Date the count refers to (as_of)",
    )
    _qualifier_legend(ax, points, _colour_handles(colours), "Who makes the claim")
    caption = _series_caption(points, vague, len(drawn), "country-wide deaths-in-custody counts")
    figure.text(0.015, 0.015, caption, fontsize=7, va="bottom", gid="caption")
    return figure, title


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


def _short_title(title: str, limit: int = 40) -> str:
    """A title without parenthesised asides or a trailing clause, cut at a word boundary."""
    import re

    text = re.sub(r"\s*\([^)]*\)", "", title).strip() or title
    if len(text) > limit and ", " in text:
        head = text.split(", ", 1)[0]
        text = head if len(head) >= 15 else text
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


def _label_candidates(marks: Sequence[TimelineMark]) -> list[tuple[str, int, list[TimelineMark]]]:
    """(title, accounts, events) to label, in the order they are tried.

    Only events of ``LABELLED_EVENT_TYPES`` are labelled. The accounts of one
    event (a claim group) share one label, with the shortest title. Types take
    turns, in the order of ``LABELLED_EVENT_TYPES``: the first event of each
    type, then the second, and so on, so that one busy type cannot take every
    label; within a type, the events with the most accounts go first (a
    proxy for how widely they were reported), then the oldest.
    """
    by_type: dict[str, list[tuple[int, date, str, list[TimelineMark]]]] = {}
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
        start = min(x.span.earliest for x in members)
        by_type.setdefault(m.event_type, []).append((-len(members), start, title, members))
    turns: list[tuple[int, int, str, list[TimelineMark]]] = []
    for rank, event_type in enumerate(LABELLED_EVENT_TYPES):
        for turn, (_, _, title, members) in enumerate(sorted(by_type.get(event_type, []), key=lambda c: c[:3])):
            turns.append((turn, rank, title, members))
    turns.sort(key=lambda t: (t[0], t[1]))
    return [(title, len(members), members) for _, _, title, members in turns]


def _label_texts(title: str, accounts: int) -> list[str]:
    """The ways a label may be written, tried in turn: one long line, two lines, one short line."""
    suffix = f" ({accounts}\N{NO-BREAK SPACE}accounts)" if accounts > 1 else ""
    texts = [_short_title(title, 64) + suffix]
    for limit in (64, 56, 48):
        lines = textwrap.wrap(_short_title(title, limit) + suffix, width=34)
        if len(lines) <= 2:
            texts.append("\n".join(lines))
            break
    texts.append(_short_title(title, 40) + suffix)
    return list(dict.fromkeys(texts))


def _place_labels(ax: Axes, marks: Sequence[TimelineMark], y: dict[str, float], limit: int) -> int:
    """Label a selection of events where the text overlaps neither marks nor other labels; returns the count."""
    occupied = _Occupied(ax)
    placed = 0
    for title, accounts, members in _label_candidates(marks):
        if placed >= limit:
            break
        spans = [_span_nums(m.span) for m in members]
        right = max(end for _, end in spans)
        left = min(start for start, _ in spans)
        middle = sum(y[m.event_id] for m in members) / len(members)
        options = [(right, middle, (6.0, 0.0), "left", "center"), (left, middle, (-6.0, 0.0), "right", "center")]
        style: dict[str, Any] = {"fontsize": 6.8, "linespacing": 1.0, "color": "#222222"}
        if occupied.place(_label_texts(title, accounts), options, gid=f"label--{members[0].event_id}", **style):
            placed += 1
    return placed


def _timeline_figure() -> tuple[Figure, str]:
    marks = timeline_marks()
    if not marks:
        raise PlotError("no events to plot")
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
        ax_main = figure.add_axes(
            (left + early_width + gap, bottom, width - early_width - gap, height), sharey=ax_early
        )
        panels = [(ax_early, early), (ax_main, main)]
    else:
        ax_main = figure.add_axes((left, bottom, width, height))
        panels = [(ax_main, main)]

    for ax, group in panels:
        start = min(_span_nums(m.span)[0] for m in group)
        end = max(_span_nums(m.span)[1] for m in group)
        days = max(end - start, 60.0)
        margin = days * (0.25 if ax is not ax_main else 0.015)
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
    title = f"Chronology: {len(marks)} events, {title_from.year}\N{EN DASH}{title_to.year}"
    figure.text(
        left,
        0.965,
        title,
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
    return figure, title


def _year_of(value: float) -> str:
    return str(_dates().num2date(value).year)


def _lane_label(event_type: str, marks: Sequence[TimelineMark]) -> str:
    n = sum(1 for m in marks if m.event_type == event_type)
    return f"{event_type.replace('_', ' ')} ({n})"


def _lane_colours(lanes: Sequence[str]) -> dict[str, str]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {lane: _hex(cmap(i % 10)) for i, lane in enumerate(lanes)}


def _hex(rgba: tuple[float, float, float, float]) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


def _break_marks(left_ax: Axes, right_ax: Axes) -> None:
    """Diagonal strokes where the date axis is broken between the two panels."""
    kwargs: dict[str, Any] = {
        "marker": [(-1, -1.6), (1, 1.6)],
        "markersize": 7,
        "linestyle": "none",
        "color": "#444444",
        "mew": 1,
        "clip_on": False,
    }
    left_ax.plot([1, 1], [0, 1], transform=left_ax.transAxes, **kwargs)
    right_ax.plot([0, 0], [0, 1], transform=right_ax.transAxes, **kwargs)
    left_ax.spines["right"].set_visible(False)
    right_ax.spines["left"].set_visible(False)


# ---------------------------------------------------------------------------
# Public functions.


def plot_timeline(out: Path, *, force: bool = False) -> Path:
    """Write the chronology of events (PNG or SVG, by ``out``'s suffix) and return ``out``."""
    return _draw_and_save(_timeline_figure, Path(out), force)


def plot_population(out: Path, *, force: bool = False) -> Path:
    """Write the country-wide prison population claims over time (PNG or SVG) and return ``out``."""
    return _draw_and_save(_population_figure, Path(out), force)


def plot_deaths(out: Path, *, force: bool = False) -> Path:
    """Write the country-wide deaths-in-custody counts over time, by claimant (PNG or SVG), and return ``out``."""
    return _draw_and_save(_deaths_figure, Path(out), force)


PLOTS: dict[str, Callable[..., Path]] = {
    "timeline": plot_timeline,
    "population": plot_population,
    "deaths": plot_deaths,
}
"""The plots by name, as ``cecot-data plot NAME --out FILE`` offers them."""
