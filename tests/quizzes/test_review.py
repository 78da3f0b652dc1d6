"""quizzes.review: the verdict, and one review row cut to what the review policy allows.

Pure functions on plain snapshots: no database. A part the options do not allow is absent
from the row (not merely empty), so no template can show it by mistake.
"""

import dataclasses
import datetime
import pathlib
from decimal import Decimal

import pytest

import quizzes
from quizzes.review import (
    EVERYTHING,
    ReviewOptions,
    Verdict,
    review_row,
    safe_source_url,
    verdict,
)

PROJECT_DIR = pathlib.Path(quizzes.__file__).resolve().parent.parent

SINGLE = {
    "question_id": 7,
    "type": "single",
    "prompt": "What is the capital of Kazakhstan?",
    "stimulus": "A passage.",
    "explanation": "Astana has been the capital since 1997.",
    "source": {"outlet": "Anadolu Agency", "title": "Capitals", "url": "https://www.aa.com.tr/"},
    "facts_as_of": "2025-11-07",
    "choices": [
        {"id": 11, "text": "Astana", "fraction": "1", "feedback": "Yes: since 1997."},
        {"id": 12, "text": "Almaty", "fraction": "0", "feedback": "The old capital."},
        {"id": 13, "text": "Bishkek", "fraction": "0", "feedback": ""},
    ],
}
DESCRIPTION = {
    "question_id": 8,
    "type": "description",
    "prompt": "Read the passage.",
    "stimulus": "",
    "explanation": "Never shown: a description has no key.",
}
WRONG = {"choice": 12}
RIGHT = {"choice": 11}

# What every row of a scored question carries, whatever the options.
BASE_KEYS = {"is_scored", "is_answered", "prompt", "stimulus", "your_answer"}
# The keys each part of the options adds (the score is the attempt's, not a row's).
PART_KEYS = {
    "score": set(),
    "correctness": {"fraction", "percent", "verdict", "points", "marks"},
    "correct_answer": {"correct_answer"},
    "feedback": {"feedback"},
    "explanation": {"explanation", "source", "source_url", "facts_as_of"},
}


def only(part: str) -> ReviewOptions:
    return ReviewOptions(**{part: True})


# -- verdict --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (Decimal(1), Verdict.RIGHT),
        (Decimal("1.0000000"), Verdict.RIGHT),
        (Decimal("0.5"), Verdict.PARTIAL),
        (Decimal("0.0000001"), Verdict.PARTIAL),
        (Decimal(0), Verdict.WRONG),
        (None, Verdict.WRONG),  # answered but not graded scores nothing
    ],
)
def test_an_answered_question_is_right_partial_or_wrong_by_its_fraction(fraction, expected):
    assert verdict(fraction, is_answered=True) == expected


@pytest.mark.parametrize("fraction", [Decimal(1), Decimal("0.5"), Decimal(0), None])
def test_an_unanswered_question_is_blank_whatever_it_scored(fraction):
    assert verdict(fraction, is_answered=False) == Verdict.BLANK


# -- one row per part of the options --------------------------------------------------------


def test_with_nothing_allowed_the_row_holds_only_the_question_and_the_students_answer():
    row = review_row(SINGLE, WRONG, options=ReviewOptions(), fraction=Decimal(0), points=2)

    assert row == {
        "is_scored": True,
        "is_answered": True,
        "prompt": SINGLE["prompt"],
        "stimulus": SINGLE["stimulus"],
        "your_answer": "Almaty",
    }


@pytest.mark.parametrize("part", [f.name for f in dataclasses.fields(ReviewOptions)])
def test_each_part_of_the_options_adds_exactly_its_own_keys(part):
    row = review_row(SINGLE, WRONG, options=only(part), fraction=Decimal(0), points=Decimal(2))

    assert set(row) == BASE_KEYS | PART_KEYS[part]


def test_every_part_of_the_options_is_covered_by_these_tests():
    assert set(PART_KEYS) == {f.name for f in dataclasses.fields(ReviewOptions)}


def test_correctness_gives_the_verdict_percent_and_marks():
    row = review_row(
        SINGLE, WRONG, options=only("correctness"), fraction=Decimal("0.5"), points=Decimal(2)
    )

    assert row["verdict"] == Verdict.PARTIAL
    assert (row["fraction"], row["percent"]) == (Decimal("0.5"), 50)
    assert (row["points"], row["marks"]) == (Decimal(2), Decimal(1))
    assert "Astana" not in repr(row)  # the right choice is not named


def test_correctness_of_an_ungraded_answer_is_not_shown():
    row = review_row(SINGLE, WRONG, options=only("correctness"), fraction=None, points=2)

    assert set(row) == BASE_KEYS


def test_practice_rows_have_a_verdict_but_no_marks():
    row = review_row(SINGLE, RIGHT, options=EVERYTHING, fraction=Decimal(1))

    assert row["verdict"] == Verdict.RIGHT
    assert "points" not in row and "marks" not in row


def test_the_correct_answer_names_the_key_in_words():
    row = review_row(SINGLE, WRONG, options=only("correct_answer"), fraction=Decimal(0))

    assert row["correct_answer"] == "Astana"
    assert row["your_answer"] == "Almaty"


def test_feedback_is_the_feedback_of_what_the_student_chose():
    row = review_row(SINGLE, WRONG, options=only("feedback"), fraction=Decimal(0))

    assert row["feedback"] == ["The old capital."]


def test_the_explanation_comes_with_its_source_and_date():
    row = review_row(SINGLE, WRONG, options=only("explanation"), fraction=Decimal(0))

    assert row["explanation"] == SINGLE["explanation"]
    assert row["source"] == SINGLE["source"]
    assert row["source_url"] == "https://www.aa.com.tr/"
    assert row["facts_as_of"] == datetime.date(2025, 11, 7)


def test_an_untrusted_source_url_is_not_linked():
    snapshot = {**SINGLE, "source": {"outlet": "x", "url": "javascript:alert(1)"}}

    row = review_row(snapshot, WRONG, options=only("explanation"), fraction=Decimal(0))

    assert row["source_url"] == ""
    assert safe_source_url({"url": "HTTP://example.org"}) == "HTTP://example.org"
    assert safe_source_url({}) == ""


def test_a_blank_answer_reads_as_a_dash_and_is_blank():
    row = review_row(SINGLE, {}, options=EVERYTHING, fraction=Decimal(0), points=Decimal(1))

    assert row["is_answered"] is False
    assert row["your_answer"] == "—"
    assert row["verdict"] == Verdict.BLANK
    assert row["feedback"] == []


def test_a_description_row_carries_only_its_prompt_even_when_everything_is_allowed():
    row = review_row(DESCRIPTION, None, options=EVERYTHING, fraction=None, points=Decimal(1))

    assert row == {
        "is_scored": False,
        "is_answered": False,
        "prompt": DESCRIPTION["prompt"],
        "stimulus": "",
        "your_answer": "",
    }


# -- the options themselves -----------------------------------------------------------------


def test_hiding_the_key_keeps_only_the_score():
    assert EVERYTHING.hiding_key() == ReviewOptions(score=True)
    assert ReviewOptions(correct_answer=True).hiding_key() == ReviewOptions()


def test_the_score_alone_needs_no_rows():
    assert ReviewOptions(score=True).shows_anything
    assert not ReviewOptions(score=True).shows_rows
    assert not ReviewOptions().shows_anything
    for part in PART_KEYS.keys() - {"score"}:
        assert only(part).shows_rows, part


# -- a teacher's score and comment ----------------------------------------------------------


def test_a_teachers_score_is_said_with_the_right_or_wrong():
    row = review_row(
        SINGLE,
        WRONG,
        options=only("correctness"),
        fraction=Decimal("0.5"),
        points=Decimal(2),
        is_overridden=True,
        teacher_comment="Half marks: the old capital.",
    )

    assert row["is_overridden"] is True
    assert (row["verdict"], row["marks"]) == (Verdict.PARTIAL, Decimal(1))
    assert "teacher_comment" not in row  # feedback is not allowed yet


def test_a_teachers_comment_is_shown_only_where_feedback_is():
    kwargs = {"fraction": Decimal(1), "is_overridden": True, "teacher_comment": "Accepted."}

    with_feedback = review_row(SINGLE, WRONG, options=only("feedback"), **kwargs)
    without = [
        review_row(SINGLE, WRONG, options=only(part), **kwargs)
        for part in PART_KEYS
        if part != "feedback"
    ]

    assert with_feedback["teacher_comment"] == "Accepted."
    assert "is_overridden" not in with_feedback  # right/wrong is not allowed
    assert all("teacher_comment" not in row for row in without)
    assert "Accepted." not in repr(review_row(SINGLE, WRONG, options=ReviewOptions(), **kwargs))


def test_without_a_teachers_score_the_row_says_nothing_about_one():
    row = review_row(SINGLE, WRONG, options=EVERYTHING, fraction=Decimal(0), points=Decimal(2))

    assert "is_overridden" not in row
    assert "teacher_comment" not in row
