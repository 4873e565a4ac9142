"""WCAG 1.4.10 reflow: no page scrolls sideways at 320 CSS px, nor at 200% zoom of a 1280 px window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.models import StaffUser
from tests.a11y import axe
from tests.a11y.conftest import PublicSite
from tests.conftest import PASSWORD
from tests.security.world import build_world

pytestmark = pytest.mark.browser

# 200% zoom of a 1280 px window lays pages out in 640 CSS px.
WIDTHS = (320, 640)
# Wider than the window means a sideways scroll bar; name the widest element that causes it.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) { return null; }
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && (!worst || r.right > worst.right)) {
      let p = el.parentElement, clipped = false;
      while (p) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; } p = p.parentElement; }
      if (!clipped) { worst = {right: r.right, what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')}; }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: width, worst: worst};
}"""


def overflows(page: Any, url: str) -> list[str]:
    """Open ``url`` at each width and describe any sideways scroll, and what axe finds at that width."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(url)
        result = page.evaluate(OVERFLOW)
        if result:
            found.append(f"{url} at {width}px: {result}")
        # Boxes that scroll at this width must be reachable by keyboard, among axe's other rules.
        found += axe.check(page, "", f"{url} at {width}px")
    return found


def test_staff_pages_reflow(live_server: Any, page: Any, make_user: Callable[..., StaffUser]) -> None:
    world = build_world("Residents asked for evening meetings in the community centre on Tuesdays")
    admin = make_user("admin")
    axe.enable(page)
    page.goto(live_server.url + "/login")
    page.fill("#email", admin.email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    c, a, e, s = world.customer.id, world.panel.id, world.event.id, world.consultation.id
    found: list[str] = []
    for path in (
        "/", "/customers/", f"/customers/{c}", f"/customers/{c}/edit", f"/customers/{c}/data", "/activities",
        f"/activities/{a}", "/reports?from=2011-04-01&to=2012-03-31", "/consultations/", "/consultations/new",
        f"/consultations/{s}", f"/consultations/{s}/questions", f"/consultations/{s}/edit", "/events/",
        f"/events/{e}", f"/events/{e}/register", "/admin/audit", "/customers/staff",
        f"/consultations/{s}/launch", f"/consultations/{s}/close", "/messaging/inbox", "/messaging/messages",
        "/messaging/dev/sms", "/messaging/dev/email", "/reports/publish?from=2011-04-01&to=2012-03-31",
        f"/customers/{c}/erase",
    ):  # fmt: skip
        found += overflows(page, live_server.url + path)
    assert not found, "\n".join(found)


def test_public_pages_reflow(live_server: Any, page: Any, public_site: PublicSite) -> None:
    axe.enable(page)
    base = live_server.url
    found: list[str] = []
    for path in (public_site.survey, "/w/open-survey", "/w/closed-survey", "/e/open-event", "/e/full-event",
                 public_site.unsubscribe):  # fmt: skip
        found += overflows(page, base + path)
    assert not found, "\n".join(found)
