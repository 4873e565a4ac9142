"""Public links: built from the routes, against PUBLIC_BASE_URL, never against the request's host."""

from __future__ import annotations

from flask import Flask

from app.links import external_url
from consultations.surveys.links import survey_link
from messaging.transports.sms_twilio import TwilioSms


def test_links_follow_the_routes_under_the_public_address(app: Flask) -> None:
    assert survey_link("abc_-1") == "http://involve.test/s/abc_-1"
    assert (
        external_url("events_public.booking_page", slug="tea", token="t.1")
        == "http://involve.test/e/tea/booking/t.1"
    )
    assert external_url("messaging.unsubscribe", token="x") == "http://involve.test/u/x"


def test_a_request_on_another_host_does_not_leak_into_links(app: Flask) -> None:
    with app.test_request_context("/", base_url="http://10.0.0.5:8000/"):
        assert survey_link("abc") == "http://involve.test/s/abc"


def test_a_public_address_with_a_path_keeps_it(app: Flask) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://example.org/involve/"
    assert survey_link("abc") == "https://example.org/involve/s/abc"


def test_without_a_public_address_a_link_is_a_path(app: Flask) -> None:
    assert external_url("events_public.calendar", _base="", slug="tea") == "/e/tea/calendar.ics"


def test_the_twilio_status_callback_is_the_status_route(app: Flask) -> None:
    config = {**app.config, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t"}
    config["PUBLIC_BASE_URL"] = "https://hooks.example.org"
    transport = TwilioSms.from_config(config, app=app)
    assert transport.status_callback == "https://hooks.example.org/messaging/twilio/status"
