"""Every page that reads an attempt, a quiz or a question back to a student (and to a teacher)
shows what the rules allow, decided in one place.

Read paths: the review, the dashboard, the history, the assignment's start page, the mistakes
queue and the practice result for students; the admin attempt page for teachers. Personas:
`student` (who answers), `other_student` (a classmate with an extension) and `teacher` (who
teaches their class).
"""

import datetime
import io
import re
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from quizzes.models import (
    AssignmentOverride,
    Attempt,
    Choice,
    MistakeCard,
    PracticeSource,
    Question,
    QuestionStatus,
    QuestionType,
    ReviewTiming,
)
from quizzes.models.quiz import REVIEW_FIELDS
from quizzes.practice import practice_answer_record
from quizzes.services import attempt_finish, attempt_start, response_save
from tests.factories import (
    AssignmentFactory,
    AssignmentOverrideFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
)
from tests.quizzes.test_admin_questions import VALID_ROWS, question_post

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
SECRET = "SENTINEL"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def single_choice(bank, n: int, **fields) -> Question:
    """The factory's single choice (Astana right; Almaty, Bishkek wrong), with a marker planted
    in every field a review may hold back."""
    question = QuestionFactory(
        bank=bank,
        published=True,
        prompt=f"Prompt {n}: which city is the capital?",
        explanation=f"{SECRET}-EXPLANATION-{n}",
        **fields,
    )
    for choice in question.choices.all():
        choice.feedback = f"{SECRET}-FEEDBACK-{n}-{choice.text}"
        choice.save()
    return question


def answer(attempt: Attempt, question: Question, text: str, *, now) -> None:
    """Save the choice with this text as the student's answer to `question`."""
    aq = attempt.attempt_questions.get(question=question)
    choice = next(c for c in aq.snapshot["choices"] if c["text"] == text)
    response_save(
        response=aq.response,
        answer={"choice": choice["id"]},
        revision=int(now.timestamp() * 1000),
        now=now,
    )


# -- one test, every read path, with a classmate's extension open -------------------------


@pytest.fixture
def extended_exam(teacher, student, other_student):
    """A finished attempt (1 of 2 right) of an assignment whose review shows everything only
    "after the assignment closes": it closed a minute ago, but a classmate's override keeps it
    open for them for two more days."""
    now = timezone.now()
    bank = BankFactory(name="Capitals")
    right, wrong = single_choice(bank, 1), single_choice(bank, 2)
    quiz = QuizFactory(published=True, attempts_allowed=1)
    SlotFactory(quiz=quiz, position=0, question=right)
    SlotFactory(quiz=quiz, position=1, question=wrong)
    school_class = SchoolClassFactory(name="Grade 9A", teachers=[teacher])
    EnrollmentFactory(school_class=school_class, student=student)
    EnrollmentFactory(school_class=school_class, student=other_student)
    assignment = AssignmentFactory(
        quiz=quiz,
        school_class=school_class,
        opens_at=now - 3 * DAY,
        closes_at=now + DAY,
        **dict.fromkeys(REVIEW_FIELDS, ReviewTiming.AFTER_CLOSE),
    )
    attempt = attempt_start(student=student, assignment=assignment, now=now - DAY)
    answer(attempt, right, "Astana", now=now - DAY)
    answer(attempt, wrong, "Almaty", now=now - DAY)
    attempt = attempt_finish(attempt=attempt, now=now - DAY)
    assignment.closes_at = now - MINUTE
    assignment.save()
    AssignmentOverrideFactory(assignment=assignment, student=other_student, closes_at=now + 2 * DAY)
    return attempt, wrong


def read_every_path(student_client: Client, teacher_client: Client, attempt: Attempt) -> dict:
    """The body of every page that reads this attempt back, by name."""
    pages = {
        "review": reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk}),
        "dashboard": reverse("quizzes:dashboard"),
        "history": reverse("quizzes:history"),
        "start page": reverse("quizzes:assignment_start", kwargs={"pk": attempt.assignment_id}),
        "mistakes queue": reverse("quizzes:practice_mistakes"),
        "practice home": reverse("quizzes:practice_home"),
    }
    bodies = {}
    for name, url in pages.items():
        response = student_client.get(url)
        assert response.status_code == 200, name
        bodies[name] = response.content.decode()
    response = teacher_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert response.status_code == 200
    bodies["admin attempt page"] = response.content.decode()
    return bodies


def test_every_read_path_holds_back_after_close_parts_until_a_classmates_extension_ends(
    student, teacher, extended_exam
):
    attempt, wrong = extended_exam
    student_client, teacher_client = logged_in(student), logged_in(teacher)

    during = read_every_path(student_client, teacher_client, attempt)
    AssignmentOverride.objects.update(closes_at=timezone.now() - MINUTE)
    after = read_every_path(student_client, teacher_client, attempt)

    # The review: no score, right/wrong, correct answer, feedback or explanation yet.
    assert SECRET not in during["review"]
    assert "Correct answer" not in during["review"]
    assert "50 %" not in during["review"] and "Incorrect" not in during["review"]
    assert "closed for everyone" in during["review"]
    assert f"{SECRET}-FEEDBACK-2-Almaty" in after["review"]
    assert f"{SECRET}-EXPLANATION-2" in after["review"]
    assert "Correct answer" in after["review"] and "Incorrect" in after["review"]
    assert "50 %" in after["review"]
    # Dashboard, history and start page: the score waits too.
    assert "Score 50%" not in during["dashboard"]
    assert "Score shown once the assignment has closed for everyone." in during["dashboard"]
    assert "Score 50%" in after["dashboard"]
    assert "Score 1 / 2 (50%)" not in during["history"]
    assert "Score shown once the assignment has closed for everyone." in during["history"]
    assert "Score 1 / 2 (50%)" in after["history"]
    assert "1 / 2 (50%)" not in during["start page"]
    assert "1 / 2 (50%)" in after["start page"]
    # The mistakes queue: no card from this attempt until its correct answers are shown.
    assert wrong.prompt not in during["mistakes queue"]
    assert "No open mistakes" in during["mistakes queue"]
    assert wrong.prompt in after["mistakes queue"]
    assert list(MistakeCard.objects.values_list("student", "question")) == [(student.pk, wrong.pk)]
    assert "No open mistakes." in during["practice home"]
    assert "You have 1 open mistake." in after["practice home"]
    # Practice shows keys: the exam's bank is not offered while anyone may still sit it.
    assert "Capitals" not in during["practice home"]
    assert "Capitals" in after["practice home"]
    # The teacher sees the attempt, score and answers throughout.
    for bodies in (during, after):
        assert "1 / 2 (50&nbsp;%)" in bodies["admin attempt page"]
        assert "Almaty" in bodies["admin attempt page"]


def test_the_review_policy_reads_the_close_for_everyone_itself(student, extended_exam):
    attempt, _wrong = extended_exam
    now = timezone.now()
    # Loaded plainly: no annotation, no close time passed in by a caller.
    attempt = Attempt.objects.get(pk=attempt.pk)

    assert not attempt.review_options(now=now).shows_anything
    assert attempt.review_shows_more_later(now=now)
    assert attempt.review_options(now=now + 3 * DAY).correct_answer


# -- the start page counts the questions a new attempt will hold -------------------------


def test_the_start_page_counts_only_questions_an_attempt_will_score(student, student_client):
    bank = BankFactory()
    QuestionFactory.create_batch(3, bank=bank, published=True)
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, position=0, question=QuestionFactory(published=True))
    retired = SlotFactory(quiz=quiz, position=1, question=QuestionFactory(published=True))
    SlotFactory(
        quiz=quiz,
        position=2,
        question=QuestionFactory(type=QuestionType.DESCRIPTION, published=True),
    )
    SlotFactory(quiz=quiz, position=3, question=None, bank=bank, count=2)
    Question.objects.filter(pk=retired.question_id).update(status=QuestionStatus.RETIRED)
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    url = reverse("quizzes:assignment_start", kwargs={"pk": assignment.pk})

    page = student_client.get(url).content.decode()
    student_client.post(url)

    shown = re.search(r"<dt>Questions</dt>\s*<dd>(\d+)</dd>", page)
    assert shown is not None and shown[1] == "3"
    attempt = Attempt.objects.get(student=student)
    scored = attempt.attempt_questions.exclude(snapshot__type=QuestionType.DESCRIPTION)
    assert scored.count() == 3


# -- choices are Markdown wherever they are read back ------------------------------------


SCRIPT = "<script>alert('choice')</script>"


@pytest.fixture
def markdown_question():
    """A single choice whose right choice is bold and whose wrong choice carries a script."""
    question = QuestionFactory(published=True, parts=False, prompt="Capital of Kazakhstan?")
    Choice.objects.create(question=question, text="**Astana**", fraction=1, position=0)
    Choice.objects.create(question=question, text=f"Tashkent {SCRIPT}", fraction=0, position=1)
    return question


def answer_dd(html: str, label: str) -> str:
    """The <dd> after the <dt> with this label: how the page reads an answer back."""
    found = re.search(rf"<dt>{label}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert found is not None, label
    return found[1].strip()


@pytest.mark.parametrize("chosen", ["**Astana**", f"Tashkent {SCRIPT}"])
def test_the_review_reads_choices_back_as_sanitised_markdown(
    student, student_client, markdown_question, chosen
):
    now = timezone.now()
    quiz = QuizFactory(published=True, **dict.fromkeys(REVIEW_FIELDS, ReviewTiming.IMMEDIATELY))
    SlotFactory(quiz=quiz, question=markdown_question)
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    attempt = attempt_start(student=student, assignment=assignment, now=now)
    answer(attempt, markdown_question, chosen, now=now)
    attempt_finish(attempt=attempt, now=now)

    html = student_client.get(
        reverse("quizzes:attempt_review", kwargs={"pk": attempt.pk})
    ).content.decode()

    expected = "<strong>Astana</strong>" if chosen == "**Astana**" else "Tashkent"
    assert answer_dd(html, "Your answer") == expected
    assert answer_dd(html, "Correct answer") == "<strong>Astana</strong>"
    assert "**Astana**" not in html
    assert "alert(" not in html


@pytest.mark.parametrize("chosen", ["**Astana**", f"Tashkent {SCRIPT}"])
def test_the_practice_result_reads_choices_back_as_sanitised_markdown(
    student, student_client, markdown_question, chosen
):
    question = Question.objects.with_parts().get(pk=markdown_question.pk)
    snapshot = question.snapshot()
    choice = next(c for c in snapshot["choices"] if c["text"] == chosen)
    result = practice_answer_record(
        student=student,
        question=question,
        snapshot=snapshot,
        answer={"choice": choice["id"]},
        source=PracticeSource.BANK,
        token=secrets.token_urlsafe(24),
        now=timezone.now(),
    )

    html = student_client.get(
        reverse("quizzes:practice_result", kwargs={"pk": result.pk})
    ).content.decode()

    expected = "<strong>Astana</strong>" if chosen == "**Astana**" else "Tashkent"
    assert answer_dd(html, "Your answer") == expected
    assert answer_dd(html, "Correct answer") == "<strong>Astana</strong>"
    assert "**Astana**" not in html
    assert "alert(" not in html


# -- an uploaded image's file name never reaches students --------------------------------


def png_upload(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_an_uploaded_images_name_is_replaced_by_a_random_one_keeping_its_extension(
    teacher, student, settings
):
    bank = BankFactory()
    prefix, rows = VALID_ROWS["single"]
    data = question_post(
        bank, prefix=prefix, rows=rows, title="Capital with a map", image_alt="A map"
    )
    data["image"] = png_upload("answer-b.png")

    response = logged_in(teacher).post(reverse("admin:quizzes_question_add") + "?type=single", data)

    assert response.status_code == 302
    question = Question.objects.get(title="Capital with a map")
    assert re.fullmatch(r"questions/\d{4}/[0-9a-f]{32}\.png", question.image.name)
    assert (settings.MEDIA_ROOT / question.image.name).exists()
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, question=question)
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    attempt = attempt_start(student=student, assignment=assignment, now=timezone.now())

    page = logged_in(student).get(
        reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": 0})
    )

    html = page.content.decode()
    assert f'src="{settings.MEDIA_URL}{question.image.name}"' in html
    assert "answer-b" not in html
    assert "answer-b" not in str(attempt.attempt_questions.get().snapshot)
