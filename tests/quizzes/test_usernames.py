"""The username rule (quizzes.usernames): a safe alphabet, and skeletons that make look-alikes
equal. Pure: no database."""

import pytest

from quizzes.usernames import username_problem, username_skeleton


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("student01", "studеnt01"),  # Cyrillic е
        ("student01", "ЅТUDЕNТ01"),  # Cyrillic Ѕ, Т, Е among Latin capitals
        ("student01", "Student01"),
        ("student01", "student0l"),  # 1 and l
        ("student01", "studentO1"),  # 0 and O
        ("student01", "ｓｔｕｄｅｎｔ０１"),  # full-width forms (NFKC)
        ("marat", "rnarat"),  # rn and m
        ("aigerim", "αigerim"),  # Greek alpha
        ("ayan", "аyаn"),  # Cyrillic а, twice
    ],
)
def test_look_alikes_have_one_skeleton(one, other):
    assert username_skeleton(one) == username_skeleton(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("student01", "student02"),
        ("student01", "student_01"),
        ("ivan", "lvan"),  # lower-case i keeps its dot
        ("aigerim", "aigerim1"),
        ("dana", "daná"),
    ],
)
def test_different_usernames_keep_different_skeletons(one, other):
    assert username_skeleton(one) != username_skeleton(other)


@pytest.mark.parametrize("username", ["student01", "m.ivanova", "a_b-c", "7b"])
def test_the_alphabet_accepts_lower_case_latin_digits_and_dot_underscore_dash(username):
    assert username_problem(username) is None


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("studеnt01", "contains “е” (U+0435 CYRILLIC SMALL LETTER IE), which looks like"),
        ("айгерим", "contains “а” (U+0430 CYRILLIC SMALL LETTER A), which looks like"),
        ("жанна", "contains “ж” (U+0436 CYRILLIC SMALL LETTER ZHE): usernames use only Latin"),
        ("ann@school", "contains “@” (U+0040 COMMERCIAL AT)"),
        ("ann lee", "contains “ ” (U+0020 SPACE)"),
        ("Student01", "lower case: “student01”, not “Student01”"),
        ("_ann", "must start with a Latin letter or a digit"),
    ],
)
def test_the_alphabet_refuses_with_a_reason(username, message):
    problem = username_problem(username)

    assert problem is not None
    assert message in problem.text()


def test_the_class_list_may_write_capitals_it_lowers_itself():
    assert username_problem("Student01", lower_case=False) is None
