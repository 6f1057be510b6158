"""Tankkaamo kiosk: the Flask app and the check-in domain."""
