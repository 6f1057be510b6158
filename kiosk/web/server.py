"""The production HTTP server: waitress, with limits that keep the door's check-ins flowing.

Waitress stops accepting *every* connection once ``connection_limit`` sockets are open, so a
single LAN host holding a hundred idle sockets used to lock the scanner out as well. Here a
client address may hold only a few connections at once, other addresses together may never
take the last ``loopback_reserve`` slots, and the kiosk itself (127.0.0.1, where its scanner
posts from) is never refused. Idle or unfinished connections are closed after
``channel_timeout`` seconds.

Behind a reverse proxy waitress sets ``REMOTE_ADDR`` from the proxy's ``X-Forwarded-For``
(its ``trusted_proxy`` settings), so the app sees each client's own address.
"""

from __future__ import annotations

import logging
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from kiosk.settings import Settings

# Exactly the kiosk's own address: the rest of 127.0.0.0/8 counts as any other client.
KIOSK_ITSELF = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})

log = logging.getLogger("kiosk.server")


class GuardedServer(TcpWSGIServer):
    """A waitress TCP server that caps connections per client address.

    Connections over a cap are closed as soon as they are accepted, before a byte is read,
    so they cost no thread and no buffer.
    """

    max_per_address = 16
    loopback_reserve = 50
    refused = 0

    def _open_connections(self, host: str) -> tuple[int, int]:
        """Connections open from ``host``, and from every address but the kiosk's own."""
        mine = others = 0
        for channel in list(self._map.values()):
            if not isinstance(channel, HTTPChannel):
                continue
            address = channel.addr[0] if isinstance(channel.addr, tuple) else ""
            if address == host:
                mine += 1
            if address not in KIOSK_ITSELF:
                others += 1
        return mine, others

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
            if accepted is None:
                return
            conn, addr = accepted
            self.set_socket_options(conn)
        except OSError:
            if self.adj.log_socket_errors:
                self.logger.warning("server accept() threw an exception", exc_info=True)
            return
        addr = self.fix_addr(addr)
        host = addr[0] if isinstance(addr, tuple) else ""
        if host not in KIOSK_ITSELF:
            mine, others = self._open_connections(host)
            shared = self.adj.connection_limit - self.loopback_reserve
            if mine >= self.max_per_address or others >= shared:
                type(self).refused += 1
                if type(self).refused % 100 == 1:
                    log.warning("refusing connections from %s: too many open at once", host)
                conn.close()
                return
        self.channel_class(self, conn, addr, self.adj, map=self._map)


def waitress_settings(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """The waitress adjustments for the kiosk's settings."""
    adjustments: dict[str, Any] = {
        "host": host,
        "port": port,
        "threads": settings.threads,
        "channel_timeout": settings.channel_timeout_seconds,
        # Look for idle channels often, or a timeout of seconds would wait for the sweep.
        "cleanup_interval": max(1, min(30, settings.channel_timeout_seconds // 2)),
        "connection_limit": settings.connection_limit,
        "ident": "tankkaamo-kiosk",
    }
    hops = settings.proxy_hops
    if hops > 0:
        adjustments.update(
            trusted_proxy=settings.trusted_proxy,
            trusted_proxy_count=hops,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
            clear_untrusted_proxy_headers=True,
        )
    return adjustments


def serve(app: Any, settings: Settings, host: str, port: int) -> None:
    """Serve the WSGI ``app`` until interrupted, with the kiosk's connection limits."""
    adj = Adjustments(**waitress_settings(settings, host, port))
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    shared_map: dict[int, Any] = {}
    servers = []
    for sockinfo in adj.listen:
        server = GuardedServer(app, shared_map, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo)
        server.max_per_address = settings.max_connections_per_address
        server.loopback_reserve = min(settings.loopback_reserve, adj.connection_limit - 1)
        servers.append(server)
    servers[-1].run()  # one asyncore loop serves every socket in the shared map
