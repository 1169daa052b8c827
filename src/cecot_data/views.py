"""Derived views over the loaded tables: what was known on a date, and claims side by side.

:func:`as_of` answers "what did the record look like on this day": figures
already reported, instruments in force, events that had happened, facilities
operating. :func:`claims` lists every row that makes a claim about the same
thing (rows sharing a ``claim_group``), so disagreements read side by side.

Dates here are EDTF spans; a row counts only when it is *certainly* inside
the window: an event dated "2022-03" is not yet "up to 2022-03-10".

**One rule for unknown dates.** A facility or instrument whose start is not
recorded (no ``opened_on``; no ``in_force_from``, enactment, signature or
publication date) counts from the first dated record of it: the publication
of the source its row cites, or the earliest count, quantity, citation or
event about it. A facility also counts from the first record of it holding
people (a headcount, a death, a transfer in or out) when that comes before
its stated opening: a year-precision opening of "2023" does not hide a count
dated March 2023. An unknown end means "still
standing": a facility without ``closed_on`` stays, an instrument without
``in_force_until`` stays until an order in force vacates, reverses or
supersedes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from . import edtf
from .coverage import SeriesCoverage, series_coverage
from .loaders import (
    load_citations,
    load_event_facilities,
    load_event_instruments,
    load_events,
    load_facilities,
    load_facility_quantities,
    load_instrument_relations,
    load_legal_instruments,
    load_population_counts,
    load_sources,
)
from .models import Event, Facility, FacilityQuantity, LegalInstrument, PopulationCount, Source

# Relations by which one instrument ends another's effect. A stay is left out: the stays
# recorded here are partial and temporary (a TRO barring removals of one class), so the
# stayed instrument still stands; the relation itself remains in the data.
ENDING_RELATIONS = frozenset({"vacates", "reverses", "supersedes"})

# Counts at a facility that show it holding people (a capacity may be a plan's).
OPERATING_MEASURES = frozenset(
    {"prison_population", "deaths_in_custody", "occupancy_percent", "overcrowding_percent", "people_transferred"}
)
# Event links that put people at a facility (a "subject" may be a plan or an announcement).
OPERATING_ROLES = frozenset({"location", "origin", "destination"})


@dataclass(frozen=True)
class Snapshot:
    """The record as it stood at the end of one day."""

    on: date
    facilities: list[Facility]
    facility_quantities: list[FacilityQuantity]
    population_counts: list[PopulationCount]
    legal_instruments: list[LegalInstrument]
    events: list[Event]


def _day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a day as YYYY-MM-DD, got {value!r}") from None


def _latest(text: str | None) -> date | None:
    return edtf.parse(text).latest if text else None


def _earliest(text: str | None) -> date | None:
    return edtf.parse(text).earliest if text else None


def _first(days: Iterable[date | None]) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _reported_on(sources: dict[str, Source]) -> dict[str, date | None]:
    """For each source, the last day by which it was certainly published (the earlier of copy and original)."""
    out: dict[str, date | None] = {}
    for source in sources.values():
        days = [_latest(source.published_on)]
        if source.original_source_id and source.original_source_id in sources:
            days.append(_latest(sources[source.original_source_id].published_on))
        out[source.source_id] = _first(days)
    return out


def _known_from(record: PopulationCount | FacilityQuantity, reported: dict[str, date | None]) -> date | None:
    """The day a figure is certainly public: its source's; without a source date, the end of its own as_of."""
    published = reported.get(record.source_id)
    return published if published is not None else _latest(record.as_of)


def instrument_start(instrument: LegalInstrument) -> str | None:
    """The date an instrument took effect: in_force_from, else enacted, signed or published."""
    for text in (instrument.in_force_from, instrument.enacted_on, instrument.signed_on, instrument.published_on):
        if text:
            return text
    return None


@dataclass(frozen=True)
class _Span:
    """The certain first and last day of a row's standing; None for an unknown start (never) or end (open)."""

    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start is not None and self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class _Timeline:
    """Per-row spans, computed once: :func:`as_of` then filters by day."""

    facilities: tuple[tuple[Facility, _Span], ...]
    quantities: tuple[tuple[FacilityQuantity, date | None], ...]
    counts: tuple[tuple[PopulationCount, date | None], ...]
    instruments: dict[str, tuple[LegalInstrument, _Span]]
    ended_by: dict[str, tuple[str, ...]]
    events: tuple[tuple[Event, date], ...]


def _facility_spans(reported: dict[str, date | None]) -> tuple[tuple[Facility, _Span], ...]:
    events = {e.event_id: e for e in load_events()}
    # Records that show a facility holding people, and records of it of any kind.
    operating: dict[str, list[date | None]] = {}
    records: dict[str, list[date | None]] = {}
    for count in load_population_counts():
        if count.facility_id:
            day = _latest(count.as_of) if count.as_of else reported.get(count.source_id)
            records.setdefault(count.facility_id, []).append(day)
            if count.measure in OPERATING_MEASURES:
                operating.setdefault(count.facility_id, []).append(day)
    for quantity in load_facility_quantities():
        day = _latest(quantity.as_of) if quantity.as_of else reported.get(quantity.source_id)
        records.setdefault(quantity.facility_id, []).append(day)
    for citation in load_citations():
        if citation.facility_id:
            records.setdefault(citation.facility_id, []).append(reported.get(citation.source_id))
    for link in load_event_facilities():
        day = _latest(events[link.event_id].occurred_on)
        records.setdefault(link.facility_id, []).append(day)
        if link.role in OPERATING_ROLES:
            operating.setdefault(link.facility_id, []).append(day)
    out = []
    for facility in load_facilities():
        if facility.opened_on:
            start = _first([_latest(facility.opened_on), *operating.get(facility.facility_id, [])])
        else:
            # Unknown opening: from the first dated record of it (its own source, a count, quantity,
            # citation or event about it).
            start = _first([reported.get(facility.source_id), *records.get(facility.facility_id, [])])
        # A closure day is the first day it no longer operates.
        closed = _earliest(facility.closed_on)
        end = closed.fromordinal(closed.toordinal() - 1) if closed is not None else None
        out.append((facility, _Span(start, end)))
    return tuple(out)


def _instrument_spans(reported: dict[str, date | None]) -> dict[str, tuple[LegalInstrument, _Span]]:
    instruments = load_legal_instruments()
    records: dict[str, list[date | None]] = {}
    events = {e.event_id: e for e in load_events()}
    for link in load_event_instruments():
        records.setdefault(link.instrument_id, []).append(_latest(events[link.event_id].occurred_on))
    for citation in load_citations():
        if citation.instrument_id:
            records.setdefault(citation.instrument_id, []).append(reported.get(citation.source_id))
    out = {}
    for instrument in instruments:
        start_text = instrument_start(instrument)
        if start_text is not None:
            start = _latest(start_text)
        else:
            # Unknown start: from the first dated record of it (its own source, a citation or an event).
            start = _first([reported.get(instrument.source_id), *records.get(instrument.instrument_id, [])])
        # in_force_until is the last day in force; only its certain part counts.
        out[instrument.instrument_id] = (instrument, _Span(start, _earliest(instrument.in_force_until)))
    return out


@cache
def _timeline() -> _Timeline:
    reported = _reported_on({s.source_id: s for s in load_sources()})
    instruments = _instrument_spans(reported)
    ended_by: dict[str, list[str]] = {}
    for relation in load_instrument_relations():
        if relation.relation in ENDING_RELATIONS:
            ended_by.setdefault(relation.target_instrument_id, []).append(relation.instrument_id)
    return _Timeline(
        facilities=_facility_spans(reported),
        quantities=tuple((q, _known_from(q, reported)) for q in load_facility_quantities()),
        counts=tuple((c, _known_from(c, reported)) for c in load_population_counts()),
        instruments=instruments,
        ended_by={target: tuple(enders) for target, enders in ended_by.items()},
        events=tuple((e, edtf.parse(e.occurred_on).latest) for e in load_events()),
    )


def as_of(on: date | str) -> Snapshot:
    """The record as it stood at the end of day ``on`` (a date or 'YYYY-MM-DD').

    - figures (population_counts, facility_quantities): published by then (the
      source's date, or its original's if earlier); a figure whose source is
      undated counts once its own ``as_of`` is over;
    - legal instruments: in force that day: started (``in_force_from``, else
      enacted/signed/published), not past ``in_force_until`` (its last day in
      force), and not ended by an instrument in force that vacates, reverses
      or supersedes it;
    - events: certainly over by then; facilities: operating (opened, or first
      recorded operating, and not closed).

    A start that is not recorded counts from the first dated record of the row
    (see the module's docstring).

    >>> snapshot = as_of("2025-03-01")
    >>> any(i.instrument_id == "us-proclamation-10903" for i in snapshot.legal_instruments)
    False
    """
    day = _day(on)
    timeline = _timeline()

    def in_force(instrument_id: str, seen: frozenset[str] = frozenset()) -> bool:
        if not timeline.instruments[instrument_id][1].covers(day):
            return False
        # An order that vacated this one ends it only while that order itself stands.
        seen = seen | {instrument_id}
        return not any(
            ender not in seen and ender in timeline.instruments and in_force(ender, seen)
            for ender in timeline.ended_by.get(instrument_id, ())
        )

    return Snapshot(
        on=day,
        facilities=[f for f, span in timeline.facilities if span.covers(day)],
        facility_quantities=[q for q, known in timeline.quantities if known is not None and known <= day],
        population_counts=[c for c, known in timeline.counts if known is not None and known <= day],
        legal_instruments=[i for i_id, (i, _) in timeline.instruments.items() if in_force(i_id)],
        events=[e for e, over in timeline.events if over <= day],
    )


def coverage_by_series() -> list[SeriesCoverage]:
    """What each series of the record covers: rows, first and last date, newest source cited.

    >>> [c.series_id for c in coverage_by_series()][:2]
    ['state-of-exception', 'other-salvadoran-law']
    """
    from .loaders import TABLE_NAMES, load_table

    return series_coverage({name: load_table(name) for name in TABLE_NAMES})


Claim = PopulationCount | FacilityQuantity | Event


def claim_groups() -> dict[str, int]:
    """Every claim group and how many rows it holds, by name."""
    counter: Counter[str] = Counter()
    for rows in (load_population_counts(), load_facility_quantities(), load_events()):
        counter.update(r.claim_group for r in rows if r.claim_group)
    return dict(sorted(counter.items()))


def claims(group: str) -> list[Claim]:
    """All rows of one claim group (counts, facility quantities or events), oldest source date first.

    Raises ValueError for an unknown group.

    >>> [c.count_id for c in claims("sv-cecot-capacity")][:1]  # doctest: +SKIP
    ['sv-cecot-capacity-lpg-2023']
    """
    rows: list[Claim] = [
        *(r for r in load_population_counts() if r.claim_group == group),
        *(r for r in load_facility_quantities() if r.claim_group == group),
        *(r for r in load_events() if r.claim_group == group),
    ]
    if not rows:
        raise ValueError(f"unknown claim group {group!r}; `cecot-data claims` lists them")
    reported = _reported_on({s.source_id: s for s in load_sources()})
    return sorted(rows, key=lambda r: (reported.get(r.source_id) or date.max, r.key()))
