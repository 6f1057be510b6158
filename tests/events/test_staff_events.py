"""The staff side: events list, create/edit/cancel (admins), registrations, name tags,
introductions; every page behind the dashboard's login."""

from __future__ import annotations

import json
import re

import pytest

from kiosk import events
from kiosk.visits import manual_check_in
from tests.events.conftest import HELSINKI, at, csrf, make_event, post_form
from tests.web_helpers import visible_text

EVENT_FORM = {
    "title": "Somemarkkinoinnin työpaja",
    "kind": "työpaja",
    "day": "2026-11-26",
    "starts": "13:00",
    "ends": "16:00",
    "room": "Iso neuvotteluhuone",
    "capacity": "12",
    "host": "Heimo",
    "description": "Kuvat ja tekstit",
}


def _events_urls(app) -> list[tuple[str, str]]:
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.events."):
            url = adapter.build(rule.endpoint, {name: 1 for name in rule.arguments})
            found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_staff_events_route_refuses_anonymous_visitors(app) -> None:
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False  # so a POST reaches the login check, not CSRF
    urls = _events_urls(app)
    assert len(urls) >= 10
    for method, url in urls:
        assert url.startswith("/staff/events")
        response = client.open(url, method=method)
        assert response.status_code in {302, 401}, (method, url, response.status_code)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/staff/events/new"),
        ("POST", "/staff/events/new"),
        ("GET", "/staff/events/{id}/edit"),
        ("POST", "/staff/events/{id}/edit"),
        ("POST", "/staff/events/{id}/cancel"),
    ],
)
def test_hosts_cannot_change_events(app, host, appdb, clock, method, path) -> None:
    event_id = make_event(appdb, clock.now())
    token = csrf(host.get("/staff/events/").text)
    url = path.format(id=event_id)
    response = host.open(url, method=method, data={"csrf_token": token, **EVENT_FORM})
    assert response.status_code == 403
    assert events.get_event(appdb, event_id)["cancelled_at"] is None


def test_admin_creates_edits_and_cancels(admin, appdb) -> None:
    created = post_form(admin, "/staff/events/new", "/staff/events/new", **EVENT_FORM)
    assert created.status_code == 302
    [event] = list(appdb.query("SELECT * FROM events"))
    assert event["title"] == EVENT_FORM["title"] and event["capacity"] == 12
    assert event["host"] == "Heimo" and event["kind"] == "työpaja"
    detail = admin.get(created.location)
    assert "Somemarkkinoinnin työpaja" in visible_text(detail.text)
    edit_url = f"/staff/events/{event['id']}/edit"
    assert 'value="13:00"' in admin.get(edit_url).text
    changed = post_form(
        admin, edit_url, edit_url, **{**EVENT_FORM, "capacity": "", "ends": "17:00"}
    )
    assert changed.status_code == 302
    stored = events.get_event(appdb, event["id"])
    assert stored["capacity"] is None and events.form_from_event(stored, HELSINKI).ends == "17:00"
    cancel = post_form(admin, created.location, f"/staff/events/{event['id']}/cancel")
    assert cancel.status_code == 302
    assert events.get_event(appdb, event["id"])["cancelled_at"] is not None
    assert {row["action"] for row in appdb.query("SELECT action FROM audit_log")} >= {
        "event.create",
        "event.edit",
        "event.cancel",
    }


def test_invalid_form_is_shown_again_with_messages(admin, appdb) -> None:
    bad = {**EVENT_FORM, "ends": "12:00", "capacity": "0"}
    response = post_form(admin, "/staff/events/new", "/staff/events/new", **bad)
    assert response.status_code == 400
    text = visible_text(response.text)
    assert "end time after the start time" in text and "at least 1" in text
    assert 'value="Somemarkkinoinnin työpaja"' in response.text  # what was typed stays
    assert appdb["events"].count == 0


def test_registrations_and_one_tap_name_tags(host, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now(), capacity="10")
    names = ["Anna Virtanen", "Mikko Korhonen", "Elsa Lindqvist"]
    for name in names:
        member_id, _ = add(name, interests="rahoitus")
        events.register(appdb, event_id, clock.now(), member_id=member_id)
    page = host.get(f"/staff/events/{event_id}")
    text = visible_text(page.text)
    assert all(name in text for name in names)
    response = post_form(host, f"/staff/events/{event_id}", f"/staff/events/{event_id}/name-tags")
    assert response.status_code == 302 and "printed=3" in response.location
    jobs = list(appdb.query("SELECT kind, payload FROM print_jobs"))
    assert [j["kind"] for j in jobs] == ["name_tag"] * 3
    assert {json.loads(j["payload"])["name"] for j in jobs} == set(names)
    assert "3 name tags sent to the printer" in visible_text(host.get(response.location).text)
    # One more for a single person.
    reg_id = events.find_registration(appdb, event_id, member_id=1)["id"]
    post_form(
        host,
        f"/staff/events/{event_id}",
        f"/staff/events/{event_id}/name-tags",
        registration=str(reg_id),
    )
    assert appdb["print_jobs"].count == 4


def test_host_marks_attendance_and_removes_a_registration(host, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now())
    anna, _ = add("Anna Virtanen")
    reg = events.register(appdb, event_id, clock.now(), member_id=anna)
    url = f"/staff/events/{event_id}"
    post_form(host, url, f"{url}/registrations/{reg.id}/attended", attended="1")
    assert events.get_event(appdb, event_id)["attended"] == 1
    post_form(host, url, f"{url}/registrations/{reg.id}/attended", attended="0")
    assert events.get_event(appdb, event_id)["attended"] == 0
    post_form(host, url, f"{url}/registrations/{reg.id}/remove")
    assert events.get_event(appdb, event_id)["registered"] == 0


def test_the_list_shows_upcoming_events_with_counts(host, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now(), capacity="1")
    anna, _ = add("Anna Virtanen")
    events.register(appdb, event_id, clock.now(), member_id=anna)
    page = host.get("/staff/events/")
    assert page.status_code == 200
    row = re.search(r"<tr>.*?Somemarkkinoinnin työpaja.*?</tr>", page.text, re.S).group(0)
    assert "1 / 1" in visible_text(row) and "full" in visible_text(row)
    assert "New event" not in visible_text(page.text)  # hosts do not create events


def test_introductions_page_and_dismiss(host, appdb, clock, add) -> None:
    anna, _ = add("Anna Virtanen", can_help_with="somemarkkinointi")
    mikko, _ = add("Mikko Korhonen", looking_for="Somemarkkinointi")
    manual_check_in(appdb, anna, clock.now())
    manual_check_in(appdb, mikko, clock.now())
    page = host.get("/staff/events/introductions")
    text = visible_text(page.text)
    assert "Anna Virtanen could help Mikko Korhonen with:" in text and "Somemarkkinointi" in text
    response = post_form(
        host,
        "/staff/events/introductions",
        "/staff/events/introductions/dismiss",
        helper=str(anna),
        seeker=str(mikko),
    )
    assert response.status_code == 302
    assert "could help" not in visible_text(host.get(response.location).text)
    bad = post_form(
        host,
        "/staff/events/introductions",
        "/staff/events/introductions/dismiss",
        helper=str(anna),
        seeker=str(anna),
    )
    assert bad.status_code == 400


def test_reading_the_event_pages_writes_nothing(host, appdb, clock, add) -> None:
    # Anna registered and was in the house through the whole workshop: her attendance is
    # settled by the once-a-minute task or the next check-in, never by a host opening a page.
    event_id = make_event(appdb, at(7, day=25), starts="08:00", ends="09:30")
    anna, _ = add("Anna Virtanen")
    events.register(appdb, event_id, at(7), member_id=anna)
    appdb["visits"].insert(
        {"member_id": anna, "checked_in_at": "2026-11-26T05:30:00+00:00", "checkin_method": "card"}
    )
    before = appdb.execute("PRAGMA data_version").fetchone()[0]
    changes = appdb.conn.total_changes
    for path in ("/staff/events/", f"/staff/events/{event_id}"):
        assert host.get(path).status_code == 200
    assert appdb.execute("PRAGMA data_version").fetchone()[0] == before
    assert appdb.conn.total_changes == changes
    assert events.get_event(appdb, event_id)["attended"] == 0
    assert events.settle_attendance(appdb, clock.now()) == 1
