"""Turning posted form fields into a response's answer, trusting nothing.

Field names and values are those of templates/quizzes/question/_question.html: each row is
numbered by its place on the page (presentation.FormLayout), never by its database id. A value
that only a tampered form could send (a number outside the question, a field no page renders,
a field posted twice) raises TamperedInputError; the view answers 400 and stores nothing.
Honest mistakes, such as two ordering items given the same place, are kept as the student left
them and simply earn no credit for those places. Control characters are dropped from typed
answers before anything is stored.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .grading import AnswerProblem, ProblemCode
from .presentation import FormLayout, form_layout
from .question_types import CHOICE_TYPES, TYPED_FIELD, QType

MAX_TEXT = 500
_NUMBER = re.compile(r"[0-9]{1,4}")
# C0 control characters but tab and newline, and DEL: nothing a person types means them, and a
# NUL is refused by PostgreSQL's jsonb (a 500 that would lose the page's other answers).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
SEEN_SALT = "quizzes.answers.seen_token"


class TamperedInputError(ValueError):
    """Posted data no honest page could have produced."""


def _number(value: str, upto: int) -> int:
    """A row number 1..upto, as the page renders them (ASCII digits only)."""
    if not _NUMBER.fullmatch(value or ""):
        raise TamperedInputError(f"not a row number: {value!r}")
    number = int(value)
    if not 1 <= number <= upto:
        raise TamperedInputError(f"row {number} is not in this question")
    return number


def answer_fields(snapshot: Mapping[str, Any], display_order: list[int], prefix: str) -> set[str]:
    """Every field name the page may post for this question."""
    qtype = snapshot["type"]
    layout = form_layout(dict(snapshot), display_order)
    if qtype == QType.MULTIPLE:
        return {f"{prefix}-choices"}
    if qtype in CHOICE_TYPES:
        return {f"{prefix}-choice"}
    if qtype in TYPED_FIELD:
        return {f"{prefix}-{TYPED_FIELD[qtype]}"}
    if qtype == QType.MATCHING:
        return {f"{prefix}-match-{n}" for n in range(1, len(layout.prompt_ids) + 1)}
    if qtype == QType.ORDERING:
        return {f"{prefix}-rank-{n}" for n in range(1, len(layout.item_ids) + 1)}
    return set()


def parse_answer(
    snapshot: Mapping[str, Any], display_order: list[int], data: Any, prefix: str
) -> dict[str, Any]:
    """The answer posted for one question, in database ids (`data`: a QueryDict or dict)."""

    def values(name: str) -> list[str]:
        if hasattr(data, "getlist"):
            return data.getlist(name)
        raw = data.get(name, [])
        return [str(v) for v in raw] if isinstance(raw, list | tuple) else [str(raw)]

    def value(name: str) -> str:
        found = values(name)
        if len(found) > 1:
            raise TamperedInputError(f"{name} posted twice")
        return found[0] if found else ""

    qtype = snapshot["type"]
    layout: FormLayout = form_layout(dict(snapshot), display_order)
    if qtype in CHOICE_TYPES:
        count = len(layout.choice_ids)
        if qtype == QType.MULTIPLE:
            numbers = {_number(v, count) for v in values(f"{prefix}-choices")}
            chosen = sorted(layout.choice_ids[n - 1] for n in numbers)
            return {"choices": chosen} if chosen else {}
        raw = value(f"{prefix}-choice")
        return {"choice": layout.choice_ids[_number(raw, count) - 1]} if raw else {}
    if qtype in TYPED_FIELD:
        key = TYPED_FIELD[qtype]
        text = _CONTROL.sub("", value(f"{prefix}-{key}")).strip()
        if len(text) > MAX_TEXT:
            raise TamperedInputError("answer longer than the field allows")
        return {key: text} if text else {}
    if qtype == QType.MATCHING:
        matches = {}
        for number, pair_id in enumerate(layout.prompt_ids, start=1):
            raw = value(f"{prefix}-match-{number}")
            if raw:
                option = _number(raw, len(layout.option_ids))
                matches[str(pair_id)] = layout.option_ids[option - 1]
        return {"matches": matches} if matches else {}
    if qtype == QType.ORDERING:
        count = len(layout.item_ids)
        ranks = {}
        for number, item_id in enumerate(layout.item_ids, start=1):
            raw = value(f"{prefix}-rank-{number}")
            if raw:
                ranks[str(item_id)] = _number(raw, count)
        if not ranks:
            return {}
        # `order` is what is graded: the first item given each place. `ranks` keeps exactly
        # what the student chose, duplicates included, so the page shows it back unchanged.
        places: list[int | None] = [None] * count
        for item_id in layout.item_ids:
            rank = ranks.get(str(item_id))
            if rank is not None and places[rank - 1] is None:
                places[rank - 1] = item_id
        return {"order": places, "ranks": ranks}
    return {}


def seen_token(answer: Mapping[str, Any] | None, *, scope: str) -> str:
    """A keyed MAC of an answer as a page showed it, to tell later whether the student changed it.

    Keyed with SECRET_KEY: unlike a plain hash (an unkeyed digest of {"choice": 17} inverts in
    milliseconds and hands over the database ids, and with them the key), nobody without the
    key can test guesses against it. `scope` ties it to one question of one attempt.
    """
    canonical = json.dumps(answer or {}, sort_keys=True, separators=(",", ":"))
    return salted_hmac(SEEN_SALT, f"{scope}|{canonical}", algorithm="sha256").hexdigest()[:32]


def form_data(
    snapshot: Mapping[str, Any], display_order: list[int], answer: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    """The fields a page would post for `answer` (the inverse of parse_answer).

    For tests and demo data, which answer as a student would, through the form.
    """
    qtype = snapshot["type"]
    layout = form_layout(dict(snapshot), display_order)
    if not answer:
        return {}
    if qtype == QType.MULTIPLE:
        return {
            f"{prefix}-choices": [str(layout.choice_ids.index(c) + 1) for c in answer["choices"]]
        }
    if qtype in CHOICE_TYPES:
        return {f"{prefix}-choice": str(layout.choice_ids.index(answer["choice"]) + 1)}
    if qtype in TYPED_FIELD:
        return {f"{prefix}-{TYPED_FIELD[qtype]}": answer[TYPED_FIELD[qtype]]}
    if qtype == QType.MATCHING:
        fields = {}
        for number, pair_id in enumerate(layout.prompt_ids, start=1):
            chosen = answer["matches"].get(str(pair_id))
            option = layout.option_for_pair(dict(snapshot), chosen)
            if option:
                fields[f"{prefix}-match-{number}"] = str(option)
        return fields
    if qtype == QType.ORDERING:
        places = {item: place for place, item in enumerate(answer["order"], start=1) if item}
        return {
            f"{prefix}-rank-{number}": str(places[item_id])
            for number, item_id in enumerate(layout.item_ids, start=1)
            if item_id in places
        }
    return {}


def _places(problem: AnswerProblem) -> str:
    return ", ".join(str(place) for place in problem.places)


def problem_message(problem: AnswerProblem) -> str:
    """What to tell the student next to the field, in words (grading.answer_problem says why).

    Says only what is wrong with the answer's form, never anything about its correctness.
    """
    if problem.code == ProblemCode.NOT_A_NUMBER:
        return _("This is not a number yet. Type a number in figures, like 1992 or 3.5.")
    return _repeated_places(len(problem.places)) % {"places": _places(problem)}


def _repeated_places(count: int) -> str:
    return ngettext(
        "Each place can hold only one item: place %(places)s is chosen more than once.",
        "Each place can hold only one item: places %(places)s are each chosen more than once.",
        count,
    )


def problem_messages_for_script() -> dict[str, str]:
    """problem_message's words for the page's own checks (attempt_checks.js), places left open.

    The script says the same as the server, in the same words; the server's word is final.
    """
    return {
        "not_a_number": problem_message(AnswerProblem(ProblemCode.NOT_A_NUMBER)),
        "place_repeated_one": _repeated_places(1),
        "place_repeated_many": _repeated_places(2),
    }


def problem_summary(problem: AnswerProblem) -> str:
    """The same problem in a few words, for the summary's list ("Question 4: not a number")."""
    if problem.code == ProblemCode.NOT_A_NUMBER:
        return _("not a number")
    return ngettext(
        "place %(places)s chosen more than once",
        "places %(places)s each chosen more than once",
        len(problem.places),
    ) % {"places": _places(problem)}
