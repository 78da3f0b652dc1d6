"""A frozen question with its question's current key: what a regrade grades and then keeps.

Pure (no Django), like quizzes.grading. An attempt froze what the student saw, content and key,
in its snapshot. A regrade keeps everything the student was shown while answering (prompt,
stimulus, image, the texts of choices, items and pairs, their display order) and replaces the
key with the live question's, read from the live snapshot (`Question.snapshot()`).

The rule, per type. Key rows keep their database ids when a question is edited, so a frozen row
and a live row with the same id are the same row:

* choices (single, multiple, true/false): each frozen choice takes the live row's fraction and
  feedback; a choice deleted since is worth 0 (its frozen feedback stays); a choice added since
  was never shown to the student and is ignored. The all-or-nothing option comes from the live
  question.
* short and numeric answers: the student saw none of them, so the live accepted answers (texts
  or values, tolerances, fractions, feedback) replace the frozen ones whole, and so do the case
  and accent options.
* ordering: the correct order becomes the live order of the frozen items. An item deleted since
  keeps its frozen place in that order (the fix said nothing about it); the others fill the
  remaining places in their live order; an item added since is ignored.
* matching: the student saw the frozen items and picked among the frozen answer texts (the
  options). The live row with the frozen row's id says which answer is right for an item: its
  live answer text when that text was one of the options (so swapping two answers works); when
  it was not (a reworded answer), the option that row showed. An item whose row was deleted
  since can no longer be right. The right option's text is stored as the pair's `key`
  (quizzes.grading reads it instead of the pair's own `answer` when present), so the options
  the student saw, and their picks, keep their meaning.

A question whose type changed since cannot be regraded this way (the student answered another
kind of question): `rekeyed` returns None.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .question_types import QType, key_rows

Snapshot = Mapping[str, Any]

# The parts of a snapshot that make up its key; everything else is what the student saw.
OPTIONS = "options"
_NUMBERS = frozenset({"fraction", "value", "tolerance"})


def rekeyed(frozen: Snapshot, live: Snapshot) -> dict[str, Any] | None:
    """`frozen` with the key of `live` (see the module's rule); None if the type changed."""
    question_type = frozen.get("type")
    if question_type != live.get("type"):
        return None
    result = copy.deepcopy(dict(frozen))
    result[OPTIONS] = {**(frozen.get(OPTIONS) or {}), **(live.get(OPTIONS) or {})}
    rows = key_rows(str(question_type))
    if rows is None:
        return result
    frozen_rows = list(frozen.get(rows) or [])
    live_rows = {row["id"]: row for row in live.get(rows) or []}
    if question_type in (QType.SHORT, QType.NUMERIC):
        result[rows] = copy.deepcopy(list(live.get(rows) or []))
    elif rows == "choices":
        result[rows] = [_choice_rekeyed(row, live_rows.get(row["id"])) for row in frozen_rows]
    elif question_type == QType.ORDERING:
        result[rows] = _order_rekeyed(frozen_rows, [row["id"] for row in live.get(rows) or []])
    elif question_type == QType.MATCHING:
        result[rows] = _pairs_rekeyed(frozen_rows, live_rows)
    return result


def key_of(snapshot: Snapshot) -> dict[str, Any]:
    """The key part of a snapshot (type, marking options, key rows), as logged by a regrade."""
    result: dict[str, Any] = {
        "type": snapshot.get("type"),
        OPTIONS: dict(snapshot.get(OPTIONS) or {}),
    }
    rows = key_rows(str(snapshot.get("type")))
    if rows is not None:
        result[rows] = copy.deepcopy(list(snapshot.get(rows) or []))
    return result


def canonical_key(snapshot: Snapshot) -> str:
    """The key as a stable text: equal for equal keys, whatever the decimals' spelling.

    A fraction frozen as "1.0000000" and a live "1" are the same key; compared as text they
    would make every attempt look changed.
    """
    return json.dumps(_canonical(key_of(snapshot)), sort_keys=True, ensure_ascii=False)


def _canonical(value: Any, name: str = "") -> Any:
    if isinstance(value, Mapping):
        return {key: _canonical(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item, name) for item in value]
    if name in _NUMBERS and isinstance(value, str | int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return value
        return format(number.normalize(), "f") if number.is_finite() else value
    return value


def _choice_rekeyed(frozen: dict[str, Any], live: Mapping[str, Any] | None) -> dict[str, Any]:
    row = dict(frozen)
    if live is None:
        row["fraction"] = "0"
    else:
        row["fraction"] = live["fraction"]
        row["feedback"] = live.get("feedback", "")
    return row


def _order_rekeyed(frozen: list[dict[str, Any]], live_order: list[int]) -> list[dict[str, Any]]:
    frozen_ids = {row["id"] for row in frozen}
    alive = iter([pk for pk in live_order if pk in frozen_ids])
    by_id = {row["id"]: row for row in frozen}
    live_ids = set(live_order)
    # Deleted items hold their frozen places; the live ones take the other places in order.
    return [dict(row) if row["id"] not in live_ids else dict(by_id[next(alive)]) for row in frozen]


def _pairs_rekeyed(
    frozen: list[dict[str, Any]], live: Mapping[int, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    options = {row["answer"] for row in frozen}
    result = []
    for row in frozen:
        pair = {key: value for key, value in row.items() if key != "key"}
        live_row = live.get(row["id"])
        if live_row is None:
            right = None
        elif live_row["answer"] in options:
            right = live_row["answer"]
        else:
            right = row["answer"]
        if right != row["answer"]:
            pair["key"] = right
        result.append(pair)
    return result
