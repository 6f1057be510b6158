"""``python -m kiosk`` runs the ``kiosk`` command."""

from kiosk.cli import main

main()
