"""Host notifications: the outgoing queue, its channels (email, Teams) and who gets what.

Plain Python, no Flask. The web layer calls :mod:`kiosk.notify.dispatch` inside the same
transaction that records an alert or a guest, then :func:`kiosk.notify.worker.wake`; the
:class:`~kiosk.notify.worker.NotifyWorker` thread started by ``kiosk serve`` sends.
"""
