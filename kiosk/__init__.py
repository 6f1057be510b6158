"""Tankkaamo kiosk: visitor check-in for Yritystankkaamo.

The modules here are the domain, plain Python with the clock passed in: visits, members,
guests, moods, events, cards, stats. Around them: ``web/`` (everything Flask), ``cli/`` (click
commands), ``reports/``, ``privacy/``, ``printing/`` and ``demo/``.
"""
