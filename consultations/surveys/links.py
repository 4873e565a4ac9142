"""Public links of surveys, built from their routes against PUBLIC_BASE_URL."""

from __future__ import annotations

from app.links import external_url


def survey_link(token: str) -> str:
    """Return the public address of a personal survey link."""
    return external_url("surveys_public.personal", token=token)
