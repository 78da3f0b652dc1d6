"""The attempt page without JavaScript: answers that cannot be marked as they stand, the
summary's list of them, a forward-only quiz's confirmation, the sticky bar and time warnings.

What counts as gradable is grading.answer_problem's rule (tests/quizzes/test_grading.py); these
tests follow it through the pages.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Navigation, Response
from tests.quizzes.test_attempts import autosave, make_quiz, now_ms, start, take_url

pytestmark = pytest.mark.django_db
NOT_A_NUMBER = "This is not a number yet. Type a number in figures, like 1992 or 3.5."


def stored(attempt, position):
    return Response.objects.get(
        attempt_question__attempt=attempt, attempt_question__position=position
    )


def check_region(html, position):
    """The text of question N's check region (next to its field, inside its card)."""
    match = re.search(
        rf'<div class="answer-check" id="q{position}-check"[^>]*>(.*?)</div>', html, re.S
    )
    assert match, f"no check region for question {position}"
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def nav_cell(html, position):
    match = re.search(rf'<(?:button|span)[^>]*data-position="{position}"[^>]*>', html)
    assert match
    return match[0]


def seen_fields(html):
    return dict(re.findall(r'name="(q[0-9]+-seen)" value="([0-9a-f]*)"', html))


def summary_url(attempt):
    return reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk})


# -- free navigation: the page comes back with the reason next to the field ---------------------


def test_a_word_for_a_number_brings_the_page_back_with_the_reason_and_keeps_the_other_answers(
    student, student_client
):
    attempt = start(student, make_quiz(types=["short", "numeric", "single"], per_page=3))

    response = student_client.post(
        take_url(attempt),
        {"q1-text": "Astana", "q2-value": "nineteen ninety-five", "q3-choice": "2", "nav": "next"},
    )

    assert response.status_code == 302 and response.url == take_url(attempt) + "#q2"
    page = student_client.get(take_url(attempt)).text
    assert check_region(page, 2) == f"⚠ {NOT_A_NUMBER}"
    assert check_region(page, 1) == check_region(page, 3) == ""
    assert re.search(r'id="q2-input"[^>]*aria-invalid="true"', page)
    assert "cannot be marked as they stand" in page  # the message at the top says why
    assert "answered" not in nav_cell(page, 2).split('class="')[1].split('"')[0].split()
    assert "problem" in nav_cell(page, 2)
    # Every answer is stored, the odd one as typed; the attempt stays on the page.
    assert stored(attempt, 1).answer == {"text": "Astana"}
    assert stored(attempt, 2).answer == {"value": "nineteen ninety-five"}
    assert stored(attempt, 3).answer != {}
    assert Attempt.objects.get(pk=attempt.pk).current_page == 0


def test_two_items_in_one_place_bring_the_page_back_naming_the_place(student, student_client):
    attempt = start(student, make_quiz(types=["ordering", "short"], per_page=1))

    response = student_client.post(
        take_url(attempt), {"q1-rank-1": "3", "q1-rank-2": "3", "q1-rank-3": "1", "nav": "next"}
    )

    assert response.url == take_url(attempt) + "#q1"
    page = student_client.get(take_url(attempt)).text
    assert check_region(page, 1) == (
        "⚠ Each place can hold only one item: place 3 is chosen more than once."
    )


def test_pressing_next_again_without_changing_the_answer_moves_on(student, student_client):
    attempt = start(student, make_quiz(types=["numeric", "short"], per_page=1))
    student_client.post(take_url(attempt), {"q1-value": "1992?", "nav": "next"})
    seen = seen_fields(student_client.get(take_url(attempt)).text)

    response = student_client.post(take_url(attempt), {"q1-value": "1992?", **seen, "nav": "next"})

    assert response.url == take_url(attempt, 1)
    assert stored(attempt, 1).answer == {"value": "1992?"}


def test_a_number_as_grading_reads_it_moves_on_at_once(student, student_client):
    attempt = start(student, make_quiz(types=["numeric", "short"], per_page=1))

    response = student_client.post(take_url(attempt), {"q1-value": "1 992,5", "nav": "next"})

    assert response.url == take_url(attempt, 1)


def test_flagging_a_question_with_a_bad_number_stays_and_shows_the_reason(student, student_client):
    attempt = start(student, make_quiz(types=["numeric"]))

    student_client.post(take_url(attempt), {"q1-value": "twelve", "flag": "1:on"})

    page = student_client.get(take_url(attempt)).text
    assert check_region(page, 1) == f"⚠ {NOT_A_NUMBER}"
    assert stored(attempt, 1).is_flagged


def test_the_flag_button_is_inside_the_questions_card(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))

    page = student_client.get(take_url(attempt)).text

    card = re.search(r'<section class="question[^"]*" id="q1".*?</section>', page, re.S)
    assert card and 'name="flag" value="1:on"' in card[0]


# -- autosave and the summary --------------------------------------------------------------------


def test_autosave_does_not_count_a_word_for_a_number_as_answered(student, student_client):
    attempt = start(student, make_quiz(types=["numeric"]))

    bad = autosave(student_client, attempt, position=1, revision=now_ms(), **{"q1-value": "ten"})
    good = autosave(
        student_client, attempt, position=1, revision=now_ms() + 5, **{"q1-value": "10"}
    )

    assert bad.json()["answered"] is False and bad.json()["stored"] is True
    assert good.json()["answered"] is True


def test_the_summary_lists_answers_that_cannot_be_marked_apart_from_unanswered_ones(
    student, student_client
):
    attempt = start(student, make_quiz(types=["short", "numeric", "ordering", "short"], per_page=4))
    student_client.post(
        take_url(attempt),
        {"q1-text": "x", "q2-value": "nineteen ninety-five", "q3-rank-1": "2", "q3-rank-2": "2"},
    )

    page = student_client.get(summary_url(attempt)).text

    assert "Every question has an answer" not in page
    assert "1 question is not answered." in page  # question 4 only
    assert "2 answers cannot be marked as they stand:" in page
    items = re.findall(r"<li><a [^>]*>(Question [0-9]+)</a>: ([^<]+)</li>", page)
    assert items == [
        ("Question 2", "not a number"),
        ("Question 3", "place 2 chosen more than once"),
    ]
    assert "⚠ Cannot be marked: not a number" in page


def test_a_summary_with_every_answer_gradable_says_so(student, student_client):
    attempt = start(student, make_quiz(types=["numeric"]))
    student_client.post(take_url(attempt), {"q1-value": "-3,5"})

    page = student_client.get(summary_url(attempt)).text

    assert "Every question has an answer" in page
    assert "cannot be marked" not in page


# -- forward only: moving on without an answer is confirmed ----------------------------------------


def sequential(student, types=("short", "short")):
    return start(student, make_quiz(types=list(types), navigation=Navigation.SEQUENTIAL))


def test_next_on_an_unanswered_question_of_a_forward_only_quiz_asks_first(student, student_client):
    attempt = sequential(student)

    response = student_client.post(take_url(attempt), {"q1-text": "", "nav": "next"})

    assert response.url == take_url(attempt) + "?confirm=skip#confirm-skip"
    assert Attempt.objects.get(pk=attempt.pk).current_page == 0
    page = student_client.get(response.url).text
    panel = re.search(r'<section class="confirm-skip" id="confirm-skip"[^>]*>', page)
    assert panel and "hidden" not in panel[0]
    assert re.search(r'id="q1-confirm">.*?no answer yet', page)
    assert 'name="nav" value="skip"' in page


def test_moving_on_without_answering_goes_to_the_next_page(student, student_client):
    attempt = sequential(student)

    response = student_client.post(take_url(attempt), {"q1-text": "", "nav": "skip"})

    assert response.url == take_url(attempt, 1)
    assert Attempt.objects.get(pk=attempt.pk).current_page == 1


def test_an_answer_that_cannot_be_marked_also_asks_first_and_keeps_the_answer(
    student, student_client
):
    attempt = sequential(student, types=("numeric", "short"))

    response = student_client.post(take_url(attempt), {"q1-value": "a lot", "nav": "next"})

    assert response.url.endswith("?confirm=skip#confirm-skip")
    page = student_client.get(response.url).text
    assert re.search(rf'id="q1-confirm">.*?{re.escape(NOT_A_NUMBER)}', page)
    assert stored(attempt, 1).answer == {"value": "a lot"}


def test_finish_on_the_last_page_of_a_forward_only_quiz_asks_first(student, student_client):
    attempt = sequential(student, types=("short",))

    response = student_client.post(take_url(attempt), {"q1-text": "", "nav": "summary"})

    assert response.url.endswith("?confirm=skip#confirm-skip")
    assert student_client.post(take_url(attempt), {"nav": "skip"}).url == summary_url(attempt)


def test_an_answered_page_of_a_forward_only_quiz_moves_on_without_asking(student, student_client):
    attempt = sequential(student)

    response = student_client.post(take_url(attempt), {"q1-text": "Astana", "nav": "next"})

    assert response.url == take_url(attempt, 1)


def test_the_confirmation_is_not_shown_without_being_asked_for(student, student_client):
    attempt = sequential(student)

    page = student_client.get(take_url(attempt)).text

    panel = re.search(r'<section class="confirm-skip" id="confirm-skip"[^>]*>', page)
    assert panel and " hidden" in panel[0]


def test_a_forward_only_quiz_shows_no_buttons_it_cannot_use(student, student_client):
    attempt = sequential(student)

    page = student_client.get(take_url(attempt)).text

    assert 'name="flag"' not in page
    assert 'value="page-' not in page and 'value="prev"' not in page
    assert "Review and submit" not in page
    assert "earlier pages cannot be opened again" in page


# -- the question panel, the sticky bar and the time warnings --------------------------------------


def test_the_panel_marks_and_explains_the_current_page(student, student_client):
    attempt = start(student, make_quiz(types=["short", "short", "short"], per_page=2))

    page = student_client.get(take_url(attempt)).text

    assert "You are on page 1 of 2: questions 1, 2 (outlined)." in page
    assert 'aria-current="page"' in nav_cell(page, 1) and "aria-current" not in nav_cell(page, 3)
    assert "on this page" in page  # the legend


def test_the_legend_holds_no_numbers_that_read_as_counts(student, student_client):
    attempt = start(student, make_quiz(types=["short"]))

    page = student_client.get(take_url(attempt)).text

    legend = re.search(r'<ul class="nav-legend">(.*?)</ul>', page, re.S)
    assert legend and not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", legend[1]))


def test_the_bar_shows_progress_and_leads_to_the_panel(student, student_client):
    attempt = start(student, make_quiz(types=["short", "short", "short"], per_page=3))
    student_client.post(take_url(attempt), {"q1-text": "a", "q2-text": "b"})

    page = student_client.get(take_url(attempt)).text

    bar = page.split('id="attempt-bar">')[1].split("data-save-status")[0]
    assert "2 of 3 answered" in bar
    assert 'href="#question-nav"' in bar and 'class="timer"' in bar


@pytest.mark.parametrize(
    ("seconds", "warning"),
    [(20 * 60, None), (4 * 60 + 30, "Under 5 minutes left."), (45, "Under 1 minute left.")],
)
def test_the_time_warning_is_visible_in_the_last_five_minutes(
    student, student_client, seconds, warning
):
    attempt = start(student, make_quiz(types=["short"]))
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + datetime.timedelta(seconds=seconds)
    )

    page = student_client.get(take_url(attempt)).text

    banner = re.search(r'<p class="time-warning" id="time-warning"( hidden)?>(.*?)</p>', page, re.S)
    assert banner
    if warning is None:
        assert banner[1] and "Under" not in banner[2]
    else:
        assert not banner[1] and warning in banner[2]
