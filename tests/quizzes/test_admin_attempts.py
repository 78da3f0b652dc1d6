"""The attempts list as a teacher reads it: names, the score up front, filters of her own."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.services import attempt_finish, attempt_start
from tests.factories import (
    AssignmentFactory,
    EnrollmentFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("admin:quizzes_attempt_changelist")


def finished_attempt(*, teacher, quiz_title: str, student_name: tuple[str, str]):
    assignment = AssignmentFactory(
        quiz=QuizFactory(title=quiz_title),
        school_class=SchoolClassFactory(teachers=[teacher], name=f"Class of {quiz_title}"),
    )
    SlotFactory(quiz=None, assignment=assignment)
    student = StudentFactory(first_name=student_name[0], last_name=student_name[1])
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    now = timezone.now()
    attempt = attempt_start(student=student, assignment=assignment, now=now)
    attempt_finish(attempt=attempt, now=now)
    return attempt


def test_students_appear_by_name_with_the_score_before_the_assignment(teacher, teacher_client):
    finished_attempt(teacher=teacher, quiz_title="Accords", student_name=("Aigerim", "Nurlanova"))

    page = teacher_client.get(URL).text

    assert "Aigerim Nurlanova" in page
    headers = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert headers.index("column-percent_display") < headers.index("column-assignment")


def test_the_list_filters_by_class_assignment_and_quiz(teacher, other_teacher, teacher_client):
    mine = finished_attempt(teacher=teacher, quiz_title="Accords", student_name=("Aru", "A"))
    also = finished_attempt(teacher=teacher, quiz_title="C5+1 summit", student_name=("Bek", "B"))
    theirs = finished_attempt(
        teacher=other_teacher, quiz_title="Hidden quiz", student_name=("Cora", "C")
    )

    page = teacher_client.get(URL).text
    by_assignment = teacher_client.get(URL, {"assignment": mine.assignment_id}).text
    by_quiz = teacher_client.get(URL, {"assignment__quiz__id__exact": also.assignment.quiz_id})
    by_class = teacher_client.get(
        URL, {"assignment__school_class__id__exact": mine.assignment.school_class_id}
    )

    # Only her own classes, assignments and quizzes are offered.
    assert "Accords — Class of Accords" in page and "C5+1 summit" in page
    assert "Hidden quiz" not in page and "Class of Hidden quiz" not in page
    assert "Aru A" in by_assignment and "Bek B" not in by_assignment
    assert "Bek B" in by_quiz.text and "Aru A" not in by_quiz.text
    assert "Aru A" in by_class.text and "Bek B" not in by_class.text
    # Another teacher's assignment, asked for by id, lists nothing.
    other = teacher_client.get(URL, {"assignment": theirs.assignment_id}).text
    assert "Cora C" not in other and "Aru A" not in other
