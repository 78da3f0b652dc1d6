"""Rules that live with their data: each model's full_clean (and the library's status change)
refuses with a clear message, and the admin shows that same message rather than a rule of its own.

Personas: the teacher (`teacher`, who teaches the class), a colleague (`other_teacher`, staff),
a superuser, and the students (`student` enrolled, `other_student` not).
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from quizzes.library import questions_set_status
from quizzes.models import (
    Assignment,
    AssignmentOverride,
    Choice,
    Enrollment,
    Question,
    QuestionStatus,
    QuestionType,
    Quiz,
    Slot,
)
from quizzes.models.classes import display_name
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    TeacherFactory,
    UserFactory,
)
from tests.quizzes.test_admin_scoping import assignment_form_data, class_form_data, inline_errors

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def superuser(db):
    """A superuser who is not staff: still not a student account."""
    return UserFactory(username="root", is_superuser=True, is_staff=False)


@pytest.fixture
def school_class(teacher, student):
    school_class = SchoolClassFactory(name="Grade 9A", teachers=[teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    return school_class


@pytest.fixture
def assignment(school_class):
    now = timezone.now()
    assignment = AssignmentFactory(
        school_class=school_class, opens_at=now - DAY, closes_at=now + DAY
    )
    SlotFactory(quiz=None, assignment=assignment)
    return assignment


def refusal(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


def not_a_student(user) -> str:
    return (
        f"{display_name(user)} is a teacher or administrator account; "
        "only students can be enrolled."
    )


# -- Enrollment -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_teacher", "admin_user", "superuser"])
def test_a_teacher_or_administrator_cannot_be_enrolled_as_a_student(request, persona):
    account = request.getfixturevalue(persona)
    enrollment = Enrollment(school_class=SchoolClassFactory(), student=account)

    errors = refusal(enrollment)

    assert not_a_student(account) in errors["student"]


def test_a_student_account_can_be_enrolled(student):
    Enrollment(school_class=SchoolClassFactory(), student=student).full_clean()


# -- AssignmentOverride ---------------------------------------------------------------------


def test_an_override_for_a_student_outside_the_class_is_refused(assignment, other_student):
    override = AssignmentOverride(assignment=assignment, student=other_student, attempts_allowed=3)

    errors = refusal(override)

    assert errors["student"] == [
        f"{display_name(other_student)} is not in this class; enrol them first."
    ]


def test_an_override_for_a_staff_account_is_refused(assignment, other_teacher):
    override = AssignmentOverride(assignment=assignment, student=other_teacher, attempts_allowed=3)

    errors = refusal(override)

    assert not_a_student(other_teacher) in errors["student"]


def test_an_override_that_changes_nothing_is_refused(assignment, student):
    override = AssignmentOverride(assignment=assignment, student=student)

    errors = refusal(override)

    assert (
        f"The override for {display_name(student)} changes nothing; fill in a field or remove it."
    ) in errors[NON_FIELD_ERRORS]


@pytest.mark.parametrize(
    "window",
    [
        {"closes_at": -2 * DAY},  # closes before the assignment opens
        {"opens_at": 2 * DAY},  # opens after the assignment closes
        {"opens_at": 3 * HOUR, "closes_at": 2 * HOUR},  # its own close before its own open
        {"opens_at": 2 * HOUR, "closes_at": 2 * HOUR},  # closes as it opens
    ],
    ids=["close-before-assignment-opens", "open-after-assignment-closes", "own", "equal"],
)
def test_an_override_whose_close_is_not_after_its_open_is_refused(assignment, student, window):
    now = timezone.now()
    override = AssignmentOverride(
        assignment=assignment, student=student, **{k: now + v for k, v in window.items()}
    )

    errors = refusal(override)

    assert errors["closes_at"] == [
        f"The override for {display_name(student)} closes before it opens."
    ]


def test_an_override_for_an_enrolled_student_that_extends_the_close_is_valid(assignment, student):
    AssignmentOverride(
        assignment=assignment, student=student, closes_at=assignment.closes_at + DAY
    ).full_clean()


# -- Assignment -----------------------------------------------------------------------------


@pytest.mark.parametrize("closes_after", [datetime.timedelta(0), -HOUR], ids=["equal", "before"])
def test_an_assignment_must_close_after_it_opens(school_class, closes_after):
    opens_at = timezone.now()
    quiz = QuizFactory(published=True)
    assignment = Assignment.of_quiz(
        quiz, school_class=school_class, opens_at=opens_at, closes_at=opens_at + closes_after
    )

    errors = refusal(assignment)

    assert errors["closes_at"] == ["The close time must be after the open time."]


def test_an_assignment_closing_after_it_opens_is_valid(school_class):
    opens_at = timezone.now()
    Assignment.of_quiz(
        QuizFactory(published=True),
        school_class=school_class,
        opens_at=opens_at,
        closes_at=opens_at + HOUR,
    ).full_clean()


# -- publishing questions -------------------------------------------------------------------


@pytest.fixture
def broken():
    """A single-choice draft with two correct choices: an invalid key."""
    question = QuestionFactory(title="Two capitals", type=QuestionType.SINGLE)
    Choice.objects.filter(question=question).update(fraction=1)
    return question


def test_publishing_a_question_with_an_invalid_key_is_refused_and_changes_nothing(broken):
    good = QuestionFactory(title="Fine question")
    before = dict(Question.objects.values_list("pk", "updated_at"))

    with pytest.raises(ValidationError) as raised:
        questions_set_status(
            questions=Question.objects.filter(pk__in=[good.pk, broken.pk]),
            status=QuestionStatus.PUBLISHED,
            by=TeacherFactory(),
            now=timezone.now() + HOUR,
        )

    assert raised.value.code == "invalid_key"
    assert raised.value.messages == [
        "Not published: Two capitals have an invalid key; open them to see why."
    ]
    assert set(Question.objects.values_list("status", flat=True)) == {QuestionStatus.DRAFT}
    assert dict(Question.objects.values_list("pk", "updated_at")) == before


def test_publishing_questions_with_valid_keys_sets_status_and_time():
    questions = [QuestionFactory(), QuestionFactory(type=QuestionType.ORDERING)]
    now = timezone.now() + HOUR

    count, exams = questions_set_status(
        questions=Question.objects.filter(pk__in=[q.pk for q in questions]),
        status=QuestionStatus.PUBLISHED,
        by=TeacherFactory(),
        now=now,
    )

    assert (count, exams) == (2, [])
    assert set(Question.objects.values_list("status", "updated_at")) == {
        (QuestionStatus.PUBLISHED, now)
    }


def test_a_question_with_an_invalid_key_can_still_be_retired(broken):
    questions_set_status(
        questions=Question.objects.filter(pk=broken.pk),
        status=QuestionStatus.RETIRED,
        by=TeacherFactory(),
        now=timezone.now(),
    )

    broken.refresh_from_db()
    assert broken.status == QuestionStatus.RETIRED


def test_the_admins_publish_action_shows_the_librarys_message(teacher_client, broken):
    good = QuestionFactory(title="Fine question")

    response = teacher_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "publish", "_selected_action": [good.pk, broken.pk]},
        follow=True,
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Not published: Two capitals have an invalid key; open them to see why."
    ]
    assert set(Question.objects.values_list("status", flat=True)) == {QuestionStatus.DRAFT}


# -- the admin applies the models' rules ----------------------------------------------------


@pytest.mark.parametrize("persona", ["other_teacher", "admin_user"])
def test_the_enrolment_inline_refuses_a_staff_account_with_the_models_message(
    teacher, teacher_client, request, persona
):
    account = request.getfixturevalue(persona)
    school_class = SchoolClassFactory(name="Grade 11", teachers=[teacher])
    data = class_form_data(
        name="Grade 11", teachers=[teacher], enrollments=[{"student": str(account.pk)}]
    )

    response = teacher_client.post(
        reverse("admin:quizzes_schoolclass_change", args=[school_class.pk]), data
    )

    assert response.status_code == 200
    assert not Enrollment.objects.filter(school_class=school_class).exists()
    assert not_a_student(account) in inline_errors(response)


def post_override(client, assignment, **row):
    data = assignment_form_data(
        quiz=assignment.quiz,
        school_class=assignment.school_class,
        opens_at=assignment.opens_at,
        closes_at=assignment.closes_at,
        overrides=[row],
    )
    return client.post(reverse("admin:quizzes_assignment_change", args=[assignment.pk]), data)


def test_the_override_inline_refuses_a_staff_account_with_the_models_message(
    teacher_client, assignment, other_teacher
):
    response = post_override(
        teacher_client, assignment, student=str(other_teacher.pk), attempts_allowed="3"
    )

    assert response.status_code == 200
    assert not AssignmentOverride.objects.exists()
    assert not_a_student(other_teacher) in inline_errors(response)


def test_the_override_inline_refuses_an_override_that_changes_nothing(
    teacher_client, assignment, student
):
    response = post_override(teacher_client, assignment, student=str(student.pk))

    assert response.status_code == 200
    assert not AssignmentOverride.objects.exists()
    assert (
        f"The override for {display_name(student)} changes nothing; fill in a field or remove it."
    ) in inline_errors(response)


def test_the_override_inline_refuses_a_close_before_the_open(teacher_client, assignment, student):
    closes_at = timezone.localtime(assignment.opens_at - DAY)
    response = post_override(
        teacher_client,
        assignment,
        student=str(student.pk),
        closes_at_0=closes_at.strftime("%Y-%m-%d"),
        closes_at_1=closes_at.strftime("%H:%M:%S"),
    )

    assert response.status_code == 200
    assert not AssignmentOverride.objects.exists()
    assert f"The override for {display_name(student)} closes before it opens." in inline_errors(
        response
    )


# -- Quiz.question_count --------------------------------------------------------------------


def test_question_count_counts_published_scored_fixed_questions_and_random_draws():
    bank = BankFactory()
    QuestionFactory.create_batch(5, bank=bank, published=True)
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, question=QuestionFactory(published=True))  # counts
    retired = SlotFactory(quiz=quiz, question=QuestionFactory(published=True)).question
    back_to_draft = SlotFactory(quiz=quiz, question=QuestionFactory(published=True)).question
    SlotFactory(  # a passage: shown, never scored
        quiz=quiz, question=QuestionFactory(type=QuestionType.DESCRIPTION, published=True)
    )
    SlotFactory(quiz=quiz, question=None, bank=bank, count=3)
    SlotFactory(quiz=quiz, question=None, bank=bank, count=1)
    # Retired (or set back to draft) after the quiz was built: left out of new attempts.
    Question.objects.filter(pk=retired.pk).update(status=QuestionStatus.RETIRED)
    Question.objects.filter(pk=back_to_draft.pk).update(status=QuestionStatus.DRAFT)

    loaded = Quiz.objects.prefetch_related(
        Prefetch("slots", queryset=Slot.objects.select_related("question"))
    ).get(pk=quiz.pk)

    assert loaded.question_count() == 1 + 3 + 1
