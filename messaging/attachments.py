"""Files attached to outbox emails: the value callers pass, its checks, and how a row keeps it."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# A whole outbox row is read on every dispatch; attachments are small things like calendar invites.
MAX_TOTAL_BYTES = 5 * 1024 * 1024
MAX_FILENAME = 120
# type/subtype, then optional ;name=value parameters (e.g. text/calendar; method=PUBLISH).
_CONTENT_TYPE = re.compile(
    r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*(\s*;\s*[\w.+-]+=(\"[^\"\r\n]*\"|[\w.+-]+))*$"
)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"]")


@dataclass(frozen=True)
class Attachment:
    """A file to send with an email."""

    filename: str
    content_type: str
    data: bytes


def check(attachments: Iterable[Attachment]) -> tuple[Attachment, ...]:
    """Return the attachments when they can be sent; raise ValueError naming what is wrong."""
    items = tuple(attachments)
    total = 0
    for item in items:
        if not isinstance(item, Attachment):
            raise ValueError(f"an attachment must be an Attachment, not {type(item).__name__}")
        name = item.filename.strip()
        if not name or len(name) > MAX_FILENAME or _UNSAFE_NAME.search(name):
            raise ValueError(
                f"attachment filename {item.filename!r} must be 1 to {MAX_FILENAME} characters, "
                "without slashes, quotes or control characters"
            )
        if not _CONTENT_TYPE.match(item.content_type):
            raise ValueError(f"attachment {name!r} has an invalid content type {item.content_type!r}")
        if not isinstance(item.data, bytes):
            raise ValueError(f"attachment {name!r} data must be bytes")
        total += len(item.data)
    if total > MAX_TOTAL_BYTES:
        raise ValueError(f"attachments come to {total} bytes; the limit is {MAX_TOTAL_BYTES}")
    return items


def to_stored(attachments: Iterable[Attachment]) -> list[dict[str, str]] | None:
    """Return the JSON kept on an outbox row (None when there are none)."""
    stored = [
        {
            "filename": item.filename.strip(),
            "content_type": item.content_type,
            "data": base64.b64encode(item.data).decode("ascii"),
        }
        for item in attachments
    ]
    return stored or None


def from_stored(stored: Any) -> list[Attachment]:
    """Return the attachments an outbox row keeps."""
    return [
        Attachment(item["filename"], item["content_type"], base64.b64decode(item["data"]))
        for item in stored or []
    ]
