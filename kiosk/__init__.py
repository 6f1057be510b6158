"""Tankkaamo kiosk: visitor check-in for Yritystankkaamo.

The modules here are the domain, plain Python with the clock passed in: visits, members,
guests, moods, events, cards, stats. Around them: ``web/`` (everything Flask), ``cli/`` (click
commands), ``reports/``, ``privacy/``, ``printing/`` and ``demo/``.
"""

import sys as _sys

# sqlite-utils imports numpy and pandas whenever they are installed, only to accept their values
# in inserts, and the kiosk never passes any. numpy is installed for the scanner's OpenCV;
# loaded into the web app it cost 14 MB resident for nothing. So sqlite-utils is loaded here,
# first, with both hidden; afterwards they import as usual (the scanner's own import of
# numpy is untouched, and a process that has numpy already keeps sqlite-utils' support).
if "sqlite_utils" not in _sys.modules and "numpy" not in _sys.modules:
    _sys.modules.update(numpy=None, pandas=None)  # None: "import numpy" raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del _sys.modules["numpy"], _sys.modules["pandas"]
