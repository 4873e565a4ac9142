"""Audiences: which customers a consultation or event reaches, and by which channel."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, or_, select
from sqlalchemy.sql import Select

from app.extensions import db
from app.models import Area, Customer
from app.models.base import utcnow
from app.vocabulary.lists import Vocabulary, load_all
from consultations.sampling import Sample, SampleError, SampleSpec, sample, whole_number

CHANNELS = ("sms", "email")
SKIP_REASONS = ("no_contact", "landline", "no_consent", "opted_out", "suppressed", "unknown_ref")
# Per channel, how far a customer gets: the first failing check names why they are skipped.
NO_CONTACT, LANDLINE, NO_CONSENT, OPTED_OUT, SUPPRESSED, REACHABLE = range(6)
_STAGE_REASON = {
    NO_CONTACT: "no_contact",
    LANDLINE: "landline",
    NO_CONSENT: "no_consent",
    OPTED_OUT: "opted_out",
    SUPPRESSED: "suppressed",
}
# Audience key -> (customer column, label): any of the listed values matches, in any case.
PROFILE_FILTERS = {
    "age_bands": ("age_band", "age bands"),
    "genders": ("gender", "genders"),
    "ethnicities": ("ethnicity", "ethnicities"),
    "disabilities": ("disability", "disability"),
    "languages": ("language", "languages"),
}
# Old SQLite builds allow 999 bound parameters per statement.
_CHUNK = 900


class AudienceError(ValueError):
    """An audience definition is malformed; the message names the field."""


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    raw = data.get(key, [])
    if isinstance(raw, str):
        raw = raw.replace(",", "\n").splitlines()
    if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
        raise AudienceError(f"audience.{key} must be a list of strings")
    seen: dict[str, None] = {}
    for value in raw:
        if value.strip():
            seen.setdefault(value.strip(), None)
    return tuple(seen)


def _flag(data: dict[str, Any], key: str, default: bool) -> bool:
    raw = data.get(key, default)
    if not isinstance(raw, bool):
        raise AudienceError(f"audience.{key} must be true or false")
    return raw


def _days(raw: Any) -> int | None:
    try:
        return whole_number(raw, "audience.not_contacted_days", 1)
    except SampleError as exc:
        raise AudienceError(str(exc)) from exc


def _sample(raw: Any) -> SampleSpec | None:
    try:
        return SampleSpec.from_json(raw)
    except SampleError as exc:
        raise AudienceError(str(exc)) from exc


@dataclass(frozen=True)
class AudienceSpec:
    """Who a mailing is for: filters over the customer register."""

    areas: tuple[str, ...] = ()
    tenures: tuple[str, ...] = ()
    consented_only: bool = True
    involvement_register: bool = False
    customer_refs: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    ethnicities: tuple[str, ...] = ()
    disabilities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    # Leave out anyone invited to any consultation in the last so many days.
    not_contacted_days: int | None = None
    sample: SampleSpec | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> AudienceSpec:
        """Read the "audience" object of a consultation or event definition."""
        data = data or {}
        if not isinstance(data, dict):
            raise AudienceError("audience must be an object")
        known = {"areas", "tenures", "consented_only", "involvement_register", "customer_refs"}
        known |= {"not_contacted_days", "sample"}
        unknown = sorted(set(data) - known - set(PROFILE_FILTERS))
        if unknown:
            raise AudienceError(f"audience has unknown field(s): {', '.join(unknown)}")
        return cls(
            areas=_strings(data, "areas"),
            tenures=_strings(data, "tenures"),
            consented_only=_flag(data, "consented_only", True),
            involvement_register=_flag(data, "involvement_register", False),
            customer_refs=_strings(data, "customer_refs"),
            **{key: _strings(data, key) for key in PROFILE_FILTERS},
            not_contacted_days=_days(data.get("not_contacted_days")),
            sample=_sample(data.get("sample")),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the definition's "audience" object."""
        return {
            "areas": list(self.areas),
            "tenures": list(self.tenures),
            "consented_only": self.consented_only,
            "involvement_register": self.involvement_register,
            "customer_refs": list(self.customer_refs),
            # Profile filters appear only when used, so older definitions read back unchanged.
            **{key: list(getattr(self, key)) for key in PROFILE_FILTERS if getattr(self, key)},
            **({"not_contacted_days": self.not_contacted_days} if self.not_contacted_days else {}),
            **({"sample": self.sample.to_json()} if self.sample else {}),
        }

    def describe(self) -> str:
        """Summarise the filters in a phrase for staff screens."""
        parts = [f"areas: {', '.join(self.areas)}" if self.areas else "all areas"]
        if self.tenures:
            parts.append(f"tenures: {', '.join(self.tenures)}")
        for key, (_, label) in PROFILE_FILTERS.items():
            if getattr(self, key):
                parts.append(f"{label}: {', '.join(getattr(self, key))}")
        if self.involvement_register:
            parts.append("involvement register only")
        if self.customer_refs:
            parts.append(f"{len(self.customer_refs)} listed customer(s)")
        if self.not_contacted_days:
            parts.append(f"not invited to a consultation in the last {self.not_contacted_days} days")
        parts.append("with consent" if self.consented_only else "consent not required")
        if self.sample:
            how = f", stratified by {self.sample.stratify}" if self.sample.stratify else ""
            parts.append(f"random sample of {self.sample.size:,}{how}, seed {self.sample.seed}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Recipient:
    """One customer reached through one channel."""

    customer_id: int
    channel: str
    address: str
    first_name: str


@dataclass(frozen=True)
class AudiencePlan:
    """The recipients of a mailing, with counts per channel and of those skipped."""

    recipients: list[Recipient]
    by_channel: dict[str, int]
    skipped: dict[str, int] = field(default_factory=dict)
    # The draw, when the spec asks for a sample of the reachable customers.
    sample: Sample | None = None

    @property
    def total(self) -> int:
        """Return how many customers are reached."""
        return sum(self.by_channel.values())

    @property
    def total_skipped(self) -> int:
        """Return how many customers matched but cannot be reached."""
        return sum(self.skipped.values())


def channel_order(channels: Sequence[str], preference: Sequence[str]) -> list[str]:
    """Order the chosen channels by preference; channels missing from it come last."""
    chosen = [c for c in channels if c in CHANNELS]
    ordered = [c for c in preference if c in chosen]
    return list(dict.fromkeys([*ordered, *chosen]))


def _stage(channel: str, consented_only: bool) -> ColumnElement[int]:
    """Build the SQL for how far a customer gets towards being reachable on ``channel``."""
    from messaging.api import Suppression
    from messaging.api import channel as describe

    described = describe(channel)
    contact, consent = described.contact_column(), described.consent_column()
    opted, address = described.opted_out_column(), described.address_sql()
    suppressed = exists().where(Suppression.channel == channel, Suppression.address == address)
    no_consent = (consent.is_not(True)) if consented_only else false()
    # A text to a landline may become a voice call: landlines stay contact numbers, never texted.
    # Every write path sets phone_type (the migration filled in older rows); unknown is not refused.
    not_mobile = (
        and_(Customer.phone_type.is_not(None), Customer.phone_type != "mobile")
        if channel == "sms"
        else false()
    )
    return case(
        (or_(contact.is_(None), contact == ""), literal(NO_CONTACT)),
        (not_mobile, literal(LANDLINE)),
        (no_consent, literal(NO_CONSENT)),
        (opted.is_not(None), literal(OPTED_OUT)),
        (suppressed, literal(SUPPRESSED)),
        else_=literal(REACHABLE),
    )


def contacted_since(since: datetime, *, other_than: int | None = None) -> ColumnElement[bool]:
    """Build the SQL for "a consultation invited or reminded this customer at or after ``since``"."""
    from consultations.surveys.models import Invitation

    # ix_survey_invitations_customer_sent serves this per customer; trial conversations do not count.
    conditions = [
        Invitation.customer_id == Customer.id,
        Invitation.is_test.is_(False),
        or_(Invitation.last_sent_at >= since, Invitation.created_at >= since),
    ]
    if other_than is not None:
        conditions.append(Invitation.consultation_id != other_than)
    return exists().where(*conditions)


def spellings(vocabulary: Vocabulary, wanted: Iterable[str]) -> list[str]:
    """Return, lower-cased, every spelling that means one of ``wanted``: its listed value and synonyms.

    A value renamed or retired since the audience was saved still reaches the customers who now hold
    its successor, because the old name is kept as a synonym.
    """
    meant = {vocabulary.canonical(v) or v for v in wanted}
    found = {v.lower() for v in meant}
    for value in meant:
        found.update(s.lower() for s in vocabulary.synonyms.get(value, ()))
    return sorted(found)


def _filtered(
    query: Select[Any],
    spec: AudienceSpec,
    refs: Sequence[str] | None,
    lists: dict[str, Vocabulary],
    now: datetime | None = None,
    own: int | None = None,
) -> Select[Any]:
    """Apply the spec's filters (and one chunk of listed refs) to ``query``; ``own`` is the consultation's id."""
    conditions: list[ColumnElement[bool]] = [Customer.erased_at.is_(None)]
    if spec.not_contacted_days:
        since = (now or utcnow()) - timedelta(days=spec.not_contacted_days)
        # A consultation's own invitations do not make its audience "recently contacted".
        conditions.append(~contacted_since(since, other_than=own))
    if spec.areas:
        names = spellings(lists["area"], spec.areas)
        conditions.append(Customer.area_id.in_(select(Area.id).where(func.lower(Area.name).in_(names))))
    if spec.tenures:
        conditions.append(func.lower(Customer.tenure).in_(spellings(lists["tenure"], spec.tenures)))
    for key, (column, _) in PROFILE_FILTERS.items():
        if values := getattr(spec, key):
            conditions.append(func.lower(getattr(Customer, column)).in_(spellings(lists[column], values)))
    if spec.involvement_register:
        conditions.append(Customer.involvement_register.is_(True))
    if refs is not None:
        conditions.append(Customer.ref.in_(list(refs)))
    return query.where(and_(*conditions))


def _ref_chunks(spec: AudienceSpec) -> Iterator[Sequence[str] | None]:
    if not spec.customer_refs:
        yield None
        return
    refs = list(spec.customer_refs)
    for start in range(0, len(refs), _CHUNK):
        yield refs[start : start + _CHUNK]


def _unknown_refs(spec: AudienceSpec) -> int:
    known = 0
    for chunk in _ref_chunks(spec):
        if chunk is None:
            return 0
        known += (
            db.session.scalar(
                select(func.count()).where(Customer.ref.in_(list(chunk)), Customer.erased_at.is_(None))
            )
            or 0
        )
    return len(spec.customer_refs) - known


def _choose(stages: Sequence[int], order: Sequence[str]) -> tuple[str | None, str]:
    """Pick the first reachable channel, or the reason the customer is skipped."""
    for channel, stage in zip(order, stages, strict=True):
        if stage == REACHABLE:
            return channel, ""
    return None, _STAGE_REASON[max(stages)] if stages else "no_contact"


def _empty_counts(order: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    return {c: 0 for c in order}, {r: 0 for r in SKIP_REASONS}


def count_audience(
    spec: AudienceSpec,
    channels: Sequence[str],
    preference: Sequence[str] = CHANNELS,
    *,
    now: datetime | None = None,
    own: int | None = None,
) -> AudiencePlan:
    """Count the audience per channel and the skipped per reason, without listing anyone."""
    if spec.sample:
        # Only the draw itself says who of the reachable is in the sample.
        plan = plan_audience(spec, channels, preference, now=now, own=own)
        return AudiencePlan([], plan.by_channel, plan.skipped, plan.sample)
    order = channel_order(channels, preference)
    by_channel, skipped = _empty_counts(order)
    if order:
        stages = [_stage(c, spec.consented_only).label(f"stage_{c}") for c in order]
        lists = load_all()
        for chunk in _ref_chunks(spec):
            query = select(*stages, func.count().label("n")).select_from(Customer)
            query = _filtered(query, spec, chunk, lists, now, own)
            for row in db.session.execute(query.group_by(*stages)):
                channel, reason = _choose(row[:-1], order)
                if channel:
                    by_channel[channel] += row.n
                else:
                    skipped[reason] += row.n
    skipped["unknown_ref"] = _unknown_refs(spec)
    return AudiencePlan(recipients=[], by_channel=by_channel, skipped=skipped)


def plan_audience(
    spec: AudienceSpec,
    channels: Sequence[str],
    preference: Sequence[str] = CHANNELS,
    *,
    now: datetime | None = None,
    own: int | None = None,
) -> AudiencePlan:
    """List each reachable customer once, on their first reachable preferred channel, sampled if asked."""
    order = channel_order(channels, preference)
    by_channel, skipped = _empty_counts(order)
    recipients: list[Recipient] = []
    if order:
        stages = [_stage(c, spec.consented_only) for c in order]
        columns = [Customer.id, Customer.first_name, Customer.phone, Customer.email, *stages]
        lists = load_all()
        for chunk in _ref_chunks(spec):
            query = _filtered(select(*columns), spec, chunk, lists, now, own).order_by(Customer.id)
            for row in db.session.execute(query):
                channel, reason = _choose(row[4:], order)
                if channel is None:
                    skipped[reason] += 1
                    continue
                address = row.phone if channel == "sms" else row.email
                recipients.append(Recipient(row.id, channel, address, row.first_name or ""))
    skipped["unknown_ref"] = _unknown_refs(spec)
    drawn = None
    if spec.sample:
        # The sample is drawn from the reachable, so N invitations go out whenever N can be reached.
        s = spec.sample
        drawn = sample([r.customer_id for r in recipients], s.size, seed=s.seed, strata=s.stratify)
        chosen = set(drawn.customer_ids)
        recipients = [r for r in recipients if r.customer_id in chosen]
    for r in recipients:
        by_channel[r.channel] += 1
    return AudiencePlan(recipients=recipients, by_channel=by_channel, skipped=skipped, sample=drawn)
