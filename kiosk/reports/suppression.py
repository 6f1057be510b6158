"""Hiding small counts so that no person can be picked out of a table.

A count below the minimum group size (5) is *small* and is shown as ``<5``. Where a table
also shows the total of a group of cells, hidden cells add up to a known number; if that
number can be split only one way (one hidden cell, or every hidden cell at the top of its
range), the smallest shown cell of the group is hidden too: *complementary* suppression. Such
a cell may be of any size, so it is shown as ``–`` and never as ``<5``.
"""

from __future__ import annotations

from collections.abc import Sequence

SMALL = "small"
COMPLEMENTARY = "complementary"
COMPLEMENTARY_MARK = "–"


def small_mark(threshold: int) -> str:
    """How a small cell reads: ``<5`` for a threshold of 5."""
    return f"<{threshold}"


def protect(counts: Sequence[int], threshold: int) -> list[str | None]:
    """Per cell of a group whose total is shown: None (shown), SMALL or COMPLEMENTARY."""
    hidden: list[str | None] = [SMALL if count < threshold else None for count in counts]
    shown = [i for i, state in enumerate(hidden) if state is None]
    hidden_sum = sum(c for c, state in zip(counts, hidden, strict=True) if state)
    hidden_cells = len(counts) - len(shown)
    revealing = hidden_cells == 1 or hidden_sum == (threshold - 1) * hidden_cells
    # A hidden sum of zero reveals only that nobody is there, which harms no one.
    if hidden_sum > 0 and revealing and shown:
        hidden[min(shown, key=lambda i: counts[i])] = COMPLEMENTARY
    return hidden


def protected_cells(total: int, counts: Sequence[int], threshold: int) -> list[object]:
    """The group's cells as shown: the total first, then each count, number or mark."""
    if total < threshold:
        return [small_mark(threshold)] * (1 + len(counts))
    marks = {SMALL: small_mark(threshold), COMPLEMENTARY: COMPLEMENTARY_MARK}
    states = protect(counts, threshold)
    return [total] + [
        count if state is None else marks[state]
        for count, state in zip(counts, states, strict=True)
    ]
