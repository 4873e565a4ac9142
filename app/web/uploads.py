"""One way to take an uploaded spreadsheet from a staff form: its name checked, its size capped."""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath

from flask import current_app, request

from app.web.limits import MIB

SPREADSHEETS = (".csv", ".xlsx")


class UploadError(ValueError):
    """An upload that cannot be taken; the message tells the person what to do."""


def clean_filename(raw: str) -> str:
    """Keep the file's own name without any folder, control characters or runaway length."""
    name = PureWindowsPath(PurePosixPath(raw).name).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[-200:] or "upload"


def read_upload(
    field: str = "file", *, suffixes: tuple[str, ...] = SPREADSHEETS, limit: int | None = None
) -> tuple[str, bytes]:
    """Return the name and bytes of the file sent in ``field``, or raise UploadError saying why not."""
    upload = request.files.get(field)
    listed = " or ".join(suffixes)
    if upload is None or not upload.filename:
        raise UploadError(f"Choose a {listed} file.")
    name = clean_filename(upload.filename)
    if not name.lower().endswith(suffixes):
        raise UploadError(f"{name} is not a {listed} file. Save it from Excel as one of those.")
    cap = int(current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]) if limit is None else limit
    data = upload.read(cap + 1)
    if len(data) > cap:
        raise UploadError(f"{name} is larger than {cap // MIB} MB; split it into smaller files.")
    if not data:
        raise UploadError(f"{name} is empty.")
    return name, data
