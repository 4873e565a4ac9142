"""The landlord's lists: folding spellings, synonyms, and the changes staff make to a list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Area, AuditEvent, Customer, VocabularySynonym
from app.vocabulary import services
from app.vocabulary.defaults import DEFAULTS
from app.vocabulary.lists import key, load, load_all

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)


def test_key_folds_case_spacing_and_dashes() -> None:
    assert key("  Asian  or ASIAN british ") == key("Asian or Asian British")
    assert key("16 – 24") == key("16-24") == key("16 - 24")
    assert key("White") != key("White British")


def test_shipped_lists_apply_until_edited(app: Flask) -> None:
    lists = load_all()
    assert list(lists) == ["tenure", "age_band", "gender", "ethnicity", "disability", "language", "area"]
    assert lists["ethnicity"].values == (
        "Asian or Asian British",
        "Black, Black British, Caribbean or African",
        "Mixed or multiple ethnic groups",
        "White",
        "Other ethnic group",
        "Prefer not to say",
    )
    assert not lists["ethnicity"].stored
    assert lists["ethnicity"].canonical("asian british") == "Asian or Asian British"
    assert lists["ethnicity"].canonical("ASIAN OR ASIAN BRITISH") == "Asian or Asian British"
    assert lists["ethnicity"].canonical("Martian") is None
    assert lists["area"].values == ()


def test_rank_puts_listed_values_in_order_then_others_then_blanks(app: Flask) -> None:
    tenure = load("tenure")
    values = ["Leaseholder", None, "Council flat", "general needs", "Affordable rent", "Attic"]
    assert sorted(values, key=tenure.rank) == [
        "general needs",
        "Affordable rent",
        "Leaseholder",
        "Attic",
        "Council flat",
        None,
    ]


def test_add_rename_and_move_keep_customers_and_old_spellings(app: Flask) -> None:
    db.session.add_all(
        [Customer(ref="A1", tenure="General needs"), Customer(ref="A2", tenure="general needs")]
    )
    db.session.commit()
    services.add_value("tenure", "  Key  worker ", actor=None, now=NOW)
    changed = services.rename_value("tenure", "General needs", "Social rent housing", actor=None, now=NOW)
    services.move_value("tenure", "Key worker", -1, actor=None, now=NOW)
    db.session.commit()
    tenure = load("tenure")
    assert tenure.stored
    assert tenure.values == (
        "Social rent housing",
        "Affordable rent",
        "Supported housing",
        "Shared ownership",
        "Key worker",
        "Leaseholder",
    )
    assert changed == 2
    assert set(db.session.scalars(select(Customer.tenure))) == {"Social rent housing"}
    # Files written before the rename still mean the renamed value.
    assert tenure.canonical("GENERAL NEEDS") == "Social rent housing"
    assert tenure.canonical("social rented") == "Social rent housing"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["vocabulary.add", "vocabulary.rename", "vocabulary.move"]


def test_clashing_and_blank_values_are_refused_beside_their_field(app: Flask) -> None:
    with pytest.raises(services.VocabularyError) as blank:
        services.add_value("gender", "   ", actor=None, now=NOW)
    assert (blank.value.field, blank.value.message) == ("value", "Enter a value.")
    with pytest.raises(services.VocabularyError) as same:
        services.add_value("gender", "female", actor=None, now=NOW)
    assert same.value.message == "'Female' is already on the list."
    with pytest.raises(services.VocabularyError) as taken:
        services.add_synonym("gender", "Male", "woman", actor=None, now=NOW)
    assert (taken.value.field, taken.value.message) == (
        "synonym",
        "'woman' is already a synonym of 'Female'.",
    )
    with pytest.raises(services.VocabularyError) as long:
        services.add_value("age_band", "x" * 21, actor=None, now=NOW)
    assert long.value.message == "Use at most 20 characters (this has 21)."


def test_a_value_in_use_retires_only_into_another(app: Flask) -> None:
    db.session.add_all(
        [Customer(ref="A1", ethnicity="White"), Customer(ref="A2", ethnicity="Asian or Asian British")]
    )
    db.session.commit()
    services.add_synonym("ethnicity", "White", "English", actor=None, now=NOW)
    db.session.commit()
    with pytest.raises(services.VocabularyError) as refused:
        services.retire_value("ethnicity", "White", None, actor=None, now=NOW)
    assert refused.value.field == "into"
    assert refused.value.message == "1 customer(s) have 'White': choose the value they should have instead."
    db.session.rollback()
    moved = services.retire_value("ethnicity", "White", "Other ethnic group", actor=None, now=NOW)
    db.session.commit()
    assert moved == 1
    ethnicity = load("ethnicity")
    assert "White" not in ethnicity.values
    assert db.session.get(Customer, 1).ethnicity == "Other ethnic group"
    # The retired value and its synonyms now mean the value its customers moved to.
    assert ethnicity.canonical("white") == "Other ethnic group"
    assert ethnicity.canonical("English") == "Other ethnic group"
    assert ethnicity.canonical("white british") == "Other ethnic group"
    services.retire_value("ethnicity", "Prefer not to say", None, actor=None, now=NOW)
    assert "Prefer not to say" not in load("ethnicity").values


def test_areas_reuse_their_table_with_order_synonyms_and_merging(app: Flask) -> None:
    db.session.add_all(
        [Area(name="Derby", homes=100), Area(name="Erewash", homes=50), Area(name="Ilkeston", homes=5)]
    )
    db.session.commit()
    ilkeston = db.session.scalar(select(Area).where(Area.name == "Ilkeston"))
    db.session.add(Customer(ref="A1", area=ilkeston))
    db.session.commit()
    services.move_value("area", "Erewash", -1, actor=None, now=NOW)
    services.add_synonym("area", "Derby", "Derby City", actor=None, now=NOW)
    services.retire_value("area", "Ilkeston", "Erewash", actor=None, now=NOW)
    db.session.commit()
    areas = load("area")
    assert areas.values == ("Erewash", "Derby")
    assert areas.canonical("derby  city") == "Derby"
    assert areas.canonical("ilkeston") == "Erewash"
    assert db.session.scalar(select(Customer.area_id)) == areas.ids["Erewash"]


def test_first_change_saves_the_shipped_list_with_its_synonyms(app: Flask) -> None:
    services.add_value("disability", "Not known", actor=None, now=NOW)
    db.session.commit()
    stored = db.session.scalar(select(db.func.count()).select_from(VocabularySynonym))
    assert stored == sum(len(s) for _, s in DEFAULTS["disability"])
    assert load("disability").values == ("Yes", "No", "Prefer not to say", "Not known")


def test_a_rename_may_change_only_the_case(app: Flask) -> None:
    db.session.add(Customer(ref="A1", gender="Non-binary"))
    db.session.commit()
    services.rename_value("gender", "Non-binary", "Non-Binary", actor=None, now=NOW)
    db.session.commit()
    assert load("gender").values[2] == "Non-Binary"
    assert db.session.scalar(select(Customer.gender)) == "Non-Binary"
