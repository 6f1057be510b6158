"""CLI commands for the printer area (being built in this session)."""

import click


def register(group: click.Group) -> None:
    """Add this area's commands to the ``kiosk`` group."""
