"""What a student is shown of a frozen question, and in which order.

`question_for_student` is the only way attempt and preview pages get question content: it copies
the prompt and the labels a student needs and nothing else, so no key, fraction, feedback or
explanation can reach the page before the review policy allows (product invariant 2).
"""

import random
from typing import Any

SHUFFLABLE_CHOICE_TYPES = {"single", "multiple"}


def draw_display_order(snapshot: dict[str, Any], *, rng: random.Random, shuffle: bool) -> list[int]:
    """Ids in the order this student will see them.

    Matching answers and ordering items are always shuffled: shown in key order they would give
    the key away. An ordering question is never shown already in the right order.
    """
    qtype = snapshot["type"]
    if qtype in ("single", "multiple", "truefalse"):
        ids = [c["id"] for c in snapshot.get("choices", [])]
        if shuffle and qtype in SHUFFLABLE_CHOICE_TYPES:
            rng.shuffle(ids)
        return ids
    if qtype == "matching":
        ids = [p["id"] for p in snapshot.get("pairs", [])]
        rng.shuffle(ids)
        return ids
    if qtype == "ordering":
        key = [i["id"] for i in snapshot.get("items", [])]
        ids = list(key)
        rng.shuffle(ids)
        if ids == key and len(ids) > 1:
            ids = ids[1:] + ids[:1]
        return ids
    return []


def _in_order(rows: list[dict[str, Any]], order: list[int]) -> list[dict[str, Any]]:
    by_id = {row["id"]: row for row in rows}
    ordered = [by_id[i] for i in order if i in by_id]
    return ordered + [row for row in rows if row["id"] not in set(order)]


def question_for_student(
    snapshot: dict[str, Any], display_order: list[int], answer: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The student-safe view of a snapshot: content, labels and the student's own answer.

    Never the key: no fraction, feedback, explanation or correct order is copied.
    """
    answer = answer or {}
    qtype = snapshot["type"]
    view: dict[str, Any] = {
        "type": qtype,
        "prompt": snapshot.get("prompt", ""),
        "stimulus": snapshot.get("stimulus", ""),
        "image": snapshot.get("image", ""),
        "image_alt": snapshot.get("image_alt", ""),
    }
    if qtype in ("single", "multiple", "truefalse"):
        chosen = set(answer.get("choices", [])) | {answer.get("choice")}
        view["choices"] = [
            {"id": c["id"], "text": c["text"], "checked": c["id"] in chosen}
            for c in _in_order(snapshot.get("choices", []), display_order)
        ]
    elif qtype in ("short", "numeric"):
        view["typed"] = answer.get("text" if qtype == "short" else "value", "")
    elif qtype == "matching":
        pairs = snapshot.get("pairs", [])
        matches = answer.get("matches", {})
        # Prompts keep the author's order; the answers to pick from come in the drawn order,
        # each distinct text once (duplicate texts are interchangeable when graded).
        seen: set[str] = set()
        options = []
        for pair in _in_order(pairs, display_order):
            if pair["answer"] not in seen:
                seen.add(pair["answer"])
                options.append({"id": pair["id"], "text": pair["answer"]})
        answer_text = {p["id"]: p["answer"] for p in pairs}
        option_by_text = {o["text"]: o["id"] for o in options}
        view["prompts"] = [
            {
                "id": p["id"],
                "text": p["prompt"],
                "selected": option_by_text.get(answer_text.get(matches.get(str(p["id"])), "")),
            }
            for p in pairs
        ]
        view["options"] = options
    elif qtype == "ordering":
        places = {item: index + 1 for index, item in enumerate(answer.get("order", [])) if item}
        view["order_items"] = [
            {"id": i["id"], "text": i["text"], "rank": places.get(i["id"])}
            for i in _in_order(snapshot.get("items", []), display_order)
        ]
        view["ranks"] = list(range(1, len(view["order_items"]) + 1))
    return view


def describe_answer(snapshot: dict[str, Any], answer: dict[str, Any] | None) -> str:
    """A student's answer in words, for teachers: choice texts, typed text, matched pairs."""
    if not answer:
        return "—"
    qtype = snapshot["type"]
    if qtype in ("single", "truefalse", "multiple"):
        texts = {c["id"]: c["text"] for c in snapshot.get("choices", [])}
        chosen = answer.get("choices", []) if qtype == "multiple" else [answer.get("choice")]
        return "; ".join(texts.get(i, "?") for i in chosen if i is not None) or "—"
    if qtype == "short":
        return str(answer.get("text", "")) or "—"
    if qtype == "numeric":
        return str(answer.get("value", "")) or "—"
    if qtype == "matching":
        pairs = {p["id"]: p for p in snapshot.get("pairs", [])}
        matches = answer.get("matches", {})
        return "; ".join(
            f"{pair['prompt']} → {pairs[matches[str(pid)]]['answer']}"
            if str(pid) in matches and matches[str(pid)] in pairs
            else f"{pair['prompt']} → —"
            for pid, pair in pairs.items()
        )
    if qtype == "ordering":
        texts = {i["id"]: i["text"] for i in snapshot.get("items", [])}
        return " → ".join(texts.get(i, "?") for i in answer.get("order", [])) or "—"
    return "—"
