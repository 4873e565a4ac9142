"""Keep the last few rendered downloads per app, so a stored report's PDF is drawn once, not per click."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from flask import current_app

from reporting import exports
from reporting.report import ImpactReport

KEEP = 16  # a handful of periods in each format; a PDF is about 100 kB
_lock = threading.Lock()


def _store() -> OrderedDict[tuple[str, str], exports.Rendered]:
    # Per app: the output also depends on its settings (branding, rating threshold).
    return current_app.extensions.setdefault("report_renders", OrderedDict())


def render(report: ImpactReport, fmt: str) -> exports.Rendered:
    """Render ``report`` in ``fmt``, reusing the bytes when the same figures were rendered before."""
    data = json.dumps(report.to_json(), sort_keys=True, ensure_ascii=False, default=str)
    key = (fmt, hashlib.sha256(data.encode("utf-8")).hexdigest())
    store = _store()
    with _lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    rendered = exports.render(report, fmt)
    with _lock:
        store[key] = rendered
        while len(store) > KEEP:
            store.popitem(last=False)
    return rendered
