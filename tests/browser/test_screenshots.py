"""Screenshots of every student page at phone and laptop width, for people to look at.

Opt-in (marked `screenshots`, skipped unless --screenshots is given), so neither CI nor a plain
`make test` spends time on pictures nobody looks at. Saved to
artifacts/screens/<page>-<phone|laptop>.png; run alone with
    make test PYTEST_ARGS="--screenshots tests/browser/test_screenshots.py"
It also checks that no page throws a JavaScript error.
"""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.student_pages import PAGES, open_student_page

pytestmark = [pytest.mark.browser, pytest.mark.screenshots]

SCREENS = ARTIFACTS / "screens"
VIEWPORTS = {"phone": {"width": 375, "height": 800}, "laptop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("name", PAGES)
def test_screenshot(new_page, live_server, name: str):
    SCREENS.mkdir(parents=True, exist_ok=True)
    errors = []
    for device, viewport in VIEWPORTS.items():
        # A context per shot: the opener logs a new student in (or goes offline) each time.
        page = new_page(viewport=viewport)
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_student_page(name, page, live_server)
        page.screenshot(path=str(SCREENS / f"{name}-{device}.png"), full_page=True)
        page.context.close()
    assert errors == []
