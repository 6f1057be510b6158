"""The staff dashboard under /staff: one blueprint per area, all behind a login.

The parent blueprint checks the login before every request, so a route added later is
protected even if its author forgets the decorator; ``login_required`` and ``admin_required``
still mark each view explicitly, and a test walks the URL map to prove it.
"""

from __future__ import annotations

from flask import Blueprint

from kiosk.web.views.staff import (
    auth,
    devices,
    events,
    members,
    monthly,
    notifications,
    present,
    reports,
    roll_call,
    stats,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(auth.load_staff_user)
bp.context_processor(auth.staff_context)

for child in (
    auth,
    present,
    stats,
    monthly,
    members,
    events,
    roll_call,
    devices,
    reports,
    notifications,
):
    bp.register_blueprint(child.bp)
