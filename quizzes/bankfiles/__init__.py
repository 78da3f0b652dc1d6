"""Import files read into plain data: one module per format, all producing `data`'s dataclasses.

Pure Python (no Django), so a format can be tested and reused on its own; quizzes.importing
checks the data with the admin's rules and saves it.
"""

from .data import (
    MAX_REPORTED,
    BankData,
    BankFile,
    ChoiceData,
    ImportFileError,
    NumericData,
    PairData,
    QuestionData,
    QuizData,
    QuizFile,
    SlotData,
    SourceData,
    located,
    raise_problems,
    unknown_field,
)
from .jsonfile import parse_bank_file, parse_quiz_file, read_bank_file, read_quiz_file, shown

__all__ = [
    "MAX_REPORTED",
    "BankData",
    "BankFile",
    "ChoiceData",
    "ImportFileError",
    "NumericData",
    "PairData",
    "QuestionData",
    "QuizData",
    "QuizFile",
    "SlotData",
    "SourceData",
    "located",
    "parse_bank_file",
    "parse_quiz_file",
    "raise_problems",
    "read_bank_file",
    "read_quiz_file",
    "shown",
    "unknown_field",
]
