"""The landlord's lists for profile fields: values in display order, and synonyms that map to them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class VocabularyValue(db.Model):
    """One listed value of a profile field (tenure, age band, gender, ethnicity, disability, language)."""

    __tablename__ = "vocabulary_values"
    __table_args__ = (UniqueConstraint("field", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(String(20), index=True)
    value: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)

    synonyms: Mapped[list[VocabularySynonym]] = relationship(
        back_populates="listed", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<VocabularyValue {self.field}={self.value}>"


class VocabularySynonym(db.Model):
    """Another way of writing a listed value (or an area), matched ignoring case and spacing."""

    __tablename__ = "vocabulary_synonyms"
    # One meaning per spelling in each field: the key is the spelling with case and spacing folded.
    __table_args__ = (UniqueConstraint("field", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(String(120))
    value_id: Mapped[int | None] = mapped_column(
        ForeignKey("vocabulary_values.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)

    listed: Mapped[VocabularyValue | None] = relationship(back_populates="synonyms")

    def __repr__(self) -> str:
        return f"<VocabularySynonym {self.field}:{self.text}>"
