"""Importing areas and the customer register."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.imports import ImportRejected, ImportResult, import_rows
from app.models import Area, AuditEvent, Customer

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)
HEADER = "ref,first_name,last_name,phone,email,area,tenure,age_band,gender,ethnicity,disability,sms_consent,email_consent\r\n"
GOOD = HEADER + (
    "DH001,Jane,Smith,07911 123456,jane.smith@example.org,Derby,general  needs,35 - 44,Female,White British,No,yes,no\r\n"
    'DH002,"O\'Neill, Siobhan",Jones,+44 1332 123456,,erewash,Leaseholder,,,,,n,Y\r\n'
    "DH003,Kwame,Okafor,,kwame@example.org,,,,,,,,\r\n"
)


def load(kind: str, text: str, now: datetime = NOW) -> ImportResult:
    result = import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=now)
    db.session.commit()
    return result


def problems(kind: str, text: str) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=NOW)
    db.session.rollback()
    return info.value.errors


def customers() -> dict[str, Customer]:
    return {c.ref: c for c in db.session.execute(db.select(Customer)).scalars()}


def count(model: type) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def with_areas(app: Flask) -> None:
    load("areas", "area,homes\r\nDerby,1200\r\nErewash,300\r\n")


def test_areas_are_added_then_updated_by_name(app: Flask) -> None:
    assert load("areas", "area,homes\nDerby,1200\nErewash,300\n").summary() == (
        "areas.csv: 2 rows — 2 added, 0 updated, 0 unchanged"
    )
    result = load("areas", "area,homes\nDERBY,1250\nErewash,300\nHigh Peak,80\n")
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    homes = {a.name: a.homes for a in db.session.execute(db.select(Area)).scalars()}
    assert homes == {"Derby": 1250, "Erewash": 300, "High Peak": 80}


def test_bad_area_rows_are_all_listed(app: Flask) -> None:
    assert problems("areas", "area,homes\nDerby,12.5\n,4\nErewash,-3\nderby,1\nDerby ,2\n") == [
        'areas.csv row 2, homes: "12.5" is not a whole number',
        "areas.csv row 3, area: a value is required",
        'areas.csv row 4, homes: "-3" is negative; it cannot be less than 0',
        'areas.csv row 5, area: "derby" appears twice: rows 2 and 5',
        'areas.csv row 6, area: "Derby" appears twice: rows 2 and 6',
    ]
    assert count(Area) == 0


def test_customers_are_added_with_normalised_values(with_areas: None) -> None:
    result = load("customers", GOOD)
    assert result.summary() == "customers.csv: 3 rows — 3 added, 0 updated, 0 unchanged"
    jane, siobhan, kwame = customers().values()
    assert (jane.phone, jane.email, jane.area.name, jane.tenure, jane.age_band) == (
        "+447911123456",
        "jane.smith@example.org",
        "Derby",
        "General needs",
        "35-44",
    )
    assert (jane.ethnicity, jane.disability) == ("White", "No")
    assert (jane.sms_consent, jane.email_consent) == (True, False)
    assert siobhan.first_name == "O'Neill, Siobhan"
    assert (siobhan.phone, siobhan.email, siobhan.area.name) == ("+441332123456", None, "Erewash")
    assert (siobhan.sms_consent, siobhan.email_consent, siobhan.gender) == (False, True, None)
    assert (kwame.phone, kwame.area, kwame.sms_consent, kwame.email_consent) == (None, None, False, False)
    assert jane.created_at == NOW


def test_same_file_twice_changes_nothing(with_areas: None) -> None:
    load("customers", GOOD)
    before = {ref: (c.phone, c.email, c.updated_at) for ref, c in customers().items()}
    db.session.expire_all()
    result = load("customers", GOOD, now=NOW + timedelta(days=1))
    assert (result.added, result.updated, result.unchanged) == (0, 0, 3)
    assert {ref: (c.phone, c.email, c.updated_at) for ref, c in customers().items()} == before


def test_corrected_file_updates_customers_by_ref(with_areas: None) -> None:
    load("customers", GOOD)
    corrected = GOOD.replace("07911 123456", "07912 654321").replace(
        "Kwame,Okafor,,", "Kwame,Okafor,01773 123456,"
    )
    later = NOW + timedelta(days=2)
    db.session.expire_all()
    result = load("customers", corrected + "DH004,New,Person,,,,,,,,,,\r\n", now=later)
    assert (result.added, result.updated, result.unchanged) == (1, 2, 1)
    found = customers()
    assert found["DH001"].phone == "+447912654321"
    assert found["DH001"].updated_at == later
    assert found["DH003"].phone == "+441773123456"
    assert found["DH002"].updated_at == NOW
    assert count(Customer) == 4


def test_file_with_some_columns_updates_only_those(with_areas: None) -> None:
    load("customers", GOOD)
    db.session.expire_all()
    result = load("customers", "Ref,Phone\nDH001,07930 111222\nDH009,07400 123456\n")
    assert (result.added, result.updated) == (1, 1)
    found = customers()
    assert (found["DH001"].phone, found["DH001"].first_name, found["DH001"].area.name) == (
        "+447930111222",
        "Jane",
        "Derby",
    )
    assert found["DH001"].sms_consent is True
    assert (found["DH009"].first_name, found["DH009"].sms_consent, found["DH009"].area) == ("", False, None)


def test_bad_customer_rows_name_file_row_and_column(with_areas: None) -> None:
    bad = HEADER + (
        "DH001,Jane,Smith,0770,jane@,Derby,,,,,,yes,no\r\n"
        "DH002,Bob,Jones,07911 123456,bob@example.org,Narnia,,,,,,maybe,no\r\n"
        ",No,Ref,,,,,,,,,,\r\n"
        f"{'X' * 41},Long,Ref,,,,,,,,,,\r\n"
        "DH005,Fine,Row,07911 123456,,,,,,,,,\r\n"
    )
    assert problems("customers", bad) == [
        'customers.csv row 2, phone: "0770" is not a phone number',
        'customers.csv row 2, email: "jane@" is not an email address (There must be something after the @-sign.)',
        'customers.csv row 3, area: "Narnia" is not on the landlord\'s list of areas; use one of: Derby, Erewash',
        'customers.csv row 3, sms_consent: "maybe" is not yes or no',
        "customers.csv row 4, ref: a value is required",
        f'customers.csv row 5, ref: "{"X" * 39}…" is too long (41 characters; at most 40)',
    ]
    assert count(Customer) == 0


def test_one_bad_row_writes_nothing(with_areas: None) -> None:
    rows = "".join(f"DH{n:03d},A,B,07911 123456,,Derby,,,,,,yes,no\r\n" for n in range(50))
    assert problems("customers", HEADER + rows + "DH999,A,B,07700 900123,,,,,,,,,\r\n") == [
        'customers.csv row 52, phone: "07700 900123" is not a phone number'
    ]
    assert count(Customer) == 0
    assert db.session.execute(db.select(AuditEvent).filter_by(target_type="customers")).first() is None


def test_duplicate_ref_names_both_rows(with_areas: None) -> None:
    text = HEADER + "DH001,A,B,,,,,,,,,,\r\nDH002,C,D,,,,,,,,,,\r\nDH001,E,F,,,,,,,,,,\r\n"
    assert problems("customers", text) == ['customers.csv row 4, ref: "DH001" appears twice: rows 2 and 4']


def test_erased_customers_are_not_brought_back(with_areas: None) -> None:
    load("customers", GOOD)
    jane = customers()["DH001"]
    jane.first_name, jane.phone, jane.email, jane.erased_at = "", None, None, NOW
    db.session.commit()
    result = load("customers", GOOD)
    assert (result.skipped, result.unchanged) == (1, 2)
    assert result.summary().endswith(", 1 skipped")
    db.session.expire_all()
    assert (customers()["DH001"].phone, customers()["DH001"].first_name) == (None, "")


def test_successful_import_is_audited(with_areas: None) -> None:
    load("customers", GOOD)
    event = db.session.execute(db.select(AuditEvent).filter_by(target_type="customers")).scalar_one()
    assert (event.action, event.target_id, event.at) == ("import", "customers.csv", NOW)
    assert event.detail == {
        "file": "customers.csv",
        "rows": 3,
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }


def test_refs_differing_only_in_case_are_a_duplicate(with_areas: None) -> None:
    text = "ref,first_name\r\ndl100001,Ann\r\nDL100002,Bob\r\n DL100001 ,Ann\r\n"
    assert problems("customers", text) == ['customers.csv row 4, ref: "DL100001" appears twice: rows 2 and 4']
    assert count(Customer) == 0


def test_refs_match_existing_customers_ignoring_case_and_spaces(with_areas: None) -> None:
    load("customers", "ref,first_name\r\nDL100001,Ann\r\ndl100002,Bob\r\n")
    result = load("customers", "ref,first_name\r\n dl100001 ,Annie\r\nDL100002,Bob\r\nDl100003,Cy\r\n")
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    # refs stay as first stored; a new customer's ref is kept as written
    assert {ref: c.first_name for ref, c in customers().items()} == {
        "DL100001": "Annie", "dl100002": "Bob", "Dl100003": "Cy",
    }  # fmt: skip


def test_an_erased_customer_is_not_brought_back_under_another_case(with_areas: None) -> None:
    load("customers", GOOD)
    jane = customers()["DH001"]
    jane.first_name, jane.erased_at = "", NOW
    db.session.commit()
    result = load("customers", HEADER + "dh001,Jane,Smith,,,,,,,,,,\r\n")
    assert (result.added, result.skipped) == (0, 1)
    db.session.expire_all()
    assert count(Customer) == 3 and customers()["DH001"].first_name == ""


def test_stored_refs_differing_only_in_case_prefer_the_exact_one(with_areas: None) -> None:
    db.session.add_all([Customer(ref="ab1", first_name="Low"), Customer(ref="AB1", first_name="High")])
    db.session.commit()
    result = load("customers", "ref,first_name\r\nAB1,Upper\r\n")
    assert (result.added, result.updated) == (0, 1)
    assert {ref: c.first_name for ref, c in customers().items()} == {"ab1": "Low", "AB1": "Upper"}


def test_profile_values_outside_the_lists_are_refused_naming_row_column_and_allowed_values(
    with_areas: None,
) -> None:
    bad = HEADER.replace("\r\n", ",language\r\n") + (
        "DH001,A,One,,,Derby,Council flat,200,Robot,Martian,Perhaps,,,Klingon\r\n"
        "DH002,B,Two,,,Derby,leasehold,75 and over,woman,Asian British,y,,,bsl\r\n"
    )
    assert problems("customers", bad) == [
        'customers.csv row 2, tenure: "Council flat" is not on the landlord\'s list of tenures; use one of: '
        "General needs, Affordable rent, Supported housing, Shared ownership, Leaseholder",
        'customers.csv row 2, age_band: "200" is not on the landlord\'s list of age bands; use one of: '
        "16-24, 25-34, 35-44, 45-54, 55-64, 65-74, 75+, Prefer not to say",
        'customers.csv row 2, gender: "Robot" is not on the landlord\'s list of genders; use one of: '
        "Female, Male, Non-binary, Prefer not to say",
        'customers.csv row 2, ethnicity: "Martian" is not on the landlord\'s list of ethnicities; use one of: '
        "Asian or Asian British, Black, Black British, Caribbean or African, Mixed or multiple ethnic groups, "
        "White, Other ethnic group, Prefer not to say",
        'customers.csv row 2, disability: "Perhaps" is not on the landlord\'s list of disability answers; '
        "use one of: Yes, No, Prefer not to say",
        'customers.csv row 2, language: "Klingon" is not on the landlord\'s list of languages; use one of: '
        "English, Polish, Urdu, Punjabi, Bengali, Gujarati, Arabic, Romanian, Portuguese, Somali, Welsh, "
        "British Sign Language, Other language",
    ]
    assert count(Customer) == 0


def test_synonyms_import_as_the_listed_value(with_areas: None) -> None:
    from app.vocabulary import services

    services.add_synonym("area", "Erewash", "Ilkeston", actor=None, now=NOW)
    db.session.commit()
    text = HEADER.replace("\r\n", ",language\r\n") + (
        "DH002,B,Two,,,ILKESTON,leasehold,75 and over,woman,Asian British,y,,,bsl\r\n"
        "DH003,C,Three,,,derby,Shared  Owner,16 – 24,M,asian or asian british,N,,,\r\n"
    )
    load("customers", text)
    found = customers()
    profile = lambda c: (c.area.name, c.tenure, c.age_band, c.gender, c.ethnicity, c.disability, c.language)  # noqa: E731
    assert profile(found["DH002"]) == (
        "Erewash", "Leaseholder", "75+", "Female", "Asian or Asian British", "Yes", "British Sign Language",
    )  # fmt: skip
    assert profile(found["DH003"]) == (
        "Derby",
        "Shared ownership",
        "16-24",
        "Male",
        "Asian or Asian British",
        "No",
        None,
    )


def test_a_value_staff_add_to_a_list_imports(with_areas: None) -> None:
    from app.vocabulary import services

    services.add_value("tenure", "Council flat", actor=None, now=NOW)
    db.session.commit()
    load("customers", "ref,tenure\r\nDH001,council FLAT\r\n")
    assert customers()["DH001"].tenure == "Council flat"
