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
  belong to each assignment);
* no fixed question of a quiz shows the answer to another that a student can still answer.
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
    a city or capital question also accepts "City, Country", "City Country" and "City (Country)"
    for every spelling of the city; "Mr X" comes with "Mr. X"; and "the X" and "X" are accepted
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
        countries = {t.split(", ", 1)[1] for t in full_marks if ", " in t}
        assert countries, f"{key}: 'City, Country' is not accepted"
        # Punctuation counts: every spelling of the city comes in all three usual forms.
        for city in (t for t in full_marks if " " not in t):
            for country in countries:
                forms = {f"{city}, {country}", f"{city} {country}", f"{city} ({country})"}
                assert forms <= set(full_marks), f"{key}: {forms - set(full_marks)} missing"
    for text in full_marks:
        if re.match(r"Mr\.? ", text):  # "Mr Tokayev" and "Mr. Tokayev" are typed alike
            other = re.sub(r"^Mr\.? ", "Mr " if text.startswith("Mr.") else "Mr. ", text)
            assert other in full_marks, f"{key}: {text!r} is accepted but not {other!r}"
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


# --- one question giving another away within a quiz -------------------------------------------
#
# A student sees every fixed question of a quiz with free navigation (or shuffled questions),
# and in a sequential quiz every question on an earlier or the same page. None of those may
# print the answer to another: a membership table shown with one question must not answer a
# "which states are members" question elsewhere in the quiz, nor an ordering question's items
# list the set another question asks for.
#
# How the check reads a question P for a fixed question Q's answer:
# * Q's answer texts: its correct choices (not "True"/"False": a true/false key has no text),
#   its full-mark short-answer patterns without a wildcard, its numeric values, and for a
#   matching question each pair (its answer counts only next to its own prompt: the answers
#   alone are all on screen as options anyway).
# * P is read in the units a student reads together: each line of its prompt and of its
#   stimulus (a table row is a line), its choices as one list, its items as one list, its pairs
#   as one list. Q's own stimulus is Q's to use and is not searched.
# * A unit that names Q's answer together with one of Q's wrong options (for matching: another
#   of its answers) only lists the candidates side by side, as most questions about the five
#   Central Asian states do; it gives nothing away. A unit that names the answer alone does.
# * Matches are case-insensitive and on word boundaries.
# Random slots are not checked: what they draw changes from attempt to attempt.


def answers_and_rivals(question):
    """(Q's answers, Q's wrong options): texts, or (prompt, answer) pairs for matching."""
    kind = question["type"]
    if kind in ("single", "multiple", "truefalse"):
        choices = [c for c in question["choices"] if c["text"] not in ("True", "False")]
        return (
            [c["text"] for c in choices if fraction(c) > 0],
            [c["text"] for c in choices if fraction(c) <= 0],
        )
    if kind == "short":
        answers = [a for a in question["answers"] if "*" not in a["text"]]
        return (
            [a["text"] for a in answers if fraction(a) == 1],
            [a["text"] for a in answers if fraction(a) < 1],
        )
    if kind == "numeric":

        def shown(value):
            value = float(value)
            return str(int(value)) if value.is_integer() else str(value)

        return (
            [shown(n["value"]) for n in question["numeric"] if fraction(n) == 1],
            [shown(n["value"]) for n in question["numeric"] if fraction(n) < 1],
        )
    if kind == "matching":
        pairs = question["pairs"]
        return [(p["prompt"], p["answer"]) for p in pairs], [p["answer"] for p in pairs]
    return [], []


def answer_text(answer):
    """The text a student would see of an answer (a matching pair's answer side)."""
    return answer[1] if isinstance(answer, tuple) else answer


def reading_units(question, *, by_key, own_stimulus=None):
    """(where, text) for what a student reads of a question, in the units read together."""
    units = [("prompt", line) for line in question["prompt"].splitlines()]
    stimulus = question.get("stimulus")
    if stimulus and stimulus != own_stimulus:
        lines = by_key[stimulus]["prompt"].splitlines()
        units += [(f"stimulus {stimulus}", line) for line in lines]
    if question.get("choices"):
        units.append(("choices", " / ".join(c["text"] for c in question["choices"])))
    if question.get("items"):
        units.append(("items", " / ".join(question["items"])))
    if question.get("pairs"):
        pairs = " / ".join(f"{p['prompt']} / {p['answer']}" for p in question["pairs"])
        units.append(("pairs", pairs))
    return [(where, LINK_TARGET.sub("]", text)) for where, text in units]


def names(text, unit):
    return re.search(rf"(?<!\w){re.escape(text.lower())}(?!\w)", unit.lower()) is not None


def gives_away(answer, rivals, unit):
    """Whether a unit names the answer (both halves of a pair) and none of its rivals."""
    if any(names(rival, unit) for rival in rivals if rival != answer_text(answer)):
        return False
    halves = answer if isinstance(answer, tuple) else (answer,)
    return all(names(half, unit) for half in halves)


def placed_fixed_questions(quiz, *, by_key):
    """(question, page) for each fixed slot, pages counted as attempt_start counts them."""
    per_page, position, placed = quiz.get("questions_per_page", 0), 0, []
    for slot in quiz["slots"]:
        if "question" in slot:
            placed.append((by_key[slot["question"]], position // per_page if per_page else 0))
            position += 1
        else:
            position += int(slot["random"].get("count", 1))
    return placed


# (question, answer text, question that shows it): checked by hand and harmless. Keep it short;
# a new entry needs the reason a student learns nothing from the match.
HARMLESS_MATCHES = {
    ("ca-015", "Kazakhstan", "ca-001"): (
        "ca-001 asks for Kazakhstan's capital; it says nothing about the CSTO or the OTS"
    ),
    ("ca-015", "Kazakhstan", "ca-018"): (
        "ca-018 implies Kazakhstan is in the CSTO, which ca-015's own membership table shows"
    ),
    ("ca-016", "Uzbekistan", "ca-018"): (
        "ca-018 offers 'led by Uzbekistan' as a wrong option; ca-016 is read off its own table"
    ),
}


def give_aways(quiz, *, by_key=BY_KEY, harmless=HARMLESS_MATCHES):
    """(question, answer text, where it is shown, the unit showing it) for each give-away."""
    free = quiz.get("navigation") == "free" or quiz.get("shuffle_questions")
    placed = placed_fixed_questions(quiz, by_key=by_key)
    found, reported = [], set()
    for question, page in placed:
        answers, rivals = answers_and_rivals(question)
        for other, other_page in placed:
            if other is question or (not free and other_page > page):
                continue
            units = reading_units(other, by_key=by_key, own_stimulus=question.get("stimulus"))
            for where, unit in units:
                for answer in answers:
                    text = answer_text(answer)
                    if (question["key"], text, other["key"]) in harmless:
                        continue
                    # A stimulus shared by several questions is reported once.
                    if (question["key"], text, unit) in reported:
                        continue
                    if gives_away(answer, rivals, unit):
                        reported.add((question["key"], text, unit))
                        found.append((question["key"], text, f"{other['key']} {where}", unit))
    return found


def test_the_give_away_check_reads_units_rivals_pages_and_pairs():
    def single(key, prompt, right, *wrong, **extra):
        choices = [{"text": right, "fraction": 1}] + [{"text": w, "fraction": 0} for w in wrong]
        return {"key": key, "type": "single", "prompt": prompt, "choices": choices, **extra}

    table = {
        "key": "t-table",
        "type": "description",
        "prompt": "| State | Club |\n|---|---|\n| Aland | member |\n| Bland | not a member |",
    }
    members = single("t-members", "Which state is a club member?", "Aland", "Bland")
    reads = single("t-reads", "Using the table, how many?", "One", "Two", stimulus="t-table")
    lists = single("t-lists", "Which of these is no state?", "Cland", "Aland", "Bland")
    pairs = {
        "key": "t-pairs",
        "type": "matching",
        "prompt": "Match.",
        "pairs": [{"prompt": "Aland", "answer": "One"}, {"prompt": "Bland", "answer": "Two"}],
    }
    says = single("t-says", "Aland has one club. Is that so?", "Yes", "No")
    by_key = {q["key"]: q for q in (table, members, reads, lists, pairs, says)}

    def found(keys, navigation="sequential"):
        quiz = {
            "slug": "t",
            "navigation": navigation,
            "questions_per_page": 1,
            "slots": [{"question": key} for key in keys],
        }
        return [(q, text, where) for q, text, where, _ in give_aways(quiz, by_key=by_key)]

    # t-lists names Aland beside a rival (Bland): no give-away. The table row names Aland
    # alone, which answers t-members, but only from an earlier or the same page.
    assert found(["t-lists", "t-members", "t-reads"]) == []
    assert found(["t-reads", "t-members"]) == [("t-members", "Aland", "t-reads stimulus t-table")]
    assert found(["t-members", "t-reads"], navigation="free") == [
        ("t-members", "Aland", "t-reads stimulus t-table")
    ]
    # "Aland ... one" in one line gives the pair away; t-pairs shows "Aland" and "One" only
    # beside their rivals, so it gives t-says' "Yes" nothing.
    assert found(["t-pairs", "t-says"], navigation="free") == [("t-pairs", "One", "t-says prompt")]


@pytest.mark.parametrize("quiz", [pytest.param(q, id=q["slug"]) for q in QUIZZES])
def test_no_fixed_question_shows_the_answer_to_another(quiz):
    found = give_aways(quiz)
    assert not found, f"{quiz['slug']}: " + "; ".join(
        f"{key}'s answer {text!r} is shown in {where}: {unit[:80]!r}"
        for key, text, where, unit in found
    )


def test_every_harmless_match_is_still_needed():
    """An allow-list entry that no longer matches anything in a quiz is dead and must go."""
    needed = {
        (key, text, where.split()[0])
        for quiz in QUIZZES
        for key, text, where, _ in give_aways(quiz, harmless={})
    }
    assert set(HARMLESS_MATCHES) <= needed, set(HARMLESS_MATCHES) - needed
