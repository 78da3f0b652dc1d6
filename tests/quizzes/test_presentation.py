"""What students are shown of a frozen question, and how answers read to teachers."""

import random

import pytest

from quizzes.presentation import describe_answer, draw_display_order, question_for_student

SNAPSHOTS = {
    "single": {
        "type": "single",
        "prompt": "Capital?",
        "explanation": "SECRET-EXPLANATION",
        "choices": [
            {"id": 1, "text": "Astana", "fraction": "1", "feedback": "SECRET-FB"},
            {"id": 2, "text": "Almaty", "fraction": "0", "feedback": "SECRET-FB2"},
        ],
    },
    "matching": {
        "type": "matching",
        "prompt": "Match",
        "pairs": [
            {"id": 5, "prompt": "UAE", "answer": "Annexation"},
            {"id": 6, "prompt": "Sudan", "answer": "Terror list"},
            {"id": 7, "prompt": "Morocco", "answer": "Western Sahara"},
        ],
    },
    "ordering": {
        "type": "ordering",
        "prompt": "Order",
        "items": [{"id": 9, "text": "A"}, {"id": 10, "text": "B"}, {"id": 11, "text": "C"}],
    },
}


@pytest.mark.parametrize("qtype", SNAPSHOTS)
def test_the_student_view_carries_no_key_fraction_feedback_or_explanation(qtype):
    snapshot = SNAPSHOTS[qtype]
    order = draw_display_order(snapshot, rng=random.Random(3), shuffle=True)

    view = question_for_student(snapshot, order)

    text = repr(view)
    for secret in ("SECRET", "fraction", "feedback", "explanation"):
        assert secret not in text


def test_an_ordering_question_is_never_shown_in_the_right_order():
    snapshot = SNAPSHOTS["ordering"]
    key = [item["id"] for item in snapshot["items"]]

    for seed in range(50):
        assert draw_display_order(snapshot, rng=random.Random(seed), shuffle=False) != key


def test_choices_keep_the_authors_order_unless_shuffled():
    snapshot = SNAPSHOTS["single"]

    assert draw_display_order(snapshot, rng=random.Random(0), shuffle=False) == [1, 2]
    orders = {
        tuple(draw_display_order(snapshot, rng=random.Random(s), shuffle=True)) for s in range(20)
    }
    assert orders == {(1, 2), (2, 1)}


def test_matching_options_follow_the_drawn_order():
    view = question_for_student(SNAPSHOTS["matching"], [7, 5, 6])

    assert [o["text"] for o in view["options"]] == ["Western Sahara", "Annexation", "Terror list"]
    assert [p["text"] for p in view["prompts"]] == ["UAE", "Sudan", "Morocco"]


def test_answers_read_as_words_for_teachers():
    assert describe_answer(SNAPSHOTS["single"], {"choice": 2}) == "Almaty"
    assert describe_answer(SNAPSHOTS["ordering"], {"order": [10, 9, 11]}) == "B → A → C"
    assert describe_answer(SNAPSHOTS["matching"], {"matches": {"5": 6}}) == (
        "UAE → Terror list; Sudan → —; Morocco → —"
    )
    assert describe_answer(SNAPSHOTS["single"], {}) == "—"
