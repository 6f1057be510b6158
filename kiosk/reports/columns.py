"""Stable column keys and their headers in Finnish, Swedish and English.

The keys never change once shipped (scripts and docs/reports.md rely on them); the headers are
what people see, in the language asked for. Values that are words (member/guest, how someone
checked in) are translated here too, so a report reads in one language throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.reports.errors import UnknownLanguage

LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True, slots=True)
class Column:
    """One report column: a stable key and a header per language."""

    key: str
    fi: str
    sv: str
    en: str

    def header(self, language: str) -> str:
        """The header in ``language`` (fi, sv or en)."""
        return str(getattr(self, check_language(language)))


def check_language(language: str) -> str:
    """Return ``language`` if reports speak it, else raise :class:`UnknownLanguage`."""
    if language not in LANGUAGES:
        raise UnknownLanguage(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


C = Column

# Stays closed at closing time: daily, people and summary all count them, under one header.
AUTO_CHECKOUTS = C(
    "auto_checkouts",
    "Automaattisesti uloskirjatut",
    "Automatiskt utcheckade",
    "Closed automatically",
)

VISITS = (
    C("visit_id", "Käynti", "Besök", "Visit"),
    C("date", "Päivä", "Datum", "Date"),
    C("time_in", "Sisään", "In", "In"),
    C("date_out", "Lähtöpäivä", "Utdatum", "Date out"),
    C("time_out", "Ulos", "Ut", "Out"),
    C("duration_min", "Kesto (min)", "Längd (min)", "Duration (min)"),
    C("person_type", "Jäsen vai vieras", "Medlem eller gäst", "Member or guest"),
    C("name", "Nimi", "Namn", "Name"),
    C("company", "Yritys", "Företag", "Company"),
    C("business_id", "Y-tunnus", "FO-nummer", "Business ID"),
    C("checkin_method", "Sisäänkirjaus", "Incheckning", "Checked in by"),
    C("checkout_method", "Uloskirjaus", "Utcheckning", "Checked out by"),
    C("event", "Tapahtuma", "Evenemang", "Event"),
)

DAILY = (
    C("date", "Päivä", "Datum", "Date"),
    C("weekday", "Viikonpäivä", "Veckodag", "Weekday"),
    C("visits", "Käynnit", "Besök", "Visits"),
    C("unique_people", "Eri henkilöt", "Unika personer", "Unique people"),
    C("peak_occupancy", "Enimmillään paikalla", "Som flest på plats", "Peak occupancy"),
    C("avg_stay_min", "Keskim. kesto (min)", "Medellängd (min)", "Average stay (min)"),
    AUTO_CHECKOUTS,
)

PEOPLE = (
    C("person_id", "Tunniste", "Id", "ID"),
    C("person_type", "Jäsen vai vieras", "Medlem eller gäst", "Member or guest"),
    C("name", "Nimi", "Namn", "Name"),
    C("company", "Yritys", "Företag", "Company"),
    C("business_id", "Y-tunnus", "FO-nummer", "Business ID"),
    C("visits", "Käynnit", "Besök", "Visits"),
    C("minutes", "Minuutit", "Minuter", "Minutes"),
    C("hours", "Tunnit", "Timmar", "Hours"),
    AUTO_CHECKOUTS,
)

MOODS_FIXED = (
    C("week", "Viikko", "Vecka", "Week"),
    C("from", "Alkaen", "Från", "From"),
    C("to", "Asti", "Till", "To"),
    C("answers", "Vastaukset", "Svar", "Answers"),
    C("mood_1", "1 Loistavaa", "1 Strålande", "1 Great"),
    C("mood_2", "2", "2", "2"),
    C("mood_3", "3", "3", "3"),
    C("mood_4", "4", "4", "4"),
    C("mood_5", "5 Tosi raskasta", "5 Riktigt tungt", "5 Really hard"),
    C("wants_chat", "Haluaa jutella", "Vill prata", "Would like a chat"),
)
TOPIC_OTHER = C("topic_other", "Aihe: muu", "Ämne: annat", "Topic: other")

EVENTS = (
    C("event_id", "Tapahtuma-id", "Evenemangs-id", "Event ID"),
    C("date", "Päivä", "Datum", "Date"),
    C("time_start", "Alkaa", "Börjar", "Starts"),
    C("time_end", "Päättyy", "Slutar", "Ends"),
    C("title", "Otsikko", "Rubrik", "Title"),
    C("kind", "Laji", "Typ", "Kind"),
    C("room", "Tila", "Rum", "Room"),
    C("host", "Vetäjä", "Värd", "Host"),
    C("capacity", "Paikkoja", "Platser", "Capacity"),
    C("registered", "Ilmoittautuneet", "Anmälda", "Registered"),
    C("attended", "Osallistuneet", "Deltagare", "Attended"),
    C("cancelled", "Peruttu", "Inställt", "Cancelled"),
)

SUMMARY = (
    C("month", "Kuukausi", "Månad", "Month"),
    C("unique_persons", "Eri henkilöt", "Unika personer", "Unique persons"),
    C("unique_members", "Eri jäsenet", "Unika medlemmar", "Unique members"),
    C("unique_guests", "Eri vieraat", "Unika gäster", "Unique guests"),
    C("unique_companies", "Eri yritykset", "Unika företag", "Unique companies"),
    C("total_visits", "Käynnit yhteensä", "Besök totalt", "Total visits"),
    C("member_visits", "Jäsenkäynnit", "Medlemsbesök", "Member visits"),
    C("guest_visits", "Vieraskäynnit", "Gästbesök", "Guest visits"),
    C(
        "anonymised_visits",
        "Käynnit ilman tunnistetta",
        "Besök utan identifierare",
        "Visits with no person key",
    ),
    C(
        "new_members",
        "Uudet jäsenrekisteröinnit",
        "Nya medlemsregistreringar",
        "New member records",
    ),
    C(
        "first_time_visitors",
        "Ensikertalaiset kävijät",
        "Förstagångsbesökare",
        "First-time visitors",
    ),
    C("returning_visitors", "Palaavat kävijät", "Återkommande besökare", "Returning visitors"),
    C("events", "Tapahtumat", "Evenemang", "Events"),
    C(
        "event_participants",
        "Tapahtumiin osallistuneet",
        "Deltagare i evenemang",
        "Event participants",
    ),
    C("event_attendances", "Tapahtumaosallistumiset", "Evenemangsdeltaganden", "Event attendances"),
    AUTO_CHECKOUTS,
)

INDICATORS = (
    C("period", "Kausi", "Period", "Period"),
    C("indicator", "Indikaattori", "Indikator", "Indicator"),
    C("measure", "Mittari", "Mått", "Measure"),
    C("breakdown", "Jaottelu", "Indelning", "Breakdown"),
    C("category", "Luokka", "Klass", "Category"),
    C("value", "Kuukausi", "Månaden", "Month"),
    C(
        "cumulative",
        "Kertymä hankkeen alusta",
        "Sedan projektets början",
        "Since the project started",
    ),
)

# Words that appear as cell values.
LABELS: dict[str, dict[str, str]] = {
    "member": {"fi": "jäsen", "sv": "medlem", "en": "member"},
    "guest": {"fi": "vieras", "sv": "gäst", "en": "guest"},
    "anonymised": {"fi": "anonymisoitu", "sv": "anonymiserad", "en": "anonymised"},
    "card": {"fi": "kortti", "sv": "kort", "en": "card"},
    "manual": {"fi": "käsin", "sv": "manuellt", "en": "manual"},
    "automatic": {"fi": "automaattinen", "sv": "automatisk", "en": "automatic"},
    "guest_form": {"fi": "vieraslomake", "sv": "gästformulär", "en": "guest form"},
    "yes": {"fi": "kyllä", "sv": "ja", "en": "yes"},
    "no": {"fi": "ei", "sv": "nej", "en": "no"},
    # Indicator measures, breakdowns and categories.
    "enterprises": {
        "fi": "tuetut yritykset",
        "sv": "företag som får stöd",
        "en": "enterprises supported",
    },
    "support_enterprises": {
        "fi": "yritykset valmennuksissa, työpajoissa ja vertaisryhmissä",
        "sv": "företag i coachning, workshoppar och kamratgrupper",
        "en": "enterprises at coaching, workshops and peer groups",
    },
    "support_participations": {
        "fi": "osallistumiset valmennuksiin, työpajoihin ja vertaisryhmiin",
        "sv": "deltaganden i coachning, workshoppar och kamratgrupper",
        "en": "participations in coaching, workshops and peer groups",
    },
    "new_enterprises": {
        "fi": "tuetut uudet yritykset (alle 3 v)",
        "sv": "nya företag som får stöd (under 3 år)",
        "en": "new enterprises supported (under 3 years)",
    },
    "participants": {"fi": "osallistujat", "sv": "deltagare", "en": "participants"},
    "total": {"fi": "yhteensä", "sv": "totalt", "en": "total"},
    "size_class": {"fi": "kokoluokka", "sv": "storleksklass", "en": "size class"},
    "gender": {"fi": "sukupuoli", "sv": "kön", "en": "gender"},
    "age_band": {"fi": "ikäryhmä", "sv": "åldersgrupp", "en": "age band"},
    "micro": {"fi": "mikro", "sv": "mikro", "en": "micro"},
    "small": {"fi": "pieni", "sv": "litet", "en": "small"},
    "medium": {"fi": "keskisuuri", "sv": "medelstort", "en": "medium"},
    "large": {"fi": "suuri", "sv": "stort", "en": "large"},
    "woman": {"fi": "nainen", "sv": "kvinna", "en": "woman"},
    "man": {"fi": "mies", "sv": "man", "en": "man"},
    "non_binary": {"fi": "muunsukupuolinen", "sv": "icke-binär", "en": "non-binary"},
    "not_said": {"fi": "ei halua kertoa", "sv": "vill inte säga", "en": "prefers not to say"},
    "under_30": {"fi": "alle 30", "sv": "under 30", "en": "under 30"},
    "30_54": {"fi": "30–54", "sv": "30–54", "en": "30–54"},
    "55_plus": {"fi": "55+", "sv": "55+", "en": "55+"},
    "not_given": {"fi": "ei tietoa", "sv": "uppgift saknas", "en": "not given"},
}

WEEKDAYS = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

# Finnish and Swedish spreadsheets read "12.5" as a date (12 May); they want "12,5".
DECIMAL_MARK = {"fi": ",", "sv": ",", "en": "."}

TOPIC_HEADER = {"fi": "Aihe: {}", "sv": "Ämne: {}", "en": "Topic: {}"}


def label(word: str, language: str) -> str:
    """The cell value for ``word`` (a key of :data:`LABELS`) in ``language``."""
    return LABELS[word][check_language(language)]


def decimal(value: float, language: str, places: int = 1) -> str:
    """``value`` rounded to ``places`` decimals with the language's decimal mark."""
    return f"{value:.{places}f}".replace(".", DECIMAL_MARK[check_language(language)])


def headers(columns: tuple[Column, ...], language: str) -> list[str]:
    """The header row for ``columns`` in ``language``."""
    return [column.header(language) for column in columns]


def topic_column(topic: str) -> Column:
    """The column for one help topic (topics come from the ``HELP_TOPICS`` setting)."""
    return Column(
        f"topic_{topic}",
        TOPIC_HEADER["fi"].format(topic),
        TOPIC_HEADER["sv"].format(topic),
        TOPIC_HEADER["en"].format(topic),
    )
