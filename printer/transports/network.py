"""``network:HOST[:PORT]``: a printer on the LAN, raw ESC/POS over TCP (port 9100)."""

from __future__ import annotations

from printer.transports.base import EscposTransport

DEFAULT_PORT = 9100
TIMEOUT_SECONDS = 5.0  # a printer that does not answer within this is reported offline


class NetworkTransport(EscposTransport):
    """escpos' ``Network`` printer; it answers status requests on the same socket."""

    kind = "network"
    can_read_status = True

    def __init__(self, host: str, port: int = DEFAULT_PORT) -> None:
        from escpos.printer import Network

        self.host, self.port = host, port
        super().__init__(
            f"network:{host}:{port}",
            lambda: Network(host, port=port, timeout=TIMEOUT_SECONDS),
        )
