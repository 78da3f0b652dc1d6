"""A teacher's exams are hers (product invariant 7), and their history is the server's (8).

Exam settings live on each assignment, copied from the quiz's defaults when it is created and
changed only by the teachers of its class; a quiz in use by a live assignment of a class a
teacher does not teach is read-only for her (she duplicates it instead); every change is
logged as an AssignmentChange: who, when, and each setting from → to in words.

Personas: the owner (`teacher`, who teaches class A and wrote the quiz), the member (a
co-teacher of class A) and the outsider (`other_teacher`, who teaches only class B: the
second teacher of the issue). Forms are posted as the admin renders them: the page is read,
fields are changed as a teacher would, and the whole form goes back.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.constants import WARNING
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import (
    EXAM_SETTING_FIELDS,
    Assignment,
    AssignmentChange,
    Attempt,
    Quiz,
    ReviewTiming,
)
from quizzes.services import attempt_finish, attempt_start
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
    TagFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

EXPLANATION_SENTINEL = "SENTINEL-EXPLANATION-4d2b"
AFTER_CLOSE_TEXT = "After the assignment has closed for everyone"
IMMEDIATELY_TEXT = "Immediately after the attempt"
LIVE_WARNING = (
    "This exam is open or upcoming: the change applies to its students at once, and it is "
    "recorded in the exam's history."
)
STARTED_WARNING = (
    LIVE_WARNING + " Students have started it: attempts already started keep their questions, "
    "but new times and review settings apply to them too."
)


# --- reading and posting admin forms as a browser does ------------------------------------------


class FormReader(HTMLParser):
    """The fields one <form> of a page posts: its inputs, checked boxes, selected options."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


def rendered_form(response, form_id: str) -> dict[str, str]:
    """What submitting the page's form unchanged would post (the admin forms post one value
    per name, but for blank inline templates, which the formsets ignore)."""
    assert response.status_code == 200
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.fields, f"the page has no form #{form_id}"
    return dict(reader.fields)


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def warnings_of(response) -> list[str]:
    return [text for level, text in messages_of(response) if level == WARNING]


def assert_shown_as_missing(response) -> None:
    """Django's admin answers an object outside get_queryset as if it did not exist."""
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert any("doesn’t exist" in text for _level, text in messages_of(response))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assignment_url(assignment) -> str:
    return reverse("admin:quizzes_assignment_change", args=[assignment.pk])


def quiz_url(quiz) -> str:
    return reverse("admin:quizzes_quiz_change", args=[quiz.pk])


def add_url(quiz=None) -> str:
    url = reverse("admin:quizzes_assignment_add")
    return f"{url}?quiz={quiz.pk}" if quiz else url


def whole_seconds(value: datetime.datetime) -> datetime.datetime:
    return value.replace(microsecond=0)


def settings_of(row) -> dict:
    return {name: getattr(row, name) for name in EXAM_SETTING_FIELDS}


def slots_of(quiz) -> list[tuple]:
    return list(
        quiz.slots.order_by("position", "id").values_list(
            "position", "question_id", "bank_id", "tag_id", "count", "points"
        )
    )


# --- personas and their classes --------------------------------------------------------------


@pytest.fixture
def co_teacher(db):
    return TeacherFactory(username="teacher_c", first_name="Dana", last_name="Abenova")


@pytest.fixture
def class_a(teacher, co_teacher, student):
    school_class = SchoolClassFactory(name="Grade 9A", teachers=[teacher, co_teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    return school_class


@pytest.fixture
def class_b(other_teacher, other_student):
    school_class = SchoolClassFactory(name="Grade 9B", teachers=[other_teacher])
    EnrollmentFactory(school_class=school_class, student=other_student)
    return school_class


@pytest.fixture
def outsider_client(other_teacher, class_b) -> Client:
    return logged_in(other_teacher)


@pytest.fixture
def quiz(teacher) -> Quiz:
    """The owner's quiz: answers, feedback and explanations only after the close."""
    quiz = QuizFactory(published=True, slug="central-asia-capitals", created_by=teacher)
    SlotFactory(
        quiz=quiz,
        question=QuestionFactory(published=True, explanation=EXPLANATION_SENTINEL),
    )
    return quiz


def make_assignment(quiz, school_class, **fields) -> Assignment:
    """An assignment as the admin saves one: times in whole seconds (the form has no finer)."""
    now = whole_seconds(timezone.now())
    fields.setdefault("opens_at", now - datetime.timedelta(days=1))
    fields.setdefault("closes_at", now + datetime.timedelta(days=7))
    return AssignmentFactory(quiz=quiz, school_class=school_class, **fields)


@pytest.fixture
def exam_a(quiz, class_a) -> Assignment:
    """The owner's running exam."""
    return make_assignment(quiz, class_a)


def finished_attempt(student, assignment) -> Attempt:
    attempt = attempt_start(student=student, assignment=assignment, now=timezone.now())
    return attempt_finish(attempt=attempt, now=timezone.now())


def change_assignment(client, assignment, **changes):
    """Open the assignment's change form, change some fields, and save it."""
    data = rendered_form(client.get(assignment_url(assignment)), "assignment_form")
    data.update({name: str(value) for name, value in changes.items()})
    return client.post(assignment_url(assignment), data)


# --- the issue, replayed ---------------------------------------------------------------------


def test_the_outsider_cannot_make_the_owners_running_exam_show_answers(
    teacher_client, outsider_client, student, exam_a, quiz
):
    """The issue: a second teacher set the review of the quiz behind another's open exam.

    The quiz is shared and she may edit it; the exam is not: it holds its own settings and
    questions, and its page is missing for her.
    """
    attempt = finished_attempt(student, exam_a)
    exam_before = (settings_of(exam_a), slots_of(exam_a))
    owners_form = rendered_form(teacher_client.get(quiz_url(quiz)), "quiz_form")
    showing_everything = {
        **owners_form,
        "review_correct_answer": ReviewTiming.IMMEDIATELY,
        "review_feedback": ReviewTiming.IMMEDIATELY,
        "review_explanation": ReviewTiming.IMMEDIATELY,
        "slots-0-question": str(QuestionFactory(published=True).pk),
    }
    exam_form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")

    quiz_post = outsider_client.post(quiz_url(quiz), showing_everything)
    exam_page = outsider_client.get(assignment_url(exam_a))
    exam_post = outsider_client.post(
        assignment_url(exam_a),
        {**exam_form, "review_correct_answer": ReviewTiming.IMMEDIATELY},
    )

    assert quiz_post.status_code == 302  # the shared quiz changed...
    quiz.refresh_from_db()
    assert quiz.review_correct_answer == ReviewTiming.IMMEDIATELY
    assert_shown_as_missing(exam_page)
    assert_shown_as_missing(exam_post)
    exam_a.refresh_from_db()
    assert (settings_of(exam_a), slots_of(exam_a)) == exam_before  # ...the exam did not
    assert not AssignmentChange.objects.exists()
    review = logged_in(student).get(reverse("quizzes:attempt_review", args=[attempt.pk]))
    assert "Correct answer" not in review.content.decode()
    assert EXPLANATION_SENTINEL not in review.content.decode()
    assert "Astana" not in review.content.decode()


def test_new_attempts_at_the_owners_exam_draw_its_own_questions_after_a_quiz_edit(
    outsider_client, teacher_client, student, exam_a, quiz
):
    own_question = exam_a.slots.get().question
    form = rendered_form(teacher_client.get(quiz_url(quiz)), "quiz_form")
    form["slots-0-question"] = str(QuestionFactory(published=True, title="Swapped in").pk)

    outsider_client.post(quiz_url(quiz), form)
    attempt = attempt_start(student=student, assignment=exam_a, now=timezone.now())

    assert quiz.slots.get().question.title == "Swapped in"
    assert [aq.question for aq in attempt.attempt_questions.all()] == [own_question]


def test_the_outsider_cannot_reach_an_exams_slots_through_her_own_quiz(
    other_teacher, outsider_client, exam_a
):
    own = QuizFactory(published=True, created_by=other_teacher)
    SlotFactory(quiz=own)
    slots_before = slots_of(exam_a)
    form = rendered_form(outsider_client.get(quiz_url(own)), "quiz_form")
    form.update(
        {
            "slots-0-id": str(exam_a.slots.get().pk),
            "slots-0-quiz": str(own.pk),
            "slots-0-question": str(QuestionFactory(published=True).pk),
        }
    )

    outsider_client.post(quiz_url(own), form)

    assert slots_of(exam_a) == slots_before
    assert not AssignmentChange.objects.exists()


def test_a_quizs_own_defaults_never_reach_a_running_exam(
    teacher_client, admin_client, student, exam_a, quiz
):
    """Those who may still edit the quiz (its class's teacher, a superuser) change only its
    defaults: the running exam keeps the settings it was given."""
    attempt = finished_attempt(student, exam_a)
    exam_before = settings_of(exam_a)

    for client in (teacher_client, admin_client):
        form = rendered_form(client.get(quiz_url(quiz)), "quiz_form")
        form.update(
            review_correct_answer=ReviewTiming.IMMEDIATELY,
            review_explanation=ReviewTiming.IMMEDIATELY,
            time_limit_minutes="90",
        )
        response = client.post(quiz_url(quiz), form)
        assert response.status_code == 302

    quiz.refresh_from_db()
    exam_a.refresh_from_db()
    assert quiz.review_correct_answer == ReviewTiming.IMMEDIATELY
    assert settings_of(exam_a) == exam_before
    assert not AssignmentChange.objects.exists()  # the exam did not change
    review = logged_in(student).get(reverse("quizzes:attempt_review", args=[attempt.pk]))
    assert EXPLANATION_SENTINEL not in review.content.decode()
    assert "Correct answer" not in review.content.decode()


def test_once_the_exam_has_closed_the_outsider_may_edit_the_quiz_but_not_the_exam(
    outsider_client, quiz, class_a
):
    closed = give(quiz, class_a, "closed")
    given = settings_of(closed)
    form = rendered_form(outsider_client.get(quiz_url(quiz)), "quiz_form")
    form.update(review_correct_answer=ReviewTiming.NEVER, attempts_allowed="9")

    response = outsider_client.post(quiz_url(quiz), form)

    assert response.status_code == 302
    quiz.refresh_from_db()
    closed.refresh_from_db()
    assert (quiz.review_correct_answer, quiz.attempts_allowed) == (ReviewTiming.NEVER, 9)
    assert settings_of(closed) == given
    assert not AssignmentChange.objects.exists()


def test_the_outsiders_own_assignment_of_the_quiz_leaves_the_owners_exam_alone(
    outsider_client, student, exam_a, quiz, class_b
):
    attempt = finished_attempt(student, exam_a)
    exam_before = settings_of(exam_a)
    form = rendered_form(outsider_client.get(add_url(quiz)), "assignment_form")
    now = whole_seconds(timezone.now())
    form.update(
        school_class=str(class_b.pk),
        opens_at_0=timezone.localtime(now).strftime("%Y-%m-%d"),
        opens_at_1=timezone.localtime(now).strftime("%H:%M:%S"),
        closes_at_0=timezone.localtime(now + datetime.timedelta(days=3)).strftime("%Y-%m-%d"),
        closes_at_1="12:00:00",
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        review_feedback=ReviewTiming.IMMEDIATELY,
        review_explanation=ReviewTiming.IMMEDIATELY,
    )

    response = outsider_client.post(add_url(quiz), form)

    assert response.status_code == 302
    theirs = Assignment.objects.get(school_class=class_b)
    assert theirs.review_correct_answer == ReviewTiming.IMMEDIATELY
    exam_a.refresh_from_db()
    assert settings_of(exam_a) == exam_before
    review = logged_in(student).get(reverse("quizzes:attempt_review", args=[attempt.pk]))
    assert EXPLANATION_SENTINEL not in review.content.decode()


# --- the owner changes her exam: logged, applied, reported -------------------------------------


def test_the_owner_changes_her_exams_settings_and_each_change_is_logged_in_words(
    teacher, teacher_client, exam_a
):
    before = timezone.now()

    response = change_assignment(
        teacher_client,
        exam_a,
        review_correct_answer=ReviewTiming.IMMEDIATELY,
        time_limit_minutes=30,
        attempts_allowed=3,
    )

    after = timezone.now()
    assert response.status_code == 302
    exam_a.refresh_from_db()
    assert (exam_a.review_correct_answer, exam_a.time_limit_minutes, exam_a.attempts_allowed) == (
        ReviewTiming.IMMEDIATELY,
        30,
        3,
    )
    change = AssignmentChange.objects.get(assignment=exam_a)
    assert change.changed_by == teacher
    assert before <= change.changed_at <= after
    assert change.changes == [
        {"what": "time limit (minutes)", "from": "20", "to": "30"},
        {"what": "attempts allowed", "from": "2", "to": "3"},
        {"what": "show correct answer", "from": AFTER_CLOSE_TEXT, "to": IMMEDIATELY_TEXT},
    ]
    assert warnings_of(response) == [LIVE_WARNING]  # open, though nobody has started yet


def test_the_exams_history_is_shown_read_only_on_its_page(teacher_client, co_teacher, exam_a):
    change_assignment(logged_in(co_teacher), exam_a, review_correct_answer=ReviewTiming.IMMEDIATELY)

    page = teacher_client.get(assignment_url(exam_a))

    content = page.content.decode()
    assert "history of changes to this exam" in content.lower()
    assert f"show correct answer: {AFTER_CLOSE_TEXT} → {IMMEDIATELY_TEXT}" in content
    assert ">teacher_c</a>" in content  # changed by the co-teacher
    assert 'name="changes-0-changes"' not in content
    assert 'name="changes-0-DELETE"' not in content


def test_a_co_teacher_of_the_class_may_change_the_exam_and_is_named_in_its_history(
    co_teacher, exam_a
):
    response = change_assignment(logged_in(co_teacher), exam_a, attempts_allowed=5)

    assert response.status_code == 302
    change = AssignmentChange.objects.get(assignment=exam_a)
    assert change.changed_by == co_teacher
    assert change.changes == [{"what": "attempts allowed", "from": "2", "to": "5"}]


def test_a_time_limit_change_moves_a_running_attempts_deadline_and_warns_the_teacher(
    teacher_client, student, other_student, class_a, exam_a
):
    started = attempt_start(student=student, assignment=exam_a, now=timezone.now())
    assert started.deadline == started.started_at + datetime.timedelta(minutes=20)

    response = change_assignment(teacher_client, exam_a, time_limit_minutes=45)

    started.refresh_from_db()
    assert started.deadline == started.started_at + datetime.timedelta(minutes=45)
    assert warnings_of(response) == [STARTED_WARNING]
    assert AssignmentChange.objects.get().changes == [
        {"what": "time limit (minutes)", "from": "20", "to": "45"}
    ]


@pytest.mark.parametrize(
    "precision",
    ["whole-seconds", "sub-second"],
    ids=["saved-by-the-admin", "made-like-seed_demo"],
)
def test_a_save_that_changes_nothing_logs_nothing_and_warns_nobody(
    teacher_client, student, quiz, class_a, precision
):
    """The teacher opens the exam and saves it as it is.

    The admin's forms give times to the second; the demo (Assignment.of_quiz with now() ±
    days) and other code paths store microseconds. Either way nothing changed.
    """
    now = timezone.now() if precision == "sub-second" else whole_seconds(timezone.now())
    exam = make_assignment(
        quiz,
        class_a,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=7),
    )
    attempt_start(student=student, assignment=exam, now=timezone.now())

    response = change_assignment(teacher_client, exam)

    assert response.status_code == 302
    assert list(AssignmentChange.objects.values_list("changes", flat=True)) == []
    assert warnings_of(response) == []


def test_overrides_given_changed_and_removed_are_each_logged(
    teacher, teacher_client, student, exam_a
):
    name = f"{student.get_full_name()} (student_a)"

    form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")
    form.update(
        {
            "overrides-TOTAL_FORMS": "1",
            "overrides-0-student": str(student.pk),
            "overrides-0-attempts_allowed": "3",
        }
    )
    given = teacher_client.post(assignment_url(exam_a), form)
    form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")
    form["overrides-0-time_limit_minutes"] = "60"
    changed = teacher_client.post(assignment_url(exam_a), form)
    form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")
    form["overrides-0-DELETE"] = "on"
    removed = teacher_client.post(assignment_url(exam_a), form)

    assert [r.status_code for r in (given, changed, removed)] == [302, 302, 302]
    assert not exam_a.overrides.exists()
    history = list(AssignmentChange.objects.filter(assignment=exam_a).order_by("id"))
    assert [entry.changes for entry in history] == [
        [{"what": f"override for {name}", "from": "—", "to": "attempts allowed 3"}],
        [{"what": f"override for {name}: time limit (minutes)", "from": "—", "to": "60"}],
        [{"what": f"override for {name}", "from": "given", "to": "removed"}],
    ]
    assert {entry.changed_by for entry in history} == {teacher}


def test_an_override_moved_to_another_student_is_logged_and_both_deadlines_follow(
    teacher_client, student, co_teacher, class_a, exam_a
):
    classmate = StudentFactory(username="student_c", first_name="Dana", last_name="Bekova")
    EnrollmentFactory(school_class=class_a, student=classmate)
    AssignmentOverrideFactory(assignment=exam_a, student=student, time_limit_minutes=90)
    attempt = attempt_start(student=student, assignment=exam_a, now=timezone.now())
    assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=90)
    form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")
    form["overrides-0-student"] = str(classmate.pk)

    response = teacher_client.post(assignment_url(exam_a), form)

    assert response.status_code == 302
    (entry,) = AssignmentChange.objects.filter(assignment=exam_a)
    whats = [(c["what"], c["from"], c["to"]) for c in entry.changes]
    assert (f"override for {student.get_full_name()} (student_a)", "given", "removed") in whats
    assert any(w.startswith("override for Dana Bekova (student_c)") for w, _f, _t in whats)
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=20)


def test_a_change_to_a_closed_exam_is_logged_without_a_warning(teacher_client, quiz, class_a):
    closed = give(quiz, class_a, "closed")

    response = change_assignment(
        teacher_client, closed, review_correct_answer=ReviewTiming.IMMEDIATELY
    )

    assert response.status_code == 302
    assert AssignmentChange.objects.filter(assignment=closed).exists()
    assert warnings_of(response) == []


def test_the_class_of_an_exam_is_fixed_once_it_exists(teacher_client, exam_a, teacher):
    other_class = SchoolClassFactory(name="Grade 9B", teachers=[teacher])

    response = change_assignment(teacher_client, exam_a, school_class=other_class.pk)

    exam_a.refresh_from_db()
    assert response.status_code == 302
    assert exam_a.school_class.name == "Grade 9A"


def test_extra_time_given_in_the_class_during_an_exam_is_logged_and_applied(
    teacher, teacher_client, student, class_a, exam_a, quiz
):
    attempt = attempt_start(student=student, assignment=exam_a, now=timezone.now())
    closed = give(quiz, class_a, "closed")
    class_url = reverse("admin:quizzes_schoolclass_change", args=[class_a.pk])
    form = rendered_form(teacher_client.get(class_url), "schoolclass_form")
    row = next(
        k.split("-")[1] for k, v in form.items() if k.endswith("-student") and v == str(student.pk)
    )
    form[f"enrollments-{row}-time_multiplier"] = "1.5"

    response = teacher_client.post(class_url, form)

    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=30)
    (entry,) = AssignmentChange.objects.filter(assignment=exam_a)
    assert entry.changed_by == teacher
    assert entry.changes == [
        {
            "what": f"extra time of {student.get_full_name()} (student_a): time multiplier",
            "from": "1",
            "to": "1.5",
        }
    ]
    assert not AssignmentChange.objects.filter(assignment=closed).exists()


# --- a new assignment starts with the quiz's defaults ------------------------------------------


@pytest.fixture
def quiz_with_own_defaults(teacher) -> Quiz:
    quiz = QuizFactory(
        published=True,
        time_limit_minutes=35,
        attempts_allowed=4,
        navigation="sequential",
        shuffle_questions=True,
        review_correct_answer=ReviewTiming.NEVER,
        review_explanation=ReviewTiming.NEVER,
    )
    SlotFactory(quiz=quiz)
    return quiz


def test_assigning_starts_by_choosing_a_published_quiz(teacher_client, quiz):
    unpublished = QuizFactory(title="Still a draft")

    response = teacher_client.get(add_url())

    assert response.status_code == 200
    assert "admin/quizzes/assignment/choose_quiz.html" in [t.name for t in response.templates]
    offered = list(response.context["form"].fields["quiz"].queryset)
    assert quiz in offered and unpublished not in offered
    assert 'name="school_class"' not in response.content.decode()


def test_the_add_form_is_filled_with_the_chosen_quizs_defaults(
    teacher, teacher_client, class_a, quiz_with_own_defaults
):
    quiz = quiz_with_own_defaults
    form = rendered_form(teacher_client.get(add_url(quiz)), "assignment_form")
    assert form["time_limit_minutes"] == "35"
    assert form["attempts_allowed"] == "4"
    assert form["navigation"] == "sequential"
    assert form["shuffle_questions"] == "on"
    assert form["review_correct_answer"] == ReviewTiming.NEVER
    now = timezone.localtime(whole_seconds(timezone.now()))
    form.update(
        school_class=str(class_a.pk),
        opens_at_0=now.strftime("%Y-%m-%d"),
        opens_at_1=now.strftime("%H:%M:%S"),
        closes_at_0=(now + datetime.timedelta(days=7)).strftime("%Y-%m-%d"),
        closes_at_1=now.strftime("%H:%M:%S"),
    )

    response = teacher_client.post(add_url(quiz), form)

    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert settings_of(assignment) == settings_of(quiz)
    assert (assignment.quiz, assignment.created_by) == (quiz, teacher)
    assert not AssignmentChange.objects.exists()


def test_a_quiz_posted_instead_of_the_chosen_one_is_ignored(teacher_client, class_a, quiz):
    other = QuizFactory(published=True, title="Another quiz")
    form = rendered_form(teacher_client.get(add_url(quiz)), "assignment_form")
    now = timezone.localtime(whole_seconds(timezone.now()))
    form.update(
        quiz=str(other.pk),
        school_class=str(class_a.pk),
        opens_at_0=now.strftime("%Y-%m-%d"),
        opens_at_1=now.strftime("%H:%M:%S"),
        closes_at_0=(now + datetime.timedelta(days=7)).strftime("%Y-%m-%d"),
        closes_at_1=now.strftime("%H:%M:%S"),
    )

    response = teacher_client.post(add_url(quiz), form)

    assert response.status_code == 302
    assert Assignment.objects.get().quiz == quiz


def test_later_changes_to_the_quizs_defaults_never_change_an_assignment(
    teacher_client, class_a, quiz_with_own_defaults
):
    quiz = quiz_with_own_defaults
    assignment = make_assignment(quiz, class_a)
    given = settings_of(assignment)
    form = rendered_form(teacher_client.get(quiz_url(quiz)), "quiz_form")
    form.update(time_limit_minutes="5", attempts_allowed="1", navigation="free")
    form.update(review_correct_answer=ReviewTiming.IMMEDIATELY)

    response = teacher_client.post(quiz_url(quiz), form)

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert settings_of(assignment) == given
    assert assignment.time_limit_minutes == 35


# --- an exam's own questions ------------------------------------------------------------------


def give(quiz, school_class, state: str) -> Assignment:
    now = whole_seconds(timezone.now())
    windows = {
        "open": (now - datetime.timedelta(days=1), now + datetime.timedelta(days=1)),
        "upcoming": (now + datetime.timedelta(days=1), now + datetime.timedelta(days=2)),
        "closed": (now - datetime.timedelta(days=2), now - datetime.timedelta(days=1)),
    }
    opens_at, closes_at = windows[state]
    return make_assignment(quiz, school_class, opens_at=opens_at, closes_at=closes_at)


def test_the_owner_changes_her_exams_questions_on_its_page_and_it_is_logged(
    teacher, teacher_client, quiz, exam_a
):
    old_question = exam_a.slots.get().question
    new_question = QuestionFactory(published=True, title="Capital of Kazakhstan")
    form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")
    form["slots-0-question"] = str(new_question.pk)
    before = timezone.now()

    response = teacher_client.post(assignment_url(exam_a), form)

    assert response.status_code == 302
    assert exam_a.slots.get().question == new_question
    assert quiz.slots.get().question == old_question  # the quiz is only the template
    change = AssignmentChange.objects.get(assignment=exam_a)
    assert change.changes == [
        {"what": "questions of this exam", "from": old_question.title, "to": new_question.title}
    ]
    assert change.changed_by == teacher and change.changed_at >= before
    assert len(warnings_of(response)) == 1


def test_an_exams_questions_must_be_drawable(teacher_client, exam_a):
    form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")
    form["slots-0-question"] = str(QuestionFactory(title="Still a draft").pk)  # a draft

    response = teacher_client.post(assignment_url(exam_a), form)

    assert response.status_code == 200
    assert "“Still a draft” is draft" in response.content.decode()
    assert not AssignmentChange.objects.exists()


def test_a_quiz_change_tells_the_teacher_its_assignments_keep_their_own(
    teacher_client, exam_a, quiz
):
    form = rendered_form(teacher_client.get(quiz_url(quiz)), "quiz_form")
    form["title"] = "A new title"

    response = teacher_client.post(quiz_url(quiz), form)

    assert response.status_code == 302
    assert any("keep their own questions and settings" in m for _l, m in messages_of(response))
    assert not AssignmentChange.objects.exists()


# --- duplicating a shared quiz -------------------------------------------------------------------


@pytest.fixture
def quiz_with_draws(quiz) -> Quiz:
    """The quiz with a random slot too, drawing two questions of a tag, worth 2 points each."""
    bank = BankFactory(name="Central Asian diplomacy")
    tag = TagFactory(name="formats")
    for _ in range(3):
        QuestionFactory(bank=bank, published=True, tags=[tag])
    SlotFactory(quiz=quiz, question=None, bank=bank, tag=tag, count=2, points=2)
    return quiz


def assert_is_a_fresh_copy(copy: Quiz, original: Quiz, *, owner) -> None:
    assert copy.pk != original.pk
    assert copy.title == f"{original.title} (copy)"
    assert copy.is_published is False
    assert copy.created_by == owner
    assert settings_of(copy) == settings_of(original)
    assert slots_of(copy) == slots_of(original)


def test_the_outsider_duplicates_a_shared_quiz_and_may_edit_her_copy(
    other_teacher, outsider_client, exam_a, quiz_with_draws
):
    quiz = quiz_with_draws
    QuizFactory(slug=f"{quiz.slug}-2")  # taken: the copy gets the next free slug
    original_slots = slots_of(quiz)

    response = outsider_client.post(reverse("admin:quizzes_quiz_duplicate", args=[quiz.pk]))

    copy = Quiz.objects.get(created_by=other_teacher)
    assert response.status_code == 302 and response.url == quiz_url(copy)
    assert_is_a_fresh_copy(copy, quiz, owner=other_teacher)
    assert copy.slug == f"{quiz.slug}-3"
    form = rendered_form(outsider_client.get(quiz_url(copy)), "quiz_form")
    form.update(review_correct_answer=ReviewTiming.IMMEDIATELY, title="My version")
    edited = outsider_client.post(quiz_url(copy), form)
    assert edited.status_code == 302
    copy.refresh_from_db()
    quiz.refresh_from_db()
    assert (copy.title, copy.review_correct_answer) == ("My version", ReviewTiming.IMMEDIATELY)
    assert quiz.review_correct_answer == ReviewTiming.AFTER_CLOSE
    assert slots_of(quiz) == original_slots
    assert not AssignmentChange.objects.exists()


def test_duplicating_needs_a_post_from_a_teacher(outsider_client, student_client, quiz):
    url = reverse("admin:quizzes_quiz_duplicate", args=[quiz.pk])

    by_get = outsider_client.get(url)
    by_student = student_client.post(url)

    assert by_get.status_code == 405
    assert by_student.status_code == 302 and "/login/" in by_student.url
    assert Quiz.objects.count() == 1


def test_the_duplicate_action_copies_each_selected_quiz(
    other_teacher, outsider_client, exam_a, quiz_with_draws
):
    second = QuizFactory(published=True, title="Second quiz")
    SlotFactory(quiz=second)

    response = outsider_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "duplicate", "_selected_action": [str(quiz_with_draws.pk), str(second.pk)]},
    )

    assert response.status_code == 302
    copies = {c.title: c for c in Quiz.objects.filter(created_by=other_teacher)}
    assert set(copies) == {f"{quiz_with_draws.title} (copy)", "Second quiz (copy)"}
    assert_is_a_fresh_copy(
        copies[f"{quiz_with_draws.title} (copy)"], quiz_with_draws, owner=other_teacher
    )
    assert_is_a_fresh_copy(copies["Second quiz (copy)"], second, owner=other_teacher)
    assert len(set(Quiz.objects.values_list("slug", flat=True))) == 4


# --- the log is the server's (invariant 8) ------------------------------------------------------


def test_who_and_when_come_from_the_request_never_from_the_form(
    teacher, other_teacher, teacher_client, exam_a
):
    before = timezone.now()

    response = change_assignment(
        teacher_client,
        exam_a,
        attempts_allowed=4,
        changed_by=other_teacher.pk,
        changed_at="2000-01-01 00:00:00",
        changed_at_0="2000-01-01",
        changed_at_1="00:00:00",
        created_by=other_teacher.pk,
    )

    assert response.status_code == 302
    change = AssignmentChange.objects.get()
    assert change.changed_by == teacher
    assert before <= change.changed_at <= timezone.now()
    exam_a.refresh_from_db()
    assert exam_a.created_by != other_teacher


def test_the_history_cannot_be_written_rewritten_or_deleted_through_its_inline(
    teacher, other_teacher, teacher_client, exam_a
):
    change_assignment(teacher_client, exam_a, attempts_allowed=4)
    real = AssignmentChange.objects.get()
    form = rendered_form(teacher_client.get(assignment_url(exam_a)), "assignment_form")
    forged_row = {
        "changed_by": str(other_teacher.pk),
        "changed_at_0": "2000-01-01",
        "changed_at_1": "00:00:00",
        "changed_at": "2000-01-01 00:00:00",
        "changes": '[{"what": "nothing", "from": "-", "to": "-"}]',
        "what_changed": "nothing",
    }
    form.update(
        {
            "changes-TOTAL_FORMS": "2",
            "changes-0-id": str(real.pk),
            "changes-0-assignment": str(exam_a.pk),
            "changes-0-DELETE": "on",
            **{f"changes-0-{key}": value for key, value in forged_row.items()},
            "changes-1-id": "",
            "changes-1-assignment": str(exam_a.pk),
            **{f"changes-1-{key}": value for key, value in forged_row.items()},
        }
    )

    teacher_client.post(assignment_url(exam_a), form)

    assert list(AssignmentChange.objects.all()) == [real]
    real.refresh_from_db()
    assert real.changed_by == teacher
    assert real.changes == [{"what": "attempts allowed", "from": "2", "to": "4"}]


def test_a_student_cannot_reach_the_assignment_admin(student_client, exam_a):
    response = student_client.post(
        assignment_url(exam_a), {"review_correct_answer": ReviewTiming.IMMEDIATELY}
    )

    assert response.status_code == 302 and "/login/" in response.url
    exam_a.refresh_from_db()
    assert exam_a.review_correct_answer == ReviewTiming.AFTER_CLOSE
