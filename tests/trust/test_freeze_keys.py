"""Registrations get the anonymous key of their person in their event's local month."""

from __future__ import annotations

from kiosk.privacy.freeze import forget_keys, registration_keys
from tests.conftest import HELSINKI


def test_registrations_get_the_key_of_their_events_local_month(db):
    # 30 September 22:30 UTC is already 1 October in Helsinki.
    db["members"].insert({"id": 1, "name": "A", "first_name": "A", "created_at": "x",
                          "updated_at": "x"})  # fmt: skip
    late, early = (
        int(db["events"].insert({"title": title, "starts_at": starts, "ends_at": starts,
                                 "created_at": "x"}).last_pk)
        for title, starts in (("late", "2026-09-30T22:30:00.000000+00:00"),
                              ("early", "2026-09-30T20:30:00.000000+00:00"))
    )  # fmt: skip
    for event in (late, early):
        db["event_registrations"].insert({"event_id": event, "member_id": 1, "registered_at": "x"})
    db["report_keys"].insert({"month": "2026-10", "person": "m1", "key": "kOCT"})
    found = registration_keys(db, HELSINKI)
    assert found == [(1, "kOCT")]  # the late one; the early one is in September
    db["report_keys"].insert({"month": "2026-09", "person": "m1", "key": "kSEP"})
    assert sorted(registration_keys(db, HELSINKI)) == [(1, "kOCT"), (2, "kSEP")]


def test_keys_of_finished_months_can_go_a_few_at_a_time(db):
    db["report_keys"].insert_all(
        {"month": month, "person": f"m{n}", "key": f"k{month}{n}"}
        for month in ("2026-08", "2026-09", "2026-10")
        for n in range(3)
    )
    assert forget_keys(db, before_month="2026-10", limit=4) == 4
    assert forget_keys(db, before_month="2026-10", limit=4) == 2
    assert forget_keys(db, before_month="2026-10", limit=4) == 0
    assert [row[0] for row in db.execute("SELECT DISTINCT month FROM report_keys")] == ["2026-10"]
