"""Who is here: the live list, host alerts first (with the privacy rule), and the actions."""

from __future__ import annotations

from flask import Flask

from kiosk.clock import FixedClock
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.moods import record_mood, request_host
from kiosk.visits import manual_check_in
from tests.staff.conftest import make_app, post

TOPICS = ["rahoitus", "markkinointi", "digi", "verotus", "jaksaminen", "verkostot"]


def test_present_list_shows_name_company_time_and_kind(host, appdb, add, clock) -> None:
    anna = add("Anna Virtanen", company="Virtasen Puutarha")
    manual_check_in(appdb, anna, clock.now())  # 10:00 in Helsinki
    sign_in_guest(
        appdb,
        GuestForm(name="Greta Guest", host_name="Anna", consent=True),
        clock.advance(minutes=5),
        "v1",
    )
    page = host.get("/staff/").text
    assert "Anna Virtanen" in page and "Virtasen Puutarha" in page
    assert ">10:00<" in page and ">10:05<" in page  # local time, not UTC (08:00)
    assert "Greta Guest" in page and "Guest" in page and "Member" in page


def test_alerts_come_first_and_low_mood_only_with_consent(host, appdb, add, clock) -> None:
    open_one = manual_check_in(appdb, add("Olli Open", approach_ok=True), clock.now())
    private = manual_check_in(appdb, add("Pirjo Private", approach_ok=False), clock.now())
    chatty = manual_check_in(appdb, add("Cecilia Chat"), clock.now())
    record_mood(appdb, open_one, 5, clock.now())
    record_mood(appdb, private, 5, clock.now())
    request_host(
        appdb, chatty, clock.now(), wants_chat=True, topics=["rahoitus"], allowed_topics=TOPICS
    )
    page = host.get("/staff/").text
    alerts, _, rest = page.partition('id="present-title"')
    assert "Olli Open" in alerts and "Cecilia Chat" in alerts
    assert "Pirjo Private" not in alerts  # her low mood stays anonymous
    assert "Pirjo Private" in rest  # but she is on the present list
    assert "Would like to chat" in alerts and "Funding" in alerts
    assert "Low mood" in alerts


def test_marking_an_alert_handled(host, appdb, add, clock, app: Flask) -> None:
    visit = manual_check_in(appdb, add("Cecilia Chat"), clock.now())
    alert = request_host(
        appdb, visit, clock.now(), wants_chat=True, topics=[], allowed_topics=TOPICS
    )
    received = _listen(app)
    response = post(host, "/staff/", f"/staff/alerts/{alert}/handled")
    assert response.status_code == 302
    row = appdb["host_alerts"].get(alert)
    assert row["handled_by"] == "staff:hanna" and row["handled_at"]
    assert (
        "Cecilia Chat" not in host.get("/staff/present/fragment").text.partition("present-title")[0]
    )
    assert post(host, "/staff/", f"/staff/alerts/{alert}/handled").status_code == 404
    assert ("alert", alert) in [(event, data.get("alert_id")) for event, data in received()]


def _listen(app: Flask):
    import json

    broker = app.extensions["kiosk.broker"]
    _sub, inbox = broker.subscribe("staff")

    def drain() -> list[tuple[str, dict]]:
        items = []
        while not inbox.empty():
            event, payload = inbox.get_nowait()
            items.append((event, json.loads(payload)))
        return items

    return drain


def test_manual_check_out(host, appdb, add, clock, app: Flask) -> None:
    visit = manual_check_in(appdb, add("Anna Virtanen"), clock.now())
    received = _listen(app)
    assert post(host, "/staff/", f"/staff/visits/{visit}/check-out").status_code == 302
    row = appdb["visits"].get(visit)
    assert row["checkout_method"] == "manual" and row["checked_out_at"]
    assert "Anna Virtanen" not in host.get("/staff/present/fragment").text
    assert ("presence", visit) in [(e, d.get("visit_id")) for e, d in received()]
    assert post(host, "/staff/", f"/staff/visits/{visit}/check-out").status_code == 404
    audit = list(
        appdb.query("SELECT actor, action, target FROM audit_log WHERE action LIKE 'visit%'")
    )
    assert audit == [
        {"actor": "staff:hanna", "action": "visit.check_out", "target": f"visit:{visit}"}
    ]


def test_manual_check_in_by_search(host, appdb, add) -> None:
    anna = add("Anna Virtanen", company="Puutarha")
    add("Mikko Korhonen")
    page = host.get("/staff/check-in?q=virt").text
    assert "Anna Virtanen" in page and "Mikko Korhonen" not in page
    assert (
        post(host, "/staff/check-in?q=virt", "/staff/check-in", member_id=str(anna)).status_code
        == 302
    )
    visits = list(appdb.query("SELECT * FROM visits WHERE member_id = ?", [anna]))
    assert len(visits) == 1 and visits[0]["checkin_method"] == "manual"
    assert "Already here" in host.get("/staff/check-in?q=virt").text


def test_the_fragment_is_the_live_part_only(host, appdb, add, clock) -> None:
    manual_check_in(appdb, add("Anna Virtanen"), clock.now())
    fragment = host.get("/staff/present/fragment", headers={"X-Requested-With": "fetch"})
    assert fragment.status_code == 200
    assert "Anna Virtanen" in fragment.text and "<html" not in fragment.text


def test_the_fragment_and_stream_answer_401_not_a_login_page(app: Flask) -> None:
    client = app.test_client()
    assert (
        client.get("/staff/present/fragment", headers={"X-Requested-With": "fetch"}).status_code
        == 401
    )
    assert client.get("/staff/stream", headers={"Accept": "text/event-stream"}).status_code == 401


def test_the_stream_sends_presence_events(host, app: Flask) -> None:
    response = host.get("/staff/stream", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    app.extensions["kiosk.broker"].publish("staff", "presence", {"visit_id": 7})
    assert next(chunks) == b'event: presence\ndata: {"visit_id": 7}\n\n'
    response.close()
    assert app.extensions["kiosk.broker"].subscriber_count() == 0


def test_the_stream_is_refused_with_503_when_full(tmp_path, clock: FixedClock) -> None:
    from kiosk.db import connect
    from kiosk.staff_accounts import create_staff
    from tests.staff.conftest import PASSWORDS, log_in

    app = make_app(tmp_path, clock, MAX_STREAMS=0)
    db = connect(app.config["DATABASE"])
    create_staff(db, "hanna", PASSWORDS["host"], "host", clock.now())
    db.close()
    client = app.test_client()
    log_in(client, "hanna", PASSWORDS["host"])
    response = client.get("/staff/stream")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    # The page still works: it polls the fragment instead.
    page = client.get("/staff/").text
    assert (
        'data-poll-seconds="10"' in page and 'data-fragment-url="/staff/present/fragment"' in page
    )


def test_pages_have_no_inline_script_or_style(host, appdb, add, clock) -> None:
    manual_check_in(appdb, add("Anna Virtanen"), clock.now())
    for url in ("/staff/", "/staff/stats", "/staff/devices", "/staff/roll-call", "/staff/check-in"):
        html = host.get(url).text
        assert "<script>" not in html and " style=" not in html and "<style" not in html, url
        assert 'src="/static/js/staff.js"' in html
