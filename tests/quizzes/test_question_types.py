"""quizzes.question_types is the one home of the question types: every other list follows it.

Drift tests: the Django choices, the snapshot, the admin inlines, the authoring labels and the
bank-file fields are each checked against the registry, and no module outside the registry
(and the model that labels it) names a type by a string literal.
"""

import ast
import dataclasses
import pathlib

import pytest
from django.urls import reverse

from quizzes import authoring, grading, models
from quizzes.admin.questions import INLINE_BY_KEY_ROWS
from quizzes.bankfiles.jsonfile import QUESTION_FIELDS
from quizzes.models import Question
from quizzes.question_types import (
    KEY_ROW_KINDS,
    KEY_ROWS,
    QUESTION_TYPES,
    SCORED_TYPES,
    KeyParts,
    QType,
)
from tests.factories import QuestionFactory

QUIZZES_DIR = pathlib.Path(models.__file__).resolve().parent.parent
PROJECT_DIR = QUIZZES_DIR.parent
# The registry itself, and the model that adds labels to its values.
MAY_NAME_TYPES = {QUIZZES_DIR / "question_types.py", QUIZZES_DIR / "models" / "question.py"}


# -- the registry and the Django choices ----------------------------------------------------


def test_the_model_choices_are_exactly_the_registered_types():
    assert set(models.QuestionType.values) == set(QUESTION_TYPES) == {t.value for t in QType}
    assert len(models.QuestionType.values) == len(QType)


def test_the_model_grading_methods_are_exactly_the_grading_modules():
    assert set(models.GradingMethod.values) == {m.value for m in grading.GradingMethod}
    assert len(models.GradingMethod.values) == len(grading.GradingMethod)


def test_every_type_names_its_key_rows_and_only_descriptions_have_none():
    assert set(KEY_ROWS) == set(QType)
    for qtype, rows in KEY_ROWS.items():
        if qtype in SCORED_TYPES:
            assert rows in KEY_ROW_KINDS, qtype
        else:
            assert rows is None, qtype
    assert set(KEY_ROWS.values()) - {None} == set(KEY_ROW_KINDS)


def test_key_parts_has_one_field_per_key_row_kind():
    assert tuple(f.name for f in dataclasses.fields(KeyParts)) == KEY_ROW_KINDS


def test_the_bank_file_reads_a_field_for_every_key_row_kind():
    assert set(KEY_ROW_KINDS) <= QUESTION_FIELDS


@pytest.mark.django_db
@pytest.mark.parametrize("qtype", list(QType))
def test_a_snapshot_holds_exactly_the_key_rows_its_type_names(qtype):
    question = Question.objects.with_parts().get(pk=QuestionFactory(type=qtype).pk)

    snapshot = question.snapshot()

    assert snapshot["type"] == qtype
    present = {kind for kind in KEY_ROW_KINDS if kind in snapshot}
    if KEY_ROWS[qtype] is None:
        assert present == set()
    else:
        assert present == {KEY_ROWS[qtype]}
        assert snapshot[KEY_ROWS[qtype]], "the factory gives every scored type a key"


# -- the admin and the authoring rules follow the registry ----------------------------------


def test_the_admin_has_an_inline_for_every_key_row_kind():
    assert set(INLINE_BY_KEY_ROWS) == set(KEY_ROW_KINDS)


def test_the_authoring_rules_have_a_label_for_every_key_row_kind():
    assert set(authoring.PART_LABELS) == set(KEY_ROW_KINDS)


@pytest.mark.django_db
@pytest.mark.parametrize("qtype", list(QType))
def test_the_add_form_of_each_type_shows_the_inline_of_its_key_rows(teacher_client, qtype):
    response = teacher_client.get(reverse("admin:quizzes_question_add") + f"?type={qtype}")

    assert response.status_code == 200
    inlines = [type(inline.opts) for inline in response.context["inline_admin_formsets"]]
    expected = [INLINE_BY_KEY_ROWS[KEY_ROWS[qtype]]] if KEY_ROWS[qtype] else []
    # A type may show its rows through its own variant (single choice: a "correct" radio).
    assert len(inlines) == len(expected)
    assert all(issubclass(shown, kind) for shown, kind in zip(inlines, expected, strict=True))


# -- nothing else names a type --------------------------------------------------------------


def string_literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [value for element in node.elts for value in string_literals(element)]
    return []


def type_literal_comparisons(source: str) -> list[str]:
    """Comparisons (==, !=, in, match/case) of anything with a question type's string value."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
        elif isinstance(node, ast.MatchValue):
            sides = [node.value]
        else:
            continue
        if QUESTION_TYPES & {value for side in sides for value in string_literals(side)}:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_literal_check_finds_the_shapes_it_looks_for():
    source = (
        'a = qtype == "single"\n'
        'b = snapshot["type"] in ("multiple", "truefalse")\n'
        'c = "description" != t\n'
        'match t:\n    case "ordering":\n        pass\n'
        'd = name in ("title", "slug")\n'  # not a type: not reported
        'for name in ("title", "description"):\n    pass\n'  # not a comparison
    )

    assert [line.split(":")[0] for line in type_literal_comparisons(source)] == [
        "line 1",
        "line 2",
        "line 3",
        "line 5",
    ]


def test_no_module_outside_the_registry_compares_a_type_to_a_string_literal():
    offenders = {}
    for path in sorted(QUIZZES_DIR.rglob("*.py")):
        if "migrations" in path.parts or path in MAY_NAME_TYPES:
            continue
        found = type_literal_comparisons(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(PROJECT_DIR))] = found

    assert offenders == {}
