"""The question types, defined once and free of Django: every other module asks here.

A type decides three things: whether it carries marks, which rows make up its key, and how a
student answers it. The key rows go by one name everywhere: the list in a question's frozen
snapshot, the field of `authoring.KeyParts` and the bank-file field are all called
`KEY_ROWS[type]`. `models.QuestionType` adds translated labels to these values (a test keeps the
two in step).
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


class QType(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "truefalse"
    SHORT = "short"
    NUMERIC = "numeric"
    MATCHING = "matching"
    ORDERING = "ordering"
    DESCRIPTION = "description"


# The key rows of each type: the snapshot's list, KeyParts' field, the bank file's field.
KEY_ROWS: dict[QType, str | None] = {
    QType.SINGLE: "choices",
    QType.MULTIPLE: "choices",
    QType.TRUE_FALSE: "choices",
    QType.SHORT: "answers",
    QType.NUMERIC: "numeric",
    QType.MATCHING: "pairs",
    QType.ORDERING: "items",
    QType.DESCRIPTION: None,
}
KEY_ROW_KINDS: tuple[str, ...] = ("choices", "answers", "numeric", "pairs", "items")

# Answered by picking choices (one, several, or true/false).
CHOICE_TYPES = frozenset({QType.SINGLE, QType.MULTIPLE, QType.TRUE_FALSE})
# Answered by typing: the posted field and the answer's key are `TYPED_FIELD[type]`.
TYPED_FIELD: dict[QType, str] = {QType.SHORT: "text", QType.NUMERIC: "value"}
# Choice types whose choices may be shown in a shuffled order (true/false keeps True first).
SHUFFLABLE_CHOICE_TYPES = frozenset({QType.SINGLE, QType.MULTIPLE})
QUESTION_TYPES: frozenset[str] = frozenset(QType)
SCORED_TYPES: frozenset[str] = QUESTION_TYPES - {QType.DESCRIPTION}


def is_scored(question_type: str) -> bool:
    """True for types that carry marks; False for descriptions and unknown types."""
    return question_type in SCORED_TYPES


def key_rows(question_type: str) -> str | None:
    """The name of this type's key rows (None for a description); ValueError if unknown."""
    return KEY_ROWS[QType(question_type)]


@dataclass(frozen=True)
class KeyParts:
    """A question's key rows as plain values, one field per kind in KEY_ROW_KINDS.

    What the authoring rules (quizzes.authoring.validate_key) read: the admin builds it from an
    unsaved form, the importer from a file, a saved question from its rows.
    """

    choices: Sequence[Decimal] = ()  # fractions of the choices
    answers: Sequence[tuple[str, Decimal]] = ()  # short answer: (pattern, fraction)
    numeric: Sequence[tuple[Decimal, Decimal, Decimal]] = ()  # (value, tolerance, fraction)
    pairs: Sequence[tuple[str, str]] = ()  # (item, matching answer)
    items: Sequence[str] = ()  # ordering, in the correct order
