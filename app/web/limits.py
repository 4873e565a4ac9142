"""Request body limits: small for forms and webhooks, larger only where files are uploaded."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

F = TypeVar("F", bound=Callable[..., Any])

MIB = 1024 * 1024
# Defaults; each is a setting (bytes). Forms and webhooks never need more than a few hundred KB.
DEFAULT_LIMITS = {
    "MAX_CONTENT_LENGTH": 2 * MIB,
    "UPLOAD_MAX_CONTENT_LENGTH": 64 * MIB,
    "WEBHOOK_MAX_CONTENT_LENGTH": 256 * 1024,
}
# Where uploads are taken: a path prefix or an endpoint name -> a setting name or a number of bytes.
DEFAULT_BODY_LIMITS: dict[str, str | int] = {
    "/imports": "UPLOAD_MAX_CONTENT_LENGTH",
    "/messaging/twilio/": "WEBHOOK_MAX_CONTENT_LENGTH",
    "consultations.import_json": "UPLOAD_MAX_CONTENT_LENGTH",
    "consultations.audience": "UPLOAD_MAX_CONTENT_LENGTH",
}


def body_limit(limit: str | int) -> Callable[[F], F]:
    """Let a view take bodies up to ``limit`` (bytes, or the name of a setting holding bytes)."""

    def decorator(view: F) -> F:
        view.max_body = limit  # type: ignore[attr-defined]
        return view

    return decorator


def _resolve(app: Flask, limit: str | int) -> int:
    return int(app.config[limit]) if isinstance(limit, str) else int(limit)


def limit_for(app: Flask, path: str, endpoint: str | None) -> int:
    """Return the body limit (bytes) for a request to ``path`` handled by ``endpoint``."""
    view = app.view_functions.get(endpoint or "")
    declared = getattr(view, "max_body", None)
    if declared is not None:
        return _resolve(app, declared)
    table: dict[str, str | int] = app.config["BODY_LIMITS"]
    if endpoint and endpoint in table:
        return _resolve(app, table[endpoint])
    prefixes = [key for key in table if key.startswith("/") and path.startswith(key)]
    if prefixes:
        return _resolve(app, table[max(prefixes, key=len)])
    return _resolve(app, "MAX_CONTENT_LENGTH")


class CappedStream(io.RawIOBase):
    """A request body that raises 413 once it has given more than ``limit`` bytes (reading no further)."""

    def __init__(self, stream: Any, limit: int, description: str) -> None:
        self._stream, self._limit, self._description, self._pos = stream, limit, description, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the body, refusing the byte past the limit."""
        data = self._stream.read(min(len(buffer), self._limit + 1 - self._pos))
        self._pos += len(data)
        if self._pos > self._limit:
            raise RequestEntityTooLarge(description=self._description)
        buffer[: len(data)] = data
        return len(data)


def _human(size: int) -> str:
    return f"{size / MIB:.0f} MB" if size >= MIB else f"{max(1, size // 1024)} KB"


def _too_large(limit: int) -> str:
    return f"That was more than this page accepts ({_human(limit)}). Nothing was saved."


def cap_body(request: Request, limit: int) -> None:
    """Refuse a body over ``limit`` bytes (413) before anything reads it, chunked bodies included."""
    request.max_content_length = limit
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge(description=_too_large(limit))
    elif "wsgi.input_terminated" in request.environ:
        # A chunked body declares no length. Werkzeug would quietly cut it at the limit (and the
        # form would then fail for a missing field), so read it through a cap that says 413
        # the moment one byte more than the limit arrives. One byte of headroom lets it see that.
        request.environ["wsgi.input"] = CappedStream(request.environ["wsgi.input"], limit, _too_large(limit))
        request.max_content_length = limit + 1


def init_app(app: Flask) -> None:
    """Set every limit and refuse an oversized body before anything reads it."""
    for key, value in DEFAULT_LIMITS.items():
        # Flask pre-fills MAX_CONTENT_LENGTH with None, so setdefault would keep "no limit".
        if app.config.get(key) is None:
            app.config[key] = value
    app.config["BODY_LIMITS"] = {**DEFAULT_BODY_LIMITS, **(app.config.get("BODY_LIMITS") or {})}

    def apply_body_limit() -> None:
        cap_body(request, limit_for(current_app, request.path, request.endpoint))

    # First of all hooks: CSRF protection reads the form in its own before_request.
    app.before_request_funcs.setdefault(None, []).insert(0, apply_body_limit)
