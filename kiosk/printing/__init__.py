"""Printing: the print queue, guest badges, event name tags and member cards.

Layout and transports live in the top-level ``printer`` package; this package decides what
to print and keeps the queue."""
