"""What the messages say: first name, topic, time and a dashboard link, nothing more.

A mood answer never leaves the building: a consented low mood is worded as "would welcome a
word". Texts go through the kiosk's gettext catalogues; the language is the kiosk's default
(Finnish), the one the hosts read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.support import NullTranslations, Translations

from kiosk.host_title import host_words

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CLOCK_PATTERNS = {"fi": "H.mm", "sv": "HH:mm", "en": "HH:mm"}
DATE_PATTERNS = {"fi": "cccc d.M.yyyy", "sv": "EEEE d.M.yyyy", "en": "EEEE d MMM yyyy"}


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue for ``language`` (English msgids when there is none)."""
    return Translations.load(str(TRANSLATIONS), [language])


@dataclass(frozen=True)
class Text:
    """A subject and a plain-text body."""

    subject: str
    body: str


class Writer:
    """Writes the messages in one language and time zone."""

    def __init__(self, language: str, tz: ZoneInfo, host_title: str = "heimopäällikkö") -> None:
        self.language = language if language in CLOCK_PATTERNS else "fi"
        self.tz = tz
        self.t = translations(self.language)
        # The space's own title for its host (KIOSK_HOST_TITLE), in each sentence role.
        self.host = host_words(host_title, self.language)

    def clock(self, moment: datetime) -> str:
        """A time of day as written in the language (fi: 9.05)."""
        return format_time(
            moment.astimezone(self.tz), CLOCK_PATTERNS[self.language], locale=self.language
        )

    def day(self, moment: datetime) -> str:
        """A weekday and date (fi: torstai 26.11.2026)."""
        return format_date(
            moment.astimezone(self.tz).date(), DATE_PATTERNS[self.language], locale=self.language
        )

    def topic(self, key: str) -> str:
        """A help topic's name."""
        names = {
            "rahoitus": self.t.gettext("Funding"),
            "markkinointi": self.t.gettext("Marketing and sales"),
            "digi": self.t.gettext("Digital tools"),
            "verotus": self.t.gettext("Taxes and bookkeeping"),
            "jaksaminen": self.t.gettext("Coping and wellbeing"),
            "verkostot": self.t.gettext("Networks and partners"),
        }
        return names.get(key, key)

    def open_label(self) -> str:
        """The label of the link or button to the dashboard."""
        return self.t.gettext("Open the dashboard")

    def _footer(self) -> str:
        return self.t.gettext("Mark it handled on the dashboard once someone has been in touch.")

    def request(self, first_name: str, wants_chat: bool, topics: list[str], at: datetime) -> Text:
        """A "would like a chat" and/or help request."""
        t = self.t
        time_text = self.clock(at)
        lines = []
        if wants_chat:
            subject = t.gettext("%(name)s would like a chat") % {"name": first_name}
            lines.append(t.gettext("%(name)s would like a chat.") % {"name": first_name})
        else:
            subject = t.gettext("%(name)s would like help") % {"name": first_name}
        if topics:
            lines.append(
                t.gettext("Help with: %(topics)s")
                % {"topics": ", ".join(self.topic(k) for k in topics)}
            )
        lines.append(t.gettext("Asked at %(time)s at the door.") % {"time": time_text})
        lines.append(self._footer())
        return Text(subject, "\n".join(lines))

    def low_mood(self, first_name: str, at: datetime) -> Text:
        """A consented low mood, worded as a wish for a word: never the mood itself."""
        t = self.t
        subject = t.gettext("%(name)s would welcome a word") % {"name": first_name}
        body = "\n".join(
            [
                t.gettext("%(name)s would welcome a word with %(host)s today.")
                % {"name": first_name, "host": self.host.with_},
                t.gettext("Checked in at %(time)s.") % {"time": self.clock(at)},
                self._footer(),
            ]
        )
        return Text(subject, body)

    def guest(self, first_name: str, at: datetime) -> Text:
        """ "Your guest has arrived"."""
        t = self.t
        subject = t.gettext("Your guest %(name)s has arrived") % {"name": first_name}
        body = "\n".join(
            [
                t.gettext("Your guest %(name)s signed in at the door at %(time)s.")
                % {"name": first_name, "time": self.clock(at)},
            ]
        )
        return Text(subject, body)

    def reminder(self, first_name: str, at: datetime, minutes: int) -> Text:
        """An alert still unhandled after ``minutes``."""
        t = self.t
        subject = t.gettext("Reminder: %(name)s is still waiting") % {"name": first_name}
        body = "\n".join(
            [
                t.gettext("%(name)s asked for %(host)s at %(time)s, %(minutes)s minutes ago.")
                % {
                    "name": first_name,
                    "host": self.host.object,
                    "time": self.clock(at),
                    "minutes": minutes,
                },
                t.gettext("Nobody has marked it handled yet."),
                self._footer(),
            ]
        )
        return Text(subject, body)

    def test(self, at: datetime) -> Text:
        """The message ``kiosk notify test`` sends."""
        t = self.t
        return Text(
            t.gettext("Test message from the Tankkaamo kiosk"),
            t.gettext("Notifications from the kiosk reach you. Sent at %(time)s.")
            % {"time": self.clock(at)},
        )

    def digest(
        self,
        day: datetime,
        open_requests: list[tuple[str, datetime]],
        missed_regulars: list[str],
        events: list[tuple[str, datetime]],
    ) -> Text:
        """The daily digest: unhandled requests, regulars not seen lately, today's events."""
        t = self.t
        lines = [t.gettext("Good morning! The day at Tankkaamo, %(day)s.") % {"day": self.day(day)}]
        lines += ["", t.gettext("Unhandled requests: %(n)s") % {"n": len(open_requests)}]
        lines += [f"- {name} ({self.day(at)} {self.clock(at)})" for name, at in open_requests]
        lines += [
            "",
            t.gettext("Regulars not seen for four weeks: %(n)s") % {"n": len(missed_regulars)},
        ]
        lines += [f"- {name}" for name in missed_regulars]
        lines += ["", t.gettext("Today's events: %(n)s") % {"n": len(events)}]
        lines += [f"- {self.clock(at)} {title}" for title, at in events]
        subject = t.gettext("Tankkaamo today, %(day)s") % {"day": self.day(day)}
        return Text(subject, "\n".join(lines))
