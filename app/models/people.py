"""The customer register, the areas it is split into, and staff logins."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.contact import phone_type
from app.extensions import db
from app.models.base import UTCDateTime, utcnow

ROLES = ("staff", "manager", "admin")
# Higher rank includes what lower ranks may do; admins also manage users and settings.
ROLE_RANK = {"staff": 1, "manager": 2, "admin": 3}
PROFILE_FIELDS = ("age_band", "gender", "ethnicity", "disability", "tenure", "area")


class Area(db.Model):
    """A local-offer area and the number of homes in it."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    homes: Mapped[int] = mapped_column(Integer, default=0)
    # The landlord's display order in lists, filters and the report; ties go by name.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<Area {self.name}>"


class Customer(db.Model):
    """A customer (tenant, leaseholder, shared owner) on the register."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # "mobile", "landline" or "other", kept in step with phone; only mobiles are texted.
    phone_type: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    tenure: Mapped[str | None] = mapped_column(String(40))
    age_band: Mapped[str | None] = mapped_column(String(20))
    gender: Mapped[str | None] = mapped_column(String(40))
    ethnicity: Mapped[str | None] = mapped_column(String(80))
    disability: Mapped[str | None] = mapped_column(String(40))
    # Checked as a second detail before a public page links a booking or answer to the customer.
    postcode: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str | None] = mapped_column(String(40))
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    involvement_register: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area | None] = relationship(lazy="joined")

    @validates("phone")
    def _keep_phone_type(self, _key: str, value: str | None) -> str | None:
        self.phone_type = phone_type(value)
        return value

    @property
    def name(self) -> str:
        """Full name as written on letters."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def profile_complete(self) -> bool:
        """True when every profiling field is filled in."""
        return all([self.age_band, self.gender, self.ethnicity, self.disability, self.tenure, self.area_id])

    def __repr__(self) -> str:
        return f"<Customer {self.ref}>"


_DUMMY_HASH: list[str] = []


def password_matches(stored_hash: str, password: str) -> bool:
    """Check a password against a stored hash (the one place a sign-in pays for hashing)."""
    return check_password_hash(stored_hash, password)


def waste_password_check(password: str) -> None:
    """Do the hashing a real account's check costs, so an unknown email answers no faster."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash("not a real password"))
    password_matches(_DUMMY_HASH[0], password)


class StaffUser(UserMixin, db.Model):
    """A member of staff who signs in to run involvement work."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20), default="staff")
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stored in each session at sign-in; bumping it ends every open session of this user.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued to this user so far."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        """Return True when the password matches the stored hash."""
        return bool(self.password_hash) and password_matches(self.password_hash, password)

    def has_role(self, role: str) -> bool:
        """Return True when this user's role ranks at least as high as ``role``."""
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]

    def __repr__(self) -> str:
        return f"<StaffUser {self.email}>"
