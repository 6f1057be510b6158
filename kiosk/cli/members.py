"""CLI commands for the members area."""

import click


def register(group: click.Group) -> None:
    """Add this area's commands to the ``kiosk`` group."""
