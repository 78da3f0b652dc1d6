"""The roster pages in Chromium: axe finds no WCAG violation at laptop and phone width, nothing
scrolls sideways at 1280 px, the login slips print eight to an A4 page, and the Print button
is there only when JavaScript is."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page

from tests.browser.conftest import ARTIFACTS, log_in_as
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    EnrollmentFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
    TeacherFactory,
)

WIDTHS = [1280, 375]
SCREENS = ARTIFACTS / "screens"
CLASS_LIST = "Full name,Username,Email\n" + "".join(
    f"Student Number {n},pupil{n:02d},\n" for n in range(1, 17)
)


@pytest.fixture
def teacher():
    return TeacherFactory(username="teacher_a")


@pytest.fixture
def school_class(teacher):
    school_class = SchoolClassFactory(
        name="Year 10 World Affairs", join_code="PEACE25", teachers=[teacher]
    )
    for n in range(4):
        EnrollmentFactory(
            school_class=school_class,
            student=StudentFactory(username=f"s{n}", first_name="Aigerim", last_name=f"Bek{n}"),
        )
    return school_class


@pytest.fixture
def assignment(school_class):
    assignment = AssignmentFactory(school_class=school_class)
    SlotFactory(quiz=assignment.quiz)
    student = school_class.enrollments.first().student
    AssignmentOverrideFactory(
        assignment=assignment,
        student=student,
        closes_at=assignment.closes_at + datetime.timedelta(days=1),
        attempts_allowed=3,
    )
    return assignment


def upload(page: Page, live_server, school_class, text: str) -> None:
    page.goto(f"{live_server.url}/admin/quizzes/schoolclass/{school_class.pk}/roster/import/")
    page.set_input_files(
        "#id_file", files=[{"name": "class.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Create accounts and print login slips").click()
    page.wait_for_load_state()


def open_roster_page(name: str, page: Page, live_server, school_class, assignment) -> None:
    base = f"{live_server.url}/admin/quizzes"
    if name == "roster":
        page.goto(f"{base}/schoolclass/{school_class.pk}/roster/")
    elif name == "upload":
        page.goto(f"{base}/schoolclass/{school_class.pk}/roster/import/")
    elif name == "upload-problems":
        upload(page, live_server, school_class, "Ann Lee,ann\n,bad\nBen,\u0432en\n")
    elif name == "slips":
        upload(page, live_server, school_class, CLASS_LIST)
    elif name == "students":
        page.goto(f"{base}/assignment/{assignment.pk}/students/")


PAGES = ["roster", "upload", "upload-problems", "slips", "students"]


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_roster_pages_pass_axe_and_fit(
    new_page, live_server, axe: Axe, teacher, school_class, assignment, name, width
):
    page = new_page(viewport={"width": width, "height": 900})
    log_in_as(page, live_server, teacher)

    open_roster_page(name, page, live_server, school_class, assignment)

    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()
    # Wide tables scroll in their own box, so even a phone never scrolls the page sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.screenshots
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_screenshots_of_the_roster_pages(
    new_page, live_server, teacher, school_class, assignment, name, width
):
    page = new_page(viewport={"width": width, "height": 900})
    log_in_as(page, live_server, teacher)

    open_roster_page(name, page, live_server, school_class, assignment)

    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"teacher-roster-{name}-{width}.png"), full_page=True)


def test_login_slips_print_eight_to_an_a4_page(page: Page, live_server, teacher, school_class):
    log_in_as(page, live_server, teacher)
    upload(page, live_server, school_class, CLASS_LIST)
    assert page.locator(".login-slip").count() == 16

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)

    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
    assert not page.locator("#header").is_visible()
    boxes = [page.locator(".login-slip").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"]  # two slips side by side


def test_the_print_button_shows_with_javascript_only(new_page, live_server, teacher, school_class):
    with_js = new_page()
    log_in_as(with_js, live_server, teacher)
    upload(with_js, live_server, school_class, "Ann Lee,ann\n")
    without_js = new_page(java_script_enabled=False)
    log_in_as(without_js, live_server, teacher)
    upload(without_js, live_server, school_class, "Ben Ode,ben\n")

    assert with_js.get_by_role("button", name="Print the slips").is_visible()
    assert without_js.get_by_role("button", name="Print the slips").count() == 0
    assert "Ctrl+P" in without_js.content()


def test_a_teacher_excuses_and_extends_from_the_students_page(
    page: Page, live_server, teacher, school_class, assignment
):
    log_in_as(page, live_server, teacher)
    page.goto(f"{live_server.url}/admin/quizzes/assignment/{assignment.pk}/students/")
    student = school_class.enrollments.order_by("student__last_name").last().student
    name = student.get_full_name()

    page.get_by_role("button", name=f"Excuse {name}").click()
    page.wait_for_load_state()
    assert f"{name} ({student.username}) is excused" in page.locator(".messagelist").inner_text()

    later = timezone.localtime(assignment.closes_at + datetime.timedelta(days=2))
    other = school_class.enrollments.order_by("student__last_name").first().student
    page.get_by_label(f"Close at for {other.get_full_name()}").fill(
        later.strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name=f"Set the close time for {other.get_full_name()}").click()
    page.wait_for_load_state()
    assert "now closes for" in page.locator(".messagelist").inner_text()
