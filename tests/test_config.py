"""Settings: layers, types, generated secrets, one-line errors and warnings for typos."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
from dataclasses import FrozenInstanceError

import pytest

from kiosk.settings import ConfigError, Settings, load_settings, setting_names


def test_defaults_then_file_then_environment_then_overrides(tmp_path):
    (tmp_path / "kiosk.toml").write_text("KIOSK_CAPACITY = 12\nKIOSK_PORT = 9001\n")
    settings = load_settings(
        {"PORT": 9100},
        environ={"KIOSK_CAPACITY": "15", "KIOSK_HELP_TOPICS": "a,b"},
        instance=tmp_path,
    )
    assert settings.capacity == 15  # environment beats the file
    assert settings.port == 9100  # overrides beat the environment
    assert settings.help_topics == ("a", "b")
    assert settings.database == str(tmp_path / "kiosk.db")
    assert settings.printer == f"preview:{tmp_path / 'badges'}"


def test_settings_are_frozen_and_typed(tmp_path):
    settings = load_settings(
        environ={"KIOSK_PRINTER_WIDTH": "58", "KIOSK_DEMO_DATA": "no"}, instance=tmp_path
    )
    assert settings.printer_width == 58
    assert settings.demo_data is False
    assert settings.tz.key == "Europe/Helsinki"
    with pytest.raises(FrozenInstanceError):
        settings.capacity = 3  # type: ignore[misc]


def test_secrets_are_generated_once_with_mode_600(tmp_path):
    first = load_settings(environ={}, instance=tmp_path)
    second = load_settings(environ={}, instance=tmp_path)
    assert first.secret_key == second.secret_key
    assert first.device_token == second.device_token
    assert first.secret_key != first.device_token
    assert len(first.device_token) >= 40
    for name in ("secret_key", "device_token"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_environment_secret_is_used_and_nothing_is_written(tmp_path):
    settings = load_settings(environ={"KIOSK_SECRET_KEY": "from-env"}, instance=tmp_path)
    assert settings.secret_key == "from-env"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"KIOSK_PORT": "eighty"}, "KIOSK_PORT must be a whole number"),
        ({"KIOSK_PRINTER_WIDTH": "wide"}, "KIOSK_PRINTER_WIDTH must be a whole number"),
        ({"KIOSK_PRINTER_WIDTH": "70"}, "KIOSK_PRINTER_WIDTH must be one of 80, 58"),
        ({"KIOSK_TIMEZONE": "Mars/Olympus"}, "KIOSK_TIMEZONE: unknown time zone"),
        ({"KIOSK_DEMO_DATA": "maybe"}, "KIOSK_DEMO_DATA must be true or false"),
        ({"KIOSK_MEMBER_BADGE_POLICY": "always"}, "never, first_visit_of_day, button"),
        ({"KIOSK_CLOSING_TIME": "25:00"}, "KIOSK_CLOSING_TIME must be a time"),
        ({"KIOSK_CAPACITY": "-4"}, "KIOSK_CAPACITY must not be negative"),
        ({"KIOSK_DEFAULT_LANGUAGE": "de"}, "KIOSK_DEFAULT_LANGUAGE must be one of"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(environ=environ, instance=tmp_path)
    assert "\n" not in str(caught.value)


def test_unknown_setting_warns_with_the_nearest_name(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.settings"):
        settings = load_settings(environ={"KIOSK_PRINTER_WIDHT": "58"}, instance=tmp_path)
    assert settings.printer_width == 80
    assert "KIOSK_PRINTER_WIDHT" in caplog.text
    assert "did you mean KIOSK_PRINTER_WIDTH?" in caplog.text


def test_login_limits_from_the_environment_are_numbers(tmp_path):
    # Not the default (20), so the environment must really be read.
    settings = load_settings(environ={"KIOSK_LOGIN_LIMIT_PER_IP": "7"}, instance=tmp_path)
    assert settings.login_limit_per_ip == 7


def test_broken_config_file_names_the_file(tmp_path):
    (tmp_path / "kiosk.toml").write_text("KIOSK_PORT = \n")
    with pytest.raises(ConfigError, match="kiosk.toml"):
        load_settings(environ={}, instance=tmp_path)


def test_config_file_values_keep_their_toml_types(tmp_path):
    (tmp_path / "kiosk.toml").write_text(
        'KIOSK_HELP_TOPICS = ["a", "b"]\nKIOSK_DEMO_DATA = false\nKIOSK_PRINTER_CUT = true\n'
    )
    settings = load_settings(environ={}, instance=tmp_path)
    assert settings.help_topics == ("a", "b")
    assert settings.demo_data is False
    assert settings.printer_cut is True


def test_new_password_variable_never_becomes_a_setting(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.settings"):
        load_settings(environ={"KIOSK_NEW_PASSWORD": "hunter2hunter2"}, instance=tmp_path)
    assert "KIOSK_NEW_PASSWORD" not in caplog.text
    assert "KIOSK_NEW_PASSWORD" not in setting_names()


def test_every_setting_has_a_description():
    assert all(
        Settings.__dataclass_fields__[n.removeprefix("KIOSK_").lower()].metadata["doc"]
        for n in setting_names()
    )


def test_serve_stops_with_one_line_naming_the_bad_setting(tmp_path):
    env = {"KIOSK_INSTANCE": str(tmp_path), "KIOSK_PRINTER_WIDTH": "wide", "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "KIOSK_PRINTER_WIDTH must be a whole number" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
