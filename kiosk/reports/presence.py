"""Who was present when: the intervals behind peak occupancy, in the reports and the dashboard.

Rule: a person is present from check-in until check-out. An open visit (no check-out) counts
as present until the end of its local check-in day, or until ``now`` when that is earlier.
No stay counts for more than 24 hours: automatic check-out at closing time makes longer stays
data errors, and the cap lets every query look back just one day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

MAX_STAY_SECONDS = 86_400

# Sort order at equal times: a departure, then a day boundary, then an arrival, so that
# someone leaving at 10:00 and someone arriving at 10:00 are never counted together.
_LEAVE, _BOUNDARY, _ARRIVE = 0, 1, 2


def presence_interval(
    checked_in: float,
    checked_out: float | None,
    day_bounds: Sequence[float],
    now: float | None = None,
) -> tuple[float, float]:
    """The ``[start, end)`` seconds a visit counts as present, by the rule above.

    ``day_bounds`` are the epoch seconds of consecutive local midnights covering the visit's
    check-in day; ``now`` caps open visits.
    """
    if checked_out is None:
        index = bisect_right(day_bounds, checked_in)
        end = day_bounds[index] if index < len(day_bounds) else checked_in + MAX_STAY_SECONDS
        if now is not None:
            end = min(end, now)
    else:
        end = checked_out
    return checked_in, max(checked_in, min(end, checked_in + MAX_STAY_SECONDS))


def peaks_per_slot(intervals: Iterable[tuple[float, float]], bounds: Sequence[float]) -> list[int]:
    """The most people present at once within each slot ``[bounds[i], bounds[i+1])``.

    ``intervals`` are ``[start, end)`` seconds; parts outside the slots are ignored.
    """
    first, last = bounds[0], bounds[-1]
    events: list[tuple[float, int, int]] = [(b, _BOUNDARY, 0) for b in bounds[1:-1]]
    for start, end in intervals:
        start, end = max(start, first), min(end, last)
        if start < end:
            events.append((start, _ARRIVE, 1))
            events.append((end, _LEAVE, -1))
    events.sort()
    peaks = [0] * (len(bounds) - 1)
    count = slot = 0
    for _moment, order, delta in events:
        if order == _BOUNDARY:
            slot += 1
            peaks[slot] = max(peaks[slot], count)
            continue
        count += delta
        if count > peaks[slot]:
            peaks[slot] = count
    return peaks
