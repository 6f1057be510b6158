"""Badges for the kiosk: layout with Pillow, output through python-escpos. No Flask, no database.

- :mod:`printer.badge`, :mod:`printer.cards`, :mod:`printer.rollcall`: what is drawn;
- :mod:`printer.text`, :mod:`printer.qr`: bundled fonts with per-character fallback, QR codes;
- :mod:`printer.jobs`: job kinds and their payloads;
- :mod:`printer.encode`: a 1-bit image as ESC/POS raster bytes;
- :mod:`printer.transports`: one small class per connection, picked by ``KIOSK_PRINTER``;
- :mod:`printer.errors`: PrinterUnavailable, PaperOut and the other named errors.
"""
