"""The ordered chain of inbound-text handlers: the first that claims a text ends it.

Other packages register handlers here instead of listening for a broadcast, so no text is ever
handled twice. The chain runs, lowest order first:

    10 channel keywords (STOP/START/HELP, messaging's own)
    20 keywords of events that exist (JOIN BGT)
    30 the sender's open survey conversation
    40 booking words for an event that does not exist (a help reply)
    -- nothing claimed: the text lands in the staff inbox

A handler may also ask to hear when an earlier handler claimed a text (``resume``): the survey
uses it to ask its pending question again after a keyword interrupted the conversation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import Flask

CHANNEL_KEYWORDS = 10
EVENT_KEYWORDS = 20
CONVERSATIONS = 30
KEYWORD_HELP = 40


@dataclass(frozen=True)
class InboundReply:
    """A handler's claim on an inbound text, with an optional reply to queue."""

    handled_by: str
    reply: str | None = None
    topic: str = ""
    activity_id: int | None = None


@dataclass(frozen=True)
class InboundText:
    """One inbound text as handlers see it: not yet stored (``message.id`` is None)."""

    message: Any
    now: datetime
    opt_out_type: str = ""
    # Reads the sender's register entry; most texts never need it, so it is read on first use.
    load_customer: Callable[[], Any] = field(default=lambda: None, repr=False, compare=False)
    # Shared by the texts the clock handles together (messaging.pending): what handlers' prefetch
    # read for the whole batch, and the writes they may leave to the end of it.
    batch: Batch | None = field(default=None, repr=False, compare=False)

    @cached_property
    def customer(self) -> Any:
        """Return the sender's register entry, if the number is on the register."""
        return self.load_customer()

    @property
    def body(self) -> str:
        """Return the text as the customer typed it."""
        return self.message.body or ""

    @property
    def sender(self) -> str:
        """Return the number the text came from."""
        return self.message.from_number


Handler = Callable[[InboundText], InboundReply | None]
Resume = Callable[[InboundText, InboundReply], InboundReply | None]
Prefetch = Callable[[Sequence[InboundText], "Batch"], None]


class Batch:
    """The texts handled in one transaction: what was read for all of them, and writes left to the end.

    A handler's ``prefetch`` reads, once for the batch, what it would otherwise read per text, and
    leaves it under its own key in ``read``. A write whose result is only checked can be left to
    ``defer``: at the end of the batch each statement runs once for all its rows (psycopg sends
    them pipelined), and when fewer rows changed than were expected the batch is undone and its
    texts handled again one at a time.
    """

    def __init__(self) -> None:
        self.read: dict[str, Any] = {}
        self._writes: dict[int, list[Any]] = {}

    def defer(self, statement: Any, params: Mapping[str, Any], *, changes: int = 1) -> None:
        """Run ``statement`` (an app.prepared.Prepared) with ``params`` when the batch ends."""
        held = self._writes.setdefault(id(statement), [statement, [], 0])
        held[1].append(params)
        held[2] += changes

    def flush(self, connection: Any) -> None:
        """Run every deferred write, in the order first deferred; raise StaleBatch when one changed too little."""
        writes, self._writes = self._writes, {}
        for statement, rows, expected in writes.values():
            changed = statement.run_many(connection, rows)
            if changed != expected:
                raise StaleBatch(f"{changed} of {expected} rows changed")


class StaleBatch(Exception):
    """Something a deferred write depended on changed since the batch read it."""


@dataclass(frozen=True)
class InboundHandler:
    """One link of the chain."""

    name: str
    func: Handler
    order: int
    resume: Resume | None = None
    prefetch: Prefetch | None = None


def _chain(app: Flask) -> dict[str, InboundHandler]:
    return app.extensions.setdefault("involve_inbound_handlers", {})


def register_inbound_handler(
    app: Flask,
    name: str,
    func: Handler,
    order: int,
    *,
    resume: Resume | None = None,
    prefetch: Prefetch | None = None,
) -> None:
    """Add ``func`` to the app's chain at ``order``; registering a name again replaces it."""
    _chain(app)[name] = InboundHandler(name, func, order, resume, prefetch)


def prefetch_batch(app: Flask, texts: Sequence[InboundText], batch: Batch) -> None:
    """Let each handler read, once, what it needs for the texts of a batch."""
    for handler in inbound_handlers(app):
        if handler.prefetch is not None:
            handler.prefetch(texts, batch)


def inbound_handlers(app: Flask) -> list[InboundHandler]:
    """Return the chain in the order it runs (order, then name, so it never depends on import order)."""
    return sorted(_chain(app).values(), key=lambda h: (h.order, h.name))


@dataclass(frozen=True)
class Outcome:
    """What the chain decided: the claim (None = the staff inbox) and any follow-up replies."""

    claim: InboundReply | None
    follow_ups: tuple[InboundReply, ...] = ()


def run_chain(app: Flask, text: InboundText) -> Outcome:
    """Offer the text to each handler in turn; the first claim ends it, then later handlers may resume."""
    handlers = inbound_handlers(app)
    for index, handler in enumerate(handlers):
        claim = handler.func(text)
        if claim is None:
            continue
        follow_ups = []
        for later in handlers[index + 1 :]:
            if later.resume is not None:
                follow_up = later.resume(text, claim)
                if follow_up is not None:
                    follow_ups.append(follow_up)
        return Outcome(claim, tuple(follow_ups))
    return Outcome(None)
