"""The two blueprints: staff screens under /events, public booking pages under /e."""

from __future__ import annotations

from flask import Blueprint

staff_bp = Blueprint("events", __name__, url_prefix="/events", template_folder="../templates")
public_bp = Blueprint("events_public", __name__, url_prefix="/e", template_folder="../templates")
