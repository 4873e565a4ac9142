"""The invitation email rendered once per consultation and filled in per recipient."""

from __future__ import annotations

from markupsafe import escape

from consultations.surveys.models import Consultation
from consultations.surveys.texts import Email, invitation_email

# Placeholders filled per recipient, so 50,000 emails need one template render, not 50,000.
FIRST_NAME, LINK, UNSUBSCRIBE = "@@FIRST_NAME@@", "@@SURVEY_LINK@@", "@@UNSUBSCRIBE@@"


class EmailTemplate:
    """The invitation email rendered once, filled in per recipient."""

    def __init__(self, consultation: Consultation, *, reminder: bool = False) -> None:
        self.email: Email = invitation_email(
            consultation, first_name=FIRST_NAME, link=LINK, unsubscribe=UNSUBSCRIBE, reminder=reminder
        )

    def fill(self, first_name: str, link: str, unsubscribe: str) -> Email:
        """Return the email for one person."""
        name = first_name.strip() or "there"
        text = self.email.text.replace(FIRST_NAME, name).replace(LINK, link).replace(UNSUBSCRIBE, unsubscribe)
        html = (
            self.email.html.replace(FIRST_NAME, str(escape(name)))
            .replace(LINK, str(escape(link)))
            .replace(UNSUBSCRIBE, str(escape(unsubscribe)))
        )
        return Email(subject=self.email.subject, text=text, html=html)
