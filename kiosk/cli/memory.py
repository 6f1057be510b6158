"""How the long-running commands keep glibc's malloc from holding freed memory per thread."""

from __future__ import annotations

import ctypes

# glibc's mallopt() parameter for the largest number of malloc arenas (M_ARENA_MAX, malloc.h).
_M_ARENA_MAX = -8
#: ``kiosk serve``: two rather than one, because SQLite allocates outside Python's GIL.
SERVER_ARENAS = 2
#: ``kiosk scanner``: its few threads take turns (the loop, the decoder's slow lane, the
#: preview and the delivery), and a frame's buffers freed in a thread's own arena stayed there.
SCANNER_ARENAS = 1


def limit_malloc_arenas(count: int) -> bool:
    """Let glibc's malloc use at most ``count`` arenas in this process; False where it cannot.

    glibc gives each thread that allocates an arena of its own, up to eight per core (16 on two
    cores, 32 on a Pi 4), and memory freed into an arena stays there for that arena's next
    allocations. Waitress hands requests to its 32 threads in turn, so after a day every
    arena held a request's worth of freed memory: 11 MB resident more after the Pi run's
    dashboard pages and report than with two arenas. In the scanner the decoder's slow lane
    kept some 8 MB of frame buffers in an arena of its own. Call this before the command
    starts its threads.
    """
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_ARENA_MAX, count))
    except (OSError, AttributeError):  # not glibc (macOS, …): its allocator, its own rules
        return False
