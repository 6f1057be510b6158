"""The production server's database connections: kept open, shared, and few."""

from __future__ import annotations

import threading

import pytest

from kiosk.settings import load_settings
from kiosk.web import create_app
from kiosk.web.db import ConnectionPool, get_db, pool_for


def test_the_last_connection_given_back_is_lent_first(db_path):
    pool = ConnectionPool(str(db_path))
    first, second = pool.take(), pool.take()
    pool.give_back(first)
    pool.give_back(second)
    assert pool.take() is second
    assert pool.take() is first
    for db in (first, second):
        db.close()


def test_connections_over_the_idle_limit_are_closed(db_path):
    import sqlite3

    pool = ConnectionPool(str(db_path), idle_limit=2)
    lent = [pool.take() for _ in range(3)]
    for db in lent:
        pool.give_back(db)
    assert pool.idle() == 2
    with pytest.raises(sqlite3.ProgrammingError):  # the third one, closed
        lent[2].execute("SELECT 1")
    for db in lent[:2]:
        assert db.execute("SELECT 1").fetchone() == (1,)
        db.close()


def test_an_unfinished_transaction_is_rolled_back_before_reuse(db_path):
    pool = ConnectionPool(str(db_path))
    db = pool.take()
    db.execute("BEGIN")
    db.execute("INSERT INTO known_companies VALUES ('puolivalmis', '1234567-8')")
    pool.give_back(db)
    again = pool.take()
    assert again is db
    assert not again.conn.in_transaction
    assert again.execute("SELECT count(*) FROM known_companies").fetchone() == (0,)
    again.close()


def test_requests_on_many_threads_share_one_connection(tmp_path, db_path):
    """As under waitress: each request on another thread, one after another."""
    settings = load_settings(
        {"DATABASE": str(db_path), "DEMO_DATA": False}, instance=tmp_path / "instance"
    ).replace(persistent_connections=True)
    app = create_app(settings=settings)
    seen = []

    def request() -> None:
        with app.app_context():
            seen.append(get_db())

    for _ in range(8):
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    assert len({id(db) for db in seen}) == 1
    kept = pool_for(str(db_path))
    assert kept.idle() == 1
    kept.take().close()
