"""Grading rules for quiz responses, kept free of Django so they are easy to test and reuse.

Everything works on plain JSON-able data: the question *snapshot* frozen when an attempt
starts (decimals stored as strings) and the student's *answer* dict.

Contracts:

* Student input is untrusted. Unanswered (``None``/``{}``), wrongly shaped or unknown-id
  answers grade as 0, or the bad part counts for nothing; nothing here raises because of an
  answer.
* Snapshots are trusted (validated when the question was authored). An unknown question type
  or a non-decimal number in a snapshot raises ``ValueError``: that is a bug to surface.
* Fractions are ``Decimal`` values in [0, 1] quantized to 7 places, ROUND_HALF_UP.
* Short answers: ``*`` matches any run of characters. The best matching pattern counts,
  except that a response also matching a 0-fraction pattern for a wrong name scores 0, and a
  response whose wildcard-matched text is a list of guesses scores as its weakest part (see
  `_short_matches` and `_matched_short`).
* Matching: a pair's `key`, when a regrade set one (quizzes.regrading), is the answer text
  that is right for its item; the pairs' `answer` texts stay the options the student saw.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any, TypeGuard

from .question_types import CHOICE_TYPES, QUESTION_TYPES, QType
from .question_types import is_scored as is_scored

Snapshot = Mapping[str, Any]
Entry = Mapping[str, Any]
Answer = Mapping[str, Any]

ZERO = Decimal(0)
ONE = Decimal(1)
_PLACES = Decimal("0.0000001")
# Authors split a multiple-response mark into shares: 0.3333333 x 3 sums to 0.9999999 and
# 0.1666667 x 3 to 0.5000001. The sum of the chosen fractions is therefore rounded to 5
# places (half of the key then scores exactly 0.5), and a sum within the authoring tolerance
# of 1 (SUM_TOLERANCE, which the authoring rules also use: they accept 0.33333 x 3) counts as
# 1, so the full key always scores exactly 1. Moodle likewise treats anything above 0.999999
# as right.
_SUM_PLACES = Decimal("0.00001")
SUM_TOLERANCE = Decimal("0.00001")
# Private context: a grade must not depend on what the thread's decimal context was set to.
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)

# Matched after NFKC, which turns NBSP, thin space and narrow NBSP into plain spaces.
_GROUPED_INTEGER = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+")
_UNSIGNED_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
# What separates guesses in a typed list (after case folding): punctuation, and "or"/"and" in
# the languages schools here teach in (English, Russian, Kazakh).
_LIST_SEPARATORS = re.compile(r"[,;/|&+]|\s(?:or|and|или|и|немесе|және|мен)\s")


class GradingMethod(enum.StrEnum):
    """How an assignment's grade is derived from a student's finished attempts."""

    HIGHEST = "highest"
    AVERAGE = "average"
    FIRST = "first"
    LAST = "last"


def grade_response(snapshot: Snapshot, answer: Any) -> Decimal:
    """Return the fraction of the marks that *answer* earns: in [0, 1], 7 places."""
    question_type = _question_type(snapshot)
    if question_type == QType.DESCRIPTION or not _is_answered(answer):
        return _quantize(ZERO)
    with localcontext(_CONTEXT):
        raw = _GRADERS[question_type](snapshot, answer)
        return _quantize(min(max(raw, ZERO), ONE))


def correct_answer(snapshot: Snapshot) -> dict[str, Any]:
    """Return an answer that scores exactly 1 (the teacher's key, also demo data).

    ``description`` questions and snapshots with nothing to choose from give ``{}``.
    """
    question_type = _question_type(snapshot)
    with localcontext(_CONTEXT):
        if question_type in (QType.SINGLE, QType.TRUE_FALSE):
            best = _first_best(_entries(snapshot, "choices"))
            return {} if best is None else {"choice": best["id"]}
        if question_type == QType.MULTIPLE:
            choices = _entries(snapshot, "choices")
            return {"choices": [c["id"] for c in choices if _fraction(c) > 0]}
        if question_type == QType.SHORT:
            return _short_key(snapshot)
        if question_type == QType.NUMERIC:
            best = _first_best(_entries(snapshot, "numeric"))
            if best is None:
                return {}
            # "f": an authored "1E+3" must come out as "1000", which parse_number accepts.
            return {"value": format(_decimal(best["value"]), "f")}
        if question_type == QType.MATCHING:
            pairs = _entries(snapshot, "pairs")
            # A regraded item's right answer is another pair's option (see _right_text).
            option: dict[str, int] = {}
            for p in reversed(pairs):  # the first pair showing a text stands for it
                option[p["answer"]] = p["id"]
            right = ((p, option.get(p["key"]) if "key" in p else p["id"]) for p in pairs)
            return {"matches": {str(p["id"]): pk for p, pk in right if pk is not None}}
        if question_type == QType.ORDERING:
            return {"order": [item["id"] for item in _entries(snapshot, "items")]}
        return {}


def response_feedback(snapshot: Snapshot, answer: Any) -> list[str]:
    """Return the authored feedback that applies to *answer*, empty strings dropped.

    single/truefalse/multiple: the chosen choices' feedback, in snapshot order.
    short/numeric: the feedback of the answer that set the score (the first one on ties).
    Other types have no per-answer feedback.
    """
    question_type = _question_type(snapshot)
    if not _is_answered(answer):
        return []
    applicable: list[Entry] = []
    with localcontext(_CONTEXT):
        if question_type in CHOICE_TYPES:
            chosen = _chosen_ids(question_type, answer)
            applicable = [c for c in _entries(snapshot, "choices") if c["id"] in chosen]
        elif question_type in (QType.SHORT, QType.NUMERIC):
            matched = _matched_entry(snapshot, answer)
            applicable = [] if matched is None else [matched]
    feedback = (entry.get("feedback") for entry in applicable)
    return [text for text in feedback if isinstance(text, str) and text.strip()]


def attempt_total(marks: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """Sum ``(slot points, fraction)`` pairs into ``(score, max score)``, 7 places each."""
    with localcontext(_CONTEXT):
        score = max_score = ZERO
        for points, fraction in marks:
            score += points * fraction
            max_score += points
        return _quantize(score), _quantize(max_score)


def assignment_grade(
    *, method: GradingMethod | str, attempt_scores: Sequence[Decimal]
) -> Decimal | None:
    """Combine finished attempts' scores (in attempt-number order) into one grade.

    None when there are no finished attempts. The average is quantized to 7 places; the
    other methods return one of the given scores as is. An unknown method raises ValueError.
    """
    method = GradingMethod(method)
    if not attempt_scores:
        return None
    if method is GradingMethod.HIGHEST:
        return max(attempt_scores)
    if method is GradingMethod.FIRST:
        return attempt_scores[0]
    if method is GradingMethod.LAST:
        return attempt_scores[-1]
    with localcontext(_CONTEXT):
        return _quantize(sum(attempt_scores, ZERO) / len(attempt_scores))


def passes(*, percent: Decimal | None, pass_mark: Decimal | None) -> bool | None:
    """Whether a grade in percent reaches the pass mark; None when either is missing.

    Judged on the exact value: 49.6 % is not a pass of 50 %, though it displays as 50 %.
    """
    if percent is None or pass_mark is None:
        return None
    return percent >= pass_mark


class ProblemCode(enum.StrEnum):
    """Why an answer cannot be graded as it stands."""

    NOT_A_NUMBER = "not_a_number"
    PLACE_REPEATED = "place_repeated"


@dataclass(frozen=True)
class AnswerProblem:
    """What is wrong with an answer's form; `places` names the repeated ordering places."""

    code: ProblemCode
    places: tuple[int, ...] = ()


def answer_problem(snapshot: Snapshot, answer: Any) -> AnswerProblem | None:
    """Why *answer* cannot be graded as it stands, or None when it can (or is blank).

    The one rule for "answered" on the attempt pages: an answer with a problem earns nothing
    for its bad part and does not count as answered. Judged on the answer's form alone and
    never against the key, so the verdict is the same for a right and a wrong answer
    (product invariant 2):

    * numeric: the typed value must be a number by `parse_number`, the rule grading uses;
    * ordering: no place may be given to two items (`ranks`, the places as the student chose
      them, are display places 1..n, never ids).

    Every other type is gradable whenever it is answered. Like grading, never raises
    because of an answer.
    """
    question_type = _question_type(snapshot)
    if not _is_answered(answer):
        return None
    if question_type == QType.NUMERIC:
        if parse_number(answer.get("value")) is None:
            return AnswerProblem(ProblemCode.NOT_A_NUMBER)
    elif question_type == QType.ORDERING:
        ranks = answer.get("ranks")
        if isinstance(ranks, Mapping):
            counts = Counter(rank for rank in ranks.values() if _is_id(rank))
            repeated = tuple(sorted(rank for rank, count in counts.items() if count > 1))
            if repeated:
                return AnswerProblem(ProblemCode.PLACE_REPEATED, places=repeated)
    return None


def parse_number(typed: object) -> Decimal | None:
    """Parse a numeric answer as typed; None if it is not a plain decimal number.

    Accepts surrounding white space, a leading sign, thousands grouped by spaces, thin or
    no-break spaces ("1 992") and a decimal comma when there is no dot ("3,5", so "1,992"
    means 1.992). Rejects exponents, comma mixed with dot ("1.992,5"), misplaced group
    separators ("19 92") and anything else.
    """
    if not isinstance(typed, str):
        return None
    # NFKC also maps full-width digits to ASCII; U+2212 is the minus that copy-paste gives.
    text = unicodedata.normalize("NFKC", typed).strip().replace("\u2212", "-")
    sign = ""
    if text.startswith(("+", "-")):
        sign, text = text[0], text[1:]
    if "," in text:
        if "." in text or text.count(",") > 1:
            return None
        text = text.replace(",", ".")
    integer, dot, decimals = text.partition(".")
    if " " in integer:
        if not _GROUPED_INTEGER.fullmatch(integer):
            return None
        integer = integer.replace(" ", "")
    text = integer + dot + decimals
    return Decimal(sign + text) if _UNSIGNED_NUMBER.fullmatch(text) else None


# --- per-type grading (answer is a non-empty mapping; the context is _CONTEXT) -------------


def _grade_choice(snapshot: Snapshot, answer: Answer) -> Decimal:
    chosen = _chosen_ids(QType.SINGLE, answer)
    fractions = [_fraction(c) for c in _entries(snapshot, "choices") if c["id"] in chosen]
    return max(fractions, default=ZERO)


def _grade_multiple(snapshot: Snapshot, answer: Answer) -> Decimal:
    choices = _entries(snapshot, "choices")
    chosen = _chosen_ids(QType.MULTIPLE, answer) & {c["id"] for c in choices}
    if _option(snapshot, "all_or_nothing"):
        return ONE if chosen == {c["id"] for c in choices if _fraction(c) > 0} else ZERO
    total = sum((_fraction(c) for c in choices if c["id"] in chosen), ZERO)
    total = total.quantize(_SUM_PLACES, rounding=ROUND_HALF_UP)
    return ONE if abs(total - ONE) <= SUM_TOLERANCE else total


def _grade_matched(snapshot: Snapshot, answer: Answer) -> Decimal:
    matched = _matched_entry(snapshot, answer)
    return ZERO if matched is None else _fraction(matched)


def _grade_matching(snapshot: Snapshot, answer: Answer) -> Decimal:
    pairs = _entries(snapshot, "pairs")
    matches = answer.get("matches")
    if not pairs or not isinstance(matches, Mapping):
        return ZERO
    # Int keys are accepted too: a dict built in Python has not been through JSON yet.
    picked = {str(k): v for k, v in matches.items() if isinstance(k, str) or _is_id(k)}
    answer_text = {p["id"]: p["answer"] for p in pairs}
    # Texts, not ids, are compared: pairs sharing an answer text look identical to students.
    right = sum(
        1
        for p in pairs
        if _is_id(choice := picked.get(str(p["id"]))) and answer_text.get(choice) == _right_text(p)
    )
    return Decimal(right) / len(pairs)


def _right_text(pair: Entry) -> str | None:
    """The answer text that is right for a matching item: its own, unless a regrade set `key`.

    A regrade (quizzes.regrading) keeps the answers the student was shown and records the
    corrected match as `key`; None when the item can no longer be right.
    """
    return pair["key"] if "key" in pair else pair["answer"]


def _grade_ordering(snapshot: Snapshot, answer: Answer) -> Decimal:
    items = _entries(snapshot, "items")
    order = answer.get("order")
    if not items or not isinstance(order, list | tuple):
        return ZERO
    # Not strict: a shorter or longer order still earns its correct positions.
    pairs = zip(items, order, strict=False)
    right = sum(1 for item, given in pairs if _is_id(given) and given == item["id"])
    return Decimal(right) / len(items)


_GRADERS: dict[str, Callable[[Snapshot, Answer], Decimal]] = {
    QType.SINGLE: _grade_choice,
    QType.TRUE_FALSE: _grade_choice,
    QType.MULTIPLE: _grade_multiple,
    QType.SHORT: _grade_matched,
    QType.NUMERIC: _grade_matched,
    QType.MATCHING: _grade_matching,
    QType.ORDERING: _grade_ordering,
}


def _matched_entry(snapshot: Snapshot, answer: Answer) -> Entry | None:
    """The best-scoring accepted short/numeric answer that *answer* matches, if any."""
    if snapshot["type"] == QType.SHORT:
        text = answer.get("text")
        response = _normalise(snapshot, text) if isinstance(text, str) else ""
        if not response:  # blank is unanswered, even against a "*" catch-all
            return None
        return _matched_short(snapshot, response)
    value = parse_number(answer.get("value"))
    if value is None:
        return None

    def within_tolerance(accepted: Entry) -> bool:
        target, tolerance = _decimal(accepted["value"]), _decimal(accepted["tolerance"])
        # An interval test never rounds the student's value, however many digits it has;
        # |value - target| would round once it exceeded the context precision.
        return target - tolerance <= value <= target + tolerance

    return _first_best(a for a in _entries(snapshot, "numeric") if within_tolerance(a))


def _short_matches(snapshot: Snapshot, response: str) -> Entry | None:
    """The accepted answer a (normalised) response scores by, before the list rule.

    The best match counts, except against a wrong name: a response that also matches a
    0-fraction pattern naming something else scores 0, so "Pompeo Kushner" cannot pass because
    "*Kushner*" matches it too. A 0-fraction pattern that would match the right answer itself
    (a catch-all "*" for "anything else") is a fallback, not a wrong name, and never overrides.
    """
    matches = [
        a
        for a in _entries(snapshot, "answers")
        if _wildcard_match(_normalise(snapshot, a["text"]), response)
    ]
    best = _first_best(matches)
    if best is None or _fraction(best) <= 0:
        return best
    right_text = _normalise(snapshot, str(best["text"]).replace("*", ""))
    for entry in matches:
        if _fraction(entry) <= 0 and not _wildcard_match(
            _normalise(snapshot, entry["text"]), right_text
        ):
            return entry
    return best


def _matched_short(snapshot: Snapshot, response: str) -> Entry | None:
    """Short-answer matching: _short_matches, plus the rule against lists of guesses.

    When the text a pattern's wildcards took in reads as a list (it holds , ; / | & + or the
    word "or"/"and"), the response scores as its weakest part: "Nazarbayev or Tokayev" against
    "*Tokayev*" scores what "Nazarbayev" alone scores. A list whose parts all score the same
    ("Astana / Astana") keeps that score; separators in the pattern's own text don't count.
    """
    matched = _short_matches(snapshot, response)
    if matched is None or _fraction(matched) <= 0:
        return matched
    absorbed = _absorbed(_normalise(snapshot, matched["text"]), response)
    if not any(_LIST_SEPARATORS.search(f" {text} ") for text in absorbed):
        return matched
    parts = [part.strip() for part in _LIST_SEPARATORS.split(response) if part.strip()]
    scored = [_short_matches(snapshot, part) for part in parts]
    if all(entry is not None and _fraction(entry) == _fraction(matched) for entry in scored):
        return matched
    if any(entry is None for entry in scored):
        return None
    return min(scored, key=lambda entry: _fraction(entry))  # type: ignore[arg-type]


def _short_key(snapshot: Snapshot) -> dict[str, Any]:
    best = _first_best(_entries(snapshot, "answers"))
    if best is None:
        return {}
    text: str = best["text"]
    pattern = _normalise(snapshot, text)
    # Dropping "*" reads best but fails when the wildcard is the whole answer or sits next
    # to a space ("* Astana"); a visible filler then stands in for it.
    for candidate in (text.replace("*", ""), text.replace("*", "\u2026")):
        response = _normalise(snapshot, candidate)
        if response and _wildcard_match(pattern, response):
            return {"text": candidate}
    return {"text": text.replace("*", "")}


# --- helpers --------------------------------------------------------------------------------


def _normalise(snapshot: Snapshot, text: str) -> str:
    """Fold *text* for short-answer comparison as the snapshot's options ask."""
    text = unicodedata.normalize("NFKC", text)
    if not _option(snapshot, "case_sensitive"):
        # Case folding can leave text that is no longer NFKC, so normalise again.
        text = unicodedata.normalize("NFKC", text.casefold())
    if _option(snapshot, "accent_insensitive"):
        decomposed = unicodedata.normalize("NFD", text)
        bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
        text = unicodedata.normalize("NFC", bare)
    return " ".join(text.split())


def _wildcard_match(pattern: str, text: str) -> bool:
    """Full match in which "*" matches any run of characters and all else is literal.

    Same result as ``re.fullmatch`` on the pattern with ``re.escape``d pieces joined by
    ``.*``, but linear: leftmost search is exact when "*" is the only operator, and a long
    answer cannot make it backtrack catastrophically.
    """
    first, *rest = pattern.split("*")
    if not rest:
        return text == pattern
    *middle, last = rest
    if len(text) < len(first) + len(last):
        return False
    if not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _absorbed(pattern: str, text: str) -> list[str]:
    """The runs of `text` that the pattern's wildcards took in (it must match; see below)."""
    first, *rest = pattern.split("*")
    if not rest:
        return []
    *middle, last = rest
    position, end = len(first), len(text) - len(last)
    runs = []
    for piece in middle:
        found = text.find(piece, position, end)
        runs.append(text[position:found])
        position = found + len(piece)
    runs.append(text[position:end])
    return runs


def _question_type(snapshot: Snapshot) -> str:
    question_type = snapshot.get("type")
    if not isinstance(question_type, str) or question_type not in QUESTION_TYPES:
        raise ValueError(f"unknown question type in snapshot: {question_type!r}")
    return question_type


def _option(snapshot: Snapshot, name: str) -> bool:
    return bool((snapshot.get("options") or {}).get(name))


def _is_answered(answer: Any) -> TypeGuard[Answer]:
    return isinstance(answer, Mapping) and bool(answer)


def _is_id(value: object) -> TypeGuard[int]:
    # bool is an int subclass, and True must not select the choice with id 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _chosen_ids(question_type: str, answer: Answer) -> set[int]:
    if question_type != QType.MULTIPLE:
        choice = answer.get("choice")
        return {choice} if _is_id(choice) else set()
    choices = answer.get("choices")
    if not isinstance(choices, list | tuple):
        return set()
    return {c for c in choices if _is_id(c)}


def _entries(snapshot: Snapshot, key: str) -> list[Entry]:
    return list(snapshot.get(key) or [])


def _first_best(entries: Iterable[Entry]) -> Entry | None:
    """The entry with the highest fraction, the earliest one on ties."""
    best: Entry | None = None
    for entry in entries:
        if best is None or _fraction(entry) > _fraction(best):
            best = entry
    return best


def _fraction(entry: Entry) -> Decimal:
    return _decimal(entry["fraction"])


def _decimal(value: object) -> Decimal:
    """Read a trusted snapshot number: normally a string; int, float, Decimal tolerated."""
    # str() of a float is its shortest round-trip text (0.1 stays 0.1); "True" is rejected.
    text = value if isinstance(value, str) else str(value)
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a decimal in snapshot: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not a finite decimal in snapshot: {value!r}")
    return result


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(_PLACES, rounding=ROUND_HALF_UP)
