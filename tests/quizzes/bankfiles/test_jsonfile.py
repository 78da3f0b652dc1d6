"""Reading bank and quiz files: every malformed file gives a located ImportFileError, never a
traceback, and nothing here needs the database."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from quizzes.bankfiles import (
    MAX_REPORTED,
    ImportFileError,
    parse_bank_file,
    parse_quiz_file,
    read_bank_file,
    read_quiz_file,
)
from quizzes.grading import QUESTION_TYPES
from quizzes.models import QuestionType

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

GOOD = {
    "key": "tmp-1",
    "type": "single",
    "title": "Capital",
    "prompt": "Capital of Kazakhstan?",
    "explanation": "Astana since 1997.",
    "difficulty": "easy",
    "tags": ["capitals"],
    "source": {"outlet": "X", "url": "https://example.org"},
    "facts_as_of": "2025-12-20",
    "choices": [{"text": "Astana", "fraction": 1}, {"text": "Almaty", "fraction": 0}],
}

GOOD_QUIZ = {
    "slug": "capitals",
    "title": "Capitals",
    "time_limit_minutes": 10,
    "slots": [{"question": "tmp-1"}, {"random": {"bank": "tmp", "count": 2}}],
}


def question(*without, **change):
    return {**{k: v for k, v in GOOD.items() if k not in without}, **change}


def bank_text(*questions, bank=None):
    payload = {"bank": bank or {"slug": "tmp", "name": "Tmp"}, "questions": list(questions)}
    return json.dumps(payload, indent=2)


def quiz_text(*quizzes):
    return json.dumps(list(quizzes), indent=2)


def slot(**fields):
    return quiz_text({**GOOD_QUIZ, "slots": [fields]})


def draw(**fields):
    return slot(random={"bank": "tmp", **fields})


def line_of(text, needle):
    return text[: text.index(needle)].count("\n") + 1


MALFORMED_BANKS = [
    # (case, file content, where the error is, what it says)
    (
        "half a surrogate pair in a prompt",
        bank_text(question(prompt="Capital\ud800?")),
        "question tmp-1",
        "prompt holds the character U+D800, which no text may hold",
    ),
    (
        "a NUL in a choice",
        bank_text(question(choices=[{"text": "Ast\x00ana", "fraction": 1}])),
        "question tmp-1, choice 1",
        "text holds the character U+0000",
    ),
    (
        "an escape character in a tag",
        bank_text(question(tags=["capitals", "x\x1b[31m"])),
        "question tmp-1",
        "tags holds the character U+001B",
    ),
    ("top level not an object", "[]", "line 1, top level", "must be an object, not a list"),
    (
        "bank without slug",
        '{"bank": {"name": "Tmp"}, "questions": []}',
        "line 1, bank",
        "missing slug",
    ),
    (
        "bank not an object",
        '{"bank": "tmp", "questions": []}',
        "line 1, top level",
        "bank must be an object, not 'tmp'",
    ),
    (
        "unknown top-level field",
        '{"bank": {"slug": "tmp", "name": "Tmp"}, "questions": [], "bnak": 1}',
        "top level",
        "unknown field 'bnak'",
    ),
    (
        "a field given twice",
        '{"bank": {"slug": "a",\n"slug": "b", "name": "Tmp"}, "questions": []}',
        "line 2, bank",
        "slug is given twice (first on line 1)",
    ),
    (
        "questions not a list",
        '{"bank": {"slug": "tmp", "name": "Tmp"}, "questions": {}}',
        "top level",
        "questions must be a list, not an object",
    ),
    ("question not an object", bank_text("tmp-1"), "question #1", "must be an object, not 'tmp-1'"),
    ("missing key", bank_text(question("key")), "question #1", "missing key"),
    ("missing type", bank_text(question("type")), "question tmp-1", "missing type"),
    ("missing title", bank_text(question("title")), "question tmp-1", "missing title"),
    ("blank prompt", bank_text(question(prompt="  ")), "question tmp-1", "missing prompt"),
    ("prompt not text", bank_text(question(prompt=5)), "question tmp-1", "prompt must be text"),
    (
        "explanation null",
        bank_text(question(explanation=None)),
        "question tmp-1",
        "explanation must be text, not null",
    ),
    (
        "unknown type",
        bank_text(question(type="essay")),
        "question tmp-1",
        "unknown type 'essay' (one of: description, matching,",
    ),
    (
        "unknown field",
        bank_text(question("choices", choises=GOOD["choices"])),
        "question tmp-1",
        "unknown field 'choises' (did you mean choices?)",
    ),
    (
        "choices not a list",
        bank_text(question(choices={"text": "Astana"})),
        "question tmp-1",
        "choices must be a list, not an object",
    ),
    (
        "a choice not an object",
        bank_text(question(choices=["Astana", {"text": "Almaty"}])),
        "question tmp-1, choice 1",
        "must be an object, not 'Astana'",
    ),
    (
        "a choice without text",
        bank_text(question(choices=[{"text": "Astana", "fraction": 1}, {"fraction": 0}])),
        "question tmp-1, choice 2",
        "missing text",
    ),
    (
        "fraction abc",
        bank_text(question(choices=[{"text": "Astana", "fraction": "abc"}])),
        "question tmp-1, choice 1",
        "fraction must be a number, not 'abc'",
    ),
    (
        "fraction NaN",
        bank_text(question(choices=[{"text": "Astana", "fraction": float("nan")}])),
        "question tmp-1, choice 1",
        "fraction must be a number, not NaN",
    ),
    (
        "fraction Infinity",
        bank_text(question(choices=[{"text": "Astana", "fraction": float("inf")}])),
        "question tmp-1, choice 1",
        "fraction must be a number, not Infinity",
    ),
    (
        "fraction 1e999999999",
        bank_text(question()).replace('"fraction": 1', '"fraction": 1e999999999'),
        "question tmp-1, choice 1",
        "fraction must be a number below 1,000,000,000,000,000, not 1E+999999999",
    ),
    (
        "fraction true",
        bank_text(question(choices=[{"text": "Astana", "fraction": True}])),
        "question tmp-1, choice 1",
        "fraction must be a number, not true",
    ),
    (
        "title NaN",
        bank_text(question()).replace('"title": "Capital"', '"title": NaN'),
        "question tmp-1",
        "title must be text, not NaN",
    ),
    (
        "points abc",
        bank_text(question(points="abc")),
        "question tmp-1",
        "points must be a number, not 'abc'",
    ),
    (
        "facts_as_of yesterday",
        bank_text(question(facts_as_of="yesterday")),
        "question tmp-1",
        "facts_as_of must be a date (YYYY-MM-DD), not 'yesterday'",
    ),
    (
        "tags not a list",
        bank_text(question(tags="dates")),
        "question tmp-1",
        "tags must be a list of text, not 'dates'",
    ),
    (
        "tags not all text",
        bank_text(question(tags=["dates", 3])),
        "question tmp-1",
        "tags must be a list of text, not 3",
    ),
    (
        "flag not true or false",
        bank_text(question(type="multiple", all_or_nothing="yes")),
        "question tmp-1",
        "all_or_nothing must be true or false, not 'yes'",
    ),
    (
        "source not an object",
        bank_text(question(source="Anadolu Agency")),
        "question tmp-1",
        "source must be an object, not 'Anadolu Agency'",
    ),
    (
        "unknown source field",
        bank_text(question(source={"outlet": "X", "link": "https://example.org"})),
        "question tmp-1, source",
        "unknown field 'link'",
    ),
    (
        "numeric answer without value",
        bank_text(question("choices", type="numeric", numeric=[{"tolerance": 1}])),
        "question tmp-1, numeric answer 1",
        "missing value",
    ),
    (
        "pair without answer",
        bank_text(question("choices", type="matching", pairs=[{"prompt": "UAE"}])),
        "question tmp-1, pair 1",
        "missing answer",
    ),
    (
        "items not all text",
        bank_text(question("choices", type="ordering", items=["UAE", 3])),
        "question tmp-1",
        "items must be a list of text, not 3",
    ),
    (
        "duplicate key in the file",
        bank_text(GOOD, GOOD),
        "question tmp-1",
        "key 'tmp-1' is used twice in this file (first on line 7)",
    ),
]

MALFORMED_QUIZZES = [
    ("quiz file not a list", "{}", "line 1, top level", "must be a list of quizzes"),
    ("quiz not an object", '["capitals"]', "line 1, quiz #1", "must be an object, not 'capitals'"),
    (
        "quiz without slug",
        quiz_text({k: v for k, v in GOOD_QUIZ.items() if k != "slug"}),
        "quiz #1",
        "missing slug",
    ),
    (
        "quiz without title",
        quiz_text({**GOOD_QUIZ, "title": ""}),
        "quiz capitals",
        "missing title",
    ),
    (
        "setting not a scalar",
        quiz_text({**GOOD_QUIZ, "time_limit_minutes": [10]}),
        "quiz capitals",
        "time_limit_minutes must be text, a number, true/false or null, not a list",
    ),
    (
        "setting too large",
        quiz_text({**GOOD_QUIZ, "time_limit_minutes": 10}).replace(": 10,", ": 1e999999999,"),
        "quiz capitals",
        "time_limit_minutes must be a number below 1,000,000,000,000,000, not 1E+999999999",
    ),
    (
        "slots not a list",
        quiz_text({**GOOD_QUIZ, "slots": {"question": "tmp-1"}}),
        "quiz capitals",
        "slots must be a list, not an object",
    ),
    (
        "duplicate slug in the file",
        quiz_text(GOOD_QUIZ, GOOD_QUIZ),
        "quiz capitals",
        "slug 'capitals' is used twice in this file",
    ),
    (
        "slot neither question nor random",
        slot(points=2),
        "quiz capitals, slot 1",
        'a slot needs "question" (a question key) or "random" (bank and count)',
    ),
    (
        "slot both question and random",
        slot(question="tmp-1", random={"bank": "tmp"}),
        "quiz capitals, slot 1",
        "either a question or random, not both",
    ),
    (
        "slot points abc",
        slot(question="tmp-1", points="abc"),
        "quiz capitals, slot 1",
        "points must be a number, not 'abc'",
    ),
    (
        "slot question not text",
        slot(question=1),
        "quiz capitals, slot 1",
        "question must be text, not 1",
    ),
    (
        "random not an object",
        slot(random="tmp"),
        "quiz capitals, slot 1",
        "random must be an object, not 'tmp'",
    ),
    ("random without bank", slot(random={"count": 2}), "quiz capitals, slot 1", "missing bank"),
    (
        "count two",
        draw(count="two"),
        "quiz capitals, slot 1",
        "count must be a whole number of at least 1, not 'two'",
    ),
    ("count 0", draw(count=0), "quiz capitals, slot 1", "count must be a whole number"),
    ("count -1", draw(count=-1), "quiz capitals, slot 1", "not -1"),
    ("count 1.5", draw(count=1.5), "quiz capitals, slot 1", "not 1.5"),
    ("count true", draw(count=True), "quiz capitals, slot 1", "not true"),
    (
        "random field misspelt",
        draw(cout=2),
        "quiz capitals, slot 1",
        "unknown field 'cout' (did you mean count?)",
    ),
]

BROKEN_FILES = [
    (
        "JSON syntax error",
        '{\n  "bank": {"slug": "x",\n  oops\n}',
        "line 3, column 3",
        "not valid JSON: Expecting property name enclosed in double quotes",
    ),
    ("trailing data", "{}\n{}", "line 2, column 1", "not valid JSON: Extra data"),
    ("empty file", "", "line 1, column 1", "not valid JSON: Expecting value"),
    (
        "non-UTF-8 bytes",
        b'{"bank": {"slug": "tmp",\n "name": "Caf\xe9"}, "questions": []}',
        "line 2, column 14",
        "not UTF-8 (byte 0xe9); save the file as UTF-8",
    ),
    ("UTF-16", "{}".encode("utf-16"), "encoding", "the file is UTF-16; save it as UTF-8"),
    ("a number too long", "[" + "9" * 5000 + "]", "top level", "a number is too long"),
    ("nested too deeply", "[" * 100_000, "top level", "nested too deeply"),
]


@pytest.mark.parametrize(
    ("source", "where", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in MALFORMED_BANKS + BROKEN_FILES],
)
def test_a_malformed_bank_file_gives_one_located_error(source, where, message):
    with pytest.raises(ImportFileError) as caught:
        parse_bank_file(source, path="banks/tmp.json")

    [problem] = caught.value.problems
    assert where in problem.where
    assert message in problem.message
    assert str(caught.value).startswith(f"banks/tmp.json: {problem.where}: ")


@pytest.mark.parametrize(
    ("source", "where", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in MALFORMED_QUIZZES],
)
def test_a_malformed_quiz_file_gives_one_located_error(source, where, message):
    with pytest.raises(ImportFileError) as caught:
        parse_quiz_file(source, path="quizzes.json")

    [problem] = caught.value.problems
    assert where in problem.where
    assert message in problem.message


def test_the_line_reported_is_the_line_of_the_question_or_field():
    text = bank_text(
        GOOD,
        question("title", key="tmp-2"),
        question(
            key="tmp-3", choices=[{"text": "A", "fraction": 1}, {"text": "B", "fraction": "x"}]
        ),
    )

    with pytest.raises(ImportFileError) as caught:
        parse_bank_file(text, path="tmp.json")

    missing_title, bad_fraction = caught.value.problems
    question_2_opens = line_of(text, '"key": "tmp-2"') - 1
    assert missing_title.where == f"line {question_2_opens}, question tmp-2"
    assert missing_title.line == question_2_opens
    fraction_line = line_of(text, '"fraction": "x"')
    assert bad_fraction.where == f"line {fraction_line}, question tmp-3, choice 2"


def test_an_error_in_a_shipped_bank_names_the_question_and_its_line():
    text = (FIXTURES / "banks" / "abraham-accords.json").read_text(encoding="utf-8")
    broken = text.replace('"key": "aa-005",', '"key": "aa-005", "points": "abc",')

    with pytest.raises(ImportFileError) as caught:
        parse_bank_file(broken, path="abraham-accords.json")

    line = line_of(text, '"key": "aa-005"')
    assert str(caught.value) == (
        f"abraham-accords.json: line {line}, question aa-005: points must be a number, not 'abc'"
    )


def test_several_problems_are_reported_together_in_line_order():
    text = bank_text(
        question(key="tmp-1", points="abc"),
        question("type", key="tmp-2"),
        question(key="tmp-3", facts_as_of="soon"),
    )

    with pytest.raises(ImportFileError) as caught:
        parse_bank_file(text, path="tmp.json")

    problems = caught.value.problems
    assert [p.where.split(", ", 1)[1] for p in problems] == [
        "question tmp-1",
        "question tmp-2",
        "question tmp-3",
    ]
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert str(caught.value).count("\n") == 2


def test_a_long_list_of_problems_is_cut_short_in_the_message_but_kept_whole():
    text = bank_text(*[question(key=f"tmp-{i}", points="abc") for i in range(MAX_REPORTED + 5)])

    with pytest.raises(ImportFileError) as caught:
        parse_bank_file(text, path="tmp.json")

    assert len(caught.value.problems) == MAX_REPORTED + 5
    assert str(caught.value).count("points must be a number") == MAX_REPORTED
    assert str(caught.value).endswith("… and 5 more problems")


def test_a_bank_file_becomes_plain_data_with_defaults_and_decimals():
    text = bank_text(
        question(choices=[{"text": "Astana", "fraction": 1}, {"text": "Almaty", "fraction": 0.25}])
    )

    bank_file = parse_bank_file(text.encode("utf-8"), path="tmp.json")

    assert (bank_file.bank.slug, bank_file.bank.name) == ("tmp", "Tmp")
    [data] = bank_file.questions
    assert data.key == "tmp-1" and data.status == "published" and data.points == Decimal(1)
    assert [c.fraction for c in data.choices] == [Decimal(1), Decimal("0.25")]
    assert data.facts_as_of.isoformat() == "2025-12-20"
    assert data.tags == ("capitals",)
    assert data.line == line_of(text, '"key": "tmp-1"') - 1


def test_tabs_and_line_breaks_are_text():
    parsed = parse_bank_file(
        bank_text(question(prompt="Capital\tof\r\nKazakhstan?")), path="tmp.json"
    )

    assert parsed.questions[0].prompt == "Capital\tof\r\nKazakhstan?"


def test_a_utf8_byte_order_mark_is_accepted():
    bank_file = parse_bank_file(b"\xef\xbb\xbf" + bank_text(GOOD).encode(), path="tmp.json")

    assert [q.key for q in bank_file.questions] == ["tmp-1"]


def test_a_quiz_file_becomes_plain_data_with_its_settings_as_given():
    quiz_file = parse_quiz_file(quiz_text(GOOD_QUIZ), path="quizzes.json")

    [quiz] = quiz_file.quizzes
    assert quiz.settings == {"time_limit_minutes": 10}
    fixed, drawn = quiz.slots
    assert (fixed.question, fixed.is_random) == ("tmp-1", False)
    assert (drawn.bank, drawn.count, drawn.is_random) == ("tmp", 2, True)


def test_the_shipped_files_parse():
    questions = [
        q for path in (FIXTURES / "banks").glob("*.json") for q in read_bank_file(path).questions
    ]
    quizzes = read_quiz_file(FIXTURES / "quizzes.json").quizzes

    assert len(questions) >= 90
    assert {slot.question for quiz in quizzes for slot in quiz.slots if slot.question} <= {
        q.key for q in questions
    }


def test_a_missing_file_is_reported_not_raised(tmp_path):
    with pytest.raises(ImportFileError, match=r"nothing\.json: file: cannot be read"):
        read_bank_file(tmp_path / "nothing.json")


def test_the_parser_knows_exactly_the_models_question_types():
    assert set(QUESTION_TYPES) == set(QuestionType.values)
