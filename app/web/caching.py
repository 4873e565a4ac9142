"""Keep staff pages out of caches, and warn when trusted forwarded headers never arrive."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, request

log = logging.getLogger(__name__)

# Which header each PROXY_FIX_* setting trusts.
FORWARDED = {
    "PROXY_FIX_X_FOR": "X-Forwarded-For",
    "PROXY_FIX_X_PROTO": "X-Forwarded-Proto",
    "PROXY_FIX_X_HOST": "X-Forwarded-Host",
}


def missing_forwarded_headers() -> list[str]:
    """Return the trusted forwarded headers this request arrived without."""
    return [
        header
        for setting, header in FORWARDED.items()
        if int(current_app.config.get(setting) or 0) and header not in request.headers
    ]


def init_app(app: Flask) -> None:
    """Register the hooks."""
    warned = {"done": False}

    @app.before_request
    def warn_untrusted_proxy() -> None:
        # With no proxy in front, anyone can send X-Forwarded-For and dodge per-address limits.
        if warned["done"]:
            return
        missing = missing_forwarded_headers()
        if missing:
            warned["done"] = True
            log.warning(
                "PROXY_FIX_* trusts forwarded headers, but a request arrived without %s: is a proxy "
                "really in front? If not, set PROXY_FIX_X_FOR/PROTO/HOST to 0, or anyone can fake "
                "their address and dodge the per-address limits.",
                ", ".join(missing),
            )

    @app.after_request
    def no_store_for_staff(response: Response) -> Response:
        # Staff pages and exports hold personal data: never keep them in a browser or proxy cache.
        # Every staff view loads the signed-in user; reading what it loaded keeps public pages
        # (which never ask) free of a user lookup.
        user = g.get("_login_user")
        if request.endpoint != "static" and user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            response.expires = None
        return response
