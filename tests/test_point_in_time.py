"""The point-in-time view over every day of the record, and the qualifier wording rule.

`as_of(day)` must never show an instrument the record shows as ended, never two
state-of-exception decrees in force on one day, and never drop a facility the
record shows operating. These are checked for every day from March 2022 to the
last date the record covers, through the public API.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest

import cecot_data
from cecot_data import edtf
from cecot_data.coverage import STATE_OF_EXCEPTION_DECREE, state_of_exception_rows
from cecot_data.csv_files import parse_csv_rows
from cecot_data.models import LegalInstrument, PopulationCount
from cecot_data.rules import BOUND_FIELDS, QUALIFIER_SHAPES, WordingFitsQualifier
from cecot_data.schema import column_names
from cecot_data.validate.ranges import scan_csv
from cecot_data.views import OPERATING_MEASURES, OPERATING_ROLES, instrument_start

FIRST_DAY = date(2022, 3, 1)


def _facts() -> dict[str, list]:  # type: ignore[type-arg]
    return {name: cecot_data.load_table(name) for name in cecot_data.TABLE_NAMES}


@cache
def _state_of_exception() -> dict[str, LegalInstrument]:
    return {r.instrument_id: r for r in state_of_exception_rows(_facts())}


def _last_day() -> date:
    """The last day any in-force period, event or count of the record reaches."""
    days = [
        edtf.parse(text).latest
        for i in cecot_data.load_legal_instruments()
        for text in (i.in_force_until, i.enacted_on)
        if text
    ]
    days += [edtf.parse(e.occurred_on).latest for e in cecot_data.load_events()]
    return max(days)


@cache
def _snapshots() -> list[cecot_data.Snapshot]:
    day, last, out = FIRST_DAY, _last_day(), []
    while day <= last:
        out.append(cecot_data.as_of(day))
        day += timedelta(days=1)
    return out


def test_the_days_checked_reach_2026() -> None:
    snapshots = _snapshots()
    assert snapshots[0].on == FIRST_DAY
    assert snapshots[-1].on >= date(2026, 3, 31)


def test_every_extension_has_an_in_force_period() -> None:
    decrees = _state_of_exception()
    assert len(decrees) >= 49  # decree 333 and at least 48 extensions
    for instrument in decrees.values():
        assert instrument.in_force_from and instrument.in_force_until, instrument.instrument_id
        assert edtf.parse(instrument.in_force_from).precision == "day", instrument.instrument_id
        assert edtf.parse(instrument.in_force_until).precision == "day", instrument.instrument_id


def test_extensions_chain_without_gaps_or_overlaps() -> None:
    periods = sorted(
        (edtf.parse(i.in_force_from or "").earliest, edtf.parse(i.in_force_until or "").latest, i.instrument_id)
        for i in _state_of_exception().values()
    )
    assert periods[0][2] == STATE_OF_EXCEPTION_DECREE
    assert periods[0][0] == date(2022, 3, 27)
    for (_, end, before), (start, _, after) in itertools.pairwise(periods):
        assert start == end + timedelta(days=1), (before, after)


def test_exactly_one_state_of_exception_decree_in_force_each_day() -> None:
    decrees = set(_state_of_exception())
    last = max(edtf.parse(i.in_force_until or "").latest for i in _state_of_exception().values())
    for snapshot in _snapshots():
        standing = decrees & {i.instrument_id for i in snapshot.legal_instruments}
        if date(2022, 3, 27) <= snapshot.on <= last:
            assert len(standing) == 1, (snapshot.on, standing)
        else:
            assert standing == set(), (snapshot.on, standing)


def test_no_instrument_shown_after_its_end() -> None:
    ended_by: dict[str, set[str]] = {}
    for relation in cecot_data.load_instrument_relations():
        if relation.relation in {"vacates", "reverses", "supersedes"}:
            ended_by.setdefault(relation.target_instrument_id, set()).add(relation.instrument_id)
    for snapshot in _snapshots():
        standing = {i.instrument_id for i in snapshot.legal_instruments}
        for instrument in snapshot.legal_instruments:
            if instrument.in_force_until:
                assert snapshot.on <= edtf.parse(instrument.in_force_until).earliest, instrument.instrument_id
            start = instrument_start(instrument)
            if start:
                assert edtf.parse(start).latest <= snapshot.on, instrument.instrument_id
            # an order in force that vacates, reverses or supersedes it ends it
            assert not (ended_by.get(instrument.instrument_id, set()) & standing), (snapshot.on, instrument)


def _operating_evidence() -> list[tuple[str, date]]:
    """(facility, day) pairs on which the record itself shows a facility holding people."""
    events = {e.event_id: e for e in cecot_data.load_events()}
    out = [
        (link.facility_id, edtf.parse(events[link.event_id].occurred_on).latest)
        for link in cecot_data.load_event_facilities()
        if link.role in OPERATING_ROLES
    ]
    out += [
        (c.facility_id, edtf.parse(c.as_of).latest)
        for c in cecot_data.load_population_counts()
        if isinstance(c, PopulationCount) and c.facility_id and c.measure in OPERATING_MEASURES and c.as_of
    ]
    return out


def test_no_facility_known_to_operate_is_missing() -> None:
    facilities = {f.facility_id: f for f in cecot_data.load_facilities()}
    evidence: dict[str, date] = {}
    for facility_id, day in _operating_evidence():
        evidence[facility_id] = min(day, evidence.get(facility_id, day))
    for facility in facilities.values():
        if facility.opened_on:
            opened = edtf.parse(facility.opened_on).latest
            evidence[facility.facility_id] = min(opened, evidence.get(facility.facility_id, opened))
    assert len(facilities) >= 20
    for snapshot in _snapshots():
        shown = {f.facility_id for f in snapshot.facilities}
        for facility_id, first in evidence.items():
            closed = facilities[facility_id].closed_on
            if first <= snapshot.on and (closed is None or snapshot.on < edtf.parse(closed).earliest):
                assert facility_id in shown, (snapshot.on, facility_id)


def test_every_facility_is_shown_on_some_day() -> None:
    shown = {f.facility_id for s in _snapshots() for f in s.facilities}
    closed_before = {
        f.facility_id
        for f in cecot_data.load_facilities()
        if f.closed_on and edtf.parse(f.closed_on).earliest <= FIRST_DAY
    }
    assert {f.facility_id for f in cecot_data.load_facilities()} - closed_before <= shown


def test_a_facility_with_unknown_opening_counts_from_its_first_record() -> None:
    sources = {s.source_id: s for s in cecot_data.load_sources()}
    undated = [f for f in cecot_data.load_facilities() if f.opened_on is None and sources[f.source_id].published_on]
    assert undated, "the rule is exercised by at least one facility"
    for facility in undated:
        published = edtf.parse(sources[facility.source_id].published_on or "").latest
        if facility.closed_on and edtf.parse(facility.closed_on).earliest <= published:
            continue
        assert facility.facility_id in {f.facility_id for f in cecot_data.as_of(published).facilities}


# --- the qualifier wording rule ---------------------------------------------

WORDING_CASES = [
    # (stated_as, qualifier that fits, a qualifier that does not)
    ("nearly 300", "nearly", "approximate"),
    ("casi 400 muertes", "nearly", "exact"),
    ("almost 72,000", "nearly", "at_least"),
    ("más de 85,000 personas", "at_least", "exact"),
    ("over 58,000 people", "at_least", "approximate"),
    ("up to 40,000 inmates", "at_most", "exact"),
    ("menos de 100", "at_most", "at_least"),
    ("unos 12.500", "approximate", "exact"),
    ("some 10,000 to 20,000", "range", "exact"),
    ("alcanzó 110,000", "exact", "at_most"),
    ("por lo menos hasta esta fecha 454", "at_least", "nearly"),
]


def _claim(stated_as: str, qualifier: str) -> dict[str, object]:
    """A row whose numbers fit ``qualifier`` (so that only the wording can be wrong)."""
    shape = QUALIFIER_SHAPES[qualifier]
    numbers = dict(zip(BOUND_FIELDS, (10.0 if set_ else None for set_ in shape), strict=True))
    if qualifier == "range":
        numbers["upper_bound"] = 20.0
    return {"stated_as": stated_as, "qualifier": qualifier, **numbers}


@pytest.mark.parametrize(("stated_as", "fits", "breaks"), WORDING_CASES)
def test_wording_rule(stated_as: str, fits: str, breaks: str) -> None:
    rule = WordingFitsQualifier("stated_as")
    assert rule.check(_claim(stated_as, fits)) is None
    assert rule.check(_claim(stated_as, breaks)) is not None
    # a row whose numbers do not fit its qualifier gets the shape problem only
    assert rule.check({**_claim(stated_as, breaks), "value": None, "lower_bound": None, "upper_bound": None}) is None


def test_wording_rule_in_both_engines() -> None:
    """A 'nearly N' stored as approximate is refused by the loaders' parser and by the validator alike."""
    model = PopulationCount
    names = column_names(model)
    header = ",".join(names)
    good = {
        "count_id": "x-1",
        "measure": "deaths_in_custody",
        "country_iso2": "SV",
        "upper_bound": "400",
        "qualifier": "nearly",
        "stated_as": "casi 400",
        "basis": "record",
        "claimant": "Socorro Jurídico Humanitario",
        "claimant_kind": "ngo",
        "source_id": "s",
        "quote": "casi 400 muertes",
    }
    bad = {**good, "count_id": "x-2", "upper_bound": "", "value": "400", "qualifier": "approximate"}
    lines = [header] + [",".join(row.get(name, "") for name in names) for row in (good, bad)]
    text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "population_counts.csv"
        path.write_text(text, encoding="utf-8")
        columnar = scan_csv(path, model, "t.csv", keep=()).problems
    _, rowwise = parse_csv_rows(model, text, "t.csv")
    assert (
        {(p.row, p.field, p.rule) for p in columnar}
        == {(p.row, p.field, p.rule) for p in rowwise}
        == {(3, "qualifier", "row-rule")}
    )
    assert "needs qualifier nearly" in columnar[0].message


def test_nearly_never_reads_as_the_figure_or_more() -> None:
    rows = [*cecot_data.load_population_counts(), *cecot_data.load_facility_quantities()]
    nearly = [r for r in rows if r.qualifier == "nearly"]
    assert len(nearly) >= 4
    for row in nearly:
        assert (row.value, row.lower_bound) == (None, None) and row.upper_bound is not None, row.key()
    rule = WordingFitsQualifier("stated_as")
    for row in rows:
        assert rule.check(row.model_dump()) is None, row.key()
