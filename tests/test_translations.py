"""Every string the app shows is translated in fi, sv and en, and the .mo files are current.

The strings are extracted in memory with Babel's own extractor and babel.cfg, exactly as
`pybabel extract` does, so a string added to a template or to Python code without running the
catalogue update fails here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "kiosk" / "translations"
LANGUAGES = ("fi", "sv", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    try:
        from babel.messages.frontend import parse_mapping_cfg
    except ImportError:  # Babel < 2.14
        from babel.messages.frontend import parse_mapping as parse_mapping_cfg
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        return parse_mapping_cfg(handle)


@cache
def used_messages() -> dict[str, str]:
    """Every msgid in templates and Python code, with the first place it is used."""
    method_map, options_map = _mapping()
    keywords = dict(DEFAULT_KEYWORDS, _l=None)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _key(value: object) -> object:
    # Plural messages carry a tuple or list of forms; make them comparable and hashable.
    return tuple(value) if isinstance(value, list | tuple) else value


def _forms(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def load_po(language: str):
    """The language's .po catalogue."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def test_the_extractor_finds_the_door_and_staff_strings() -> None:
    used = used_messages()
    # A guard against a broken babel.cfg that extracts nothing and so passes everything.
    assert "How are you?" in used and "Here now" in used
    assert any(where.startswith("kiosk/") for where in used.values())
    assert any(where.startswith("templates/") for where in used.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_string_in_use(language: str) -> None:
    catalogue = load_po(language)
    problems = []
    for msgid, where in sorted(used_messages().items()):
        message = catalogue.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif not all(_forms(message.string)):
            problems.append(f"untranslated: {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif any(
            set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(form))
            for form in _forms(message.string)
        ):
            problems.append(f"placeholders differ: {msgid!r} -> {message.string!r}")
    assert problems == [], (
        f"{len(problems)} problems in {language}/messages.po; run the pybabel commands in the "
        "README's Development section:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language: str) -> None:
    expected = {
        _key(message.id): _key(message.string)
        for message in load_po(language)
        if message.id and message.string and not message.fuzzy
    }
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = {
            _key(message.id): _key(message.string) for message in read_mo(handle) if message.id
        }
    stale = sorted(
        msgid
        for msgid in expected.keys() | compiled.keys()
        if expected.get(msgid) != compiled.get(msgid)
    )
    assert stale == [], (
        f"{language}/messages.mo is not compiled from the current .po; run "
        f"`pybabel compile -d kiosk/translations`. Differing: {stale[:10]}"
    )


def test_finnish_and_swedish_are_really_translated() -> None:
    # English msgids copied into fi or sv would pass the checks above; a few common screen
    # words must differ from the English.
    for language in ("fi", "sv"):
        catalogue = load_po(language)
        for msgid in ("How are you?", "I'm a guest", "Here now", "Log in"):
            assert catalogue.get(msgid).string != msgid, (language, msgid)
