"""The demo teacher scenario: author every question type through the real admin forms."""

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from quizzes.fractions import fraction_key
from quizzes.models import Choice, Question, QuestionStatus, QuestionType
from tests.browser.conftest import ARTIFACTS
from tests.factories import BankFactory, QuestionFactory, TeacherFactory

pytestmark = pytest.mark.browser

BANK_NAME = "Demo bank: Middle East news"
FACTS_AS_OF = datetime.date(2025, 11, 7)

# Per type: the inline prefix (= the related name), the key rows a teacher types (field -> value),
# and what the database must hold afterwards (fields compared, expected values in order).
# Positions are typed explicitly: ordering keys and matching pairs depend on them.
AUTHORING = {
    QuestionType.SINGLE: (
        "choices",
        [
            {"text": "Astana", "correct": "on", "feedback": "Yes, since 1997.", "position": "1"},
            {"text": "Almaty", "feedback": "The former capital.", "position": "2"},
            {"text": "Bishkek", "feedback": "Kyrgyzstan.", "position": "3"},
        ],
        ("text", "fraction"),
        [("Astana", Decimal(1)), ("Almaty", Decimal(0)), ("Bishkek", Decimal(0))],
    ),
    QuestionType.MULTIPLE: (
        "choices",
        [
            {"text": "Kazakhstan", "fraction": "0.5", "position": "1"},
            {"text": "Uzbekistan", "fraction": "0.5", "position": "2"},
            {"text": "Azerbaijan", "fraction": "-0.5", "position": "3"},
        ],
        ("text", "fraction"),
        [
            ("Kazakhstan", Decimal("0.5")),
            ("Uzbekistan", Decimal("0.5")),
            ("Azerbaijan", Decimal("-0.5")),
        ],
    ),
    QuestionType.TRUE_FALSE: (
        "choices",
        # The add page pre-fills the words True and False; the teacher marks which is true.
        [{"correct": "on"}],
        ("text", "fraction"),
        [("True", Decimal(1)), ("False", Decimal(0))],
    ),
    QuestionType.SHORT: (
        "accepted_answers",
        [
            {"text": "Astana", "fraction": "1", "position": "1"},
            {"text": "Nur-Sultan", "fraction": "0.5", "feedback": "Its old name.", "position": "2"},
        ],
        ("text", "fraction"),
        [("Astana", Decimal(1)), ("Nur-Sultan", Decimal("0.5"))],
    ),
    QuestionType.NUMERIC: (
        "numeric_answers",
        [
            {"value": "1992", "tolerance": "0", "fraction": "1", "position": "1"},
            {"value": "1991", "tolerance": "0", "fraction": "0.5", "position": "2"},
        ],
        ("value", "tolerance", "fraction"),
        [(Decimal(1992), Decimal(0), Decimal(1)), (Decimal(1991), Decimal(0), Decimal("0.5"))],
    ),
    QuestionType.MATCHING: (
        "match_pairs",
        [
            {"prompt": "UAE", "answer": "Annexation", "position": "1"},
            {"prompt": "Sudan", "answer": "Terror list", "position": "2"},
            {"prompt": "Bahrain", "answer": "Normalisation", "position": "3"},
        ],
        ("prompt", "answer"),
        [("UAE", "Annexation"), ("Sudan", "Terror list"), ("Bahrain", "Normalisation")],
    ),
    QuestionType.ORDERING: (
        "order_items",
        [
            {"text": "UAE", "position": "1"},
            {"text": "Bahrain", "position": "2"},
            {"text": "Sudan", "position": "3"},
        ],
        ("text",),
        [("UAE",), ("Bahrain",), ("Sudan",)],
    ),
    QuestionType.DESCRIPTION: (None, [], (), []),
}


@pytest.fixture
def teacher_page(page: Page, live_server, admin_login) -> Page:
    TeacherFactory(username="teacher", password="teacher")
    BankFactory(name=BANK_NAME, slug="demo-news")
    admin_login(page, live_server, "teacher", "teacher")
    return page


def open_add_form(page: Page, live_server, qtype: str) -> None:
    page.goto(f"{live_server.url}/admin/quizzes/question/add/")
    expect(page.get_by_role("heading", name="Choose a question type")).to_be_visible()
    page.locator(f"a[data-type='{qtype}']").click()
    page.wait_for_url(re.compile(rf"/admin/quizzes/question/add/\?type={qtype}$"))
    expect(page.locator("#id_type")).to_have_value(qtype)


def fill_question(page: Page, *, title: str, prompt: str) -> None:
    page.select_option("#id_bank", label=BANK_NAME)
    page.fill("#id_title", title)
    page.fill("#id_prompt", prompt)
    page.select_option("#id_status", label="Published")
    page.fill("#id_explanation", "Because the fact sheet says so.")
    page.fill("#id_source_outlet", "Anadolu Agency")
    page.fill("#id_source_title", "Timeline of the normalisation talks")
    page.fill("#id_source_url", "https://www.aa.com.tr/en/")
    page.fill("#id_facts_as_of", FACTS_AS_OF.isoformat())
    page.select_option("#id_difficulty", label="Hard")


def fill_rows(page: Page, prefix: str, rows: list[dict[str, str]]) -> None:
    for i, row in enumerate(rows):
        for field, value in row.items():
            if field == "correct":  # the radio of the row
                page.check(f"#id_{prefix}-{i}-correct")
            elif field == "fraction":  # the grade menu
                page.select_option(f"[name='{prefix}-{i}-fraction']", fraction_key(Decimal(value)))
            else:
                page.fill(f"[name='{prefix}-{i}-{field}']", value)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("qtype", list(AUTHORING), ids=str)
def test_teacher_authors_each_question_type(teacher_page: Page, live_server, qtype):
    page = teacher_page
    prefix, rows, fields, expected = AUTHORING[qtype]
    title = f"Demo {qtype} question"

    open_add_form(page, live_server, qtype)
    fill_question(page, title=title, prompt=f"Demo prompt for a **{qtype}** question.")
    if qtype == QuestionType.TRUE_FALSE:
        for i, text in enumerate(["True", "False"]):
            expect(page.locator(f"[name='choices-{i}-text']")).to_have_value(text)
            expect(page.locator(f"#id_choices-{i}-correct")).not_to_be_checked()
    if prefix:
        fill_rows(page, prefix, rows)
    if qtype == QuestionType.MATCHING:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "add-form-matching.png"), full_page=True)
    save(page)

    expect(page.locator(".messagelist .success")).to_contain_text(
        f"The question “{title}” was added successfully."
    )
    question = Question.objects.get(title=title)
    assert question.type == qtype
    assert question.status == QuestionStatus.PUBLISHED
    assert question.bank.name == BANK_NAME
    assert question.facts_as_of == FACTS_AS_OF
    assert question.difficulty == "hard"
    assert question.source_outlet == "Anadolu Agency"
    assert question.created_by.username == "teacher"
    if prefix:
        saved = getattr(question, prefix).order_by("position", "id")
        assert [tuple(getattr(row, f) for f in fields) for row in saved] == expected
    else:
        assert not any(dataclasses.asdict(question.key_parts()).values())


def test_single_choice_with_no_correct_choice_is_refused(teacher_page: Page, live_server):
    page = teacher_page
    before = Question.objects.count()

    open_add_form(page, live_server, QuestionType.SINGLE)
    fill_question(page, title="Two right answers", prompt="Which city is a capital?")
    fill_rows(
        page,
        "choices",
        [
            {"text": "Astana", "position": "1"},
            {"text": "Bishkek", "position": "2"},
            {"text": "Almaty", "position": "3"},
        ],
    )
    save(page)

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist.nonform")).to_contain_text("exactly one fully correct choice")
    expect(page.locator(".messagelist .success")).to_have_count(0)
    assert Question.objects.count() == before
    assert not Question.objects.filter(title="Two right answers").exists()
    assert not Choice.objects.filter(text="Bishkek").exists()


def test_a_row_added_in_the_page_can_be_the_correct_one(teacher_page: Page, live_server):
    """A row added with "Add another" (Django's inlines.js numbers it) can be marked correct."""
    page = teacher_page
    open_add_form(page, live_server, QuestionType.SINGLE)
    fill_question(page, title="Added row is right", prompt="Which city is the capital?")
    fill_rows(page, "choices", [{"text": "Almaty"}, {"text": "Bishkek"}, {"text": "Tashkent"}])
    page.locator("#choices-group .add-row a").click()
    added = int(page.input_value("#id_choices-TOTAL_FORMS")) - 1  # after the server's blank rows
    page.fill(f"[name='choices-{added}-text']", "Astana")
    page.check(f"#id_choices-{added}-correct")
    save(page)

    expect(page.locator(".messagelist .success")).to_be_visible()
    question = Question.objects.get(title="Added row is right")
    assert [(c.text, c.fraction) for c in question.choices.order_by("position")] == [
        ("Almaty", Decimal(0)),
        ("Bishkek", Decimal(0)),
        ("Tashkent", Decimal(0)),
        ("Astana", Decimal(1)),
    ]


def test_preview_shows_student_view_without_key(teacher_page: Page, live_server):
    page = teacher_page
    question = QuestionFactory(
        type=QuestionType.SINGLE,
        title="Preview me",
        prompt="SENTINEL-PROMPT: which city is the capital of Kazakhstan?",
        explanation="SENTINEL-EXPLANATION",
        parts=False,
    )
    choices = [("SENTINEL-CHOICE-1", 1), ("SENTINEL-CHOICE-2", 0), ("SENTINEL-CHOICE-3", 0)]
    for i, (text, fraction) in enumerate(choices, start=1):
        Choice.objects.create(
            question=question,
            text=text,
            fraction=fraction,
            feedback=f"SENTINEL-FEEDBACK-{i}",
            position=i,
        )

    page.goto(f"{live_server.url}/admin/quizzes/question/{question.pk}/preview/")
    iframe = page.locator("iframe[title='Student view of the question']")
    expect(iframe).to_be_visible()
    student = iframe.content_frame
    expect(student.locator("body")).to_contain_text("SENTINEL-PROMPT")
    for text, _fraction in choices:
        expect(student.get_by_label(text)).to_be_visible()
    frame_html = iframe.element_handle().content_frame().content()
    for hidden in ["SENTINEL-FEEDBACK", "SENTINEL-EXPLANATION", "fraction", "feedback"]:
        assert hidden not in frame_html, f"the student view leaks {hidden!r}"

    key = page.locator("#content-main")
    for i in range(1, 4):
        expect(key).to_contain_text(f"SENTINEL-FEEDBACK-{i}")
    expect(key).to_contain_text("SENTINEL-EXPLANATION")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "preview.png"), full_page=True)


def test_chooser_lists_every_type(teacher_page: Page, live_server):
    page = teacher_page
    page.goto(f"{live_server.url}/admin/quizzes/question/add/")
    links = page.locator("ul.question-types a[data-type]")
    expect(links).to_have_count(len(QuestionType.values))
    assert [links.nth(i).get_attribute("data-type") for i in range(links.count())] == list(
        QuestionType.values
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chooser.png"), full_page=True)


def test_preview_key_of_a_choice_question_has_no_ordering_list(teacher_page: Page, live_server):
    # Regression: `snapshot.items` in the template resolved to dict.items() for every type but
    # ordering, and drew an empty numbered list with one row per snapshot key.
    question = QuestionFactory(type=QuestionType.SINGLE)
    teacher_page.goto(f"{live_server.url}/admin/quizzes/question/{question.pk}/preview/")
    expect(teacher_page.locator("#content-main ol")).to_have_count(0, timeout=1_000)


def test_preview_key_shows_grades_as_percentages(teacher_page: Page, live_server):
    question = QuestionFactory(type=QuestionType.SINGLE)  # fractions 1, 0, 0
    teacher_page.goto(f"{live_server.url}/admin/quizzes/question/{question.pk}/preview/")
    fractions = teacher_page.locator("#content-main table tbody tr td:nth-child(2)")
    expect(fractions).to_have_text(["100\u00a0%", "0\u00a0%", "0\u00a0%"], timeout=1_000)
