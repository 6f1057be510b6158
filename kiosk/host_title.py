"""What the door calls the space's host, in every grammatical form the screens need.

Yritystankkaamo calls its host "heimopäällikkö" (chieftain), and other spaces may say
"isäntä" or "emäntä". Finnish inflects the word (heimopäällikölle, heimopäälliköltä…), so
the setting names a title and this module knows its forms; a title not in the table can be
given with all its forms, separated by slashes, in the order of :data:`FINNISH_FORMS`.
Swedish and English follow from the title: they use the plain word for the role.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import KioskError

FINNISH_FORMS = ("nom", "gen", "par", "all", "abl", "plural", "plural_all")
"""Nominative, genitive, partitive, allative, ablative, plural nominative, plural allative."""

KNOWN_FINNISH: dict[str, tuple[str, ...]] = {
    "heimopäällikkö": (
        "heimopäällikkö",
        "heimopäällikön",
        "heimopäällikköä",
        "heimopäällikölle",
        "heimopäälliköltä",
        "heimopäälliköt",
        "heimopäälliköille",
    ),
    "isäntä": ("isäntä", "isännän", "isäntää", "isännälle", "isännältä", "isännät", "isännille"),
    "emäntä": ("emäntä", "emännän", "emäntää", "emännälle", "emännältä", "emännät", "emännille"),
    "vastaanottaja": (
        "vastaanottaja",
        "vastaanottajan",
        "vastaanottajaa",
        "vastaanottajalle",
        "vastaanottajalta",
        "vastaanottajat",
        "vastaanottajille",
    ),
}

# Swedish and English: (definite singular, genitive, plural), one per Finnish title.
OTHER_LANGUAGES: dict[str, dict[str, tuple[str, str, str]]] = {
    "emäntä": {
        "sv": ("värdinnan", "värdinnans", "värdinnorna"),
        "en": ("the host", "the host's", "the hosts"),
    },
}
DEFAULT_OTHER = {
    "sv": ("värden", "värdens", "värdarna"),
    "en": ("the host", "the host's", "the hosts"),
}


class UnknownHostTitle(KioskError, ValueError):
    """The title is not in the table and was not given with all its forms."""


@dataclass(frozen=True)
class HostWords:
    """The host's title in one language, by the role it plays in a sentence.

    ``subject`` is who does something ("… will come"), ``object`` who is asked or waited
    for, ``to`` who receives ("send to …"), ``from_`` who is asked for something ("ask … for
    help"), ``with_`` who one is with ("a chat with …"), ``of`` the owner ("…'s name"),
    ``plural`` and ``plural_to`` for all hosts.
    """

    subject: str
    object: str
    to: str
    from_: str
    with_: str
    of: str
    plural: str
    plural_to: str

    @property
    def Subject(self) -> str:
        """``subject`` with a capital first letter, to begin a sentence."""
        return self.subject[:1].upper() + self.subject[1:]

    @property
    def Plural(self) -> str:
        """``plural`` with a capital first letter, to begin a sentence."""
        return self.plural[:1].upper() + self.plural[1:]


def finnish_forms(title: str) -> tuple[str, ...]:
    """Return the Finnish forms of ``title`` (a known title, or all forms slash-separated)."""
    cleaned = title.strip()
    if cleaned.lower() in KNOWN_FINNISH:
        return KNOWN_FINNISH[cleaned.lower()]
    parts = tuple(part.strip() for part in cleaned.split("/"))
    if len(parts) == len(FINNISH_FORMS) and all(parts):
        return parts
    known = ", ".join(sorted(KNOWN_FINNISH))
    raise UnknownHostTitle(
        f"host title {title!r} is not one the kiosk knows ({known}); give all its forms "
        f"separated by slashes: {'/'.join(FINNISH_FORMS)}"
    )


def host_words(title: str, language: str) -> HostWords:
    """Return the host's title for ``language`` (fi, sv, en), in each sentence role."""
    forms = finnish_forms(title)
    if language == "fi":
        nom, gen, par, allative, ablative, plural, plural_all = forms
        return HostWords(nom, par, allative, ablative, gen, gen, plural, plural_all)
    word, genitive, plural = OTHER_LANGUAGES.get(forms[0].lower(), DEFAULT_OTHER).get(
        language, DEFAULT_OTHER["en"]
    )
    return HostWords(word, word, word, word, word, genitive, plural, plural)
