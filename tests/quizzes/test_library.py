"""The shared library's writes: copies of questions and quizzes, status changes."""

import pytest

from quizzes.library import question_duplicate
from quizzes.models import QuestionType
from tests.factories import QuestionFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_duplicate_copies_key_rows_and_tags_as_an_unkeyed_draft(teacher):
    tag = TagFactory()
    original = QuestionFactory(type=QuestionType.MATCHING, published=True, key="k-1", tags=[tag])

    copy = question_duplicate(question=original, user=teacher)

    assert copy.pk != original.pk
    assert (copy.status, copy.key, copy.created_by) == ("draft", "", teacher)
    assert list(copy.match_pairs.values_list("prompt", "answer")) == list(
        original.match_pairs.values_list("prompt", "answer")
    )
    assert list(copy.tags.all()) == [tag]
    assert original.match_pairs.count() == 2
