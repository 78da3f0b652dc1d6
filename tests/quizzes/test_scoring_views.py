"""The teachers' score pages in the admin: overrides on an attempt, regrades of an assignment
and of a question.

Personas: the owner (`teacher`, who teaches the class), the other teacher (`other_teacher`, who
teaches another class) and the outsider (`student`, who never gets into the admin). Every
request is checked for what it changed, not only for its status code.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from quizzes import scoring
from quizzes.models import Attempt, AttemptQuestion, Choice, QuestionType, Response, ScoreChange
from tests.factories import (
    QuestionFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
    UserFactory,
)
from tests.quizzes.scoring_data import (
    LATER,
    assignment_for,
    choose,
    quiz_with,
    response_to,
    taken,
)

pytestmark = pytest.mark.django_db

SINGLE = QuestionType.SINGLE


@pytest.fixture
def school_class(teacher):
    return SchoolClassFactory(teachers=[teacher])


@pytest.fixture
def quiz_and_questions():
    return quiz_with(SINGLE, QuestionType.SHORT, points=2)


@pytest.fixture
def question(quiz_and_questions):
    return quiz_and_questions[1][SINGLE]


@pytest.fixture
def assignment(quiz_and_questions, school_class):
    return assignment_for(quiz_and_questions[0], school_class)


@pytest.fixture
def attempt(assignment, question, student):
    return taken(assignment, student, {question: choose("Almaty")})


@pytest.fixture
def response(attempt, question):
    return response_to(attempt, question)


@pytest.fixture
def other_client(client, other_teacher):
    client.force_login(other_teacher)
    return client


def fix_key(question):
    Choice.objects.filter(question=question).update(fraction=0)
    Choice.objects.filter(question=question, text="Almaty").update(fraction=1)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def scores_now() -> list:
    return [
        list(Response.objects.order_by("pk").values_list("fraction", "override_fraction")),
        list(Attempt.objects.order_by("pk").values_list("score", flat=True)),
        list(AttemptQuestion.objects.order_by("pk").values_list("snapshot", flat=True)),
        ScoreChange.objects.count(),
    ]


def override_url(attempt, response) -> str:
    return reverse("admin:quizzes_attempt_override", args=[attempt.pk, response.pk])


def fingerprint_in(page) -> str:
    found = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.content.decode())
    assert found, "the dry run carries its fingerprint"
    return found.group(1)


# --- the attempt's scores and an override ----------------------------------------------------


def test_the_attempt_page_links_to_its_scores(teacher_client, attempt):
    page = teacher_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))

    assert page.status_code == 200
    assert reverse("admin:quizzes_attempt_scores", args=[attempt.pk]) in page.content.decode()


def test_the_attempt_inline_shows_key_score_teacher_score_and_comment(
    teacher_client, attempt, response, teacher
):
    scoring.response_override(
        response=response,
        fraction=Decimal("0.75"),
        comment="Three quarters: see notes.",
        changed_by=teacher,
        now=LATER,
    )

    page = teacher_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))

    html = page.content.decode()
    assert "key&#x27;s score" in html.lower() or "key's score" in html.lower()
    assert "75 %" in html
    assert "Three quarters: see notes." in html
    assert override_url(attempt, response) in html


def test_the_scores_page_lists_each_question_and_the_log(
    teacher_client, attempt, response, question, teacher
):
    scoring.response_override(
        response=response, fraction=Decimal(1), comment="Accepted.", changed_by=teacher, now=LATER
    )

    page = teacher_client.get(reverse("admin:quizzes_attempt_scores", args=[attempt.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert question.title in html
    assert "Accepted." in html
    assert "teacher_a" in html  # who changed it
    assert "0\u00a0% → 100\u00a0%" in html


def test_a_teacher_overrides_a_score_in_points(teacher_client, attempt, response, teacher):
    page = teacher_client.post(
        override_url(attempt, response),
        {"score": "1.5", "unit": "points", "comment": "Nearly right."},
    )

    assert page.status_code == 302
    assert page.url == reverse("admin:quizzes_attempt_scores", args=[attempt.pk])
    response.refresh_from_db()
    assert response.override_fraction == Decimal("0.75")  # 1.5 of 2 points
    assert response.override_comment == "Nearly right."
    change = ScoreChange.objects.get()
    assert (change.changed_by, change.from_fraction, change.to_fraction) == (
        teacher,
        Decimal(0),
        Decimal("0.75"),
    )
    attempt.refresh_from_db()
    assert attempt.score == Decimal("1.5")
    assert any("saved" in m for m in messages_of(page))


def test_a_teacher_overrides_a_score_in_percent(teacher_client, attempt, response):
    teacher_client.post(
        override_url(attempt, response), {"score": "40", "unit": "percent", "comment": "Some."}
    )

    response.refresh_from_db()
    assert response.override_fraction == Decimal("0.4")


def test_the_override_page_shows_the_answer_the_key_and_the_form(teacher_client, attempt, response):
    page = teacher_client.get(override_url(attempt, response))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Almaty" in html and "Astana" in html  # their answer and the key's
    assert 'name="comment"' in html


def test_saving_the_shown_override_again_changes_and_logs_nothing(
    teacher_client, attempt, response, teacher
):
    scoring.response_override(
        response=response,
        fraction=Decimal("0.3333333"),
        comment="A third.",
        changed_by=teacher,
        now=LATER,
    )
    form = teacher_client.get(override_url(attempt, response)).context["form"]
    shown = {name: form[name].value() for name in ("score", "unit", "comment")}
    assert shown == {"score": "33.33333", "unit": "percent", "comment": "A third."}

    page = teacher_client.post(override_url(attempt, response), shown)

    assert page.status_code == 302
    assert any("already set" in m for m in messages_of(page))
    assert ScoreChange.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"score": "2.5", "unit": "points", "comment": "More than the question is worth"},
        {"score": "101", "unit": "percent", "comment": "Over 100"},
        {"score": "-1", "unit": "points", "comment": "Negative"},
        {"score": "abc", "unit": "points", "comment": "Not a number"},
        {"score": "1", "unit": "bonus", "comment": "Unknown unit"},
        {"score": "1", "unit": "points", "comment": "   "},
        {"score": "NaN", "unit": "percent", "comment": "Not a number"},
        {},
    ],
)
def test_a_tampered_override_form_is_refused_and_changes_nothing(
    teacher_client, attempt, response, data
):
    before = scores_now()

    page = teacher_client.post(override_url(attempt, response), data)

    assert page.status_code == 200
    assert page.context["form"].errors
    assert scores_now() == before


def test_a_response_of_another_attempt_is_a_404(teacher_client, attempt, assignment, question):
    other_attempt = taken(assignment, StudentFactory(), {question: choose("Astana")})
    others_response = response_to(other_attempt, question)
    before = scores_now()

    # The other attempt's response under this attempt's address.
    page = teacher_client.post(
        override_url(attempt, others_response),
        {"score": "0", "unit": "points", "comment": "Sneaky"},
    )

    assert page.status_code == 404
    assert scores_now() == before


def test_an_attempt_in_progress_cannot_be_overridden(teacher_client, assignment, question):
    attempt = taken(assignment, StudentFactory(), {question: choose("Almaty")}, finish=False)
    response = response_to(attempt, question)

    page = teacher_client.post(
        override_url(attempt, response), {"score": "2", "unit": "points", "comment": "Early"}
    )

    assert page.status_code == 200
    assert any("in progress" in m for m in messages_of(page))
    response.refresh_from_db()
    assert response.override_fraction is None


def test_removing_an_override_is_post_only_and_restores_the_key(
    teacher_client, attempt, response, teacher
):
    scoring.response_override(
        response=response, fraction=Decimal(1), comment="Fine.", changed_by=teacher, now=LATER
    )
    url = reverse("admin:quizzes_attempt_override_remove", args=[attempt.pk, response.pk])

    assert teacher_client.get(url).status_code == 405
    page = teacher_client.post(url, {"reason": "Changed my mind."})

    assert page.status_code == 302
    response.refresh_from_db()
    assert response.override_fraction is None
    attempt.refresh_from_db()
    assert attempt.score == Decimal(0)
    assert ScoreChange.objects.order_by("pk").last().reason == "Changed my mind."


def test_an_override_needs_the_csrf_token(teacher, attempt, response):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)

    page = client.post(
        override_url(attempt, response), {"score": "2", "unit": "points", "comment": "Forged"}
    )

    assert page.status_code == 403
    response.refresh_from_db()
    assert response.override_fraction is None


# --- scoping: the other teacher and the student ----------------------------------------------


def test_another_teachers_attempt_pages_are_a_404(other_client, attempt, response):
    before = scores_now()
    remove = reverse("admin:quizzes_attempt_override_remove", args=[attempt.pk, response.pk])

    assert (
        other_client.get(reverse("admin:quizzes_attempt_scores", args=[attempt.pk])).status_code
        == 404
    )
    assert other_client.get(override_url(attempt, response)).status_code == 404
    posted = other_client.post(
        override_url(attempt, response), {"score": "2", "unit": "points", "comment": "Mine now"}
    )
    assert posted.status_code == 404
    assert other_client.post(remove).status_code == 404
    assert scores_now() == before


def test_another_teachers_assignment_regrade_is_a_404(other_client, attempt, assignment, question):
    fix_key(question)
    plan = scoring.regrade_plan(assignment=assignment)
    url = reverse("admin:quizzes_assignment_regrade", args=[assignment.pk])
    before = scores_now()

    assert other_client.get(url).status_code == 404
    assert other_client.post(url, {"fingerprint": plan.fingerprint}).status_code == 404
    assert scores_now() == before


def test_another_teachers_regrade_result_is_a_404(
    teacher_client, other_teacher, attempt, assignment, question
):
    fix_key(question)
    plan = scoring.regrade_plan(assignment=assignment)
    batch = scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=other_teacher, now=LATER
    )
    teacher_client.force_login(other_teacher)

    assert (
        teacher_client.get(
            reverse("admin:quizzes_assignment_regrade_done", args=[assignment.pk, batch])
        ).status_code
        == 404
    )
    assert (
        teacher_client.get(
            reverse("admin:quizzes_question_regrade_done", args=[question.pk, batch])
        ).status_code
        == 404
    )


def test_another_teacher_regrades_a_question_in_her_own_class_only(
    other_client, other_teacher, attempt, quiz_and_questions, question
):
    quiz = quiz_and_questions[0]
    hers = taken(
        assignment_for(quiz, SchoolClassFactory(teachers=[other_teacher])),
        StudentFactory(),
        {question: choose("Almaty")},
    )
    fix_key(question)
    url = reverse("admin:quizzes_question_regrade", args=[question.pk])

    page = other_client.get(url)
    assert page.status_code == 200
    assert [a.attempt_id for a in page.context["plan"].attempts] == [hers.pk]
    assert "1 finished attempt in another teacher" in page.content.decode()
    assert attempt.student.username not in page.content.decode()
    posted = other_client.post(url, {"fingerprint": fingerprint_in(page)})

    assert posted.status_code == 302
    assert response_to(hers, question).fraction == 1
    assert response_to(attempt, question).fraction == 0  # the owner's class is untouched


def test_a_student_gets_the_admin_login_for_every_score_page(
    student_client, attempt, response, assignment, question
):
    urls = [
        reverse("admin:quizzes_attempt_scores", args=[attempt.pk]),
        override_url(attempt, response),
        reverse("admin:quizzes_attempt_override_remove", args=[attempt.pk, response.pk]),
        reverse("admin:quizzes_assignment_regrade", args=[assignment.pk]),
        reverse("admin:quizzes_question_regrade", args=[question.pk]),
    ]
    before = scores_now()

    for url in urls:
        for page in (student_client.get(url), student_client.post(url, {"score": "2"})):
            assert page.status_code == 302, url
            assert page.url.startswith(reverse("admin:login")), url
    assert scores_now() == before


# --- regrade pages ---------------------------------------------------------------------------


def test_the_assignment_page_links_to_its_regrade(teacher_client, assignment):
    page = teacher_client.get(reverse("admin:quizzes_assignment_change", args=[assignment.pk]))

    assert reverse("admin:quizzes_assignment_regrade", args=[assignment.pk]) in (
        page.content.decode()
    )


def test_the_question_page_links_to_its_regrade(teacher_client, question):
    page = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))

    assert reverse("admin:quizzes_question_regrade", args=[question.pk]) in page.content.decode()


def test_the_dry_run_page_shows_whose_scores_change_and_writes_nothing(
    teacher_client, attempt, assignment, question
):
    fix_key(question)
    before = scores_now()

    page = teacher_client.get(reverse("admin:quizzes_assignment_regrade", args=[assignment.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Dry run" in html
    assert attempt.student.username in html
    assert "▲ up +2" in html
    assert "0\u00a0% → 100\u00a0%" in html
    assert scores_now() == before


def test_applying_a_regrade_redirects_to_its_result(
    teacher_client, teacher, attempt, assignment, question
):
    fix_key(question)
    url = reverse("admin:quizzes_assignment_regrade", args=[assignment.pk])

    posted = teacher_client.post(url, {"fingerprint": fingerprint_in(teacher_client.get(url))})

    change = ScoreChange.objects.get()
    done = reverse("admin:quizzes_assignment_regrade_done", args=[assignment.pk, change.batch])
    assert posted.status_code == 302
    assert posted.url == done
    assert change.changed_by == teacher
    attempt.refresh_from_db()
    assert attempt.score == Decimal(2)
    result = teacher_client.get(done)
    assert result.status_code == 200
    assert str(change.batch) in result.content.decode()
    assert attempt.student.username in result.content.decode()
    again = teacher_client.get(url)
    assert again.context["plan"].is_empty


def test_a_stale_or_tampered_dry_run_is_refused_and_changes_nothing(
    teacher_client, teacher, attempt, assignment, question, response
):
    fix_key(question)
    url = reverse("admin:quizzes_assignment_regrade", args=[assignment.pk])
    fingerprint = fingerprint_in(teacher_client.get(url))
    scoring.response_override(
        response=response, fraction=Decimal("0.5"), comment="Half.", changed_by=teacher, now=LATER
    )
    before = scores_now()

    stale = teacher_client.post(url, {"fingerprint": fingerprint})
    tampered = teacher_client.post(url, {"fingerprint": "not-a-fingerprint"})
    forged = teacher_client.post(url, {"fingerprint": "0" * 64})

    for page in (stale, tampered, forged):
        assert page.status_code == 302
        assert page.url == url
    assert any("changed since" in m for m in messages_of(stale))
    assert scores_now() == before


def test_a_regrade_needs_the_csrf_token(teacher, attempt, assignment, question):
    fix_key(question)
    plan = scoring.regrade_plan(assignment=assignment)
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    before = scores_now()

    page = client.post(
        reverse("admin:quizzes_assignment_regrade", args=[assignment.pk]),
        {"fingerprint": plan.fingerprint},
    )

    assert page.status_code == 403
    assert scores_now() == before


def test_a_superuser_regrades_a_question_in_every_class(
    client, attempt, quiz_and_questions, question, other_teacher
):
    theirs = taken(
        assignment_for(quiz_and_questions[0], SchoolClassFactory(teachers=[other_teacher])),
        StudentFactory(),
        {question: choose("Almaty")},
    )
    fix_key(question)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:quizzes_question_regrade", args=[question.pk]))

    assert {a.attempt_id for a in page.context["plan"].attempts} == {attempt.pk, theirs.pk}
    assert page.context["plan"].left_out == 0


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("students", [2, 12])
def test_dry_run_page_query_count(
    students, teacher_client, assignment, quiz_and_questions, django_assert_num_queries
):
    questions = quiz_and_questions[1]
    for _ in range(students):
        taken(assignment, StudentFactory(), {questions[SINGLE]: choose("Almaty")})
    taken(assignment, StudentFactory(), {}, finish=False)
    fix_key(questions[SINGLE])
    url = reverse("admin:quizzes_assignment_regrade", args=[assignment.pk])

    # 1 session; 2 user; 3 the assignment (access-checked, quiz and class joined);
    # 4 finished attempts in scope, with student, quiz and class; 5 their questions with
    # responses; 6 the live questions, with bank and stimulus; 7-11 their choices, accepted
    # answers, numeric answers, pairs and items; 12 attempts in progress (counted);
    # 13-14 the user's and her groups' permissions (the admin's app list).
    with django_assert_num_queries(14):
        page = teacher_client.get(url)

    assert len(page.context["plan"].attempts) == students
    assert page.context["plan"].in_progress == 1


@pytest.mark.parametrize("students", [2, 12])
def test_question_dry_run_page_query_count(
    students, teacher_client, school_class, quiz_and_questions, django_assert_num_queries
):
    quiz, questions = quiz_and_questions
    for _ in range(students):
        taken(
            assignment_for(quiz, school_class),
            StudentFactory(),
            {questions[SINGLE]: choose("Almaty")},
        )
    fix_key(questions[SINGLE])
    url = reverse("admin:quizzes_question_regrade", args=[questions[SINGLE].pk])

    # 1 session; 2 user; 3-4 the user's and her groups' permissions (view permission);
    # 5 the question; 6 finished attempts in her classes; 7 their questions with responses;
    # 8-13 the live question and its key rows (as above); 14 finished attempts in other
    # teachers' classes (counted); 15 attempts in progress (counted).
    with django_assert_num_queries(15):
        page = teacher_client.get(url)

    assert len(page.context["plan"].attempts) == students


@pytest.mark.parametrize("questions", [2, 12])
def test_attempt_scores_page_query_count(
    questions, teacher_client, school_class, teacher, django_assert_num_queries
):
    quiz, _none = quiz_with()
    for _ in range(questions):
        SlotFactory(quiz=quiz, question=QuestionFactory(published=True), points=1)
    attempt = taken(assignment_for(quiz, school_class), StudentFactory(), {})
    for response in Response.objects.filter(attempt_question__attempt=attempt):
        scoring.response_override(
            response=response, fraction=Decimal(1), comment="Yes.", changed_by=teacher, now=LATER
        )
    url = reverse("admin:quizzes_attempt_scores", args=[attempt.pk])

    # 1 session; 2 user; 3 the attempt (access-checked, student, quiz and class joined);
    # 4 its questions with responses; 5 the score changes, with who and which question;
    # 6-7 the user's and her groups' permissions (the admin's app list).
    with django_assert_num_queries(7):
        page = teacher_client.get(url)

    assert len(page.context["rows"]) == questions
    assert page.content.decode().count("Yes.") == 2 * questions  # in the table and the log


@pytest.mark.parametrize("students", [2, 12])
def test_regrade_result_page_query_count(
    students, teacher_client, teacher, assignment, question, django_assert_num_queries
):
    for _ in range(students):
        taken(assignment, StudentFactory(), {question: choose("Almaty")})
    fix_key(question)
    plan = scoring.regrade_plan(assignment=assignment)
    batch = scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )
    url = reverse("admin:quizzes_assignment_regrade_done", args=[assignment.pk, batch])

    # 1 session; 2 user; 3 the assignment (access-checked); 4 the run's changes in the
    # user's classes, with who, response, attempt, student and class joined; 5-6 the user's
    # and her groups' permissions (the admin's app list).
    with django_assert_num_queries(6):
        page = teacher_client.get(url)

    assert len(page.context["rows"]) == students


def test_the_dry_run_names_a_question_it_leaves_out(teacher_client, attempt, assignment, question):
    Choice.objects.filter(question=question, text="Almaty").update(fraction=1)

    page = teacher_client.get(reverse("admin:quizzes_assignment_regrade", args=[assignment.pk]))

    html = page.content.decode()
    assert f"“{question.title}” has a key that breaks the authoring rules" in html
    assert "Nothing to regrade" in html
    assert 'name="fingerprint"' not in html


def test_a_too_long_reason_for_removing_is_refused(teacher_client, attempt, response, teacher):
    scoring.response_override(
        response=response, fraction=Decimal(1), comment="Fine.", changed_by=teacher, now=LATER
    )
    url = reverse("admin:quizzes_attempt_override_remove", args=[attempt.pk, response.pk])

    page = teacher_client.post(url, {"reason": "x" * 2001})

    assert page.status_code == 302
    assert page.url == override_url(attempt, response)
    assert any("2000" in m or "2,000" in m for m in messages_of(page))
    response.refresh_from_db()
    assert response.override_fraction == Decimal(1)
