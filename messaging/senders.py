"""Sender threads: each takes a paced slot, calls the provider and hands the result back."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from messaging.transports import SendResult, SmsTransport

log = logging.getLogger(__name__)
# A text its sender gave up before calling the provider (a stop, or no slot could be had): it
# certainly did not go, so it goes back in the queue.
NOT_SENT = SendResult("not-sent")


@dataclass(frozen=True)
class Outgoing:
    """What a sender thread needs of a text: plain values, never a session-bound row."""

    id: int
    channel: str
    to_address: str
    body: str


# A text's result and the monotonic time its provider request started.
Sent = tuple[SendResult, float]


class SenderPool:
    """Daemon threads that send texts; a stop lets the calls under way finish and starts no new one."""

    def __init__(
        self,
        size: int,
        transport: SmsTransport,
        admit: Callable[[float], float],
        stopping: threading.Event,
        on_throttle: Callable[[], None] = lambda: None,
    ) -> None:
        self._transport = transport
        self._admit = admit
        self._on_throttle = on_throttle
        self._stopping = stopping
        self.halt = threading.Event()
        # Build the client before the first slot: a slow first request would bunch the next ones.
        getattr(transport, "client", None)
        self._jobs: queue.SimpleQueue[tuple[Future[Sent], Outgoing, float] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"involve-sms-{i}", daemon=True) for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def _halted(self) -> bool:
        return self.halt.is_set() or self._stopping.is_set()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, text, slot = job
            if self._halted():
                future.set_result((NOT_SENT, time.monotonic()))
                continue
            try:
                # The slot is checked here, not when queued: a thread that picks its job up late
                # must not then send alongside the ones that were on time.
                started = self._admit(slot)
            except Exception:
                # The shared limiter's database did not answer: without a slot the text may not go.
                log.warning("no send slot for message %s; it goes back in the queue", text.id, exc_info=True)
                future.set_result((NOT_SENT, time.monotonic()))
                continue
            if self._halted():
                future.set_result((NOT_SENT, started))
                continue
            result = send_one(self._transport, text)
            if result.throttle:
                # Paused here, the moment the answer lands, not when the dispatcher next looks:
                # texts whose slots were handed out meanwhile wait too.
                try:
                    self._on_throttle()
                except Exception:
                    log.warning("could not pause the senders", exc_info=True)
            future.set_result((result, started))

    def submit(self, text: Outgoing, slot: float) -> Future[Sent]:
        """Queue one text, with the slot it was given, for the next free thread."""
        future: Future[Sent] = Future()
        self._jobs.put((future, text, slot))
        return future

    def shutdown(self, *, join: bool = True) -> None:
        """Stop every thread once it has finished its text (without waiting when ``join`` is false)."""
        for _ in self._threads:
            self._jobs.put(None)
        if join:
            for thread in self._threads:
                thread.join()


def send_one(transport: SmsTransport, text: Outgoing) -> SendResult:
    """Send one text; an unexpected error means it may have gone, so it is "unknown"."""
    try:
        return transport.send(text)  # type: ignore[arg-type]
    except Exception as exc:
        return SendResult(
            "unknown", error_code="exception", error_message=f"{type(exc).__name__}: {exc}"[:500]
        )
