"""The customer register screens: search, filters, paging, the customer page and the edit form."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, Area, AuditEvent, Customer, Participation, utcnow


def add_customers(count: int, **fields: Any) -> list[Customer]:
    area = db.session.scalar(select(Area).where(Area.name == "Derby")) or Area(name="Derby", homes=100)
    db.session.add(area)
    people = [
        Customer(ref=f"DL{n:05d}", first_name="Pat", last_name=f"Person{n:05d}", area=area, **fields)
        for n in range(count)
    ]
    db.session.add_all(people)
    db.session.commit()
    return people


def refs_on(response: Any) -> list[str]:
    return re.findall(r">(DL\w+)</a>", response.get_data(as_text=True))


def test_the_list_pages_fifty_at_a_time_with_counts(staff_client: FlaskClient) -> None:
    add_customers(120)
    first = staff_client.get("/customers/")
    text = first.get_data(as_text=True)
    assert "1–50 of 120" in text
    assert len(refs_on(first)) == 50
    third = staff_client.get("/customers/?page=3")
    assert "101–120 of 120" in third.get_data(as_text=True)
    assert refs_on(third)[0] == "DL00100"
    # A page past the end shows the last page rather than an empty one.
    assert "101–120 of 120" in staff_client.get("/customers/?page=99").get_data(as_text=True)
    assert "1–50 of 120" in staff_client.get("/customers/?page=nonsense").get_data(as_text=True)


def test_thousands_are_shown_with_separators(staff_client: FlaskClient) -> None:
    db.session.execute(
        Customer.__table__.insert(),
        [{"ref": f"R{n:05d}", "first_name": "A", "last_name": "B"} for n in range(2013)],
    )
    db.session.commit()
    assert "1–50 of 2,013" in staff_client.get("/customers/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DL00002", ["DL00002"]),
        ("dl00002", ["DL00002"]),
        ("Ann Archer", ["DL00002"]),
        ("archer", ["DL00002"]),
        ("07911 123456", ["DL00002"]),
        ("+447911123456", ["DL00002"]),
        ("ANN.ARCHER@EXAMPLE", ["DL00002"]),
        ("nobody-matches-this", []),
    ],
)
def test_search_by_ref_name_phone_or_email(
    staff_client: FlaskClient, query: str, expected: list[str]
) -> None:
    add_customers(5)
    ann = db.session.scalar(select(Customer).where(Customer.ref == "DL00002"))
    ann.first_name, ann.last_name = "Ann", "Archer"
    ann.phone, ann.email = "+447911123456", "ann.archer@example.org"
    db.session.commit()
    response = staff_client.get("/customers/", query_string={"q": query})
    assert response.status_code == 200
    assert refs_on(response) == expected


def test_filters_by_area_tenure_and_consent(staff_client: FlaskClient) -> None:
    kirkby = Area(name="Kirkby", homes=50)
    db.session.add(kirkby)
    add_customers(3)
    texters = [
        Customer(ref="K1", area=kirkby, tenure="Leaseholder", phone="+447911100001", sms_consent=True),
        Customer(
            ref="K2",
            area=kirkby,
            tenure="General needs",
            phone="+447911100002",
            sms_consent=True,
            sms_opted_out_at=utcnow(),
        ),
        Customer(ref="K3", area=kirkby, tenure="General needs", email="k3@example.org", email_consent=True),
    ]
    db.session.add_all(texters)
    db.session.commit()

    def refs(**args: str) -> set[str]:
        return set(
            re.findall(
                r">(K\d|DL\w+)</a>", staff_client.get("/customers/", query_string=args).get_data(as_text=True)
            )
        )

    assert refs(area=str(kirkby.id)) == {"K1", "K2", "K3"}
    assert refs(area=str(kirkby.id), tenure="General needs") == {"K2", "K3"}
    # Opted-out customers cannot be texted whatever their consent says.
    assert refs(sms="yes") == {"K1"}
    assert "K2" in refs(sms="no")
    assert refs(email="yes") == {"K3"}
    assert refs(area=str(kirkby.id), sms="yes", tenure="Leaseholder") == {"K1"}


def test_columns_sort_both_ways(staff_client: FlaskClient) -> None:
    add_customers(3)
    assert refs_on(staff_client.get("/customers/?sort=ref"))[:3] == ["DL00000", "DL00001", "DL00002"]
    assert refs_on(staff_client.get("/customers/?sort=ref&dir=desc"))[:3] == ["DL00002", "DL00001", "DL00000"]
    # Unknown sort keys fall back to the default instead of failing.
    assert staff_client.get("/customers/?sort=password_hash").status_code == 200


def test_the_customer_page_shows_contact_consent_profile_and_history(staff_client: FlaskClient) -> None:
    (person,) = add_customers(
        1,
        phone="+447911123456",
        sms_consent=True,
        email="p@example.org",
        email_opted_out_at=utcnow(),
        age_band="35-44",
        tenure="General needs",
    )
    forum = Activity(name="Challenge Hour area forums", category="forum")
    panel = Activity(name="Reading Panel", category="panel")
    db.session.add_all([forum, panel])
    db.session.flush()
    for day, activity, hours in [
        (date(2026, 5, 1), forum, "1.5"),
        (date(2026, 6, 1), forum, "1.5"),
        (date(2026, 7, 1), panel, "2"),
    ]:
        db.session.add(
            Participation(
                activity_id=activity.id,
                customer_id=person.id,
                date=day,
                channel="in person",
                hours=Decimal(hours),
            )
        )
    db.session.commit()
    text = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    assert "07911 123456" in text
    assert "Consented" in text
    assert "Unsubscribed" in text
    assert "35-44" in text
    assert "Took part 3 times in 2 activities" in text
    assert "5 hours in all" in text
    assert "Reading Panel" in text
    table = text[text.index("<tbody") :]
    assert table.index("01 Jul 2026") < table.index("01 May 2026")  # newest first


def test_an_unknown_customer_is_404(staff_client: FlaskClient) -> None:
    assert staff_client.get("/customers/999").status_code == 404


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "ref": "DL9001",
        "first_name": "Joan",
        "last_name": "Evans",
        "phone": "07911 123 456",
        "email": "Joan.Evans@Example.ORG",
        "area_id": "",
        "tenure": "",
        "age_band": "",
        "gender": "",
        "ethnicity": "",
        "disability": "",
    }
    form.update(overrides)
    return form


def test_creating_a_customer_normalises_phone_and_email(staff_client: FlaskClient) -> None:
    response = staff_client.post("/customers/new", data=_form(sms_consent="y", gender="Female"))
    assert response.status_code == 303
    person = db.session.scalar(select(Customer).where(Customer.ref == "DL9001"))
    assert person.phone == "+447911123456"
    assert person.email == "joan.evans@example.org"
    assert person.sms_consent is True and person.email_consent is False
    assert person.gender == "Female" and person.tenure is None
    assert response.headers["Location"] == f"/customers/{person.id}"
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == str(person.id)))
        == "customer.create"
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ref": ""}, "ref", "Enter the customer reference."),
        ({"phone": "07700 900123"}, "phone", "is not a valid phone number"),
        ({"phone": "call me"}, "phone", "is not a phone number"),
        ({"email": "joan@"}, "email", "is not an email address"),
        ({"phone": "", "sms_consent": "y"}, "sms_consent", "Add a mobile number before recording consent"),
        ({"area_id": "999"}, "area_id", "Not a valid choice"),
    ],
)
def test_bad_customer_input_gets_a_message_beside_the_field(
    staff_client: FlaskClient, overrides: dict[str, str], field: str, message: str
) -> None:
    response = staff_client.post("/customers/new", data=_form(**overrides))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    error = re.search(rf'<small id="{field}-error" class="field-error" role="alert">([^<]*)</small>', text)
    assert error, f"no error beside {field}"
    assert message in error.group(1)
    assert re.search(rf'aria-describedby="[^"]*{field}-error"', text)
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_reference_must_be_unique(staff_client: FlaskClient) -> None:
    add_customers(1)
    response = staff_client.post("/customers/new", data=_form(ref="DL00000"))
    assert response.status_code == 422
    assert "Reference DL00000 already belongs to another customer." in response.get_data(as_text=True)


def test_editing_keeps_the_ref_and_audits_changed_fields_only(staff_client: FlaskClient) -> None:
    (person,) = add_customers(1, phone="+447911123456")
    page = staff_client.get(f"/customers/{person.id}/edit")
    assert 'value="DL00000"' in page.get_data(as_text=True)
    response = staff_client.post(
        f"/customers/{person.id}/edit",
        data=_form(
            ref="DL00000",
            first_name="Pat",
            last_name="Person00000",
            phone="+44 7911 123456",
            email="",
            area_id=str(person.area_id),
            email_consent="",
            involvement_register="y",
        ),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Customer, person.id).involvement_register is True
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.update"))
    assert event.detail == {"fields": ["involvement_register"]}


def test_escaped_output(staff_client: FlaskClient) -> None:
    add_customers(1)
    person = db.session.scalar(select(Customer))
    person.first_name = "<script>alert(1)</script>"
    db.session.commit()
    text = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text


def test_the_customer_page_shows_the_phone_type(staff_client: FlaskClient) -> None:
    mobile = Customer(ref="PT1", phone="+447911123456", sms_consent=True)
    landline = Customer(ref="PT2", phone="+441332123456", sms_consent=True)
    db.session.add_all([mobile, landline])
    db.session.commit()
    assert (mobile.phone_type, landline.phone_type) == ("mobile", "landline")
    text = staff_client.get(f"/customers/{mobile.id}").get_data(as_text=True)
    assert '<span class="badge">mobile</span>' in text and "never texted" not in text
    text = staff_client.get(f"/customers/{landline.id}").get_data(as_text=True)
    assert "landline (never texted)" in text and "Not a mobile — never texted" in text


def test_the_register_exports_with_the_filters_and_defuses_formulas(manager_client: FlaskClient) -> None:
    db.session.add_all(
        [
            Customer(ref="EX1", first_name="=HYPERLINK(1)", tenure="Leasehold", phone="+441332123456"),
            Customer(ref="EX2", first_name="Bob", tenure="General needs"),
        ]
    )
    db.session.commit()
    page = manager_client.get("/customers/?tenure=Leasehold").get_data(as_text=True)
    assert "/customers/export.csv?tenure=Leasehold" in page
    text = manager_client.get("/customers/export.csv?tenure=Leasehold").get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0].startswith("ref,first_name,last_name,phone,phone_type")
    assert len(lines) == 2 and lines[1].startswith("EX1,'=HYPERLINK(1),,+441332123456,landline")
    book = manager_client.get("/customers/export.xlsx")
    assert book.status_code == 200 and book.data[:2] == b"PK"
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    names = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"EX1": "'=HYPERLINK(1)", "EX2": "Bob"}
    assert db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "register.export")) == 2


def test_only_managers_export_the_register(staff_client: FlaskClient) -> None:
    assert staff_client.get("/customers/export.csv").status_code == 403
    assert "export.csv" not in staff_client.get("/customers/").get_data(as_text=True)


def test_export_defuses_a_plus_formula_but_keeps_phone_numbers() -> None:
    from app.web.people.export import formula_safe

    assert formula_safe("+441332123456") == "+441332123456"
    assert formula_safe("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0"
    assert formula_safe("-2+3") == "'-2+3" and formula_safe("@SUM(A1)") == "'@SUM(A1)"


def test_the_customer_form_picks_profile_values_from_the_landlords_lists(staff_client: FlaskClient) -> None:
    (person,) = add_customers(1, ethnicity="White British", tenure="Leaseholder")
    page = staff_client.get(f"/customers/{person.id}/edit").get_data(as_text=True)
    ethnicity = page[
        page.index('<select id="ethnicity"') : page.index("</select>", page.index('<select id="ethnicity"'))
    ]
    offered = re.findall(r'<option (?:selected )?value="([^"]*)"', ethnicity)
    assert offered == [
        "",
        "Asian or Asian British",
        "Black, Black British, Caribbean or African",
        "Mixed or multiple ethnic groups",
        "White",
        "Other ethnic group",
        "Prefer not to say",
        "White British",  # held from before the lists; kept until staff choose a listed value
    ]
    assert "White British (not on the list)" in ethnicity
    base = _form(ref="DL00000", area_id=str(person.area_id), phone="", email="", tenure="Leaseholder")
    kept = staff_client.post(f"/customers/{person.id}/edit", data={**base, "ethnicity": "White British"})
    assert kept.status_code == 303
    refused = staff_client.post(f"/customers/{person.id}/edit", data={**base, "ethnicity": "Martian"})
    assert refused.status_code == 422
    assert 'id="ethnicity-error"' in refused.get_data(as_text=True)
    changed = staff_client.post(
        f"/customers/{person.id}/edit", data={**base, "ethnicity": "White", "language": "Polish"}
    )
    assert changed.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Customer, person.id)
    assert (saved.ethnicity, saved.language, saved.tenure) == ("White", "Polish", "Leaseholder")
