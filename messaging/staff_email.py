"""Emails to staff (password links) go through the outbox like any other email, and at once."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from messaging.api import NewMessage, send_now

GONE = ("sent", "delivered")
SENT_BODY = "(A password link was sent here. It is not kept, so nobody can use it from this record.)"


def send_staff_email(to: str, subject: str, body: str, now: datetime) -> None:
    """Send one email to a member of staff now (quiet hours are for texts), then forget its link."""
    message = send_now(
        "email", NewMessage(to=to, subject=subject, body=body, purpose="staff-account"), now=now
    )
    # A live link in the outbox table would let anyone who can read it take over the account.
    # A message still waiting for a retry keeps its body, or the retry would send nothing useful.
    if message.status in GONE:
        message.body = SENT_BODY
        db.session.commit()
