"""The documentation keeps up with the code: settings, commands, examples and links."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.settings import setting_names as public_setting_names

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MARKDOWN = sorted(
    [ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "deploy" / "README.md", *DOCS.glob("*.md")]
)
# KIOSK_* variables that are read but are not settings.
NOT_SETTINGS = {"INSTANCE", "NEW_PASSWORD"}


def setting_names() -> set[str]:
    """The names of every public setting, without the ``KIOSK_`` prefix."""
    return {name.removeprefix("KIOSK_") for name in public_setting_names()}


CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(setting_names()))
def test_every_setting_is_in_the_configuration_reference(name: str) -> None:
    assert f"`KIOSK_{name}`" in CONFIGURATION, f"KIOSK_{name} is missing from docs/configuration.md"


def test_the_configuration_reference_names_only_real_settings() -> None:
    documented = set(re.findall(r"KIOSK_([A-Z0-9_]+)", CONFIGURATION))
    assert documented - setting_names() - NOT_SETTINGS == set()


cli.load_all()  # the group loads its commands as they are asked for; walk all of them


def _command_paths(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _command_paths(command, path)
        else:
            yield path, command


CLI_REFERENCE = (DOCS / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("path", "command"),
    [pytest.param(path, command, id=path) for path, command in _command_paths(cli, "kiosk")],
)
def test_every_command_has_help_and_is_in_the_cli_reference(path: str, command) -> None:
    assert command.help, f"{path} has no help text"
    assert f"`{path}" in CLI_REFERENCE, f"{path} is missing from docs/cli.md"


# A command line in a code span or a code block: `kiosk …`, `.venv/bin/kiosk …` or
# `sudo tankkaamo-kiosk …`; what follows the program name is kept.
COMMAND_LINE = re.compile(r"^(?:sudo )?(?:\.venv/bin/)?(?:tankkaamo-)?kiosk ([a-z].*)$")
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _code(text: str) -> Iterator[str]:
    """The code spans outside code blocks, and each line of every code block."""
    in_block = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_block = not in_block
        elif in_block:
            yield line.split(" #", 1)[0].strip()
        else:
            yield from (span.strip() for span in CODE_SPAN.findall(line))


def examples() -> list[tuple[str, str]]:
    """Every ``kiosk`` command line written in the documentation, with the file it is in."""
    found = set()
    for path in MARKDOWN:
        for code in _code(path.read_text(encoding="utf-8")):
            if match := COMMAND_LINE.match(code):
                found.add((str(path.relative_to(ROOT)), match.group(1).strip()))
    return sorted(found)


def _resolve(words: list[str]) -> tuple[list[str], click.Command]:
    """The command path that ``words`` names, and the command; the rest are its arguments."""
    command: click.Command = cli
    path: list[str] = []
    for word in words:
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        command = command.commands[word]
        path.append(word)
    return path, command


def _words(line: str) -> list[str]:
    cleaned = line.replace("[", " ").replace("]", " ").replace("\\", "")
    try:
        return shlex.split(cleaned)
    except ValueError:
        return cleaned.split()


EXAMPLES = examples()


def test_the_documentation_has_command_examples() -> None:
    assert len(EXAMPLES) > 30


@pytest.mark.parametrize(("where", "line"), EXAMPLES)
def test_every_documented_command_exists_with_its_options(where: str, line: str) -> None:
    words = _words(line)
    path, command = _resolve(words)
    assert path, f"{where}: `kiosk {line}` names no command"
    assert not isinstance(command, click.Group), f"{where}: `kiosk {line}` names no subcommand"
    answer = CliRunner().invoke(cli, [*path, "--help"])
    assert answer.exit_code == 0, f"{where}: kiosk {' '.join(path)} --help failed: {answer.output}"
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    known |= {"--help", "-h"}
    used = {word.split("=", 1)[0] for word in words[len(path) :] if word.startswith("-")}
    assert used <= known, f"{where}: `kiosk {line}` uses unknown options {sorted(used - known)}"


def test_the_kiosk_script_in_the_venv_answers_help() -> None:
    script = Path(sys.executable).parent / "kiosk"
    if not script.exists():
        pytest.skip("the kiosk console script is not installed beside this Python")
    answer = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert answer.returncode == 0 and "report" in answer.stdout


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("document", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    missing = [
        target
        for target in LINK.findall(text)
        if "://" not in target and not (document.parent / target).exists()
    ]
    assert missing == []


def test_the_readme_links_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in DOCS.glob("*.md") if f"(docs/{p.name})" not in readme] == []


def test_the_readme_stays_a_front_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 250


PLANNING = re.compile(r"\b(?:TODO|FIXME|XXX|wave \d+|issue #\d+)\b|\.\./shared|CONTRACT\.md")


def _planning_words(text: str) -> list[str]:
    return [match.group(0) for match in PLANNING.finditer(text)]


@pytest.mark.parametrize("document", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_documents_speak_of_the_project_only(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    assert _planning_words(text) == []


SOURCE_DIRS = ("kiosk", "printer", "scanner", "templates", "deploy", "tests", "bench")
SOURCE_SUFFIXES = {".py", ".html", ".js", ".css", ".sh", ".service", ".timer", ".rules"}


def test_code_speaks_of_the_project_only() -> None:
    this_file = Path(__file__).resolve()
    offenders = [
        f"{path.relative_to(ROOT)}: {hit}"
        for folder in SOURCE_DIRS
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in SOURCE_SUFFIXES and path.resolve() != this_file
        for hit in _planning_words(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []
