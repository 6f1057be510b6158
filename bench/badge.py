"""Badge figures: render and encode time, and bytes sent, for 58 mm and 80 mm paper.

Run: .venv/bin/python bench/badge.py
Targets: at most 50 ms and 24 KB a badge, so that one prints in under 2 s on a 115200-baud line.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printer.badge import BadgeContent, render_badge, sample_badge_content
from printer.encode import encode_image

ROUNDS = 30
BADGES = {
    "guest": BadgeContent(
        first_name="Maria",
        name="Maria Lindqvist",
        company="Laukaan Leipomo Oy",
        host="Sanna Virtanen",
        date_text="to 26.11.2026",
        token="g_3kQ9vXb2LmT7pW8rYz1aBc",  # noqa: S106 - a sample QR text
    ),
    "member": BadgeContent(
        first_name="Äijälä-Öörni",
        name="Äijälä-Öörni Åsa-Ženja 王芳",
        company="Yritystankkaamo Oy",
        role="member",
        date_text="to 26.11.2026",
        token="m_5fJ2kLq9XwY3zT8pN0aB",  # noqa: S106 - a sample QR text
        ask_me="rahoitus, markkinointi, digi",
    ),
    "test": sample_badge_content("to 26.11.2026"),
}


def main() -> None:
    """Print one line per badge and width."""
    for content in BADGES.values():  # warm the font caches: the server does this once
        render_badge(content, 80)
    print(
        f"{'badge':8} {'paper':>5} {'size':>9} {'render ms':>9} {'encode ms':>9} "
        f"{'total ms':>8} {'bytes':>7} {'s@115200':>8}"
    )
    for name, content in BADGES.items():
        for width in (58, 80):
            renders, encodes = [], []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                image = render_badge(content, width)
                middle = time.perf_counter()
                encoded = encode_image(image)
                end = time.perf_counter()
                renders.append((middle - start) * 1000)
                encodes.append((end - middle) * 1000)
            render_ms, encode_ms = statistics.median(renders), statistics.median(encodes)
            size = len(encoded.data)
            print(
                f"{name:8} {width:>3}mm {image.width:>4}x{image.height:<4} {render_ms:9.1f} "
                f"{encode_ms:9.1f} {render_ms + encode_ms:8.1f} {size:7d} {size * 10 / 115200:8.2f}"
            )


if __name__ == "__main__":
    main()
