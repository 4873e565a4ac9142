"""TSM writes: a survey from the template, the results settings, a drawn sample and publication."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models.audit import record
from consultations.surveys.definitions import import_definition
from consultations.surveys.models import Consultation
from consultations.tsm.methodology import summary
from consultations.tsm.models import TsmReport
from consultations.tsm.results import WEIGHT_FIELDS, compute
from consultations.tsm.sampler import TsmSample, stratified_sample
from consultations.tsm.template import landlord_name, tsm_definition


class TsmError(ValueError):
    """A TSM action that cannot be done, in words for the person who tried."""


def new_survey(*, today: date, actor: Any) -> Consultation:
    """Create a draft TSM survey from the template with a free slug (flush only)."""
    definition = tsm_definition(landlord=landlord_name(), today=today)
    base, n = definition["slug"], 1
    while db.session.scalar(select(Consultation.id).where(Consultation.slug == definition["slug"])):
        n += 1
        definition["slug"] = f"{base}-{n}"
    consultation, _ = import_definition(definition)
    record("tsm.new_survey", actor=actor, target_type="consultation", target_id=consultation.id)
    return consultation


def weight_fields(report: TsmReport) -> tuple[str, ...]:
    """Return the weighting fields chosen for a report (all three when weighting is on)."""
    return WEIGHT_FIELDS if report.weighted else ()


def results_for(consultation: Consultation, report: TsmReport, start: date, end: date) -> dict[str, Any]:
    """Return the results with their methodology, as the page, exports and publication show them."""
    results = compute(consultation, start, end, weight_by=weight_fields(report))
    results["methodology"] = summary(consultation, report, results)
    return results


def draw_sample(consultation: Consultation, size: int, *, seed: int, actor: Any) -> TsmSample:
    """Draw a stratified sample, make it the consultation's audience and store the draw (flush only)."""
    if consultation.launched:
        raise TsmError("This survey has been launched, so its audience can no longer change.")
    if size < 1:
        raise TsmError("Enter how many tenants to sample (at least 1).")
    drawn = stratified_sample(size, seed=seed)
    audience = dict(consultation.audience or {})
    audience["customer_refs"] = drawn.refs
    # The tenants are drawn already: a second draw at launch would shrink the sample.
    audience.pop("sample", None)
    consultation.audience = audience
    consultation.sample_record = drawn.record()
    record(
        "tsm.sample",
        actor=actor,
        target_type="consultation",
        target_id=consultation.id,
        detail={"size": len(drawn.refs), "seed": seed, "population": drawn.drawn.population},
    )
    db.session.flush()
    return drawn


def publish(consultation: Consultation, report: TsmReport, *, now: datetime, actor: Any) -> dict[str, Any]:
    """Publish the results and methodology for the report's period: the copy residents see (flush only)."""
    if report.period_from is None or report.period_to is None:
        raise TsmError("Choose and save the results period before publishing.")
    results = results_for(consultation, report, report.period_from, report.period_to)
    if not results["responses"]:
        raise TsmError("There are no responses in the period, so there is nothing to publish.")
    results["landlord"] = landlord_name()
    results["title"] = consultation.title
    results["published_at"] = now.isoformat()
    report.published = results
    report.published_at = now
    report.published_by_id = getattr(actor, "id", None)
    record("tsm.publish", actor=actor, target_type="consultation", target_id=consultation.id)
    db.session.flush()
    return results


def unpublish(report: TsmReport, *, actor: Any) -> None:
    """Take the published copy down (flush only)."""
    report.published = None
    report.published_at = None
    record("tsm.unpublish", actor=actor, target_type="consultation", target_id=report.consultation_id)
    db.session.flush()
