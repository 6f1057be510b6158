"""Nothing about a person appears on any kiosk (door) page without their opt-in.

Every GET route of the app's URL map outside /staff is walked as an anonymous visitor, in
each language, with members present, checked in and registered for events. Only a member who
opted in on this visit appears, only on /board, only with first name, company and the topics
she chose, and she is gone after check-out.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk import events, here_today
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.visits import manual_check_in, process_scan
from tests.events.conftest import make_event, member

# Routes that are not pages: static files, and the live stream (it never ends; the door
# stream's own test shows it carries no names).
SKIP_PREFIXES = ("/staff", "/static", "/stream/")
SAMPLES = {
    "token": ["not-a-real-token", "eyJ2IjoxfQ.forged.signature"],
    "reason": ["unknown", "revoked", "not_found", "x"],
    "code": ["fi", "sv", "en"],
    "event_id": ["1"],
}


def door_get_urls(app: Flask) -> list[str]:
    """Every GET URL of the door, with sample values for the URL variables."""
    adapter = app.url_map.bind("localhost")
    urls: list[str] = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIP_PREFIXES) or "GET" not in rule.methods:
            continue
        combos: list[dict[str, str]] = [{}]
        for name in rule.arguments:
            combos = [{**c, name: value} for c in combos for value in SAMPLES[name]]
        urls += [adapter.build(rule.endpoint, values) for values in combos]
    return urls


@pytest.fixture
def house(app: Flask, appdb, clock):
    """A busy afternoon: who is where, and what each one must never show."""
    db, now = appdb, clock.now()
    workshop = make_event(db, now, "Hitsauksen työpaja", starts="09:00", ends="16:00", capacity="2")
    peer = make_event(db, now, "Vertaisryhmä", starts="17:00", ends="19:00")
    anna, anna_card = member(
        db,
        now,
        "Annukka Qvarnström",
        company="Qvarnströmin Kukkatarha",
        interests="ruusutarhat, pihasuunnittelu",
        can_help_with="kukkakimput",
        looking_for="kirjanpitäjä",
        email="annukka@example.fi",
        phone="+358401112223",
    )
    mikko, _ = member(
        db,
        now,
        "Mikkojoonas Hölttä-Xu",
        company="Hölttä-Xu Konepaja",
        interests="hitsausrobotiikka",
        can_help_with="kalustorahoitus",
        looking_for="verkkokauppa",
    )
    elsa, _ = member(
        db, now, "Elsabet Zachrisson", company="Zachrisson Grafik", interests="logotyper"
    )
    sam, sam_card = member(
        db, now, "Samwise Okonkwo", company="Okonkwo Digital", interests="webshops"
    )
    guest = sign_in_guest(
        db,
        GuestForm(
            name="Gudrun Vieraslahti",
            company="Vieraslahden Oy",
            purpose="tutustuminen",
            host_name="Heimo",
            consent=True,
        ),
        now,
        "2026-11",
    )
    mikko_visit = manual_check_in(db, mikko, now)
    events.register(db, workshop, now, member_id=mikko, visit_id=mikko_visit)
    events.register(db, workshop, now, guest_id=guest.guest_id, visit_id=guest.visit_id)  # now full
    events.register(db, peer, now, member_id=elsa)  # registered, not here
    # Sam opted in on an earlier visit; that visit ended, and this one did not opt in.
    earlier = process_scan(db, sam_card, now)
    here_today.opt_in(db, earlier.visit_id, ["digi"], app.config["HELP_TOPICS"])
    clock.advance(minutes=30)
    process_scan(db, sam_card, clock.now())
    clock.advance(minutes=30)
    process_scan(db, sam_card, clock.now())
    # Annukka opts in on this visit, choosing one of the configured topics (her own profile
    # tags are never offered at the door).
    anna_visit = process_scan(db, anna_card, clock.now())
    here_today.opt_in(db, anna_visit.visit_id, ["rahoitus"], app.config["HELP_TOPICS"])
    never = [
        # people who did not opt in (this visit): nothing at all
        "Mikkojoonas",
        "Hölttä",
        "Konepaja",
        "hitsausrobotiikka",
        "kalustorahoitus",
        "verkkokauppa",
        "Elsabet",
        "Zachrisson",
        "logotyper",
        "Samwise",
        "Okonkwo",
        "webshops",
        "Gudrun",
        "Vieraslahti",
        "Vieraslahden",
        "tutustuminen",
        # the one who did: nothing beyond what she chose
        "Qvarnström ",
        "ruusutarhat",
        "pihasuunnittelu",
        "kukkakimput",
        "kirjanpitäjä",
        "annukka@",
        "1112223",
    ]
    shown = ["Annukka", "Qvarnströmin Kukkatarha"]
    return {"never": never, "shown": shown, "anna_card": anna_card}


def _texts(client: FlaskClient, urls: list[str]) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        pages[url] = response.get_data(as_text=True)
    return pages


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_no_door_page_shows_anyone_without_their_opt_in(app, house, language) -> None:
    client = app.test_client()  # the kiosk's own browser: a door device, nobody logged in
    client.get(f"/language/{language}")
    urls = door_get_urls(app)
    assert {"/", "/board", "/events/today", "/guest", "/forgot", "/privacy"} <= set(urls)
    assert any(url.startswith("/hello/") for url in urls)
    pages = _texts(client, urls)
    for url, html in pages.items():
        for secret in house["never"]:
            assert secret not in html, f"{secret!r} on {url}"
        if url != "/board":
            for shown in house["shown"]:
                assert shown not in html, f"{shown!r} on {url}"
    board = pages["/board"]
    for shown in house["shown"]:
        assert shown in board
    # The events themselves are public; "full" is shown without saying who.
    assert "Hitsauksen työpaja" in pages["/"] and 'class="today-full"' in pages["/"]


def test_the_opted_in_member_is_gone_after_check_out(app, house, clock, appdb) -> None:
    client = app.test_client()
    assert "Annukka" in client.get("/board").get_data(as_text=True)
    clock.advance(hours=1)
    assert process_scan(appdb, house["anna_card"], clock.now()).result == "checked_out"
    pages = _texts(client, door_get_urls(app))
    for url, html in pages.items():
        for shown in house["shown"]:
            assert shown not in html, f"{shown!r} on {url} after check-out"


def test_other_browsers_do_not_see_the_board(app, house) -> None:
    client = app.test_client()
    response = client.get("/board", environ_base={"REMOTE_ADDR": "192.168.1.77"})
    assert response.status_code == 403
    assert "Annukka" not in response.get_data(as_text=True)
