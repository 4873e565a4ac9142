"""A real SMTP server on loopback (aiosmtpd) that records messages and can refuse or hang up."""

from __future__ import annotations

import asyncio
import email
import time
from email import policy
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


class RecordingHandler:
    """Record delivered messages; refuse chosen recipients; drop the connection on chosen DATA."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}
        self.drop_data: int = 0
        # Seconds each DATA takes to answer (a slow relay), and when each session delivered what.
        self.data_delay: float = 0.0
        self.deliveries: list[tuple[int, float]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_data > 0:
            self.drop_data -= 1
            server.transport.close()
            return "421 closing"
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        self.deliveries.append((id(session), time.monotonic()))
        self.messages.append(
            email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        )
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


class FakeSmtp:
    """The running server: ``port``, ``handler.messages`` and the knobs on ``handler``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def start(self) -> FakeSmtp:
        """Start (or restart, after ``stop``) the server on the same port."""
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening; connections are refused until ``start``."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
