"""Point-in-time view and claims side by side (API and CLI)."""

from __future__ import annotations

import json
from datetime import date

import pytest

import cecot_data
from cecot_data.cli import main


def _ids(rows: list) -> set[str]:  # type: ignore[type-arg]
    return {r.key()[0] for r in rows}


def test_instruments_in_force_follow_their_dates() -> None:
    assert "us-proclamation-10903" not in _ids(cecot_data.as_of("2025-03-13").legal_instruments)
    assert "us-proclamation-10903" in _ids(cecot_data.as_of("2025-03-14").legal_instruments)
    assert "us-alien-enemies-act" in _ids(cecot_data.as_of(date(1800, 1, 1)).legal_instruments)
    assert "us-alien-enemies-act" not in _ids(cecot_data.as_of("1798-07-05").legal_instruments)


def test_events_only_once_certainly_over() -> None:
    transfer = "2025-03-16-us-deportees-transferred-to-cecot"
    assert transfer not in _ids(cecot_data.as_of("2025-03-15").events)
    assert transfer in _ids(cecot_data.as_of("2025-03-16").events)
    # "2022-03" is not over on 10 March 2022
    assert "2022-03-cecot-construction-ordered" not in _ids(cecot_data.as_of("2022-03-10").events)
    assert "2022-03-cecot-construction-ordered" in _ids(cecot_data.as_of("2022-03-31").events)


def test_counts_only_once_reported() -> None:
    count = "sv-deaths-in-custody-2024-04-cristosal"  # as of April 2024, published by AP on 2024-07-10
    assert count not in _ids(cecot_data.as_of("2024-07-09").population_counts)
    assert count in _ids(cecot_data.as_of("2024-07-10").population_counts)


def test_facilities_open_on_a_day() -> None:
    assert "sv-cecot" not in _ids(cecot_data.as_of("2022-12-31").facilities)
    assert "sv-cecot" in _ids(cecot_data.as_of("2025-01-01").facilities)


def test_bad_day_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        cecot_data.as_of("March 2025")


def test_show_as_of_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "events", "--as-of", "2025-03-15", "--format", "json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert all(e["occurred_on"] <= "2025-03-15" for e in events)
    assert main(["show", "sources", "--as-of", "2025-03-15"]) == 2
    assert "--as-of applies to" in capsys.readouterr().err


def test_unknown_claim_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="unknown claim group"):
        cecot_data.claims("no-such-group")
    assert main(["claims", "no-such-group"]) == 2
    assert "unknown claim group" in capsys.readouterr().err
