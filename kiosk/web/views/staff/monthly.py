"""The monthly report page for the steering group: figures, charts and a sentence for each.

Printable to PDF from the browser (the print style sheet drops the navigation and keeps each
section on its page). Only aggregates: no names, small groups hidden as in the reports.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from kiosk.reports import ReportError, parse_month
from kiosk.reports.columns import INDICATORS, headers, label
from kiosk.reports.month import Month
from kiosk.reports.overview import MonthOverview, month_overview
from kiosk.web.chart_labels import chart_labels, chart_number
from kiosk.web.charts import bar_chart, line_chart
from kiosk.web.db import get_db
from kiosk.web.views.context import clock
from kiosk.web.views.staff.auth import login_required

bp = Blueprint("monthly", __name__)


def _previous_month(today: Month) -> Month:
    return Month(today.year - 1, 12) if today.month == 1 else Month(today.year, today.month - 1)


def _sections(view: MonthOverview, language: str) -> list[dict[str, object]]:
    """Each section: a heading, a chart and the sentence that says what it shows."""
    s = view.summary
    weeks = view.weeks
    busiest = max(weeks, key=lambda w: w.visits)
    week_labels = [f"{format_date(w.first, 'd.M.')}–{format_date(w.last, 'd.M.')}" for w in weeks]
    visits = {
        "id": "visits",
        "title": _("Visits per week"),
        "chart": bar_chart(
            "chart-weeks",
            week_labels,
            [w.visits for w in weeks],
            chart_labels(
                _("Visits per week"), _("Visits in each week of the month."), _("Week"), _("Visits")
            ),
            fmt=chart_number,
        ),  # fmt: skip
        "text": _(
            "%(visits)s visits by %(people)s different people. The busiest week was "
            "%(week)s, with %(most)s visits.",
            visits=s["total_visits"],
            people=s["unique_persons"],
            week=week_labels[weeks.index(busiest)],
            most=busiest.visits,
        ),
    }
    people = {
        "id": "people",
        "title": _("New and returning visitors"),
        "chart": bar_chart(
            "chart-new",
            [_("First-time visitors"), _("Returning visitors")],
            [s["first_time_visitors"], s["returning_visitors"]],
            chart_labels(
                _("New and returning visitors"),
                _("People whose first visit ever was this month, and the others."),
                _("Visitors"),
                _("People"),
            ),
            fmt=chart_number,
        ),  # fmt: skip
        "text": _(
            "%(new)s people came for the first time and %(back)s came back. %(companies)s "
            "different companies visited. %(members)s member records were added.",
            new=s["first_time_visitors"],
            back=s["returning_visitors"],
            companies=s["unique_companies"],
            members=s["new_members"],
        ),
    }
    held = [e for e in view.events if e["cancelled"] == label("no", language)]
    events = {
        "id": "events",
        "title": _("Events and attendance"),
        "chart": bar_chart(
            "chart-events",
            [_event_label(e) for e in held],
            [e["attended"] for e in held],
            chart_labels(
                _("Events and attendance"),
                _("People who attended each event."),
                _("Event"),
                _("Attended"),
            ),
            fmt=chart_number,
        ),  # fmt: skip
        "table": {
            "header": [_("Date"), _("Event"), _("Registered"), _("Attended")],
            "rows": [[_event_label(e), e["title"], e["registered"], e["attended"]] for e in held],
        },
        "text": _(
            "%(events)s events were held, with %(attended)s attendances against "
            "%(registered)s registrations.",
            events=len(held),
            attended=sum(e["attended"] for e in held),
            registered=sum(e["registered"] for e in held),
        ),
    }
    shown = [m.index for m in view.moods if m.index is not None]
    mood_text = (
        _("The mood index was %(low)s–%(high)s (0 is really hard, 100 great).",
          low=chart_number(min(shown)), high=chart_number(max(shown)))
        if shown
        else _("No week had enough answers to show the mood index.")
    )  # fmt: skip
    if view.hidden_mood_weeks:
        mood_text += " " + _(
            "%(n)s weeks are hidden because fewer than %(min)s people answered, or the week "
            "is not over.",
            n=view.hidden_mood_weeks,
            min=view.min_group_size,
        )
    moods = {
        "id": "moods",
        "title": _("Mood index by week"),
        "chart": line_chart(
            "chart-moods",
            [format_date(m.first, "d.M.") for m in view.moods],
            [m.index for m in view.moods],
            chart_labels(
                _("Mood index by week"),
                _("0 is everyone having a really hard time, 100 everyone feeling great."),
                _("Week starting"),
                _("Mood index"),
            ),
            fmt=chart_number,
            maximum=100,
        ),  # fmt: skip
        "text": mood_text,
    }
    return [visits, people, events, moods]


def _event_label(event: dict[str, object]) -> str:
    # The date only under the bar (titles would overlap); the table below the chart and its
    # tooltip name the event.
    return format_date(date.fromisoformat(str(event["date"])), "d.M.")


def _language() -> str:
    language = str(get_locale())
    return language if language in ("fi", "sv", "en") else "fi"


@bp.get("/monthly")
@login_required
def index() -> str:
    """The month's report page (default: last month), ready to print as PDF."""
    config = current_app.config
    tz = config["TZ"]
    now = clock().now()
    default = _previous_month(Month.containing(now, tz))
    asked = request.args.get("month", "")[:7]
    try:
        month = parse_month(asked) if asked else default
    except ReportError:
        abort(400)
    language = _language()
    view = month_overview(
        get_db(),
        month,
        tz,
        now,
        language,
        project_start=parse_month(config["PROJECT_START"]),
        min_group_size=int(config["MIN_GROUP_SIZE"]),
    )
    return render_template(
        "staff/monthly.html",
        view=view,
        month_value=str(month),
        month_title=format_date(month.first_day, "LLLL yyyy"),
        sections=_sections(view, language),
        indicator_header=headers(INDICATORS, language)[1:],
        indicator_rows=[row[1:] for row in view.indicators],
        auto_checkouts=view.summary["auto_checkouts"],
    )
