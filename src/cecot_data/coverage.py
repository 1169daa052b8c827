"""What each series of the record covers, computed from the rows (never typed by hand).

A *series* is a set of rows a reader follows over time: the state-of-exception
decree and its extensions, the deaths-in-custody counts, the litigation, ...
For each, :func:`series_coverage` gives the first and last date the rows
cover, the newest publication date among the sources they cite (the newest
material the series rests on) and the row count. ``cecot-data info``, the
descriptor (``cecot:coverage``), Croissant and schema.org all show this one
computation.

The series are declared once, in :data:`SERIES`; a test checks that every
population measure and every legal instrument belongs to one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from . import edtf
from .constants import COVERAGE_PROPERTY as COVERAGE_PROPERTY
from .models import Event, Facility, InstrumentRelation, LegalInstrument, PopulationCount, Record, Source

# The decree that declared the state of exception; its extensions are the rows that extend it.
STATE_OF_EXCEPTION_DECREE = "sv-decree-333-state-of-exception"
COURT_INSTRUMENT_TYPES = frozenset({"court_order", "court_ruling"})

Facts = Mapping[str, Sequence[Record]]
_HEADCOUNT_MEASURES = frozenset({"prison_population", "capacity", "occupancy_percent", "overcrowding_percent"})


def _extensions(facts: Facts) -> set[str]:
    return {
        r.instrument_id
        for r in facts.get("instrument_relations", ())
        if isinstance(r, InstrumentRelation)
        and r.relation == "extends"
        and r.target_instrument_id == STATE_OF_EXCEPTION_DECREE
    }


def state_of_exception_rows(facts: Facts) -> list[LegalInstrument]:
    """Decree 333 and every instrument recorded as extending it."""
    members = _extensions(facts) | {STATE_OF_EXCEPTION_DECREE}
    return [
        r for r in facts.get("legal_instruments", ()) if isinstance(r, LegalInstrument) and r.instrument_id in members
    ]


def _instruments(facts: Facts, keep: Callable[[LegalInstrument], bool]) -> list[Record]:
    return [r for r in facts.get("legal_instruments", ()) if isinstance(r, LegalInstrument) and keep(r)]


Scope = Literal["country", "facility", "any"]


def _other_salvadoran_law(facts: Facts) -> list[Record]:
    """Salvadoran statutes and decrees other than the state of exception's (no court orders)."""
    state_of_exception = _extensions(facts) | {STATE_OF_EXCEPTION_DECREE}
    return _instruments(
        facts,
        lambda r: (
            r.jurisdiction_iso2 == "SV"
            and r.instrument_type not in COURT_INSTRUMENT_TYPES
            and r.instrument_id not in state_of_exception
        ),
    )


def _counts(measures: frozenset[str], scope: Scope = "any") -> Callable[[Facts], list[Record]]:
    """The population_counts rows of these measures: country-wide, at one facility, or any."""

    def select(facts: Facts) -> list[Record]:
        return [
            r
            for r in facts.get("population_counts", ())
            if isinstance(r, PopulationCount)
            and r.measure in measures
            and (scope == "any" or (r.facility_id is None) == (scope == "country"))
        ]

    return select


@dataclass(frozen=True)
class Series:
    """One series: which rows, and which of their date columns say what period they cover."""

    series_id: str
    title: str
    table: str
    select: Callable[[Facts], list[Record]]
    date_columns: tuple[str, ...]


SERIES: tuple[Series, ...] = (
    Series(
        "state-of-exception",
        "State of exception: Decree 333 and every extension (in-force periods)",
        "legal_instruments",
        lambda facts: [*state_of_exception_rows(facts)],
        ("in_force_from", "in_force_until"),
    ),
    Series(
        "other-salvadoran-law",
        "Other Salvadoran laws and decrees",
        "legal_instruments",
        _other_salvadoran_law,
        ("enacted_on", "in_force_from"),
    ),
    Series(
        "us-executive-instruments",
        "US statutes, proclamations, designations, guidance and agreements",
        "legal_instruments",
        lambda facts: _instruments(
            facts, lambda r: r.jurisdiction_iso2 != "SV" and r.instrument_type not in COURT_INSTRUMENT_TYPES
        ),
        ("enacted_on", "signed_on", "published_on", "in_force_from"),
    ),
    Series(
        "litigation",
        "Court orders and rulings (dates decided)",
        "legal_instruments",
        lambda facts: _instruments(facts, lambda r: r.instrument_type in COURT_INSTRUMENT_TYPES),
        ("enacted_on",),
    ),
    Series(
        "deaths-in-custody",
        "Deaths in custody, country-wide (counts by organisation, with cut-off dates)",
        "population_counts",
        _counts(frozenset({"deaths_in_custody"}), "country"),
        ("as_of",),
    ),
    Series(
        "arrests",
        "Arrests under the state of exception",
        "population_counts",
        _counts(frozenset({"arrests"})),
        ("as_of",),
    ),
    Series("releases", "Releases", "population_counts", _counts(frozenset({"releases"})), ("as_of",)),
    Series(
        "national-prison-population",
        "National prison population, capacity and occupancy",
        "population_counts",
        _counts(_HEADCOUNT_MEASURES, "country"),
        ("as_of",),
    ),
    Series(
        "facility-population",
        "Population, capacity and occupancy of single prisons (CECOT and others)",
        "population_counts",
        _counts(_HEADCOUNT_MEASURES | {"cell_capacity"}, "facility"),
        ("as_of",),
    ),
    Series(
        "incarceration-rates",
        "Incarceration rates and shares of the population",
        "population_counts",
        _counts(frozenset({"incarceration_rate_per_100k", "share_of_population_percent", "share_of_adults_percent"})),
        ("as_of",),
    ),
    Series(
        "prison-transfers",
        "People transferred into prisons (CECOT and others)",
        "population_counts",
        _counts(frozenset({"people_transferred"})),
        ("as_of",),
    ),
    Series(
        "us-removals",
        "People removed from the US to El Salvador, and returned from it to their own country",
        "population_counts",
        _counts(frozenset({"people_deported", "people_repatriated"})),
        ("as_of",),
    ),
    Series("homicides", "Homicides", "population_counts", _counts(frozenset({"homicides"})), ("as_of", "period_start")),
    Series(
        "deaths-at-facilities",
        "Deaths in custody at single prisons",
        "population_counts",
        _counts(frozenset({"deaths_in_custody"}), "facility"),
        ("as_of",),
    ),
    Series(
        "facilities",
        "Prisons and detention centres (openings and closures)",
        "facilities",
        lambda facts: [r for r in facts.get("facilities", ()) if isinstance(r, Facility)],
        ("opened_on", "closed_on"),
    ),
    Series(
        "events",
        "Chronology of events",
        "events",
        lambda facts: [r for r in facts.get("events", ()) if isinstance(r, Event)],
        ("occurred_on",),
    ),
)


def edtf_bounds(values: Sequence[str]) -> tuple[str, str] | None:
    """The earliest start and the latest end of EDTF ``values``, each at its own precision."""
    if not values:
        return None
    # Order by calendar span; on a tie prefer the coarser text, which claims no more than the data says.
    start = min(values, key=lambda v: (edtf.parse(v).earliest, len(v.partition("/")[0])))
    end = max(values, key=lambda v: (edtf.parse(v).latest, -len(v.rpartition("/")[2])))
    return start.partition("/")[0], end.rpartition("/")[2]


@dataclass(frozen=True)
class SeriesCoverage:
    """What one series covers: rows, first and last date, and the newest source it cites."""

    series_id: str
    title: str
    table: str
    rows: int
    first: str | None
    last: str | None
    newest_source: str | None

    @property
    def temporal_coverage(self) -> str | None:
        """The covered period as one EDTF interval (or single date)."""
        if self.first is None or self.last is None:
            return None
        return self.first if self.first == self.last else f"{self.first}/{self.last}"

    def as_json(self) -> dict[str, Any]:
        return {
            "series": self.series_id,
            "title": self.title,
            "table": self.table,
            "rows": self.rows,
            "first": self.first,
            "last": self.last,
            "newestSource": self.newest_source,
        }


def series_coverage(facts: Facts) -> list[SeriesCoverage]:
    """Coverage of every series in :data:`SERIES`, computed from ``facts`` (table name → records)."""
    sources = {r.source_id: r for r in facts.get("sources", ()) if isinstance(r, Source)}
    out = []
    for series in SERIES:
        rows = series.select(facts)
        dates = [v for r in rows for c in series.date_columns if isinstance(v := getattr(r, c), str)]
        bounds = edtf_bounds(dates)
        cited = [sources[s].published_on for r in rows if (s := getattr(r, "source_id", None)) in sources]
        newest = edtf_bounds([d for d in cited if d])
        out.append(
            SeriesCoverage(
                series.series_id,
                series.title,
                series.table,
                len(rows),
                bounds[0] if bounds else None,
                bounds[1] if bounds else None,
                newest[1] if newest else None,
            )
        )
    return out
