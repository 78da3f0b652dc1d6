"""What a student is shown of a frozen question, and in which order.

`question_for_student` is the only way attempt and preview pages get question content: it copies
the prompt and the labels a student needs and nothing else, so no key, fraction, feedback or
explanation can reach the page before the review policy allows (product invariant 2).
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .question_types import CHOICE_TYPES, SHUFFLABLE_CHOICE_TYPES, TYPED_FIELD, QType


def draw_display_order(snapshot: dict[str, Any], *, rng: random.Random, shuffle: bool) -> list[int]:
    """Ids in the order this student will see them.

    Matching answers and ordering items are always shuffled, uniformly: in authoring order
    they would give the key away. A uniform shuffle may show an ordering question in its right
    order, and must be allowed to: its places start blank, so that gives nothing, while an
    order that could never appear would be a clue (the one order nobody is shown is the key).
    """
    qtype = snapshot["type"]
    if qtype in CHOICE_TYPES:
        ids = [c["id"] for c in snapshot.get("choices", [])]
        if shuffle and qtype in SHUFFLABLE_CHOICE_TYPES:
            rng.shuffle(ids)
        return ids
    if qtype == QType.MATCHING:
        ids = [p["id"] for p in snapshot.get("pairs", [])]
        rng.shuffle(ids)
        return ids
    if qtype == QType.ORDERING:
        ids = [i["id"] for i in snapshot.get("items", [])]
        rng.shuffle(ids)
        return ids
    return []


def _in_order(rows: list[dict[str, Any]], order: list[int]) -> list[dict[str, Any]]:
    by_id = {row["id"]: row for row in rows}
    ordered = [by_id[i] for i in order if i in by_id]
    return ordered + [row for row in rows if row["id"] not in set(order)]


@dataclass(frozen=True)
class FormLayout:
    """How a question's rows are numbered on the page: 1..n in the order shown.

    Database ids never reach the page. They follow authoring order, and authors usually write
    the right answer first, so an id would give the key away; a place in the shuffled order
    gives nothing away. `quizzes.answers` maps the numbers back through this same layout.
    """

    choice_ids: list[int] = field(default_factory=list)  # choice shown n-th
    prompt_ids: list[int] = field(default_factory=list)  # matching item n (authoring order)
    option_ids: list[int] = field(default_factory=list)  # matching option shown n-th
    option_texts: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)  # ordering item shown n-th

    def option_for_pair(self, snapshot: dict[str, Any], pair_id: Any) -> int | None:
        """The option number whose text is that pair's answer (duplicate texts share one)."""
        texts = {p["id"]: p["answer"] for p in snapshot.get("pairs", [])}
        text = texts.get(pair_id)
        return self.option_texts.index(text) + 1 if text in self.option_texts else None


def form_layout(snapshot: dict[str, Any], display_order: list[int]) -> FormLayout:
    qtype = snapshot["type"]
    if qtype in CHOICE_TYPES:
        return FormLayout(
            choice_ids=[c["id"] for c in _in_order(snapshot.get("choices", []), display_order)]
        )
    if qtype == QType.MATCHING:
        pairs = snapshot.get("pairs", [])
        option_ids, option_texts = [], []
        for pair in _in_order(pairs, display_order):
            if pair["answer"] not in option_texts:
                option_texts.append(pair["answer"])
                option_ids.append(pair["id"])
        return FormLayout(
            prompt_ids=[p["id"] for p in pairs], option_ids=option_ids, option_texts=option_texts
        )
    if qtype == QType.ORDERING:
        return FormLayout(
            item_ids=[i["id"] for i in _in_order(snapshot.get("items", []), display_order)]
        )
    return FormLayout()


def question_for_student(
    snapshot: dict[str, Any], display_order: list[int], answer: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The student-safe view of a snapshot: content, labels and the student's own answer.

    Never the key: no fraction, feedback, explanation, correct order or database id is copied;
    rows are numbered by their place on the page (see FormLayout).
    """
    answer = answer or {}
    qtype = snapshot["type"]
    layout = form_layout(snapshot, display_order)
    view: dict[str, Any] = {
        "type": qtype,
        "prompt": snapshot.get("prompt", ""),
        "stimulus": snapshot.get("stimulus", ""),
        "image": snapshot.get("image", ""),
        "image_alt": snapshot.get("image_alt", ""),
    }
    if qtype in CHOICE_TYPES:
        texts = {c["id"]: c["text"] for c in snapshot.get("choices", [])}
        chosen = set(answer.get("choices", [])) | {answer.get("choice")}
        view["choices"] = [
            {"id": number, "text": texts[choice_id], "checked": choice_id in chosen}
            for number, choice_id in enumerate(layout.choice_ids, start=1)
        ]
    elif qtype in TYPED_FIELD:
        view["typed"] = answer.get(TYPED_FIELD[qtype], "")
    elif qtype == QType.MATCHING:
        prompts = {p["id"]: p["prompt"] for p in snapshot.get("pairs", [])}
        matches = answer.get("matches", {})
        view["prompts"] = [
            {
                "id": number,
                "text": prompts[pair_id],
                "selected": layout.option_for_pair(snapshot, matches.get(str(pair_id))),
            }
            for number, pair_id in enumerate(layout.prompt_ids, start=1)
        ]
        view["options"] = [
            {"id": number, "text": text} for number, text in enumerate(layout.option_texts, start=1)
        ]
    elif qtype == QType.ORDERING:
        texts = {i["id"]: i["text"] for i in snapshot.get("items", [])}
        ranks = answer.get("ranks") or {
            str(item): place for place, item in enumerate(answer.get("order", []), 1) if item
        }
        view["order_items"] = [
            {"id": number, "text": texts[item_id], "rank": ranks.get(str(item_id))}
            for number, item_id in enumerate(layout.item_ids, start=1)
        ]
        view["ranks"] = list(range(1, len(layout.item_ids) + 1))
    return view


def describe_answer(snapshot: dict[str, Any], answer: dict[str, Any] | None) -> str:
    """A student's answer in words, for teachers: choice texts, typed text, matched pairs."""
    if not answer:
        return "—"
    qtype = snapshot["type"]
    if qtype in CHOICE_TYPES:
        texts = {c["id"]: c["text"] for c in snapshot.get("choices", [])}
        chosen = answer.get("choices", []) if qtype == QType.MULTIPLE else [answer.get("choice")]
        return "; ".join(texts.get(i, "?") for i in chosen if i is not None) or "—"
    if qtype == QType.SHORT:
        return str(answer.get("text", "")) or "—"
    if qtype == QType.NUMERIC:
        value = str(answer.get("value", ""))
        try:
            # A key stored as 1992.0000000 reads as 1992; what a student typed is shown as typed.
            number = Decimal(value)
        except InvalidOperation:
            return value or "—"
        return format(number.normalize(), "f") if "." in value and number == number else value
    if qtype == QType.MATCHING:
        pairs = {p["id"]: p for p in snapshot.get("pairs", [])}
        matches = answer.get("matches", {})
        return "; ".join(
            f"{pair['prompt']} → {pairs[matches[str(pid)]]['answer']}"
            if str(pid) in matches and matches[str(pid)] in pairs
            else f"{pair['prompt']} → —"
            for pid, pair in pairs.items()
        )
    if qtype == QType.ORDERING:
        texts = {i["id"]: i["text"] for i in snapshot.get("items", [])}
        return " → ".join(texts.get(i, "?") for i in answer.get("order", [])) or "—"
    return "—"


def is_answered(snapshot: Mapping[str, Any], answer: Mapping[str, Any] | None) -> bool:
    """Whether the student has given any answer (for the navigation panel and summary)."""
    if not answer:
        return False
    if snapshot["type"] == QType.ORDERING:
        return any(item is not None for item in answer.get("order", []))
    return True
