"""Ten dashboards, the door screen and a burst of scans on the real server (waitress).

The figures are printed (run with ``-s`` to see them) and also come from
``bench/dashboard_load.py``; this test checks only the outcome: no scan refused or lost,
no live connection refused, and every dashboard told about every check-in.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dashboard_load.py"


def _bench():
    spec = importlib.util.spec_from_file_location("dashboard_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_ten_dashboards_and_a_burst_of_scans() -> None:
    bench = _bench()
    figures = bench.run(scans=200, dashboards=10, workers=16)
    print("\n" + bench.report(figures))
    assert figures["statuses"] == [200]
    assert figures["results"] == ["checked_in"]
    assert len(figures["visit_ids"]) == 200
    assert figures["stream_statuses"] == [200] * 11
    for received in figures["presence_visit_ids"]:
        assert received == figures["visit_ids"]
    assert figures["door_events"] == 200
    assert figures["health_status"] == 200
