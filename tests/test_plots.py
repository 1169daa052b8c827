"""Plots: files written by suffix, one mark per row, captions naming the sources, clear errors.

Every mark carries its row's key as its SVG id, so the SVG output is checked
against the loaded tables. matplotlib is optional: without it these tests
skip, unless CECOT_REQUIRE_PEERS=1 (CI), where a missing matplotlib fails.
"""

from __future__ import annotations

import os
import re
import struct
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

import cecot_data
from cecot_data import plots
from cecot_data.errors import CecotDataError
from cecot_data.models import PopulationCount
from cecot_data.plots import PLOTS, SeriesPoint, deaths_series, population_series, timeline_marks

REQUIRE_PEERS = os.environ.get("CECOT_REQUIRE_PEERS") == "1"
SVG = "{http://www.w3.org/2000/svg}"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _require_matplotlib() -> None:
    """Skip without matplotlib; in CI (CECOT_REQUIRE_PEERS=1) a missing one fails instead."""
    if REQUIRE_PEERS:
        import importlib

        importlib.import_module("matplotlib")
    else:
        pytest.importorskip("matplotlib")


@pytest.fixture
def matplotlib() -> None:
    _require_matplotlib()


@pytest.fixture(scope="module")
def svgs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ET.Element]:
    """Each plot rendered once as SVG and parsed."""
    _require_matplotlib()
    folder = tmp_path_factory.mktemp("svg")
    return {name: _parse(plot(folder / f"{name}.svg")) for name, plot in PLOTS.items()}


def _parse(path: Path) -> ET.Element:
    """Parse an SVG this test suite has just written."""
    return ET.parse(path).getroot()  # noqa: S314 - our own output, not untrusted input


def _ids(root: ET.Element) -> Counter[str]:
    return Counter(element.get("id", "") for element in root.iter() if element.get("id"))


def _caption(root: ET.Element) -> str:
    groups = [g for g in root.iter(f"{SVG}g") if g.get("id") == "caption"]
    assert len(groups) == 1
    return " ".join(" ".join(groups[0].itertext()).split())


def _country_wide(measure: str) -> list[PopulationCount]:
    return [r for r in cecot_data.load_population_counts() if r.measure == measure and r.facility_id is None]


def test_plot_names() -> None:
    assert set(PLOTS) == {"timeline", "population", "deaths"}
    assert PLOTS["timeline"] is plots.plot_timeline
    assert PLOTS["population"] is plots.plot_population
    assert PLOTS["deaths"] is plots.plot_deaths


@pytest.mark.usefixtures("matplotlib")
@pytest.mark.parametrize("name", sorted(PLOTS))
def test_writes_png(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.png"
    assert PLOTS[name](out) == out
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", data[16:24])  # IHDR: 10 in wide at 150 dpi
    assert width == 1500
    assert 800 <= height <= 1100
    assert len(data) > 20_000


@pytest.mark.usefixtures("matplotlib")
@pytest.mark.parametrize("name", sorted(PLOTS))
def test_writes_svg(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.SVG"  # the suffix decides the format, in any case
    assert PLOTS[name](out) == out
    root = _parse(out)
    assert root.tag == f"{SVG}svg"
    assert out.stat().st_size > 10_000


@pytest.mark.usefixtures("matplotlib")
@pytest.mark.parametrize("name", sorted(PLOTS))
def test_svg_is_reproducible(name: str, tmp_path: Path) -> None:
    first = PLOTS[name](tmp_path / "a.svg").read_bytes()
    assert PLOTS[name](tmp_path / "b.svg").read_bytes() == first


@pytest.mark.parametrize("name", sorted(PLOTS))
@pytest.mark.parametrize("suffix", [".pdf", ".jpg", ""])
def test_bad_suffix(name: str, suffix: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}{suffix}"
    with pytest.raises(CecotDataError, match=r"\.png, \.svg"):
        PLOTS[name](out)
    assert not out.exists()


@pytest.mark.usefixtures("matplotlib")
def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CecotDataError, match="cannot write"):
        plots.plot_population(tmp_path / "no-such-folder" / "population.png")


def test_without_matplotlib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    for plot in PLOTS.values():
        with pytest.raises(CecotDataError) as error:
            plot(tmp_path / "out.png")
        assert str(error.value) == "plots need matplotlib: pip install 'cecot-data[plot]'"


# ---------------------------------------------------------------------------
# The plotted series follow the data.


@pytest.mark.parametrize(
    ("measure", "series"), [("prison_population", population_series), ("deaths_in_custody", deaths_series)]
)
def test_series_hold_every_non_vague_country_wide_row(measure: str, series: Callable[[], list[SeriesPoint]]) -> None:
    points = series()
    rows = {r.count_id: r for r in _country_wide(measure) if r.qualifier != "vague"}
    assert rows, "the shipped data have figures for this measure"
    assert Counter(p.count_id for p in points) == Counter(list(rows))  # each row exactly once, nothing else
    for p in points:
        row = rows[p.count_id]
        assert (p.qualifier, p.value, p.lower_bound, p.upper_bound) == (
            row.qualifier,
            row.value,
            row.lower_bound,
            row.upper_bound,
        )
        assert (p.claimant, p.claimant_kind, p.claim_group, p.source_id) == (
            row.claimant,
            row.claimant_kind,
            row.claim_group,
            row.source_id,
        )
        assert p.as_of == row.as_of
        assert (p.span is None) == (row.as_of is None)
        assert p.low <= p.anchor <= p.high
        if p.qualifier == "at_least":
            assert p.anchor == row.lower_bound
        if p.qualifier == "at_most":
            assert p.anchor == row.upper_bound
    days = [p.span.earliest for p in points if p.span is not None]
    assert days == sorted(days)
    assert all(p.span is None for p in points[len(days) :])  # undated last


@pytest.mark.parametrize(("name", "series"), [("population", population_series), ("deaths", deaths_series)])
def test_series_svg_has_one_mark_per_dated_claim(
    name: str, series: Callable[[], list[SeriesPoint]], svgs: dict[str, ET.Element]
) -> None:
    points = series()
    ids = _ids(svgs[name])
    dated = [p for p in points if p.span is not None]
    assert dated
    for p in points:
        assert ids[p.count_id] == (1 if p.span is not None else 0), p.count_id
    # A date coarser than a day also gets the bar of its span.
    for p in dated:
        assert p.span is not None
        assert ids[f"as-of-span--{p.count_id}"] == (0 if p.span.precision == "day" else 1)
    # Claims about the same quantity (two or more drawn) are joined.
    groups = Counter(p.claim_group for p in dated if p.claim_group is not None)
    for group, n in groups.items():
        assert ids[f"claim-group--{group}"] == (1 if n > 1 else 0)
    assert any(n > 1 for n in groups.values()), "the shipped data have disputed figures"


@pytest.mark.parametrize(("name", "measure"), [("population", "prison_population"), ("deaths", "deaths_in_custody")])
def test_series_caption(name: str, measure: str, svgs: dict[str, ET.Element]) -> None:
    caption = _caption(svgs[name])
    rows = _country_wide(measure)
    drawn = [r for r in rows if r.qualifier != "vague" and r.as_of is not None]
    undated = [r for r in rows if r.qualifier != "vague" and r.as_of is None]
    vague = [r for r in rows if r.qualifier == "vague"]
    sources = {r.source_id for r in rows}
    assert caption.startswith(f"{len(rows)} country-wide ")
    assert f"from {len(sources)} sources; {len(drawn)} drawn" in caption
    if undated:
        assert f"no date given ({len(undated)})" in caption
    if vague:
        assert f"vague ({len(vague)})" in caption
    else:
        assert "Vague claims (words, no figure): none." in caption
    assert f"Sources: see the sources table of cecot-data {cecot_data.__version__}." in caption
    publishers = {s.publisher.split(" (")[0] for s in cecot_data.load_sources() if s.source_id in sources}
    assert f"Publishers ({len(publishers)}, most cited first)" in caption


@pytest.mark.usefixtures("matplotlib")
def test_vague_claims_are_counted_not_drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vague row (words, no figure) never becomes a mark; the caption counts and quotes it."""
    rows = _country_wide("prison_population")
    template = next(r for r in rows if r.as_of is not None)
    vague = PopulationCount.model_validate(
        {
            **template.model_dump(),
            "count_id": "test-vague-population",
            "value": None,
            "lower_bound": None,
            "upper_bound": None,
            "qualifier": "vague",
            "stated_as": "tens of thousands",
            "claim_group": None,
        }
    )
    shipped = cecot_data.load_population_counts()
    monkeypatch.setattr(plots, "load_population_counts", lambda: [*shipped, vague])
    assert "test-vague-population" not in {p.count_id for p in population_series()}
    root = _parse(plots.plot_population(tmp_path / "p.svg"))
    assert "test-vague-population" not in _ids(root)
    assert "Not drawn, vague (1): 'tens of thousands'" in _caption(root)


# ---------------------------------------------------------------------------
# Timeline.


def test_timeline_marks_follow_the_events() -> None:
    events = {e.event_id: e for e in cecot_data.load_events()}
    marks = timeline_marks()
    assert Counter(m.event_id for m in marks) == Counter(list(events))
    for m in marks:
        assert m.event_type == events[m.event_id].event_type
        assert m.span.earliest <= m.span.latest
    assert [m.span.earliest for m in marks] == sorted(m.span.earliest for m in marks)


def test_timeline_svg_has_one_mark_per_event(svgs: dict[str, ET.Element]) -> None:
    root = svgs["timeline"]
    ids = _ids(root)
    for event in cecot_data.load_events():
        assert ids[event.event_id] == 1, event.event_id
    labels = [i for i in ids if i.startswith("label--")]
    assert 3 <= len(labels) <= 14  # a readable selection, not every event
    labelled_types = {
        e.event_type for e in cecot_data.load_events() if f"label--{e.event_id}" in ids
    }  # labels start at one event of the labelled group
    assert labelled_types <= set(plots.LABELLED_EVENT_TYPES)
    assert all(count == 1 for count in ids.values())  # SVG ids are unique


def test_timeline_caption_and_title(svgs: dict[str, ET.Element]) -> None:
    root = svgs["timeline"]
    events = cecot_data.load_events()
    sources = {e.source_id for e in events}
    caption = _caption(root)
    assert caption.startswith(f"{len(events)} events from {len(sources)} sources")
    assert f"Sources: see the sources table of cecot-data {cecot_data.__version__}." in caption
    assert re.search(r"Publishers \(\d+, most cited first\): .+ and \d+ more\.$", caption)
    title = root.find(f"{SVG}metadata//{{http://purl.org/dc/elements/1.1/}}title")
    assert title is not None
    assert title.text is not None
    assert title.text.startswith(f"Chronology: {len(events)} events")


def test_early_events_get_their_own_panel() -> None:
    """Events a century before the rest would squeeze the chronology: they are split off."""
    marks = timeline_marks()
    early, main = plots._split_eras(marks)
    assert early + main == sorted(marks, key=lambda m: (m.span.earliest, m.event_id))
    if early:
        gap = main[0].span.earliest - max(m.span.latest for m in early)
        assert gap > max(m.span.latest for m in main) - main[0].span.earliest
        assert 2 * len(main) >= len(marks)
