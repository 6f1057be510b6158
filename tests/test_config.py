"""Settings layers, generated secrets and the time zone."""

from __future__ import annotations

import stat

import pytest

from kiosk.config import ConfigError, load_settings


def test_defaults_then_file_then_environment_then_overrides(tmp_path):
    (tmp_path / "kiosk.toml").write_text("KIOSK_CAPACITY = 12\nKIOSK_PORT = 9001\n")
    settings = load_settings(
        {"PORT": 9100},
        environ={"KIOSK_CAPACITY": "15", "KIOSK_HELP_TOPICS": "a,b"},
        instance=tmp_path,
    )
    assert settings["CAPACITY"] == 15  # environment beats the file
    assert settings["PORT"] == 9100  # overrides beat the environment
    assert settings["HELP_TOPICS"] == ["a", "b"]
    assert settings["DATABASE"] == str(tmp_path / "kiosk.db")
    assert settings["PRINTER"] == f"preview:{tmp_path / 'badges'}"


def test_secrets_are_generated_once_with_mode_600(tmp_path):
    first = load_settings(environ={}, instance=tmp_path)
    second = load_settings(environ={}, instance=tmp_path)
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["DEVICE_TOKEN"] == second["DEVICE_TOKEN"]
    assert first["SECRET_KEY"] != first["DEVICE_TOKEN"]
    assert len(first["DEVICE_TOKEN"]) >= 40
    for name in ("secret_key", "device_token"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_environment_secret_is_used_and_nothing_is_written(tmp_path):
    settings = load_settings(environ={"KIOSK_SECRET_KEY": "from-env"}, instance=tmp_path)
    assert settings["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"KIOSK_PORT": "eighty"}, "whole number"),
        ({"KIOSK_TIMEZONE": "Mars/Olympus"}, "time zone"),
        ({"KIOSK_DEMO_DATA": "maybe"}, "true or false"),
        ({"KIOSK_MEMBER_BADGE_POLICY": "always"}, "never, first_visit_of_day or button"),
    ],
)
def test_bad_settings_are_refused_clearly(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ, instance=tmp_path)


def test_broken_config_file_names_the_file(tmp_path):
    (tmp_path / "kiosk.toml").write_text("KIOSK_PORT = \n")
    with pytest.raises(ConfigError, match="kiosk.toml"):
        load_settings(environ={}, instance=tmp_path)


def test_new_password_variable_never_becomes_a_setting(tmp_path):
    settings = load_settings(environ={"KIOSK_NEW_PASSWORD": "hunter2hunter2"}, instance=tmp_path)
    assert "NEW_PASSWORD" not in settings
