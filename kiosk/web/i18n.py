"""Languages: Finnish first, then Swedish and English, through Flask-Babel's gettext."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, request, session
from flask_babel import Babel, format_date, format_time, get_locale

from kiosk.host_title import HostWords, host_words
from kiosk.timeutil import repeated_hour_mark
from kiosk.web.views.context import app_settings


def select_locale() -> str:
    """Pick the language: the one chosen on this device, else the configured default."""
    languages = app_settings().languages
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if request.path.startswith("/staff"):
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return app_settings().default_language


# Weekday, day and month, as people say them: the year is plain at the door.
DAY_PATTERNS = {"fi": "cccc d. MMMM", "sv": "EEEE d MMMM", "en": "EEEE d MMMM"}


def today_text() -> str:
    """Today's date written out in the screen's language ("torstai 26. marraskuuta")."""
    now = current_app.extensions["kiosk.clock"].now().astimezone(app_settings().tz)
    return format_date(now.date(), DAY_PATTERNS.get(str(get_locale()), "full"))


# Time and date as written in Finland in each language: the 24-hour clock throughout (Babel's
# plain "en" would give the US 12-hour clock and month-first dates).
CLOCK_PATTERNS = {"fi": "H.mm", "sv": "HH:mm", "en": "HH:mm"}
CLOCK_SECONDS_PATTERNS = {"fi": "H.mm.ss", "sv": "HH:mm:ss", "en": "HH:mm:ss"}
DATE_PATTERNS = {"fi": "d.M.yyyy", "sv": "yyyy-MM-dd", "en": "d MMM yyyy"}


def _language() -> str:
    language = str(get_locale())
    return language if language in DATE_PATTERNS else "fi"


def clock_text(moment: datetime, seconds: bool = False) -> str:
    """A time of day in the page's language and the kiosk's zone (fi: 9.05, sv/en: 09:05).

    In the hour that happens twice in autumn the UTC offset follows: ``3.30 (UTC+3)``.
    """
    patterns = CLOCK_SECONDS_PATTERNS if seconds else CLOCK_PATTERNS
    text = format_time(moment, patterns[_language()])
    if moment.tzinfo is None:
        return text
    return text + repeated_hour_mark(moment, app_settings().tz)


def day_text(moment: datetime) -> str:
    """A date in the page's language (fi: 26.11.2026, sv: 2026-11-26, en: 26 Nov 2026)."""
    return format_date(moment, DATE_PATTERNS[_language()])


def day_and_clock_text(moment: datetime) -> str:
    """A date and a time of day in the page's language."""
    return f"{day_text(moment)} {clock_text(moment)}"


def host_title() -> HostWords:
    """The host's title (KIOSK_HOST_TITLE) in the page's language, by sentence role."""
    return host_words(app_settings().host_title, _language())


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the catalogues in kiosk/translations."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LANGUAGE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["today_text"] = today_text

    @app.context_processor
    def host_context() -> dict[str, HostWords]:
        return {"host": host_title()}

    app.jinja_env.filters.update(clock=clock_text, day=day_text, day_clock=day_and_clock_text)
