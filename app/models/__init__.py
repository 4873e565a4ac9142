"""Core models: people, involvement ledgers and the audit log."""

from app.models.audit import AuditEvent
from app.models.base import UTCDateTime, utcnow
from app.models.involvement import (
    Action,
    Activity,
    Budget,
    Cost,
    OutcomeLog,
    Participation,
    StaffTime,
)
from app.models.people import Area, Customer, StaffUser
from app.models.ratelimit import RateLimitCounter
from app.models.vocabulary import VocabularySynonym, VocabularyValue

__all__ = [
    "Action",
    "Activity",
    "Area",
    "AuditEvent",
    "Budget",
    "Cost",
    "Customer",
    "OutcomeLog",
    "Participation",
    "RateLimitCounter",
    "StaffTime",
    "StaffUser",
    "UTCDateTime",
    "VocabularySynonym",
    "VocabularyValue",
    "utcnow",
]
