"""What a student sees of a question after answering it: one review row, cut to what may be shown.

Pure (no Django): the attempt review and the practice result both build their rows here, so
the verdict, the correct answer, the feedback and the explanation are decided in one place,
and a part the review policy hides is never even put into the row a template reads.
"""

import datetime
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from . import grading
from .presentation import describe_answer, is_answered


@dataclass(frozen=True)
class ReviewOptions:
    """What a student may see of an answered question at one moment (a review policy applied)."""

    score: bool = False
    correctness: bool = False
    correct_answer: bool = False
    feedback: bool = False
    explanation: bool = False

    @property
    def shows_anything(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def shows_rows(self) -> bool:
        """Whether any per-question part is shown (the score alone needs no rows)."""
        return self.correctness or self.correct_answer or self.feedback or self.explanation

    def hiding_key(self) -> "ReviewOptions":
        """These options with nothing per question: right/wrong and marks can give a key away
        as surely as the key itself (a true/false marked wrong). The total score stays."""
        return ReviewOptions(score=self.score)


EVERYTHING = ReviewOptions(True, True, True, True, True)


class Verdict:
    RIGHT = "right"
    PARTIAL = "partial"
    WRONG = "wrong"
    BLANK = "blank"


def verdict(fraction: Decimal | None, *, is_answered: bool) -> str:
    """right (full marks), partial, wrong, or blank (nothing given, whatever it scored)."""
    if not is_answered:
        return Verdict.BLANK
    fraction = fraction or Decimal(0)
    if fraction >= 1:
        return Verdict.RIGHT
    return Verdict.PARTIAL if fraction > 0 else Verdict.WRONG


def safe_source_url(source: dict[str, Any]) -> str:
    """The source's URL if it is a web link; an imported bank's URL is not trusted to be one."""
    url = str(source.get("url") or "")
    return url if url.lower().startswith(("https://", "http://")) else ""


def review_row(
    snapshot: dict[str, Any],
    answer: dict[str, Any] | None,
    *,
    options: ReviewOptions,
    fraction: Decimal | None = None,
    points: Decimal | None = None,
    is_overridden: bool = False,
    teacher_comment: str = "",
) -> dict[str, Any]:
    """One question's review, carrying only what `options` allows.

    For a description (not scored) only the prompt is given. `fraction` is the score that
    counts (None: not graded): a teacher's score when `is_overridden`, which the row says with
    the right/wrong; `teacher_comment`, her reason, is shown where feedback is. `points` is
    what the question is worth in the attempt (None in practice).
    """
    answer = answer or {}
    is_scored = grading.is_scored(snapshot["type"])
    answered = is_answered(snapshot, answer)
    row: dict[str, Any] = {
        "is_scored": is_scored,
        "is_answered": answered,
        "prompt": snapshot.get("prompt", ""),
        "stimulus": snapshot.get("stimulus", ""),
        "your_answer": describe_answer(snapshot, answer) if is_scored else "",
    }
    if not is_scored:
        return row
    if options.correctness and fraction is not None:
        row["fraction"] = fraction
        row["percent"] = round(fraction * 100)
        row["verdict"] = verdict(fraction, is_answered=answered)
        if points is not None:
            row["points"] = points
            row["marks"] = points * fraction
        if is_overridden:
            row["is_overridden"] = True
    if options.correct_answer:
        row["correct_answer"] = describe_answer(snapshot, grading.correct_answer(snapshot))
    if options.feedback:
        row["feedback"] = grading.response_feedback(snapshot, answer)
        if teacher_comment.strip():
            row["teacher_comment"] = teacher_comment
    if options.explanation:
        source = snapshot.get("source") or {}
        row["explanation"] = snapshot.get("explanation", "")
        row["source"] = source
        row["source_url"] = safe_source_url(source)
        row["facts_as_of"] = _date(snapshot.get("facts_as_of", ""))
    return row


def _date(iso: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
