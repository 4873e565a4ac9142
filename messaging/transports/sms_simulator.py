"""The development SMS simulator: texts are kept in the outbox and shown on the simulator page."""

from __future__ import annotations

import uuid

from messaging.models import OutboundMessage
from messaging.transports import SendResult


class SimulatorSms:
    """Deliver texts to the simulator at once; nothing leaves the machine."""

    name = "simulator"
    # No provider to overload, so no pacing: whole test flows and the dev page stay instant.
    paced = False

    def send(self, message: OutboundMessage) -> SendResult:
        """Mark the text delivered to the simulated phone."""
        return SendResult("delivered", provider_id=f"SMsim{uuid.uuid4().hex}")
