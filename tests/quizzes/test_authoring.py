"""The authoring rules: what each question type's key must look like, with fix-it messages."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from quizzes.authoring import KeyParts, validate_key


def _messages(question_type, parts):
    with pytest.raises(ValidationError) as error:
        validate_key(question_type, parts)
    return " ".join(error.value.messages)


@pytest.mark.parametrize(
    ("question_type", "parts"),
    [
        ("single", KeyParts(choices=[D(1), D(0), D("0.5")])),
        ("multiple", KeyParts(choices=[D("0.3333333")] * 3 + [D(-1)])),
        ("multiple", KeyParts(choices=[D("0.5"), D("0.5"), D("-0.5")])),
        ("truefalse", KeyParts(choices=[D(0), D(1)])),
        ("short", KeyParts(answers=[("Astana", D(1)), ("Astan*", D("0.5"))])),
        ("numeric", KeyParts(numeric=[(D(1992), D(0), D(1))])),
        ("matching", KeyParts(pairs=[("UAE", "a"), ("Sudan", "b")])),
        ("ordering", KeyParts(items=["first", "second", "third"])),
        ("description", KeyParts()),
    ],
)
def test_valid_keys_pass(question_type, parts):
    validate_key(question_type, parts)


def test_single_choice_with_two_correct_choices_is_refused_with_a_fix():
    message = _messages("single", KeyParts(choices=[D(1), D(1), D(0)]))

    assert "exactly one fully correct choice" in message
    assert "this one has 2" in message


def test_single_choice_needs_two_choices():
    assert "Add at least 2 choices" in _messages("single", KeyParts(choices=[D(1)]))


def test_multiple_response_fractions_must_add_up_to_one():
    message = _messages("multiple", KeyParts(choices=[D("0.5"), D("0.25"), D(0)]))

    assert "add up to 1" in message
    assert "0.75" in message


def test_multiple_response_needs_a_correct_choice():
    assert "at least one correct" in _messages("multiple", KeyParts(choices=[D(0), D(-1)]))


def test_true_false_has_exactly_true_and_false():
    assert "exactly two choices" in _messages("truefalse", KeyParts(choices=[D(1), D(1)]))


def test_short_answer_needs_a_fully_correct_non_empty_answer():
    message = _messages("short", KeyParts(answers=[(" ", D("0.5"))]))

    assert "fully correct" in message
    assert "cannot be empty" in message


def test_numeric_needs_a_full_answer_and_no_negative_tolerance():
    message = _messages("numeric", KeyParts(numeric=[(D(5), D(-1), D("0.5"))]))

    assert "fully correct" in message
    assert "tolerance cannot be negative" in message


def test_matching_needs_two_distinct_complete_pairs():
    assert "at least 2 matching pairs" in _messages("matching", KeyParts(pairs=[("a", "b")]))
    message = _messages("matching", KeyParts(pairs=[("UAE", "x"), ("uae ", "y"), ("B", "")]))
    assert "same item" in message
    assert "both an item" in message


def test_ordering_needs_distinct_items():
    assert "ambiguous" in _messages("ordering", KeyParts(items=["a", "A", "b"]))


def test_rows_of_another_type_are_refused():
    message = _messages("numeric", KeyParts(numeric=[(D(1), D(0), D(1))], choices=[D(1)]))

    assert "has no choices; remove them" in message


def test_a_description_has_no_key_rows():
    assert "remove them" in _messages("description", KeyParts(items=["a", "b"]))


def test_a_pattern_starting_or_ending_with_a_wildcard_is_flagged_for_the_author():
    from quizzes.authoring import key_warnings

    parts = KeyParts(
        answers=[
            ("*Kushner", D(1)),
            ("Kushner*", D(1)),
            ("Jared Kushner", D(1)),
            ("Ak*la", D("0.5")),
            ("*Pompeo*", D(0)),  # a wrong name: containing it is exactly what it should catch
        ]
    )

    warnings = key_warnings("short", parts)

    assert len(warnings) == 2
    assert "“*Kushner” starts or ends with *" in warnings[0]
    assert "“Kushner*”" in warnings[1]
    assert key_warnings("single", KeyParts(choices=[D(1), D(0)])) == []
