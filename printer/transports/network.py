"""``network:HOST[:PORT]``: a printer on the LAN, raw ESC/POS over TCP (port 9100)."""

from __future__ import annotations

import socket
from typing import Any

from printer.transports.base import EscposTransport

DEFAULT_PORT = 9100
TIMEOUT_SECONDS = 5.0  # a printer that does not answer within this is reported offline


def _network_class() -> type[Any]:
    from escpos.printer import Network

    class ClosingNetwork(Network):  # type: ignore[misc]
        """escpos' Network, except that a refused connection closes its socket.

        escpos 3.1 drops the socket without closing it when ``connect`` fails, which leaks a
        file descriptor on every retry while a printer is switched off.
        """

        def open(self, raise_not_found: bool = True) -> None:
            if self._device:
                self.close()
            self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)

    return ClosingNetwork


class NetworkTransport(EscposTransport):
    """escpos' ``Network`` printer; it answers status requests on the same socket."""

    kind = "network"
    can_read_status = True

    def __init__(self, host: str, port: int = DEFAULT_PORT) -> None:
        network = _network_class()
        self.host, self.port = host, port
        super().__init__(
            f"network:{host}:{port}",
            lambda: network(host, port=port, timeout=TIMEOUT_SECONDS),
        )
