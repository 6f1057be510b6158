"""A printer that never answers status requests still prints (a real pty as the serial line)."""

from __future__ import annotations

import os
import pty

import pytest

from printer.transports import open_transport


@pytest.mark.slow
def test_a_serial_printer_that_does_not_answer_status_is_unknown_not_offline():
    controller, device = pty.openpty()  # the far end never writes back, like many printers
    try:
        transport = open_transport(f"serial:{os.ttyname(device)}:115200", cut=False)
        status = transport.status()
        assert status.state == "unknown"
        assert status.can_print  # so the queue sends the badge anyway
    finally:
        os.close(controller)
        os.close(device)
