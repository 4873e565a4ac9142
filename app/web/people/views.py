"""Staff screens for the customer register and staff logins."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.auth.decorators import roles_required
from app.contact import display_phone
from app.customers import CustomerError, save_customer
from app.extensions import db
from app.models import Customer, utcnow
from app.models.audit import record
from app.web.paging import page_number
from app.web.people import export, queries
from app.web.people.blueprint import bp
from app.web.people.forms import CustomerForm
from app.web.people.sections import customer_sections

PER_PAGE = 50


@bp.app_template_filter("phone")
def phone_filter(value: str | None) -> str:
    """Show an E.164 number in UK national form."""
    return display_phone(value)


@bp.get("/")
@roles_required("staff")
def customers() -> ResponseReturnValue:
    """List customers with search, filters, sorting and paging."""
    filters = queries.CustomerFilters.from_args(request.args)
    page = queries.search_customers(filters, page_number(request.args.get("page")), PER_PAGE)
    return render_template(
        "people/customers.html",
        page=page,
        filters=filters,
        areas=queries.areas(),
        tenures=queries.profile_choices("tenure"),
    )


@bp.get("/export.<fmt>")
@roles_required("manager")
def export_register(fmt: str) -> ResponseReturnValue:
    """Download the register, filtered as on the list page, as CSV or XLSX (audited)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters = queries.CustomerFilters.from_args(request.args)
    body: str | bytes = export.to_csv(filters) if fmt == "csv" else export.to_xlsx(filters)
    record(
        "register.export",
        actor=current_user,
        target_type="customers",
        detail={"format": fmt, **filters.as_args()},
    )
    db.session.commit()
    mimetype = (
        "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="register.{fmt}"'
    return response


@bp.get("/<int:customer_id>")
@roles_required("staff")
def customer(customer_id: int) -> ResponseReturnValue:
    """Show one customer: contact, consents and opt-outs, profile, participation and messages."""
    person = db.get_or_404(Customer, customer_id)
    return render_template(
        "people/customer.html",
        customer=person,
        history=queries.participation_history(person.id),
        consents=queries.consent_dates(person.id),
        sections=customer_sections(current_app._get_current_object(), person, request.args),  # type: ignore[attr-defined]
    )


def _save(form: CustomerForm, person: Customer | None) -> ResponseReturnValue | None:
    """Validate and save the form; return a redirect when saved, None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        saved = save_customer(form.to_data(), customer=person, actor=current_user, now=utcnow())
    except CustomerError as exc:
        db.session.rollback()
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
        return None
    db.session.commit()
    flash(f"Saved customer {saved.ref}.", "success")
    return redirect(url_for("people.customer", customer_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("staff")
def new_customer() -> ResponseReturnValue:
    """Add a customer to the register."""
    form = CustomerForm()
    done = _save(form, None)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("people/customer_form.html", form=form, customer=None), status


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit_customer(customer_id: int) -> ResponseReturnValue:
    """Edit a customer's contact details, consent and profile."""
    person = db.get_or_404(Customer, customer_id)
    form = CustomerForm(customer=person)
    done = _save(form, person)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("people/customer_form.html", form=form, customer=person), status
