"""Accessors for the app-wide objects the views share (settings, clock, broker, rules)."""

from __future__ import annotations

from flask import current_app

from kiosk.clock import Clock
from kiosk.notify.dispatch import NotifyConfig
from kiosk.settings import Settings
from kiosk.visits import ScanRules
from kiosk.web.live import Broker


def app_settings() -> Settings:
    """The app's typed settings, built once at start-up."""
    return current_app.extensions["kiosk.settings"]


def clock() -> Clock:
    """The app's clock (a fixed one in tests)."""
    return current_app.extensions["kiosk.clock"]


def broker() -> Broker:
    """The app's live-event hub."""
    return current_app.extensions["kiosk.broker"]


def scan_rules() -> ScanRules:
    """The door's timing rules from the settings."""
    return current_app.extensions["kiosk.rules"]


def notify_config() -> NotifyConfig:
    """Who gets host notifications and how, from the settings."""
    return current_app.extensions["kiosk.notify"]
