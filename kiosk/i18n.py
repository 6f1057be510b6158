"""Languages: Finnish first, then Swedish and English, through Flask-Babel's gettext."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel, format_date, get_locale


def select_locale() -> str:
    """Pick the language: the one chosen on this device, else the configured default."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if request.path.startswith("/staff"):
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return current_app.config["DEFAULT_LANGUAGE"]


# Weekday, day and month, as people say them: the year is plain at the door.
DAY_PATTERNS = {"fi": "cccc d. MMMM", "sv": "EEEE d MMMM", "en": "EEEE d MMMM"}


def today_text() -> str:
    """Today's date written out in the screen's language ("torstai 26. marraskuuta")."""
    now = current_app.extensions["kiosk.clock"].now().astimezone(current_app.config["TZ"])
    return format_date(now.date(), DAY_PATTERNS.get(str(get_locale()), "full"))


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the catalogues in kiosk/translations."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LANGUAGE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["today_text"] = today_text
