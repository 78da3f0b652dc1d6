"""What students are shown of a frozen question, and how answers read to teachers."""

import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from quizzes.grading import correct_answer
from quizzes.presentation import describe_answer, draw_display_order, question_for_student
from quizzes.question_types import QType

# One snapshot per type. Database ids (the question's and its rows') start at 100, so none can
# be mistaken for a place number (1..n) on the page; every field that holds the key or is
# shown only in the review has a value found nowhere else.
SNAPSHOTS: dict[str, dict[str, Any]] = {
    QType.SINGLE: {
        "question_id": 901,
        "type": "single",
        "prompt": "Capital of Kazakhstan?",
        "explanation": "SECRET-EXPLANATION-single",
        "choices": [
            {"id": 101, "text": "Astana", "fraction": "1", "feedback": "SECRET-FB-101"},
            {"id": 102, "text": "Almaty", "fraction": "0", "feedback": "SECRET-FB-102"},
            {"id": 103, "text": "Bishkek", "fraction": "0", "feedback": ""},
        ],
    },
    QType.MULTIPLE: {
        "question_id": 902,
        "type": "multiple",
        "prompt": "Which signed the Accords?",
        "explanation": "SECRET-EXPLANATION-multiple",
        "choices": [
            {"id": 111, "text": "UAE", "fraction": "0.5", "feedback": "SECRET-FB-111"},
            {"id": 112, "text": "Bahrain", "fraction": "0.5", "feedback": "SECRET-FB-112"},
            {"id": 113, "text": "Oman", "fraction": "-0.5", "feedback": "SECRET-FB-113"},
        ],
    },
    QType.TRUE_FALSE: {
        "question_id": 903,
        "type": "truefalse",
        "prompt": "Astana is the capital.",
        "explanation": "SECRET-EXPLANATION-truefalse",
        "choices": [
            {"id": 121, "text": "True", "fraction": "1", "feedback": "SECRET-FB-121"},
            {"id": 122, "text": "False", "fraction": "0", "feedback": "SECRET-FB-122"},
        ],
    },
    QType.SHORT: {
        "question_id": 904,
        "type": "short",
        "prompt": "Name the capital.",
        "explanation": "SECRET-EXPLANATION-short",
        "answers": [
            {"id": 131, "text": "SECRET-KEY-Astana", "fraction": "1", "feedback": "SECRET-FB-131"},
            {"id": 132, "text": "SECRET-KEY-Almaty", "fraction": "0", "feedback": "SECRET-FB-132"},
        ],
    },
    QType.NUMERIC: {
        "question_id": 905,
        "type": "numeric",
        "prompt": "Year of independence?",
        "explanation": "SECRET-EXPLANATION-numeric",
        "numeric": [
            {
                "id": 141,
                "value": "1991.5",
                "tolerance": "0.25",
                "fraction": "1",
                "feedback": "SECRET-FB-141",
            }
        ],
    },
    QType.MATCHING: {
        "question_id": 906,
        "type": "matching",
        "prompt": "Match",
        "explanation": "SECRET-EXPLANATION-matching",
        "pairs": [
            {"id": 151, "prompt": "UAE", "answer": "Annexation"},
            {"id": 152, "prompt": "Sudan", "answer": "Terror list"},
            {"id": 153, "prompt": "Morocco", "answer": "Western Sahara"},
        ],
    },
    QType.ORDERING: {
        "question_id": 907,
        "type": "ordering",
        "prompt": "Order",
        "explanation": "SECRET-EXPLANATION-ordering",
        "items": [{"id": 161, "text": "A"}, {"id": 162, "text": "B"}, {"id": 163, "text": "C"}],
    },
    QType.DESCRIPTION: {
        "question_id": 908,
        "type": "description",
        "prompt": "Read this passage.",
        "explanation": "SECRET-EXPLANATION-description",
    },
}

# Every key a student's view has, by type, and every key of each of its rows.
VIEW_KEYS = {"type", "prompt", "stimulus", "image", "image_alt"}
ROWS = {
    QType.SINGLE: {"choices": {"id", "text", "checked"}},
    QType.MULTIPLE: {"choices": {"id", "text", "checked"}},
    QType.TRUE_FALSE: {"choices": {"id", "text", "checked"}},
    QType.SHORT: {},
    QType.NUMERIC: {},
    QType.MATCHING: {"prompts": {"id", "text", "selected"}, "options": {"id", "text"}},
    QType.ORDERING: {"order_items": {"id", "text", "rank"}},
    QType.DESCRIPTION: {},
}
OTHER_KEYS = {QType.SHORT: {"typed"}, QType.NUMERIC: {"typed"}, QType.ORDERING: {"ranks"}}


def walk(value: Any) -> Iterator[Any]:
    """Every value inside a view: dict keys and values, list items, recursively."""
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from walk(item)


def hidden_values(snapshot: dict[str, Any]) -> set[Any]:
    """What the view must never hold: the explanation, fractions, feedback, the typed keys
    (short answer texts, numeric values and tolerances) and every database id."""
    hidden: set[Any] = {snapshot["question_id"], snapshot["explanation"]}
    for kind in ("choices", "answers", "numeric", "pairs", "items"):
        for row in snapshot.get(kind, []):
            hidden.add(row["id"])
            hidden.update(row[name] for name in ("fraction", "feedback") if row.get(name))
            if kind in ("answers", "numeric"):
                hidden.update(row[name] for name in ("text", "value", "tolerance") if name in row)
    return hidden


def test_every_question_type_has_a_snapshot_here():
    assert set(SNAPSHOTS) == set(QType)
    assert set(ROWS) == set(QType)


@pytest.mark.parametrize("qtype", list(QType))
@pytest.mark.parametrize("answered", [False, True], ids=["blank", "answered-with-the-key"])
def test_the_student_view_has_exactly_the_allowed_keys_and_rows_numbered_by_place(qtype, answered):
    snapshot = SNAPSHOTS[qtype]
    order = draw_display_order(snapshot, rng=random.Random(3), shuffle=True)

    view = question_for_student(snapshot, order, correct_answer(snapshot) if answered else None)

    assert set(view) == VIEW_KEYS | set(ROWS[qtype]) | OTHER_KEYS.get(qtype, set())
    for name, row_keys in ROWS[qtype].items():
        rows = view[name]
        assert rows, name
        assert all(set(row) == row_keys for row in rows), name
        assert [row["id"] for row in rows] == list(range(1, len(rows) + 1)), name
    if qtype == QType.ORDERING:
        assert view["ranks"] == list(range(1, len(snapshot["items"]) + 1))


@pytest.mark.parametrize("qtype", list(QType))
def test_no_value_in_the_student_view_is_a_key_fraction_feedback_explanation_or_id(qtype):
    snapshot = SNAPSHOTS[qtype]
    order = draw_display_order(snapshot, rng=random.Random(3), shuffle=True)

    view = question_for_student(snapshot, order)

    hidden = hidden_values(snapshot)
    found = [value for value in walk(view) if isinstance(value, str | int) and value in hidden]
    assert found == []
    assert not any("SECRET" in value for value in walk(view) if isinstance(value, str))


def test_the_hidden_values_cover_every_secret_planted_in_the_snapshots():
    # The walk above is only as good as this list: each marker planted is in it.
    for snapshot in SNAPSHOTS.values():
        planted = {
            value
            for value in walk(snapshot)
            if isinstance(value, str) and value.startswith("SECRET")
        }
        assert planted <= hidden_values(snapshot)


def test_an_ordering_questions_order_is_a_uniform_shuffle_that_tells_nothing():
    """Every order shown about equally often, the right one included: an order that never
    appeared (or one that appeared twice as often) would point at the key."""
    items = [{"id": 11, "text": "a"}, {"id": 12, "text": "b"}, {"id": 13, "text": "c"}]
    snapshot = {"type": QType.ORDERING, "items": items}
    rng = random.Random(20261201)
    draws = 6000

    seen = Counter(
        tuple(draw_display_order(snapshot, rng=rng, shuffle=False)) for _ in range(draws)
    )

    assert len(seen) == 6
    expected = draws / 6
    # Chi-square with 5 degrees of freedom; 20.5 is its 0.999 quantile.
    assert sum((n - expected) ** 2 / expected for n in seen.values()) < 20.5, seen


def test_choices_keep_the_authors_order_unless_shuffled():
    snapshot = SNAPSHOTS[QType.TRUE_FALSE]

    assert draw_display_order(snapshot, rng=random.Random(0), shuffle=False) == [121, 122]
    orders = {
        tuple(draw_display_order(SNAPSHOTS[QType.SINGLE], rng=random.Random(s), shuffle=True))
        for s in range(40)
    }
    assert len(orders) == 6  # every order of three choices


def test_true_false_keeps_true_first_even_when_choices_are_shuffled():
    snapshot = SNAPSHOTS[QType.TRUE_FALSE]

    for seed in range(20):
        assert draw_display_order(snapshot, rng=random.Random(seed), shuffle=True) == [121, 122]


def test_matching_options_follow_the_drawn_order():
    view = question_for_student(SNAPSHOTS[QType.MATCHING], [153, 151, 152])

    assert [o["text"] for o in view["options"]] == ["Western Sahara", "Annexation", "Terror list"]
    assert [p["text"] for p in view["prompts"]] == ["UAE", "Sudan", "Morocco"]


def test_answers_read_as_words_for_teachers():
    assert describe_answer(SNAPSHOTS[QType.SINGLE], {"choice": 102}) == "Almaty"
    assert describe_answer(SNAPSHOTS[QType.ORDERING], {"order": [162, 161, 163]}) == "B → A → C"
    assert describe_answer(SNAPSHOTS[QType.MATCHING], {"matches": {"151": 152}}) == (
        "UAE → Terror list; Sudan → —; Morocco → —"
    )
    assert describe_answer(SNAPSHOTS[QType.SINGLE], {}) == "—"
