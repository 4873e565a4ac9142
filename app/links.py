"""Public links built from the routes against PUBLIC_BASE_URL, inside a request or not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app


def external_url(endpoint: str, *, _app: Flask | None = None, _base: str | None = None, **values: Any) -> str:
    """Return the address the outside world uses for ``endpoint``, as url_for(..., _external=True)."""
    app = _app or current_app
    base = urlsplit(str(app.config.get("PUBLIC_BASE_URL", "") if _base is None else _base).rstrip("/"))
    # Bound to PUBLIC_BASE_URL, not to the request: a link in a message must never carry the
    # host a staff member happened to browse by, and jobs build links with no request at all.
    adapter = app.url_map.bind(
        base.netloc or "localhost", script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=bool(base.netloc))
