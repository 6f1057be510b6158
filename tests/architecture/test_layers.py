"""The folders keep their promises: Flask lives only in kiosk/web and kiosk/cli."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Werkzeug's password hashing is a plain function the staff accounts use; its web parts are not.
WEB_ONLY = ("flask", "flask_babel", "flask_wtf", "werkzeug.wrappers", "werkzeug.routing", "jinja2")
ALLOWED = (ROOT / "kiosk" / "web", ROOT / "kiosk" / "cli")
PACKAGES = ("kiosk", "printer", "scanner")


def imported_modules(path: Path) -> set[str]:
    """Every module name ``path`` imports, at any depth (function-level imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def test_only_web_and_cli_import_flask():
    offenders = []
    for path in python_files():
        if any(path.is_relative_to(allowed) for allowed in ALLOWED):
            continue
        for name in imported_modules(path):
            if name.startswith(WEB_ONLY):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_the_checker_sees_a_flask_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from flask import g\n    return g\n", encoding="utf-8")
    assert "flask" in imported_modules(sample)


def test_domain_never_imports_the_web_or_cli_layers():
    offenders = []
    for path in python_files():
        if any(path.is_relative_to(allowed) for allowed in ALLOWED) or path.name == "__main__.py":
            continue
        for name in imported_modules(path):
            if name.startswith(("kiosk.web", "kiosk.cli")):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_scanner_and_printer_stay_free_of_the_database_and_web():
    offenders = []
    for package in ("scanner", "printer"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in imported_modules(path):
                if name.startswith((*WEB_ONLY, "sqlite_utils", "kiosk")):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_every_named_kiosk_error_is_a_kiosk_error():
    import importlib
    import inspect

    from kiosk.errors import KioskError

    strays = []
    for path in sorted((ROOT / "kiosk").rglob("*.py")):
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module_name.endswith("__main__"):
            continue
        module = importlib.import_module(module_name.removesuffix(".__init__"))
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and not issubclass(value, KioskError)
            ):
                strays.append(f"{module_name}.{name}")
    assert strays == []
