"""Questions are shared; exams are not (product invariant 7).

An assignment copies its quiz's settings and slots, not its questions. A question that a live
exam asks (a fixed slot) or can draw (published, in the bank and tag of a random slot) is part
of that exam until it closes for everyone: only the teachers of that exam's class may change it
meanwhile (superusers too), and each change they make is logged in the exam's history.

Personas: `teacher` teaches Grade 9A and runs its exam; `other_teacher` (the outsider) teaches
only Grade 9B. Forms are posted as the admin renders them.
"""

import datetime

import pytest
from django.contrib.messages.constants import ERROR
from django.urls import reverse
from django.utils import timezone

from quizzes.library import questions_move, questions_set_status
from quizzes.models import AssignmentChange, Question, QuestionStatus
from quizzes.services import attempt_start
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    TagFactory,
    TeacherFactory,
)
from tests.quizzes.test_admin_questions import question_post
from tests.quizzes.test_assigning import logged_in, messages_of, rendered_form, warnings_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:quizzes_question_changelist")
REFUSAL = "part of a running or scheduled exam of a class you do not teach"


def change_url(question) -> str:
    return reverse("admin:quizzes_question_change", args=[question.pk])


@pytest.fixture
def bank():
    return BankFactory(name="Central Asia")


@pytest.fixture
def class_a(teacher, student):
    school_class = SchoolClassFactory(name="Grade 9A", teachers=[teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    return school_class


@pytest.fixture
def class_b(other_teacher):
    return SchoolClassFactory(name="Grade 9B", teachers=[other_teacher])


@pytest.fixture
def asked(bank):
    """A published question that Grade 9A's exam asks in a fixed slot."""
    return QuestionFactory(bank=bank, published=True, title="Capital of Kazakhstan")


def exam_of(school_class, *slots: dict, **dates):
    quiz = QuizFactory(published=True)
    for slot in slots:
        SlotFactory(quiz=quiz, **slot)
    return AssignmentFactory(quiz=quiz, school_class=school_class, **dates)


@pytest.fixture
def exam(class_a, asked):
    return exam_of(class_a, {"question": asked})


@pytest.fixture
def outsider(other_teacher, class_b):
    return logged_in(other_teacher)


def action(client, name: str, questions, **extra):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [q.pk for q in questions], **extra},
        follow=True,
    )


# --- the outsider --------------------------------------------------------------------------------


def test_the_outsider_sees_a_question_in_anothers_live_exam_read_only(outsider, exam, asked):
    response = outsider.get(change_url(asked))

    assert response.status_code == 200
    assert REFUSAL in response.text
    assert "The question is shown read-only." in response.text
    assert 'name="prompt"' not in response.text
    assert "Grade 9A" not in response.text  # whose exam it is stays private
    until = timezone.localtime(exam.closes_at)
    assert str(until.year) in response.text


def test_a_post_from_the_outsider_changes_nothing(outsider, exam, asked, teacher):
    form = rendered_form(logged_in(teacher).get(change_url(asked)), "question_form")
    form["prompt"] = "Changed by someone else"

    response = outsider.post(change_url(asked), form)

    assert response.status_code == 403
    asked.refresh_from_db()
    assert asked.prompt != "Changed by someone else"
    assert not AssignmentChange.objects.filter(assignment=exam).exclude(changed_by=None).exists()


def test_the_outsider_cannot_delete_it(outsider, exam, asked):
    delete_url = reverse("admin:quizzes_question_delete", args=[asked.pk])

    assert outsider.post(delete_url, {"post": "yes"}).status_code == 403
    action(outsider, "delete_selected", [asked], post="yes")

    assert Question.objects.filter(pk=asked.pk).exists()


@pytest.mark.parametrize("name", ["retire", "move_to_bank"])
def test_the_outsiders_actions_are_refused_by_name(outsider, exam, asked, name):
    elsewhere = BankFactory(name="Elsewhere")

    response = action(outsider, name, [asked], bank=elsewhere.pk, apply="Move")

    asked.refresh_from_db()
    assert (asked.status, asked.bank_id) == (
        QuestionStatus.PUBLISHED,
        exam.slots.get().question.bank_id,
    )
    errors = [text for level, text in messages_of(response) if level == ERROR]
    assert errors and "“Capital of Kazakhstan”" in errors[0] and REFUSAL in errors[0]
    assert "Grade 9A" not in errors[0]


def test_a_refused_action_changes_none_of_the_selection(outsider, exam, asked, bank):
    free = QuestionFactory(bank=bank, title="Not in any exam")

    action(outsider, "publish", [free, asked])  # asked is published already: only free changes
    free.refresh_from_db()
    assert free.status == QuestionStatus.PUBLISHED  # nothing live asks a draft's bank… yet

    response = action(outsider, "retire", [free, asked])

    statuses = set(
        Question.objects.filter(pk__in=[free.pk, asked.pk]).values_list("status", flat=True)
    )
    assert statuses == {QuestionStatus.PUBLISHED}
    assert any(REFUSAL in text for _level, text in messages_of(response))


def test_the_outsider_cannot_publish_into_a_live_random_pool(outsider, class_a, bank):
    exam_of(class_a, {"question": None, "bank": bank, "count": 1})
    QuestionFactory(bank=bank, published=True)  # the pool the exam draws from today

    response = outsider.post(
        reverse("admin:quizzes_question_add") + "?type=truefalse",
        question_post(
            bank,
            title="Slipped into the pool",
            type="truefalse",
            prefix="choices",
            rows=[{"text": "True", "correct": True}, {"text": "False"}],
        ),
    )

    assert response.status_code == 200  # the form again, with the reason (and only it)
    assert REFUSAL in response.text
    assert "exactly one" not in response.text
    assert not Question.objects.filter(title="Slipped into the pool").exists()


def test_a_draft_in_that_bank_is_hers_to_write(outsider, class_a, bank):
    exam_of(class_a, {"question": None, "bank": bank, "count": 1})
    QuestionFactory(bank=bank, published=True)

    response = outsider.post(
        reverse("admin:quizzes_question_add") + "?type=truefalse",
        question_post(
            bank,
            title="Still a draft",
            type="truefalse",
            status="draft",
            prefix="choices",
            rows=[{"text": "True", "correct": True}, {"text": "False"}],
        ),
    )

    assert response.status_code == 302
    assert Question.objects.filter(title="Still a draft").exists()


def test_a_tagged_pool_reaches_only_questions_with_its_tag(class_a, bank, other_teacher):
    tag = TagFactory(name="summits")
    exam_of(class_a, {"question": None, "bank": bank, "tag": tag, "count": 1})
    tagged = QuestionFactory(bank=bank, published=True, tags=[tag])
    untagged = QuestionFactory(bank=bank, published=True)
    now = timezone.now()

    count, exams = questions_set_status(
        questions=Question.objects.filter(pk=untagged.pk),
        status="retired",
        by=other_teacher,
        now=now,
    )
    assert (count, exams) == (1, [])

    with pytest.raises(Exception, match=REFUSAL):
        questions_set_status(
            questions=Question.objects.filter(pk=tagged.pk),
            status="retired",
            by=other_teacher,
            now=now,
        )


def test_moving_a_question_into_a_live_pool_is_refused_too(class_a, bank, other_teacher):
    exam_of(class_a, {"question": None, "bank": bank, "count": 1})
    QuestionFactory(bank=bank, published=True)
    outside = QuestionFactory(bank=BankFactory(), published=True, title="From another bank")

    with pytest.raises(Exception, match="From another bank"):
        questions_move(
            questions=Question.objects.filter(pk=outside.pk),
            bank=bank,
            by=other_teacher,
            now=timezone.now(),
        )
    outside.refresh_from_db()
    assert outside.bank != bank


def test_once_the_exam_has_closed_the_question_is_everyones_again(outsider, class_a, asked):
    exam_of(
        class_a,
        {"question": asked},
        opens_at=timezone.now() - datetime.timedelta(days=3),
        closes_at=timezone.now() - datetime.timedelta(hours=1),
    )
    form = rendered_form(outsider.get(change_url(asked)), "question_form")
    form["prompt"] = "Improved after the exam"

    response = outsider.post(change_url(asked), form)

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.prompt == "Improved after the exam"


def test_an_upcoming_exam_holds_its_questions_too(outsider, class_a, asked):
    exam_of(
        class_a,
        {"question": asked},
        opens_at=timezone.now() + datetime.timedelta(days=2),
        closes_at=timezone.now() + datetime.timedelta(days=3),
    )

    assert REFUSAL in outsider.get(change_url(asked)).text


# --- the exam's own teachers ---------------------------------------------------------------------


def test_the_exams_teacher_may_change_it_and_the_exam_logs_it(teacher, exam, asked, student):
    started = attempt_start(student=student, assignment=exam, now=timezone.now())
    client = logged_in(teacher)
    form = rendered_form(client.get(change_url(asked)), "question_form")
    form["prompt"] = "Which city is the capital of Kazakhstan today?"

    response = client.post(change_url(asked), form, follow=True)

    asked.refresh_from_db()
    assert asked.prompt == "Which city is the capital of Kazakhstan today?"
    warning = " ".join(warnings_of(response))
    assert "attempts already started keep what they were given" in warning
    entry = AssignmentChange.objects.filter(assignment=exam, changed_by=teacher).get()
    assert entry.changes == [
        {"what": "question “Capital of Kazakhstan”", "from": "—", "to": "changed: Prompt"}
    ]
    assert "today" not in started.attempt_questions.get().snapshot["prompt"]


def test_an_unchanged_save_logs_nothing(teacher, exam, asked):
    client = logged_in(teacher)
    form = rendered_form(client.get(change_url(asked)), "question_form")

    response = client.post(change_url(asked), form, follow=True)

    assert response.status_code == 200
    assert not AssignmentChange.objects.filter(assignment=exam, changed_by=teacher).exists()


def test_a_superuser_may_change_it(exam, asked):
    admin_user = TeacherFactory(username="head", is_superuser=True)
    client = logged_in(admin_user)
    form = rendered_form(client.get(change_url(asked)), "question_form")
    form["prompt"] = "Fixed by the head of department"

    assert client.post(change_url(asked), form).status_code == 302
    assert AssignmentChange.objects.filter(assignment=exam, changed_by=admin_user).exists()


def test_the_library_logs_status_changes_in_the_exams_they_reach(teacher, exam, asked):
    count, exams = questions_set_status(
        questions=Question.objects.filter(pk=asked.pk),
        status="retired",
        by=teacher,
        now=timezone.now(),
    )

    assert (count, exams) == (1, [exam])
    entry = AssignmentChange.objects.get(assignment=exam, changed_by=teacher)
    assert entry.changes == [
        {"what": "question “Capital of Kazakhstan”", "from": "Published", "to": "Retired"}
    ]
