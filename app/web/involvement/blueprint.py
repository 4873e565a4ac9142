"""The involvement blueprint, shared by the activity and record view modules."""

from flask import Blueprint

bp = Blueprint("involvement", __name__)
