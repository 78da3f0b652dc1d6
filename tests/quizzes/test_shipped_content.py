"""The shipped question banks and quizzes (fixtures/) meet the content rules a review holds them to.

Everything here reads the JSON files directly: no database, so a content slip fails fast and
names the question. What the rules are for:

* a teacher can click through to the article behind every question (no bare home pages);
* facts_as_of is the date the facts were last verified, so it is never earlier than a date the
  question itself mentions;
* short answers accept what a student who knows the fact would type, and no pattern has a
  leading or trailing "*" (those accept an answer that merely contains the key, such as a list
  of guesses);
* the key's position does not give the key away;
* a quiz's title and description give away no answer and promise no exam settings (those now
  belong to each assignment).
"""

import datetime
import json
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BANK_FILES = sorted((FIXTURES / "banks").glob("*.json"))
BANKS = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in BANK_FILES}
QUESTIONS = [question for bank in BANKS.values() for question in bank["questions"]]
BY_KEY = {question["key"]: question for question in QUESTIONS}
QUIZZES = json.loads((FIXTURES / "quizzes.json").read_text(encoding="utf-8"))


def of_type(*types):
    return [pytest.param(q, id=q["key"]) for q in QUESTIONS if not types or q["type"] in types]


def fraction(entry):
    return float(entry.get("fraction", 1))


def accepted(question):
    """Short-answer patterns that earn full marks."""
    return [a["text"] for a in question["answers"] if fraction(a) == 1]


# --- sources and dates ----------------------------------------------------------------------


@pytest.mark.parametrize("question", of_type())
def test_source_leads_to_an_article_not_a_home_page(question):
    source = question["source"]
    url = source.get("url", "")
    if not url:
        # Only the outlet is known: then the headline and date must let a teacher find it.
        assert source.get("outlet") and source.get("title"), question["key"]
        return
    parsed = urlparse(url)
    assert parsed.scheme == "https" and parsed.netloc, (question["key"], url)
    assert parsed.path.strip("/") or parsed.query, f"{question['key']}: {url} is a home page"


@pytest.mark.parametrize("question", of_type())
def test_question_has_an_explanation_and_a_facts_as_of_date(question):
    if question["type"] != "description":
        assert question.get("explanation", "").strip(), question["key"]
    assert datetime.date.fromisoformat(question["facts_as_of"]), question["key"]


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
YEAR = r"((?:19|20)\d{2})"
DATE_PATTERNS = [
    # "6 November 2025", "18–19 May 2023" (the later day counts)
    (re.compile(rf"\b(?:\d{{1,2}}\s*[–-]\s*)?(\d{{1,2}})\s+{MONTH}\s+{YEAR}\b", re.I), "dmy"),
    (re.compile(rf"\b{MONTH}\s+(\d{{1,2}}),?\s+{YEAR}\b", re.I), "mdy"),  # "September 19, 2023"
    (re.compile(rf"\b{MONTH}\s+{YEAR}\b", re.I), "my"),  # "February 2024": its first day
    (re.compile(rf"\b{YEAR}\b"), "y"),  # "2025": its first day
]
# A year the text gives as a plan or a deadline ("the next summit in 2026", "deliveries
# 2032-2035", "a lease until 2042") is not a date the facts were checked on.
FUTURE_CUE = re.compile(
    r"\b(plan\w*|propos\w*|offer\w*|next|until|deliver\w*|due|expected|scheduled|slipped|"
    r"pushed back|delayed|postponed|future|at least|strategy to)\b",
    re.I,
)
LINK_TARGET = re.compile(r"\]\(https?://[^)]*\)")


def question_texts(question):
    texts = [question["prompt"], question.get("explanation", "")]
    for entry in question.get("choices", []) + question.get("answers", []):
        texts += [entry["text"], entry.get("feedback", "")]
    texts += [entry.get("feedback", "") for entry in question.get("numeric", [])]
    texts += [p["prompt"] + " " + p["answer"] for p in question.get("pairs", [])]
    texts += question.get("items", [])
    return [LINK_TARGET.sub("]", text) for text in texts]


def mentioned_dates(text):
    """Every past date a text mentions, as the earliest day it can mean."""
    dates = []
    taken = [False] * len(text)
    for pattern, kind in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(taken[match.start() : match.end()]):
                continue
            if FUTURE_CUE.search(text[max(0, match.start() - 60) : match.start()]):
                continue
            for i in range(match.start(), match.end()):
                taken[i] = True
            groups = match.groups()
            if kind == "dmy":
                day, month, year = int(groups[0]), MONTHS[groups[1].lower()], int(groups[2])
            elif kind == "mdy":
                month, day, year = MONTHS[groups[0].lower()], int(groups[1]), int(groups[2])
            elif kind == "my":
                month, day, year = MONTHS[groups[0].lower()], 1, int(groups[1])
            else:
                month, day, year = 1, 1, int(groups[0])
            dates.append((datetime.date(year, month, day), match.group(0)))
    return dates


def test_the_date_finder_reads_the_forms_the_banks_use():
    found = {
        d
        for d, _ in mentioned_dates(
            "On 6 November 2025, on September 19, 2023, in February 2024 and in 1992; "
            "the next summit in 2026 is a plan, not a fact."
        )
    }
    assert found == {
        datetime.date(2025, 11, 6),
        datetime.date(2023, 9, 19),
        datetime.date(2024, 2, 1),
        datetime.date(1992, 1, 1),
    }


@pytest.mark.parametrize("question", of_type())
def test_facts_as_of_is_not_earlier_than_a_date_the_question_mentions(question):
    as_of = datetime.date.fromisoformat(question["facts_as_of"])
    later = [
        (mentioned, words)
        for text in question_texts(question)
        for mentioned, words in mentioned_dates(text)
        if mentioned > as_of
    ]
    assert not later, f"{question['key']}: facts_as_of {as_of} is earlier than {later}"


# --- short and numeric answers --------------------------------------------------------------


@pytest.mark.parametrize("question", of_type("short"))
def test_no_short_answer_pattern_starts_or_ends_with_a_wildcard(question):
    for answer in question["answers"]:
        text = answer["text"].strip()
        assert not text.startswith("*") and not text.endswith("*"), (question["key"], text)


@pytest.mark.parametrize("question", of_type("short"))
def test_short_answers_accept_the_forms_a_student_who_knows_would_type(question):
    """Every shipped short answer is a name, and names come in more than one form.

    The rule: at least two full-mark patterns; a surname question also accepts the full name;
    a city or capital question also accepts "City, Country"; and "the X" and "X" are accepted
    together, with the article required where the prompt asks for a room, a territory or a
    declaration by name (nouns students write with "the").
    """
    key, prompt = question["key"], question["prompt"].lower()
    full_marks = accepted(question)
    lowered = {text.lower() for text in full_marks}
    assert len(full_marks) >= 2, f"{key}: only {full_marks} earns full marks"
    if "surname" in prompt:
        assert any(" " not in t for t in full_marks), f"{key}: the bare surname is not accepted"
        assert any(" " in t for t in full_marks), f"{key}: the full name is not accepted"
    if re.search(r"\bwhich city\b|\bcapital city\b", prompt):
        assert any(", " in t for t in full_marks), f"{key}: 'City, Country' is not accepted"
    for text in lowered:
        if text.startswith("the "):
            assert text[4:] in lowered, f"{key}: {text!r} is accepted but not without 'the'"
    if re.search(r"\bwhich (room|territory)\b|\bwhat is (its|the) (short )?name\b", prompt):
        assert any(t.startswith("the ") for t in lowered), f"{key}: no 'the ...' form"


@pytest.mark.parametrize("question", of_type("numeric"))
def test_numeric_prompts_say_to_type_a_bare_number(question):
    # The grader reads plain numbers (spaces may group thousands); "$15m" or "70%" are refused,
    # so the prompt must say what to type.
    assert re.search(r"\(Enter [^)]+\)|Give a whole number", question["prompt"]), question["key"]


# --- where the key sits ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(BANKS))
def test_single_choice_keys_are_not_first_more_often_than_chance(slug):
    singles = [q for q in BANKS[slug]["questions"] if q["type"] == "single"]
    key_first = [q["key"] for q in singles if fraction(q["choices"][0]) == 1]
    expected = sum(1 / len(q["choices"]) for q in singles) / len(singles)
    assert len(key_first) / len(singles) <= expected + 0.15, (slug, key_first)


@pytest.mark.parametrize("question", of_type("multiple"))
def test_multiple_response_choices_mix_right_and_wrong(question):
    right = [fraction(c) > 0 for c in question["choices"]]
    count = sum(right)
    assert right[:count] != [True] * count, f"{question['key']} lists every right choice first"


@pytest.mark.parametrize("question", of_type("truefalse"))
def test_true_false_lists_true_then_false(question):
    assert [c["text"] for c in question["choices"]] == ["True", "False"], question["key"]


# --- quizzes ---------------------------------------------------------------------------------


def key_texts(question):
    """The texts that would give a question's answer away if a quiz's title showed them."""
    kind = question["type"]
    if kind in ("single", "multiple", "truefalse"):
        texts = [c["text"] for c in question["choices"] if fraction(c) > 0]
        return [t for t in texts if t not in ("True", "False")]
    if kind == "short":
        return [t.replace("*", "").strip() for t in accepted(question)]
    if kind == "numeric":
        values = [float(n["value"]) for n in question["numeric"] if fraction(n) == 1]
        return [str(int(v)) if v.is_integer() else str(v) for v in values]
    if kind == "matching":
        return [p["answer"] for p in question["pairs"]]
    return []


def fixed_questions(quiz):
    return [BY_KEY[slot["question"]] for slot in quiz["slots"] if "question" in slot]


@pytest.mark.parametrize("quiz", [pytest.param(q, id=q["slug"]) for q in QUIZZES])
def test_quiz_title_and_description_give_no_fixed_question_away(quiz):
    shown = f"{quiz['title']}\n{quiz.get('description', '')}".lower()
    leaks = [
        (question["key"], text)
        for question in fixed_questions(quiz)
        for text in key_texts(question)
        if text and re.search(rf"(?<!\w){re.escape(text.lower())}(?!\w)", shown)
    ]
    assert not leaks, f"{quiz['slug']} shows answers: {leaks}"


SETTINGS_WORDS = re.compile(
    r"\b(pages?|per page|attempts?|time|timed|minutes?|hours?|go(ing)? back|cannot go|"
    r"results?|closes?|deadline|unlimited|best counts|navigation|in order)\b",
    re.I,
)


@pytest.mark.parametrize("quiz", [pytest.param(q, id=q["slug"]) for q in QUIZZES])
def test_quiz_description_describes_content_not_exam_settings(quiz):
    # Timing, navigation, pages and review now belong to each assignment, not the quiz.
    found = SETTINGS_WORDS.findall(f"{quiz['title']} {quiz.get('description', '')}")
    assert not found, (quiz["slug"], found)


def drawable(bank, *, tag, excluded):
    """Published scored questions a random slot could draw (as services.draw_questions does)."""
    return [
        q
        for q in BANKS[bank]["questions"]
        if q["type"] != "description"
        and q.get("status", "published") == "published"
        and q["key"] not in excluded
        and (tag is None or tag in q.get("tags", []))
    ]


@pytest.mark.parametrize("quiz", [pytest.param(q, id=q["slug"]) for q in QUIZZES])
def test_quiz_slots_name_shipped_questions_and_random_slots_can_be_filled(quiz):
    fixed = {slot["question"] for slot in quiz["slots"] if "question" in slot}
    assert fixed <= set(BY_KEY), fixed - set(BY_KEY)
    wanted = defaultdict(int)
    for slot in quiz["slots"]:
        if "random" in slot:
            draw = slot["random"]
            wanted[(draw["bank"], draw.get("tag"))] += int(draw.get("count", 1))
    per_bank = defaultdict(int)
    for (bank, tag), count in wanted.items():
        assert len(drawable(bank, tag=tag, excluded=fixed)) >= count, (quiz["slug"], bank, tag)
        per_bank[bank] += count
    for bank, count in per_bank.items():
        assert len(drawable(bank, tag=None, excluded=fixed)) >= count, (quiz["slug"], bank)
