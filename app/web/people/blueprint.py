"""The people blueprint, shared by the register and staff login views."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/customers")
