"""Members (admins): add, edit, consent, cards, erasure, and the quiet regulars list."""

from __future__ import annotations

from datetime import timedelta

from kiosk.cards import active_member_token
from kiosk.members import quiet_regulars
from kiosk.timeutil import to_db
from tests.staff.conftest import post


def _actions(appdb) -> list[str]:
    return [
        row["action"]
        for row in appdb.query(
            "SELECT action FROM audit_log WHERE action != 'staff.login' ORDER BY id"
        )
    ]


def test_add_a_member_with_everything(admin, appdb) -> None:
    response = post(
        admin,
        "/staff/members/new",
        "/staff/members/new",
        name="Liisa Mäkinen",
        company="Mäkisen Leipomo",
        email="Liisa@Example.fi",
        interests="leivonta",
        language="sv",
        approach_ok="1",
        research_consent="1",
        consent="1",
    )
    assert response.status_code == 302
    member = list(appdb.query("SELECT * FROM members"))[0]
    assert member["name"] == "Liisa Mäkinen" and member["email"] == "liisa@example.fi"
    assert member["language"] == "sv" and member["approach_ok"] == 1
    assert member["research_consent"] == 1 and member["consent_version"] == "2026-11"
    assert active_member_token(appdb, member["id"]).startswith("TK1-")
    assert "member.add" in _actions(appdb)


def test_a_bad_form_is_shown_again_with_the_message(admin, appdb) -> None:
    response = post(
        admin, "/staff/members/new", "/staff/members/new", name="Liisa", business_id="1234567-8"
    )
    assert response.status_code == 400
    assert "not a valid business ID" in response.text
    assert 'value="Liisa"' in response.text
    assert appdb["members"].count == 0


def test_edit_a_member(admin, appdb, add) -> None:
    member_id = add("Anna Virtanen", language="fi")
    page = admin.get(f"/staff/members/{member_id}").text
    assert "Anna Virtanen" in page and "Not accepted yet." in page
    post(
        admin,
        f"/staff/members/{member_id}",
        f"/staff/members/{member_id}",
        name="Anna Virtanen-Koski",
        interests="puutarhat",
        language="en",
        approach_ok="1",
    )
    row = appdb["members"].get(member_id)
    assert row["name"] == "Anna Virtanen-Koski" and row["language"] == "en"
    assert row["interests"] == "puutarhat" and row["approach_ok"] == 1
    assert row["research_consent"] == 0
    post(admin, f"/staff/members/{member_id}", f"/staff/members/{member_id}/consent")
    assert appdb["members"].get(member_id)["consent_version"] == "2026-11"
    assert "Accepted version 2026-11" in admin.get(f"/staff/members/{member_id}").text


def test_search_shows_consent_status(admin, add) -> None:
    add("Anna Virtanen", consent_version="2026-11")
    add("Aarne Old", consent_version="2020-01")
    add("Mikko Korhonen")
    page = admin.get("/staff/members?q=a").text
    assert "Anna Virtanen" in page and "Aarne Old" in page and "Mikko Korhonen" not in page
    assert "accepted" in page and "older version" in page


def test_reissue_and_revoke_a_card(admin, appdb, add) -> None:
    member_id = add("Anna Virtanen")
    old = active_member_token(appdb, member_id)
    page = f"/staff/members/{member_id}"
    post(admin, page, f"/staff/members/{member_id}/card/reissue")
    new = active_member_token(appdb, member_id)
    assert new != old
    post(admin, page, f"/staff/members/{member_id}/card/revoke")
    assert "No active card." in admin.get(page).text
    assert admin.get(f"/staff/members/{member_id}/card.png").status_code == 409
    assert _actions(appdb) == ["card.reissue", "card.revoke"]


def test_print_and_download_a_card(admin, appdb, add) -> None:
    member_id = add("Anna Virtanen", company="Puutarha")
    post(admin, f"/staff/members/{member_id}", f"/staff/members/{member_id}/card/print")
    job = list(appdb.query("SELECT kind, payload FROM print_jobs"))[0]
    assert job["kind"] == "member_card"
    assert active_member_token(appdb, member_id) in job["payload"]
    png = admin.get(f"/staff/members/{member_id}/card.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    pdf = admin.get(f"/staff/members/{member_id}/card.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert _actions(appdb) == ["card.print", "card.download_png", "card.download_pdf"]


def test_erasure_needs_the_box_ticked(admin, appdb, add) -> None:
    member_id = add("Anna Virtanen", email="anna@example.fi")
    page = f"/staff/members/{member_id}"
    assert post(admin, page, f"/staff/members/{member_id}/forget").status_code == 400
    assert appdb["members"].get(member_id)["name"] == "Anna Virtanen"
    assert post(admin, page, f"/staff/members/{member_id}/forget", confirm="1").status_code == 302
    row = appdb["members"].get(member_id)
    assert row["name"] == "" and row["email"] is None and row["forgotten_at"]
    assert admin.get(page).status_code == 404
    assert "member.forget" in _actions(appdb)


def test_deactivate_and_reactivate(admin, appdb, add) -> None:
    member_id = add("Anna Virtanen")
    page = f"/staff/members/{member_id}"
    post(admin, page, f"/staff/members/{member_id}/active", active="0")
    assert appdb["members"].get(member_id)["active"] == 0
    post(admin, page, f"/staff/members/{member_id}/active", active="1")
    assert appdb["members"].get(member_id)["active"] == 1


def _visits(appdb, member_id: int, days_ago: list[int], now) -> None:
    for days in days_ago:
        moment = now - timedelta(days=days)
        appdb["visits"].insert(
            {
                "member_id": member_id,
                "checked_in_at": to_db(moment),
                "checked_out_at": to_db(moment + timedelta(hours=2)),
                "checkin_method": "card",
            }
        )


def test_regulars_not_seen_for_four_weeks(admin, appdb, add, clock) -> None:
    now = clock.now()
    quiet = add("Kaisa Quiet")
    _visits(appdb, quiet, [35, 42, 49, 56, 63], now)
    still_coming = add("Ville Still")
    _visits(appdb, still_coming, [3, 35, 42, 49, 56], now)
    rare = add("Rauno Rare")
    _visits(appdb, rare, [35, 70], now)
    long_gone = add("Leena Longgone")
    _visits(appdb, long_gone, [200, 210, 220, 230], now)
    gone = add("Inactive Ilkka")
    _visits(appdb, gone, [35, 42, 49, 56], now)
    appdb["members"].update(gone, {"active": 0})
    names = [row["name"] for row in quiet_regulars(appdb, now)]
    assert names == ["Kaisa Quiet"]
    assert "Kaisa Quiet" in admin.get("/staff/members").text


def test_an_admin_downloads_everything_held_about_a_member(admin, host, appdb, add) -> None:
    member_id = add("Anna Virtanen", company="Virtasen Puutarha", email="anna@example.fi")
    token = active_member_token(appdb, member_id)
    assert host.get(f"/staff/members/{member_id}/data.json").status_code == 403
    response = admin.get(f"/staff/members/{member_id}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    export = response.get_json()
    assert export["member"]["name"] == "Anna Virtanen"
    assert export["member"]["email"] == "anna@example.fi"
    assert [card["token_hint"][-4:] for card in export["cards"]] == [token[-4:]]
    assert token not in response.text  # the export is not a door key
    actions = [r["action"] for r in appdb.query("SELECT action FROM audit_log")]
    assert "member.export" in actions
