"""Occupancy and use, drawn as server-rendered SVG charts from :mod:`kiosk.stats`."""

from __future__ import annotations

from datetime import date
from functools import cache

from flask import Blueprint, render_template
from flask_babel import format_date, format_percent
from flask_babel import gettext as _

from kiosk import stats as kstats
from kiosk.web.chart_labels import chart_labels, chart_number
from kiosk.web.charts import bar_chart, gauge, heatmap, line_chart
from kiosk.web.db import get_db
from kiosk.web.views.context import app_settings, clock
from kiosk.web.views.staff.auth import login_required

bp = Blueprint("stats", __name__)

HEATMAP_HOURS = range(7, 23)  # the space's day; the night rows would only be empty


def _weekday_names() -> list[str]:
    # 2026-11-23 was a Monday; format_date gives the locale's short weekday names.
    return [format_date(date(2026, 11, 23 + n), "EEE") for n in range(7)]


@bp.get("/stats")
@login_required
def index() -> str:
    """The numbers and charts of the space's use."""
    db = get_db()
    now = clock().now()
    settings = app_settings()
    tz = settings.tz
    occupancy = kstats.occupancy_now(db, now, settings.capacity)
    counts = kstats.visit_counts(db, now, tz)
    unique = kstats.unique_visitors(db, now, tz, "month")
    hourly = kstats.hourly_occupancy(db, now, tz)
    heat = kstats.weekday_hour_heatmap(db, now, tz, weeks=8)
    months = kstats.visits_per_month(db, now, tz, months=12)
    moods = kstats.mood_trend(db, now, tz, weeks=12, min_group_size=settings.min_group_size)
    # Each figure is written twice, in its chart and in the chart's table: remembering them
    # for this page (one language) halves the Babel calls, 330 -> 145.
    number = cache(chart_number)

    occupancy_chart = gauge(
        "chart-occupancy",
        occupancy.present,
        occupancy.capacity,
        chart_labels(
            _("Here now"),
            _(
                "%(present)s people present of a capacity of %(capacity)s (%(percent)s).",
                present=occupancy.present,
                capacity=occupancy.capacity,
                percent=format_percent(occupancy.ratio),
            ),
            _("Present now"),
            _("People"),
        ),
        level=occupancy.level,
        value_text=f"{occupancy.present} / {occupancy.capacity}",
    )
    hourly_chart = line_chart(
        "chart-hourly",
        [point.start.strftime("%H") for point in hourly],
        [point.peak for point in hourly],
        chart_labels(
            _("Today, hour by hour"),
            _("The most people present at once in each hour of today."),
            _("Hour"),
            _("People at most"),
        ),
        fmt=number,
    )
    hours = list(HEATMAP_HOURS)
    heat_chart = heatmap(
        "chart-heatmap",
        _weekday_names(),
        [f"{hour:02d}" for hour in hours],
        [[row[hour] for hour in hours] for row in heat.cells],
        chart_labels(
            _("Busy hours, last %(weeks)s weeks", weeks=heat.weeks),
            _(
                "The average number of people present on each weekday and hour, "
                "%(first)s – %(last)s. Darker is busier.",
                first=format_date(heat.first_day),
                last=format_date(heat.last_day),
            ),
            _("Weekday"),
            _("People on average"),
        ),
        fmt=number,
        legend=(_("People on average") + ":", ""),
    )
    months_chart = bar_chart(
        "chart-months",
        [f"{m.month}/{m.year % 100:02d}" for m in months],
        [m.visits for m in months],
        chart_labels(
            _("Visits per month"),
            _("Visits in each of the last twelve months; this month so far is the last bar."),
            _("Month"),
            _("Visits"),
        ),
        fmt=number,
        highlight_last=True,
    )
    mood_chart = line_chart(
        "chart-mood",
        [format_date(point.week_start, "d.M.") for point in moods],
        [point.index for point in moods],
        chart_labels(
            _("Mood index by week"),
            _(
                "The average of the week's answers to “How are you?” on a scale of 0 to 100: "
                "Great counts 100, Good 75, Okay 50, A bit heavy 25 and Really hard 0. Weeks "
                "with fewer than %(n)s answers are not shown, to protect privacy.",
                n=settings.min_group_size,
            ),
            _("Week starting"),
            _("Mood index"),
        ),
        fmt=number,
        maximum=100,
    )
    return render_template(
        "staff/stats.html",
        occupancy=occupancy,
        counts=counts,
        unique=unique,
        charts=[hourly_chart, heat_chart, months_chart, mood_chart],
        occupancy_chart=occupancy_chart,
        moods_hidden=sum(1 for point in moods if point.suppressed),
    )
