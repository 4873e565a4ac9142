"""Emails to staff (password resets) go through the outbox like any other email, and at once."""

from __future__ import annotations

from datetime import datetime

from messaging.api import NewMessage, send_now


def send_staff_email(to: str, subject: str, body: str, now: datetime) -> None:
    """Queue one email to a member of staff and send it now (quiet hours are for texts)."""
    send_now("email", NewMessage(to=to, subject=subject, body=body, purpose="staff-account"), now=now)
