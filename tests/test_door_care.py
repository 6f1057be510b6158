"""The door's words: a hard day answered with care, one host title, an accurate privacy notice,
the accessibility statement, and the brief note a busy screen shows after a scan."""

from __future__ import annotations

import re

import pytest

from kiosk.host_title import UnknownHostTitle, host_words
from kiosk.settings import ConfigError
from kiosk.web import create_app
from tests.factories import gen_member
from tests.web_helpers import csrf_token, visible_text


def make_app(tmp_path, clock, db_path, **settings):
    config = {
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE": str(db_path),
        "CLOCK": clock,
        "DEMO_DATA": False,
        "PRINTER": f"preview:{tmp_path / 'badges'}",
    }
    config.update(settings)
    return create_app(config)


@pytest.fixture
def client(tmp_path, clock, db_path):
    return make_app(tmp_path, clock, db_path).test_client()


def greet(client, db, clock, name="Anna Virtanen", **member):
    """Scan a new member at the door; return the greeting's URL."""
    _id, token = gen_member(db, clock.now(), name, **member)
    response = client.post("/scan", data={"code": token, "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    return response.location


def answer_mood(client, greeting: str, mood: int) -> str:
    page = client.get(greeting)
    action = re.search(r'action="([^"]+/mood)"', page.text).group(1)
    after = client.post(
        action, data={"mood": str(mood), "csrf_token": csrf_token(client, greeting)}
    )
    return visible_text(client.get(after.location).text)


@pytest.mark.parametrize(
    ("language", "mood", "expected", "support"),
    [
        ("fi", 4, "Raskaita päiviä tulee kaikille", "09 2525 0111"),
        ("fi", 5, "Kiitos, että kerroit, Anna.", "09 2525 0111"),
        ("sv", 4, "Alla har tunga dagar", "09 2525 0112"),
        ("en", 5, "Everyone has heavy days", "09 2525 0116"),
    ],
)
def test_a_heavy_day_gets_care_and_a_gentle_offer(
    client, db, clock, language, mood, expected, support
):
    text = answer_mood(client, greet(client, db, clock, language=language), mood)
    assert expected in text and support in text
    # Still a choice: the chat, the topics and a way out without sending anything.
    assert "Kiitos, Anna." not in text


@pytest.mark.parametrize("mood", [1, 2, 3])
def test_a_good_day_gets_the_plain_follow_up(client, db, clock, mood):
    text = answer_mood(client, greet(client, db, clock), mood)
    assert "Kiitos, Anna." in text and "Haluaisitko jutella heimopäällikön kanssa" in text
    assert "Kriisipuhelin" not in text


def test_the_host_title_is_one_setting_used_on_every_screen(tmp_path, clock, db_path, db):
    client = make_app(tmp_path, clock, db_path, HOST_TITLE="isäntä").test_client()
    assert "Kysy apua isännältä." in visible_text(client.get("/refused/not_found").text)
    text = answer_mood(client, greet(client, db, clock), 2)
    assert "Haluaisitko jutella isännän kanssa" in text and "Lähetä isännälle" in text
    assert "heimopäällik" not in text.lower()


def test_the_default_host_title_and_its_swedish_and_english(client):
    assert "Kysy apua heimopäälliköltä." in visible_text(client.get("/refused/not_found").text)
    assert host_words("heimopäällikkö", "sv").Subject == "Värden"
    assert host_words("heimopäällikkö", "en").from_ == "the host"
    assert host_words("heimopäällikkö", "fi").to == "heimopäällikölle"


def test_an_unknown_host_title_needs_its_forms(tmp_path, clock, db_path):
    with pytest.raises(ConfigError, match="KIOSK_HOST_TITLE"):
        make_app(tmp_path, clock, db_path, HOST_TITLE="päällysmies")
    forms = "ohjaaja/ohjaajan/ohjaajaa/ohjaajalle/ohjaajalta/ohjaajat/ohjaajille"
    app = make_app(tmp_path, clock, db_path, HOST_TITLE=forms)
    text = visible_text(app.test_client().get("/refused/not_found").text)
    assert "Kysy apua ohjaajalta." in text
    with pytest.raises(UnknownHostTitle):
        host_words("ohjaaja/ohjaajan", "fi")


def test_the_privacy_notice_says_reports_hold_names_and_the_real_retention(
    tmp_path, clock, db_path
):
    client = make_app(tmp_path, clock, db_path, RETENTION_MONTHS=18).test_client()
    text = visible_text(client.get("/privacy").text)
    assert "only totals" not in text and "vain kokonaismääriä" not in text
    assert "kuukausiraporteista sisältää kävijöiden nimet" in text
    assert "18 kuukauden kuluttua" in text and "24" not in text
    client = make_app(tmp_path, clock, db_path, RETENTION_MONTHS=0).test_client()
    assert "kunnes pyydät poistamaan ne" in visible_text(client.get("/privacy").text)


def test_the_accessibility_statement_in_three_languages_and_linked(client):
    for code, heading, authority in [
        ("fi", "Saavutettavuusseloste", "Valvontaviranomainen"),
        ("sv", "Tillgänglighetsutlåtande", "Tillsynsmyndighet"),
        ("en", "Accessibility statement", "Supervising authority"),
    ]:
        client.get(f"/language/{code}")
        text = visible_text(client.get("/accessibility").text)
        assert heading in text and authority in text and "WCAG 2.1" in text
    client.get("/language/fi")
    for page in ("/", "/privacy", "/staff/login"):
        assert 'href="/accessibility"' in client.get(page).text, page


def test_a_busy_screen_learns_only_the_first_name_of_who_scanned(client, db, clock):
    greeting = greet(client, db, clock, "Anna Virtanen", language="sv")
    answer = client.get(greeting + "/brief")
    assert answer.json == {"first_name": "Anna", "result": "checked_in"}
    # The form on screen stays in its own language: Anna's Swedish is not taken up.
    assert "Tervetuloa Yritystankkaamoon" in visible_text(client.get("/").text)
    assert client.get("/hello/forged.token.sig/brief").status_code == 404
