"""Say what launching or closing will do before it happens, and act only when staff confirm once."""

from __future__ import annotations

from flask import current_app, render_template
from flask.typing import ResponseReturnValue

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import utcnow
from consultations.audiences import AudienceSpec, count_audience
from consultations.surveys import queries
from consultations.surveys.blueprints import staff_bp as bp
from consultations.surveys.models import Consultation
from consultations.surveys.preview import build_preview
from messaging.api import estimate_sending


def sending_seconds(texts: int, rate_per_second: float) -> int:
    """Return how long the dispatcher takes to send ``texts`` at the configured rate (pauses excluded)."""
    return int(-(-texts // max(rate_per_second, 0.001))) if texts else 0


def duration_words(seconds: int) -> str:
    """Write a sending time as "about 2 minutes" or "under a minute"."""
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    return f"about {minutes / 60:.1f} hours"


@bp.get("/<int:consultation_id>/launch")
@roles_required("staff")
def confirm_launch(consultation_id: int) -> ResponseReturnValue:
    """Show the audience by channel, the cost and the sending time, and ask once."""
    consultation = db.get_or_404(Consultation, consultation_id)
    counts = count_audience(
        AudienceSpec.from_json(consultation.audience),
        consultation.channels,
        consultation.channel_preference or consultation.channels,
    )
    preview = build_preview(consultation, current_app.config) if consultation.questions else None
    texts = counts.by_channel.get("sms", 0)
    estimate = estimate_sending(texts, utcnow(), current_app.config)
    return render_template(
        "consultations/confirm_launch.html",
        consultation=consultation,
        counts=counts,
        preview=preview,
        texts=texts,
        estimate=estimate,
        rate=estimate.rate,
        duration=duration_words(sending_seconds(texts, estimate.rate)),
    )


@bp.get("/<int:consultation_id>/close")
@roles_required("staff")
def confirm_close(consultation_id: int) -> ResponseReturnValue:
    """Say what closing changes (conversations ended, links stopped) and ask once."""
    consultation = db.get_or_404(Consultation, consultation_id)
    return render_template(
        "consultations/confirm_close.html",
        consultation=consultation,
        live=queries.live_invitations(consultation),
    )
