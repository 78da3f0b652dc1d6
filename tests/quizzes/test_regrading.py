"""quizzes.regrading: a frozen snapshot with the live key, keeping what the student saw.

Pure: snapshots are plain dicts here, as an attempt freezes them and Question.snapshot() gives
them. Rows are the same row when their ids are equal.
"""

from decimal import Decimal

from quizzes import grading
from quizzes.regrading import canonical_key, key_of, rekeyed


def single(*rows, **extra):
    """A single-choice snapshot from (id, text, fraction) rows."""
    return {
        "type": "single",
        "prompt": "Capital?",
        "options": {"all_or_nothing": False},
        "choices": [
            {"id": pk, "text": text, "fraction": fraction, "feedback": f"fb {text}"}
            for pk, text, fraction in rows
        ],
        **extra,
    }


def test_choices_take_the_live_fractions_and_feedback_of_the_same_rows():
    frozen = single((1, "Astana", "1.0000000"), (2, "Almaty", "0E-7"))
    live = single((1, "Astana (renamed)", "0"), (2, "Almaty", "1"))
    live["choices"][1]["feedback"] = "Right: until 1997"

    result = rekeyed(frozen, live)

    assert result is not None
    assert [(c["text"], c["fraction"]) for c in result["choices"]] == [
        ("Astana", "0"),  # the text the student saw stays
        ("Almaty", "1"),
    ]
    assert result["choices"][1]["feedback"] == "Right: until 1997"
    assert result["prompt"] == "Capital?"


def test_a_deleted_choice_is_worth_nothing_and_an_added_one_is_ignored():
    frozen = single((1, "Astana", "1"), (2, "Almaty", "0"))
    live = single((2, "Almaty", "1"), (3, "Bishkek", "0"))

    result = rekeyed(frozen, live)

    assert result is not None
    assert [(c["id"], c["fraction"]) for c in result["choices"]] == [(1, "0"), (2, "1")]


def test_short_answers_are_replaced_whole_with_the_options():
    frozen = {
        "type": "short",
        "options": {"case_sensitive": True},
        "answers": [{"id": 5, "text": "Astana", "fraction": "1", "feedback": ""}],
    }
    live = {
        "type": "short",
        "options": {"case_sensitive": False},
        "answers": [
            {"id": 5, "text": "Astana", "fraction": "1", "feedback": ""},
            {"id": 6, "text": "Nur-Sultan", "fraction": "1", "feedback": "Its name 2019-2022"},
        ],
    }

    result = rekeyed(frozen, live)

    assert result is not None
    assert result["answers"] == live["answers"]
    assert result["options"] == {"case_sensitive": False}
    assert grading.grade_response(result, {"text": "nur-sultan"}) == 1


def test_ordering_takes_the_live_order_and_a_deleted_item_keeps_its_place():
    items = [{"id": pk, "text": text} for pk, text in [(1, "A"), (2, "B"), (3, "C"), (4, "D")]]
    frozen = {"type": "ordering", "items": items}
    # Live: D deleted, E added, and the order of the rest is now C, A, B.
    live = {"type": "ordering", "items": [{"id": 3, "text": "C"}, {"id": 5, "text": "E"}]}
    live["items"][1:1] = [{"id": 1, "text": "A"}, {"id": 2, "text": "B"}]

    result = rekeyed(frozen, live)

    assert result is not None
    assert [i["text"] for i in result["items"]] == ["C", "A", "B", "D"]


def matching(*pairs):
    return {
        "type": "matching",
        "pairs": [{"id": pk, "prompt": p, "answer": a} for pk, p, a in pairs],
    }


def test_matching_answers_swapped_back_use_the_options_the_student_saw():
    frozen = matching((1, "UAE", "Annexation"), (2, "Sudan", "Terror list"))
    live = matching((1, "UAE", "Terror list"), (2, "Sudan", "Annexation"))
    # The student matched UAE to the option reading "Terror list" (pair 2's answer).
    answer = {"matches": {"1": 2, "2": 1}}
    assert grading.grade_response(frozen, answer) == 0

    result = rekeyed(frozen, live)

    assert result is not None
    assert [(p["prompt"], p["answer"]) for p in result["pairs"]] == [
        ("UAE", "Annexation"),
        ("Sudan", "Terror list"),
    ]
    assert grading.grade_response(result, answer) == 1
    assert grading.grade_response(result, grading.correct_answer(result)) == 1


def test_a_reworded_matching_answer_keeps_the_option_that_row_showed():
    frozen = matching((1, "UAE", "Annexation"), (2, "Sudan", "Terror list"))
    live = matching((1, "UAE", "Annexation plans"), (2, "Sudan", "Terror list"))
    answer = {"matches": {"1": 1, "2": 2}}

    result = rekeyed(frozen, live)

    assert result is not None
    assert "key" not in result["pairs"][0]
    assert grading.grade_response(result, answer) == 1


def test_a_matching_item_deleted_since_can_no_longer_be_right():
    frozen = matching((1, "UAE", "Annexation"), (2, "Sudan", "Terror list"))
    live = matching((2, "Sudan", "Terror list"), (3, "Morocco", "Sahara"))

    result = rekeyed(frozen, live)

    assert result is not None
    assert grading.grade_response(result, {"matches": {"1": 1, "2": 2}}) == Decimal("0.5")
    assert grading.correct_answer(result) == {"matches": {"2": 2}}


def test_a_second_regrade_recomputes_the_matching_key_from_what_was_shown():
    frozen = matching((1, "UAE", "Annexation"), (2, "Sudan", "Terror list"))
    swapped = rekeyed(frozen, matching((1, "UAE", "Terror list"), (2, "Sudan", "Annexation")))
    assert swapped is not None

    back = rekeyed(swapped, frozen)

    assert back is not None
    assert canonical_key(back) == canonical_key(frozen)
    assert all("key" not in pair for pair in back["pairs"])


def test_a_changed_type_cannot_be_regraded():
    assert rekeyed(single((1, "A", "1")), {"type": "multiple", "choices": []}) is None


def test_a_description_has_no_key_to_change():
    frozen = {"type": "description", "prompt": "Read this", "options": {}}

    assert rekeyed(frozen, {"type": "description", "prompt": "Edited", "options": {}}) == frozen


def test_the_same_key_in_other_decimal_spellings_is_the_same_key():
    frozen = single((1, "Astana", "1.0000000"), (2, "Almaty", "0E-7"))
    live = single((1, "Astana", "1"), (2, "Almaty", "0"))

    assert canonical_key(rekeyed(frozen, live) or {}) == canonical_key(frozen)


def test_key_of_keeps_the_type_options_and_key_rows_only():
    snapshot = single((1, "Astana", "1"))

    key = key_of(snapshot)

    assert set(key) == {"type", "options", "choices"}
    assert "prompt" not in key
