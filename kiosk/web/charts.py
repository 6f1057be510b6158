"""Server-rendered SVG charts: bar, line, heatmap and gauge. No Flask, no JavaScript.

Each function returns one ``<figure>`` as :class:`markupsafe.Markup`: the SVG (``role="img"``
with a ``<title>`` and ``<desc>``) and the same figures as a table in a ``<details>``, for
screen readers and for anyone who wants the numbers. Every text passed in is escaped; labels
arrive already translated from the views, and numbers arrive formatted by ``fmt``.

The colours come from classes that ``staff.css`` styles (the CSP forbids inline styles), except
the heatmap's shades, which are SVG presentation attributes computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

Number = float | int
Formatter = Callable[[Number], str]


def _plain(value: Number) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


@dataclass(frozen=True)
class Labels:
    """The texts around a chart: its title, a one-line description and the table's wording."""

    title: str
    description: str = ""
    table_summary: str = "Show as a table"
    x_header: str = ""
    y_header: str = ""
    no_data: str = "–"


def _n(value: float) -> str:
    # Coordinates with two decimals keep the markup small and stable for tests.
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nice_max(value: Number) -> float:
    """A round axis maximum at or above ``value`` whose quarters are round too (the grid).

    Counts of people are whole numbers, so the axis is never below 4 (quarters of 1).
    """
    value = max(float(value), 4.0)
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 4, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _svg_open(chart_id: str, labels: Labels, width: int, height: int, css: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg class="chart-svg {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(labels.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(labels.description)}</desc>',
    ]


def data_table(
    caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *, summary: str = ""
) -> Markup:
    """A plain table (optionally folded in a ``<details>``) holding a chart's figures."""
    parts = ['<table class="chart-table">', f"<caption>{escape(caption)}</caption>", "<thead><tr>"]
    parts += [f'<th scope="col">{escape(h)}</th>' for h in headers]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        cells = [f'<th scope="row">{escape(row[0])}</th>']
        cells += [f"<td>{escape(cell)}</td>" for cell in row[1:]]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    table = "".join(parts)
    if summary:
        table = f'<details class="chart-data"><summary>{escape(summary)}</summary>{table}</details>'
    return Markup(table)  # noqa: S704 - every piece above is escaped


def _figure(chart_id: str, svg: list[str], labels: Labels, table: Markup) -> Markup:
    return Markup(  # noqa: S704 - the parts are built from escaped text only
        f'<figure class="chart" id="{escape(chart_id)}">'
        f'<figcaption class="chart-title">{escape(labels.title)}</figcaption>'
        + "".join(svg)
        + str(table)
        + "</figure>"
    )


def _series_figure(
    chart_id: str,
    svg: list[str],
    labels: Labels,
    categories: Sequence[str],
    values: Sequence[float | None],
    fmt: Callable[[float], str],
) -> Markup:
    # A bar or line chart, with the same figures as a table for screen readers.
    rows = [
        (c, labels.no_data if v is None else fmt(v))
        for c, v in zip(categories, values, strict=True)
    ]
    table = data_table(
        labels.title, (labels.x_header, labels.y_header), rows, summary=labels.table_summary
    )
    return _figure(chart_id, svg, labels, table)


def bar_chart(
    chart_id: str,
    categories: Sequence[str],
    values: Sequence[Number | None],
    labels: Labels,
    *,
    fmt: Formatter = _plain,
    highlight_last: bool = False,
    width: int = 640,
    height: int = 260,
) -> Markup:
    """Vertical bars, one per category, each with its value written above it."""
    if len(categories) != len(values):
        raise ValueError("a bar chart needs one value per category")
    left, right, top, bottom = 40, 10, 24, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v for v in values if v is not None), default=0))
    svg = _svg_open(chart_id, labels, width, height, "chart-bars")
    svg += _axis(left, top, plot_w, plot_h, peak, fmt)
    slot = plot_w / max(1, len(values))
    bar_w = max(2.0, slot * 0.7)
    # Write every n-th label only, so that long series stay legible on a phone.
    every = max(1, -(-len(categories) // 12))
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = left + slot * index + (slot - bar_w) / 2
        if value is not None:
            h = plot_h * (value / peak)
            css = "bar bar-last" if highlight_last and index == len(values) - 1 else "bar"
            svg.append(
                f'<rect class="{css}" x="{_n(x)}" y="{_n(top + plot_h - h)}" '
                f'width="{_n(bar_w)}" height="{_n(h)}"><title>{escape(category)}: '
                f"{escape(fmt(value))}</title></rect>"
            )
            if len(values) <= 16:
                svg.append(
                    f'<text class="value" x="{_n(x + bar_w / 2)}" y="{_n(top + plot_h - h - 5)}" '
                    f'text-anchor="middle">{escape(fmt(value))}</text>'
                )
        if index % every == 0:
            svg.append(
                f'<text class="tick" x="{_n(x + bar_w / 2)}" y="{_n(height - bottom + 18)}" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
    svg.append("</svg>")
    return _series_figure(chart_id, svg, labels, categories, values, fmt)


def _axis(left: float, top: float, plot_w: float, plot_h: float, peak: float, fmt: Formatter):
    parts = []
    for step in range(5):
        value = peak * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f'<line class="grid" x1="{_n(left)}" x2="{_n(left + plot_w)}" '
            f'y1="{_n(y)}" y2="{_n(y)}"/>'
        )
        parts.append(
            f'<text class="tick" x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end">'
            f"{escape(fmt(value))}</text>"
        )
    return parts


def line_chart(
    chart_id: str,
    categories: Sequence[str],
    values: Sequence[Number | None],
    labels: Labels,
    *,
    fmt: Formatter = _plain,
    maximum: Number | None = None,
    width: int = 640,
    height: int = 260,
) -> Markup:
    """A line through the values; a None leaves a gap (an hour to come, a hidden week)."""
    if len(categories) != len(values):
        raise ValueError("a line chart needs one value per category")
    left, right, top, bottom = 40, 14, 20, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = (
        float(maximum)
        if maximum
        else _nice_max(max((v for v in values if v is not None), default=0))
    )
    svg = _svg_open(chart_id, labels, width, height, "chart-line")
    svg += _axis(left, top, plot_w, plot_h, peak, fmt)
    step = plot_w / max(1, len(values) - 1)
    every = max(1, -(-len(categories) // 12))
    segments: list[list[tuple[float, float]]] = [[]]
    marks: list[str] = []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = left + step * index
        if value is None:
            if segments[-1]:
                segments.append([])
        else:
            y = top + plot_h - plot_h * min(value, peak) / peak
            segments[-1].append((x, y))
            marks.append(
                f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="3.5"><title>'
                f"{escape(category)}: {escape(fmt(value))}</title></circle>"
            )
        if index % every == 0:
            marks.append(
                f'<text class="tick" x="{_n(x)}" y="{_n(height - bottom + 18)}" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
    # The lines first, so that the points are drawn over them.
    for segment in segments:
        if len(segment) > 1:
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
            svg.append(f'<polyline class="line" points="{points}"/>')
    svg += marks
    svg.append("</svg>")
    return _series_figure(chart_id, svg, labels, categories, values, fmt)


def shade(value: float, peak: float) -> str:
    """A colour from pale sand (nobody) to deep green (the busiest cell)."""
    if peak <= 0 or value <= 0:
        return "#f4eee4"
    ratio = min(1.0, value / peak)
    low, high = (0xE0, 0xEE, 0xE6), (0x15, 0x40, 0x2F)
    r, g, b = (round(lo + (hi - lo) * ratio) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(
    chart_id: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[Number]],
    labels: Labels,
    *,
    fmt: Formatter = _plain,
    width: int = 640,
    legend: tuple[str, str] | None = None,
) -> Markup:
    """A grid of shaded cells (rows × columns); the darkest is the busiest.

    ``legend`` is the text before and after a key that follows the grid: its five shades,
    each with the value it stands for (either text may be empty).
    """
    if len(cells) != len(row_labels) or any(len(row) != len(column_labels) for row in cells):
        raise ValueError("heatmap cells must match the row and column labels")
    left, top, bottom = 48, 6, 26
    cell_w = (width - left - 6) / max(1, len(column_labels))
    cell_h = 26
    height = top + cell_h * len(row_labels) + bottom
    peak = max((v for row in cells for v in row), default=0)
    svg = _svg_open(chart_id, labels, width, height, "chart-heatmap")
    for r, (row_label, row) in enumerate(zip(row_labels, cells, strict=True)):
        y = top + cell_h * r
        svg.append(
            f'<text class="tick" x="{left - 6}" y="{_n(y + cell_h * 0.65)}" text-anchor="end">'
            f"{escape(row_label)}</text>"
        )
        for c, value in enumerate(row):
            svg.append(
                f'<rect class="cell" x="{_n(left + cell_w * c)}" y="{_n(y)}" '
                f'width="{_n(cell_w - 1)}" height="{cell_h - 1}" fill="{shade(value, peak)}">'
                f"<title>{escape(row_label)} {escape(column_labels[c])}: "
                f"{escape(fmt(value))}</title></rect>"
            )
    every = max(1, -(-len(column_labels) // 12))
    for c, column in enumerate(column_labels):
        if c % every == 0:
            svg.append(
                f'<text class="tick" x="{_n(left + cell_w * c + cell_w / 2)}" '
                f'y="{_n(height - 8)}" text-anchor="middle">{escape(column)}</text>'
            )
    svg.append("</svg>")
    rows = [
        (row_label, *(fmt(v) for v in row))
        for row_label, row in zip(row_labels, cells, strict=True)
    ]
    table = data_table(
        labels.title, (labels.x_header, *column_labels), rows, summary=labels.table_summary
    )
    if legend:
        svg.append(_shade_legend(peak, legend, fmt))
    return _figure(chart_id, svg, labels, table)


def _shade_legend(peak: float, ends: tuple[str, str], fmt: Formatter, steps: int = 5) -> str:
    # The shades in order, each with the value it stands for, between two words. The swatch
    # colours are classes in staff.css (the CSP allows no inline styles); they are the
    # colours shade() gives at 0, ¼, ½, ¾ and all of the peak.
    low, high = ends
    values = [peak * i / (steps - 1) for i in range(steps)]
    swatches = "".join(
        f'<span class="legend-step"><span class="legend-swatch shade-{i}" aria-hidden="true">'
        f"</span>{escape(fmt(v))}</span>"
        for i, v in enumerate(values)
    )
    after = f'<span class="legend-end">{escape(high)}</span>' if high else ""
    before = f'<span class="legend-end">{escape(low)}</span>' if low else ""
    return f'<p class="chart-legend">{before}{swatches}{after}</p>'


def gauge(
    chart_id: str,
    value: Number,
    maximum: Number,
    labels: Labels,
    *,
    level: str = "ok",
    value_text: str = "",
    width: int = 240,
) -> Markup:
    """A half-circle gauge of ``value`` out of ``maximum``, coloured by ``level``.

    ``level`` is ok, warning or full; marks sit at 80 % and 100 %.
    """
    import math

    if level not in {"ok", "warning", "full"}:
        raise ValueError("level must be ok, warning or full")
    height = width * 0.62
    cx, cy, radius = width / 2, width * 0.52, width * 0.4
    ratio = 0.0 if maximum <= 0 else max(0.0, min(1.0, value / maximum))

    def point(fraction: float) -> tuple[float, float]:
        angle = math.pi * (1 - fraction)
        return cx + radius * math.cos(angle), cy - radius * math.sin(angle)

    x0, y0 = point(0)
    x1, y1 = point(1)
    svg = _svg_open(chart_id, labels, width, int(height), f"chart-gauge gauge-{level}")
    svg.append(
        f'<path class="track" d="M {_n(x0)} {_n(y0)} A {_n(radius)} {_n(radius)} 0 0 1 '
        f'{_n(x1)} {_n(y1)}"/>'
    )
    if ratio > 0:
        xe, ye = point(ratio)
        svg.append(
            f'<path class="fill" d="M {_n(x0)} {_n(y0)} A {_n(radius)} {_n(radius)} 0 0 1 '
            f'{_n(xe)} {_n(ye)}"/>'
        )
    for mark in (0.8, 1.0):
        xm, ym = point(mark)
        xi, yi = cx + (xm - cx) * 0.8, cy + (ym - cy) * 0.8
        svg.append(f'<line class="mark" x1="{_n(xi)}" y1="{_n(yi)}" x2="{_n(xm)}" y2="{_n(ym)}"/>')
    text = value_text or f"{_plain(value)} / {_plain(maximum)}"
    svg.append(
        f'<text class="gauge-value" x="{_n(cx)}" y="{_n(cy - 4)}" text-anchor="middle">'
        f"{escape(text)}</text>"
    )
    svg.append("</svg>")
    table = data_table(
        labels.title,
        (labels.x_header, labels.y_header),
        [(labels.x_header or labels.title, text)],
        summary=labels.table_summary,
    )
    return _figure(chart_id, svg, labels, table)
