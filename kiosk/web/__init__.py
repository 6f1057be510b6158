"""Everything Flask: the app factory, views, live streams, security, i18n and charts."""

from kiosk.web.app import create_app

__all__ = ["create_app"]
