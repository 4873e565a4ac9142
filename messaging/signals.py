"""The hook that hands inbound texts to other packages."""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

# Sent for every inbound text that is not a STOP/START/HELP keyword, inside the request's
# transaction, as sms_received.send(app, message=inbound, customer=customer_or_None, now=now).
# A receiver returns None when the text is not for it, or an InboundReply. The first non-None
# result wins; unclaimed texts go to the staff inbox. The message is stored after the receivers
# have run (so its id is None while they do), in the same transaction as their work.
sms_received = _signals.signal("sms-received")


@dataclass(frozen=True)
class InboundReply:
    """A receiver's claim on an inbound text, with an optional reply to queue."""

    handled_by: str
    reply: str | None = None
    topic: str = ""
    activity_id: int | None = None
