"""The teacher's results pages in Chromium: axe-core finds no WCAG violation at laptop and
phone width, nothing scrolls sideways at 1280 px, and live progress refreshes itself (or offers
a link with JavaScript off)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from quizzes.admin import results_views
from quizzes.models import Attempt, AttemptState
from tests.browser.conftest import log_in_as
from tests.factories import TeacherFactory
from tests.quizzes.results_data import class_with_results

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def data():
    return class_with_results(teacher=TeacherFactory(username="results_teacher"), students=30)


def page_urls(data) -> dict[str, str]:
    return {
        "home": reverse("admin:index"),
        "gradebook": reverse("admin:quizzes_schoolclass_gradebook", args=[data.school_class.pk]),
        "student": reverse(
            "admin:quizzes_schoolclass_student", args=[data.school_class.pk, data.students[2].pk]
        ),
        "report": reverse("admin:quizzes_assignment_report", args=[data.closed.pk]),
        "progress": reverse("admin:quizzes_assignment_progress", args=[data.open.pk]),
        "attempt": reverse(
            "admin:quizzes_attempt_change",
            args=[Attempt.objects.filter(assignment=data.closed).first().pk],
        ),
    }


PAGES = ["home", "gradebook", "student", "report", "progress", "attempt"]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "375"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(new_page, live_server, axe, data, name, viewport):
    page = new_page(viewport=viewport)
    log_in_as(page, live_server, data.school_class.teachers.get())
    page.goto(live_server.url + page_urls(data)[name])

    result = axe.run(page)

    assert result.violations_count == 0, result.generate_report()


@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_at_1280_px(new_page, live_server, data, name):
    page = new_page(viewport=LAPTOP)
    log_in_as(page, live_server, data.school_class.teachers.get())
    page.goto(live_server.url + page_urls(data)[name])

    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]


def test_live_progress_refreshes_itself_and_can_pause(page, live_server, data, monkeypatch):
    monkeypatch.setattr(results_views, "PROGRESS_REFRESH_SECONDS", 1)
    log_in_as(page, live_server, data.school_class.teachers.get())
    page.goto(live_server.url + page_urls(data)["progress"])
    row = page.locator("#progress-table tr", has_text="Ada Zed001")
    assert "In progress" in row.inner_text()

    Attempt.objects.filter(assignment=data.open, student=data.students[1]).update(
        state=AttemptState.FINISHED, score=1, finished_at=data.now
    )

    page.wait_for_function(
        "() => [...document.querySelectorAll('#progress-table tr')]"
        ".some(tr => tr.innerText.includes('Ada Zed001') && tr.innerText.includes('Submitted'))",
        timeout=5000,
    )
    page.get_by_role("button", name="Pause updates").click()
    assert page.get_by_role("button", name="Resume updates").is_visible()


def test_live_progress_without_javascript_has_a_refresh_link(new_page, live_server, data):
    page = new_page(java_script_enabled=False)
    log_in_as(page, live_server, data.school_class.teachers.get())
    page.goto(live_server.url + page_urls(data)["progress"])

    page.get_by_role("link", name="Refresh now").click()

    assert page.url.endswith(page_urls(data)["progress"])
    assert page.get_by_role("button", name="Pause updates").count() == 0
