"""The optional indicator classes: editable on a member's page, offered on the guest form."""

from __future__ import annotations

from tests.web_helpers import csrf_token as door_csrf

from .conftest import post


def test_staff_set_and_clear_a_members_profile_classes(admin, appdb, add) -> None:
    member_id = add("Tiina Ääni", company="Äänekosken Ääni Oy")
    url = f"/staff/members/{member_id}"
    page = admin.get(url).text
    assert "Size of the company" in page and "only ever reported as totals" in page
    answers = {"size_class": "micro", "company_new": "yes", "gender": "woman", "age_band": "30_54"}
    saved = post(admin, url, url, name="Tiina Ääni", company="Äänekosken Ääni Oy", **answers)
    assert saved.status_code == 302
    row = appdb["members"].get(member_id)
    assert (row["size_class"], row["company_new"], row["gender"], row["age_band"]) == (
        "micro", 1, "woman", "30_54")  # fmt: skip
    page = admin.get(url).text
    assert '<option value="micro" selected>' in page and '<option value="yes" selected>' in page
    cleared = post(admin, url, url, name="Tiina Ääni", company="Äänekosken Ääni Oy")
    assert cleared.status_code == 302
    row = appdb["members"].get(member_id)
    assert (row["size_class"], row["company_new"], row["gender"], row["age_band"]) == (
        None, None, None, None)  # fmt: skip


def test_an_answer_outside_the_choices_is_refused_and_nothing_changes(admin, appdb, add) -> None:
    member_id = add("Olli Ääni")
    url = f"/staff/members/{member_id}"
    refused = post(admin, url, url, name="Olli Ääni", gender="robot")
    assert refused.status_code == 400 and "Please choose one of the options." in refused.text
    assert appdb["members"].get(member_id)["gender"] is None


def test_a_guest_may_answer_the_optional_questions(app, appdb) -> None:
    client = app.test_client()
    form = client.get("/guest").text
    assert "Vapaaehtoinen: muutama tieto rahoittajallemme" in form
    signed = client.post(
        "/guest",
        data={"name": "Pekka Vieras", "consent": "1", "size_class": "small", "age_band": "55_plus",
              "csrf_token": door_csrf(client, "/guest")},
    )  # fmt: skip
    assert signed.status_code == 302
    guest = appdb["guests"].get(1)
    assert (guest["size_class"], guest["age_band"], guest["gender"]) == ("small", "55_plus", None)
