"""Once per card, driven by an injected clock."""

from __future__ import annotations

import pytest

from scanner.debounce import Debouncer


def test_same_code_within_the_window_is_posted_once() -> None:
    debouncer = Debouncer(window=3.0)
    sightings = [debouncer.seen("A", t / 10) for t in range(0, 25)]  # 2.5 s of frames
    assert sightings.count(True) == 1 and sightings[0]


def test_card_held_still_stays_one_scan_then_counts_after_it_was_away() -> None:
    debouncer = Debouncer(window=3.0)
    assert debouncer.seen("A", 0.0)
    assert not any(debouncer.seen("A", 0.5 * i) for i in range(1, 20))  # held for 10 s
    assert not debouncer.seen("A", 11.0)
    assert debouncer.seen("A", 14.5)  # out of sight for 3.5 s: a new scan (e.g. leaving)


def test_different_codes_in_quick_succession_are_each_posted() -> None:
    debouncer = Debouncer(window=3.0)
    assert [debouncer.seen(code, t / 2) for t, code in enumerate("ABCA")] == [
        True,
        True,
        True,
        False,
    ]


def test_memory_stays_bounded() -> None:
    debouncer = Debouncer(window=1.0)
    for i in range(1000):
        debouncer.seen(f"code-{i}", float(i))
    assert len(debouncer._last_seen) <= 65


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError):
        Debouncer(window=-1)
