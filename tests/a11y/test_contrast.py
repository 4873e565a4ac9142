"""WCAG 1.4.11 beyond axe: focus ring and control borders at 3:1, computed in the page by Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

# Relative luminance and contrast of a computed "rgb(r, g, b)" colour against white.
CONTRAST = """(el, prop) => {
  const m = getComputedStyle(el)[prop].match(/\\d+(\\.\\d+)?/g).map(Number);
  const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const l = 0.2126 * lin(m[0]) + 0.7152 * lin(m[1]) + 0.0722 * lin(m[2]);
  return 1.05 / (l + 0.05);
}"""


def test_focus_ring_and_borders_reach_3_to_1(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/login")
    email = page.locator("#email")
    assert email.evaluate(CONTRAST, "borderTopColor") >= 3
    page.keyboard.press("Tab")
    email.focus()
    assert email.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    assert email.evaluate(CONTRAST, "outlineColor") >= 3
    button = page.locator("main button[type=submit]")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert button.evaluate("el => el.matches(':focus-visible')")
    assert button.evaluate(CONTRAST, "outlineColor") >= 3
