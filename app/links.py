"""Public links built from the routes against PUBLIC_BASE_URL, inside a request or not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import MapAdapter


def external_url(endpoint: str, *, _app: Flask | None = None, _base: str | None = None, **values: Any) -> str:
    """Return the address the outside world uses for ``endpoint``, as url_for(..., _external=True)."""
    app = _app or current_app
    base = str(app.config.get("PUBLIC_BASE_URL", "") if _base is None else _base).rstrip("/")
    adapter, external = _adapter(app, base)
    return adapter.build(endpoint, values, force_external=external)


def _adapter(app: Flask, base: str) -> tuple[MapAdapter, bool]:
    # Bound to PUBLIC_BASE_URL, not to the request: a link in a message must never carry the
    # host a staff member happened to browse by, and jobs build links with no request at all.
    # Kept per base: a launch builds two links per email and binding is most of the cost.
    cache: dict[str, tuple[MapAdapter, bool]] = app.extensions.setdefault("involve_link_adapters", {})
    if base not in cache:
        parts = urlsplit(base)
        adapter = app.url_map.bind(
            parts.netloc or "localhost", script_name=parts.path or "/", url_scheme=parts.scheme or "http"
        )
        # No host configured: a path, as the links were before they were built from routes.
        cache[base] = (adapter, bool(parts.netloc))
    return cache[base]
