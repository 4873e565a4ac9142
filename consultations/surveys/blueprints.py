"""The staff and public blueprints of surveys; view modules add routes to them."""

from __future__ import annotations

from flask import Blueprint

staff_bp = Blueprint("consultations", __name__, url_prefix="/consultations", template_folder="../templates")
public_bp = Blueprint("surveys_public", __name__, template_folder="../templates")
