"""The translated words and number format the staff pages' charts share."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from kiosk.web.charts import Labels


def chart_number(value: float) -> str:
    """A figure as the page's language writes it, with at most one decimal."""
    return format_decimal(value, format="#,##0.#")


def chart_labels(title: str, description: str, x: str, y: str) -> Labels:
    """A chart's title, description and axis headers, with the shared translated words."""
    return Labels(
        title=title,
        description=description,
        table_summary=_("Show the figures as a table"),
        x_header=x,
        y_header=y,
        no_data=_("not shown"),
    )
