"""Turning posted form fields into a response's answer, trusting nothing.

Field names are those of templates/quizzes/question/_question.html, under a per-question prefix.
A value that could only come from a tampered form (a choice of another question, an unknown
item, a field no page renders) raises TamperedInput; the view answers 400 and stores nothing.
Honest mistakes, such as two ordering items given the same place, are kept as the student left
them and simply earn no credit for those places.
"""

from collections.abc import Iterable, Mapping
from typing import Any

MAX_TEXT = 500


class TamperedInputError(ValueError):
    """Posted data no honest page could have produced."""


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TamperedInputError(f"not an id: {value!r}") from None


def answer_fields(snapshot: Mapping[str, Any], prefix: str) -> set[str]:
    """Every field name the page may post for this question."""
    qtype = snapshot["type"]
    if qtype in ("single", "truefalse"):
        return {f"{prefix}-choice"}
    if qtype == "multiple":
        return {f"{prefix}-choices"}
    if qtype == "short":
        return {f"{prefix}-text"}
    if qtype == "numeric":
        return {f"{prefix}-value"}
    if qtype == "matching":
        return {f"{prefix}-match-{p['id']}" for p in snapshot.get("pairs", [])}
    if qtype == "ordering":
        return {f"{prefix}-rank-{i['id']}" for i in snapshot.get("items", [])}
    return set()


def parse_answer(snapshot: Mapping[str, Any], data: Any, prefix: str) -> dict[str, Any]:
    """The answer posted for one question (`data` is a QueryDict or a dict of lists)."""

    def values(name: str) -> list[str]:
        if hasattr(data, "getlist"):
            return data.getlist(name)
        raw = data.get(name, [])
        return list(raw) if isinstance(raw, list | tuple) else [raw]

    def value(name: str) -> str:
        found = values(name)
        if len(found) > 1:
            raise TamperedInputError(f"{name} posted twice")
        return found[0] if found else ""

    qtype = snapshot["type"]
    if qtype in ("single", "truefalse", "multiple"):
        ids = {c["id"] for c in snapshot.get("choices", [])}
        if qtype == "multiple":
            chosen = sorted({_int(v) for v in values(f"{prefix}-choices")})
            _check_known(chosen, ids)
            return {"choices": chosen} if chosen else {}
        raw = value(f"{prefix}-choice")
        if not raw:
            return {}
        choice = _int(raw)
        _check_known([choice], ids)
        return {"choice": choice}
    if qtype in ("short", "numeric"):
        key = "text" if qtype == "short" else "value"
        text = value(f"{prefix}-{key}").strip()
        if len(text) > MAX_TEXT:
            raise TamperedInputError("answer longer than the field allows")
        return {key: text} if text else {}
    if qtype == "matching":
        pair_ids = {p["id"] for p in snapshot.get("pairs", [])}
        matches = {}
        for pair_id in pair_ids:
            raw = value(f"{prefix}-match-{pair_id}")
            if raw:
                chosen = _int(raw)
                _check_known([chosen], pair_ids)
                matches[str(pair_id)] = chosen
        return {"matches": matches} if matches else {}
    if qtype == "ordering":
        item_ids = [i["id"] for i in snapshot.get("items", [])]
        places: list[int | None] = [None] * len(item_ids)
        any_ranked = False
        for item_id in item_ids:
            raw = value(f"{prefix}-rank-{item_id}")
            if not raw:
                continue
            rank = _int(raw)
            if not 1 <= rank <= len(item_ids):
                raise TamperedInputError(f"rank {rank} out of range")
            any_ranked = True
            if places[rank - 1] is None:
                places[rank - 1] = item_id
        return {"order": places} if any_ranked else {}
    return {}


def _check_known(chosen: Iterable[int], known: set[int]) -> None:
    unknown = set(chosen) - known
    if unknown:
        raise TamperedInputError(f"ids not in this question: {sorted(unknown)}")


def is_answered(snapshot: Mapping[str, Any], answer: Mapping[str, Any] | None) -> bool:
    """Whether the student has given any answer (for the navigation panel and summary)."""
    if not answer:
        return False
    if snapshot["type"] == "ordering":
        return any(item is not None for item in answer.get("order", []))
    return True
