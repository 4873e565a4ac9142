"""The messaging blueprint that every messaging view module adds routes to."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("messaging", __name__, template_folder="templates")
