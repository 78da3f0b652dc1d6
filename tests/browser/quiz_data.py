"""What the student-side browser tests share: a class with a timed quiz of every question type,
the key of each type as a student enters it, and how to enter it on the page or read it back.

The questions keep the factories' default keys (tests/factories.py): single "Astana", multiple
"Kazakhstan" + "Uzbekistan", true/false "True", short "Astana", numeric 1992, matching
UAE → Annexation and Sudan → Terror list, ordering UAE, Bahrain, Sudan. One point each.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, expect

from quizzes import grading, services
from quizzes.models import Attempt, QuestionType, Response
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    StudentFactory,
)

PASSWORD = "pw"

# Every scored type, in the order a quiz built by `every_type_quiz` asks them.
SCORED_TYPES = [
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.SHORT,
    QuestionType.NUMERIC,
    QuestionType.MATCHING,
    QuestionType.ORDERING,
]

# A reading passage with a table as a teacher would paste it: wider than a phone.
WIDE_TABLE = (
    "Trade with the United States, in billions of dollars:\n\n"
    "| Country | 2018 | 2019 | 2020 | 2021 | 2022 | 2023 | 2024 |\n"
    "|---|---|---|---|---|---|---|---|\n"
    "| Kazakhstan | 2.1 | 2.2 | 2.0 | 2.3 | 3.0 | 3.4 | 4.0 |\n"
    "| Uzbekistan | 0.4 | 0.5 | 0.4 | 0.5 | 0.6 | 0.8 | 1.0 |\n"
    "| Turkmenistan | 0.2 | 0.2 | 0.1 | 0.2 | 0.3 | 0.3 | 0.4 |\n"
)

SINGLE_KEY = "Astana"
MULTIPLE_KEY = ["Kazakhstan", "Uzbekistan"]
TRUE_FALSE_KEY = "True"
SHORT_KEY = "Astana"
NUMERIC_KEY = "1992"
MATCHING_KEY = {"UAE": "Annexation", "Sudan": "Terror list"}
ORDERING_KEY = ["UAE", "Bahrain", "Sudan"]


def passage(bank):
    """A published description question holding WIDE_TABLE, to introduce other questions."""
    return QuestionFactory(
        type=QuestionType.DESCRIPTION, published=True, bank=bank, prompt=WIDE_TABLE
    )


def every_type_quiz(*, types: list[str] = SCORED_TYPES, **quiz_options: Any):
    """A published quiz with one fixed question per type, asked in the order given.

    With a description among the types, it is the wide-table passage, and it also introduces
    the numeric question (shown above it as its stimulus).
    """
    quiz_options.setdefault("time_limit_minutes", 20)
    quiz_options.setdefault("shuffle_questions", False)
    quiz = QuizFactory(published=True, **quiz_options)
    bank = BankFactory()
    description = passage(bank) if QuestionType.DESCRIPTION in types else None
    for position, qtype in enumerate(types, start=1):
        if qtype == QuestionType.DESCRIPTION:
            question = description
        else:
            question = QuestionFactory(
                type=qtype,
                published=True,
                bank=bank,
                prompt=f"Question about {qtype}: what is right?",
                stimulus=description if qtype == QuestionType.NUMERIC else None,
            )
        SlotFactory(quiz=quiz, position=position, question=question)
    return quiz


def enrolled_student(school_class=None, **student_options: Any):
    """A student (password "pw") enrolled in `school_class` (a new class if none)."""
    student = StudentFactory(**student_options)
    EnrollmentFactory(school_class=school_class or SchoolClassFactory(), student=student)
    return student


def assign(quiz, school_class, **options: Any):
    return AssignmentFactory(quiz=quiz, school_class=school_class, **options)


def pending_key(attempt: Attempt) -> str:
    """Where attempt.js keeps answers not yet saved (localStorage), for this attempt."""
    return "quizsite:attempt:" + reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk})


def start_attempt(student, assignment) -> Attempt:
    return services.attempt_start(student=student, assignment=assignment, now=timezone.now())


def store_answers(attempt: Attempt, answers: dict[int, dict[str, Any] | str]) -> None:
    """Save answers as the server would: {position: answer dict, or "key" for the key}."""
    now = timezone.now()
    for aq in attempt.attempt_questions.select_related("response").order_by("position"):
        answer = answers.get(aq.position)
        if answer is None or not hasattr(aq, "response"):
            continue
        if answer == "key":
            answer = grading.correct_answer(aq.snapshot)
        services.response_save(
            response=aq.response, answer=answer, revision=int(now.timestamp() * 1000), now=now
        )


def wrong_choice(attempt: Attempt, position: int) -> dict[str, int]:
    """An answer choosing a wrong choice of a single-choice or true/false question."""
    snapshot = attempt.attempt_questions.get(position=position).snapshot
    wrong = next(c for c in snapshot["choices"] if Decimal(c["fraction"]) < 1)
    return {"choice": wrong["id"]}


def flag(attempt: Attempt, position: int) -> None:
    Response.objects.filter(
        attempt_question__attempt=attempt, attempt_question__position=position
    ).update(is_flagged=True)


def finish(attempt: Attempt) -> Attempt:
    return services.attempt_finish(attempt=attempt, now=timezone.now())


def full_marks(attempt: Attempt) -> Decimal:
    return sum((aq.points for aq in attempt.attempt_questions.all()), Decimal(0))


def set_deadline(attempt: Attempt, seconds_from_now: float) -> datetime.datetime:
    deadline = timezone.now() + datetime.timedelta(seconds=seconds_from_now)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    return deadline


# --- the page ------------------------------------------------------------------------------


def answer_with_pointer(section: Locator, qtype: str) -> None:
    """Enter the key of a question in its section, as a person with a mouse would."""
    if qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        key = SINGLE_KEY if qtype == QuestionType.SINGLE else TRUE_FALSE_KEY
        section.get_by_label(key, exact=True).check()
    elif qtype == QuestionType.MULTIPLE:
        for text in MULTIPLE_KEY:
            section.get_by_label(text, exact=True).check()
    elif qtype == QuestionType.SHORT:
        section.get_by_label("Your answer", exact=True).fill(SHORT_KEY)
    elif qtype == QuestionType.NUMERIC:
        section.get_by_label("Your answer (a number)", exact=True).fill(NUMERIC_KEY)
    elif qtype == QuestionType.MATCHING:
        for prompt, answer in MATCHING_KEY.items():
            section.get_by_label(prompt, exact=True).select_option(label=answer)
    elif qtype == QuestionType.ORDERING:
        for place, text in enumerate(ORDERING_KEY, start=1):
            section.get_by_label(text, exact=True).select_option(str(place))


def expect_key_shown(section: Locator, qtype: str) -> None:
    """The section shows the key as the student's answer (after a reload or a page change)."""
    if qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE, QuestionType.MULTIPLE):
        key = {
            QuestionType.SINGLE: [SINGLE_KEY],
            QuestionType.TRUE_FALSE: [TRUE_FALSE_KEY],
            QuestionType.MULTIPLE: MULTIPLE_KEY,
        }[qtype]
        boxes = section.locator("input[type=radio], input[type=checkbox]")
        for i in range(boxes.count()):
            box = boxes.nth(i)
            label = section.locator(f"label[for='{box.get_attribute('id')}']").inner_text()
            if label.strip() in key:
                expect(box).to_be_checked()
            else:
                expect(box).not_to_be_checked()
    elif qtype == QuestionType.SHORT:
        expect(section.get_by_label("Your answer", exact=True)).to_have_value(SHORT_KEY)
    elif qtype == QuestionType.NUMERIC:
        expect(section.get_by_label("Your answer (a number)", exact=True)).to_have_value(
            NUMERIC_KEY
        )
    elif qtype == QuestionType.MATCHING:
        for prompt, answer in MATCHING_KEY.items():
            chosen = section.get_by_label(prompt, exact=True).locator("option:checked")
            expect(chosen).to_have_text(answer)
    elif qtype == QuestionType.ORDERING:
        for place, text in enumerate(ORDERING_KEY, start=1):
            expect(section.get_by_label(text, exact=True)).to_have_value(str(place))
