"""The quiz domain. One module per concern; this package re-exports every model."""

from .accounts import AccountState
from .assignment import Assignment, AssignmentChange, AssignmentOverride, StudentState
from .attempt import (
    Attempt,
    AttemptQuestion,
    AttemptState,
    FinishReason,
    Response,
    ReviewOptions,
    ScoreChange,
    ScoreChangeKind,
)
from .bank import Bank, Tag
from .classes import Enrollment, SchoolClass
from .practice import MistakeCard, MistakeRecord, PracticeAnswer, PracticeSource
from .question import (
    AcceptedAnswer,
    Choice,
    Difficulty,
    MatchPair,
    NumericAnswer,
    OrderItem,
    Question,
    QuestionStatus,
    QuestionType,
)
from .quiz import (
    EXAM_SETTING_FIELDS,
    ExamSettings,
    GradingMethod,
    Navigation,
    Quiz,
    ReviewTiming,
    Slot,
)

__all__ = [
    "EXAM_SETTING_FIELDS",
    "AcceptedAnswer",
    "AccountState",
    "Assignment",
    "AssignmentChange",
    "AssignmentOverride",
    "Attempt",
    "AttemptQuestion",
    "AttemptState",
    "Bank",
    "Choice",
    "Difficulty",
    "Enrollment",
    "ExamSettings",
    "FinishReason",
    "GradingMethod",
    "MatchPair",
    "MistakeCard",
    "MistakeRecord",
    "Navigation",
    "NumericAnswer",
    "OrderItem",
    "PracticeAnswer",
    "PracticeSource",
    "Question",
    "QuestionStatus",
    "QuestionType",
    "Quiz",
    "Response",
    "ReviewOptions",
    "ReviewTiming",
    "SchoolClass",
    "ScoreChange",
    "ScoreChangeKind",
    "Slot",
    "StudentState",
    "Tag",
]
