"""The kiosk command loads a command's module only when that command is asked for."""

from __future__ import annotations

import importlib

import click
from click.testing import CliRunner

from kiosk.cli import COMMAND_MODULES, KioskGroup, cli, modules_for


def test_each_module_adds_exactly_the_commands_named_for_it(monkeypatch):
    root = click.Group("kiosk")
    touched: set[str] = set()
    add_command = click.Group.add_command

    def recording(group: click.Group, command: click.Command, name: str | None = None) -> None:
        # A command added to the root is a top-level name; one added to a subgroup touches it.
        touched.add((name or command.name) if group is root else group.name)
        add_command(group, command, name)

    monkeypatch.setattr(click.Group, "add_command", recording)
    for module, names in COMMAND_MODULES.items():
        touched.clear()
        importlib.import_module(module).register(root)
        assert touched == set(names), module


def test_a_command_loads_its_own_area_only():
    assert modules_for("scanner") == ["kiosk.cli.scanner"]
    assert modules_for("research-export") == ["kiosk.cli.members", "kiosk.cli.privacy"]
    assert modules_for("no-such-command") == []


def test_the_member_group_has_its_export_whichever_command_came_first():
    for first in ("research-export", "member"):
        group = KioskGroup("kiosk")
        ctx = click.Context(group)
        assert group.get_command(ctx, first) is not None
        member = group.get_command(ctx, "member")
        assert isinstance(member, click.Group)
        assert "export" in member.commands


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for names in COMMAND_MODULES.values():
        for name in names:
            assert f"  {name} " in result.output


def test_an_unknown_command_is_refused():
    result = CliRunner().invoke(cli, ["scaner"])
    assert result.exit_code == 2
    assert "No such command" in result.output
