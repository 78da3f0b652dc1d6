"""The student who wants the answer key, against every question type (product invariant 2).

The student answers an exam through the real pages and through autosave, posts every option of
every question, reloads each time and keeps everything the browser received: hidden fields,
`data-*` attributes, every value, id, name and for, and the autosave replies. Then they try:

A. to invert any hash-looking value over every plausible answer written in database ids (the
   old oracle: an unkeyed digest of {"choice": 17} gave the ids away, and ids follow authoring
   order, which usually puts the key first);
B. to tell a right answer from a wrong one by what comes back;
C. to find anything on a page that is not on a short allow-list (a leak added later is caught
   here, by name);
D. to rely on ids following authoring order once the choices are not shuffled.

Each must recover nothing. The review policy hides everything until the assignment closes, so
nothing the student may legitimately see gives the key away either.
"""

import hashlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db.models import Max
from django.urls import reverse

from quizzes import grading
from quizzes.answers import seen_token
from quizzes.models import (
    AcceptedAnswer,
    Attempt,
    Choice,
    MatchPair,
    NumericAnswer,
    OrderItem,
    Question,
    Response,
    ReviewTiming,
)
from quizzes.models.quiz import REVIEW_FIELDS
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db

SCORED = ["single", "multiple", "truefalse", "short", "numeric", "matching", "ordering"]
KEY_TABLES = [Question, Choice, AcceptedAnswer, NumericAnswer, MatchPair, OrderItem]
HIDDEN_UNTIL_CLOSE = dict.fromkeys(REVIEW_FIELDS, ReviewTiming.AFTER_CLOSE)
TYPED_TRIES = {
    "short": ["Astana", "Almaty", "Nur-Sultan", "astana"],
    "numeric": ["1992", "1991", "1992.0", "2000"],
}
TIME_LIMIT_MINUTES = 20

CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{64}")
MAC = re.compile(r"[0-9a-f]{32}")
HEX_RUN = re.compile(r"[0-9a-fA-F]{8,}")
DIGIT_RUN = re.compile(r"[0-9]+")
# Every name, id and for of a question's controls: the question by its position, a row by its
# place on the page.
CONTROL_NAME = re.compile(
    r"q(?P<position>[0-9]+)"
    r"(?:-(?:label|seen|input|choice|choices|text|value|check|confirm"
    r"|c(?P<choice>[0-9]+)|m(?P<match>[0-9]+)|match-(?P<match_field>[0-9]+)"
    r"|o(?P<item>[0-9]+)|ot(?P<item_label>[0-9]+)|rank-(?P<rank_field>[0-9]+)))?"
)
# The interface's own strings, exactly as the templates write them (English).
UI_STRINGS = {
    "data-answered": "answered",
    "data-unanswered": "not answered",
    "data-saving": "Saving…",
    "data-saved": "✓ All answers saved",
    "data-offline": (
        "⚠ Connection lost: answers not saved yet. They are kept on this page and will be "
        "saved when the connection returns."
    ),
    "data-expired": (
        "⚠ Not saved: your session has expired. Log in again in a new tab; your answers stay "
        "on this page and will be saved then."
    ),
    "data-refused": "⚠ Not saved: the server refused this answer. Reload the page.",
    "data-server": (
        "⚠ Not saved yet: the server is having trouble. Your answers are kept on this page and "
        "will be sent again in a few seconds."
    ),
    "data-busy": (
        "⚠ Saving is paused for a moment (too many saves at once). Your answers are kept on "
        "this page and will be saved shortly."
    ),
    "data-minutes": "%(n)s minutes left.",
    "data-minute": "1 minute left.",
    "data-time-up": "Time is up. Submitting your answers.",
    "data-confirm": "Submit your answers now? You cannot change them afterwards.",
    # The page's own checks of an answer's form (answers.problem_messages_for_script).
    "data-not-a-number": "This is not a number yet. Type a number in figures, like 1992 or 3.5.",
    "data-place-repeated-one": (
        "Each place can hold only one item: place %(places)s is chosen more than once."
    ),
    "data-place-repeated-many": (
        "Each place can hold only one item: places %(places)s are each chosen more than once."
    ),
    "data-no-answer": "no answer yet",
    "data-to-check": "answer to check",
    "data-progress": "%(answered)s of %(total)s answered",
    "data-under-five": "Under 5 minutes left.",
    "data-under-one": "Under 1 minute left.",
}
MARKER_ATTRIBUTES = {"data-save-status"}  # present without a value


# -- what the browser receives -------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    select: str | None = None  # for an <option>: the name of its <select>


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.tokens: list[tuple[Any, ...]] = []
        self._select: str | None = None
        self._in_timer = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), self._select if tag == "option" else None)
        self.elements.append(element)
        self.tokens.append(("<", tag, tuple(attrs)))
        if tag == "select":
            self._select = element.attrs.get("name")
        if tag == "strong" and "timer-value" in (element.attrs.get("class") or ""):
            self._in_timer = True

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append((">", tag))
        if tag == "select":
            self._select = None
        if tag == "strong":
            self._in_timer = False

    def handle_data(self, data: str) -> None:
        if data.strip():
            # The countdown's minutes are the clock's, not the answer's.
            self.tokens.append(("text", "<minutes>" if self._in_timer else data.strip()))


@dataclass
class Page:
    url: str
    status: int
    source: str
    elements: list[Element]
    tokens: list[tuple[Any, ...]]

    @classmethod
    def get(cls, client, url: str) -> "Page":
        response = client.get(url)
        parser = _PageParser()
        parser.feed(response.text)
        return cls(url, response.status_code, response.text, parser.elements, parser.tokens)

    def attributes(self):
        for element in self.elements:
            for name, value in element.attrs.items():
                yield element, name, value

    def form_fields(self) -> dict[str, list[str]]:
        """What the browser posts when the form is sent without pressing a named button."""
        fields: dict[str, list[str]] = {}
        selects: dict[str, list[Element]] = {}
        for element in self.elements:
            name = element.attrs.get("name")
            if element.tag == "input" and name:
                kind = element.attrs.get("type", "text")
                if kind in ("radio", "checkbox") and "checked" not in element.attrs:
                    continue
                fields.setdefault(name, []).append(element.attrs.get("value") or "")
            elif element.tag == "option" and element.select:
                selects.setdefault(element.select, []).append(element)
        for name, options in selects.items():
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            fields[name] = [chosen[0].attrs.get("value") or ""]
        return fields

    def control_values(self, name: str) -> list[str]:
        """The values a student can pick for a radio, checkbox or select (blank left out)."""
        values = [
            e.attrs.get("value") or ""
            for e in self.elements
            if (e.tag == "input" and e.attrs.get("name") == name) or e.select == name
        ]
        return [v for v in values if v]

    def select_names(self, prefix: str) -> list[str]:
        return [
            e.attrs["name"]
            for e in self.elements
            if e.tag == "select" and (e.attrs.get("name") or "").startswith(f"{prefix}-")
        ]


# -- the exam and the student's play -------------------------------------------------------


def push_ids_past_small_numbers(rows: int = 100) -> None:
    """Advance the id sequences of questions and key rows (rows made, then deleted).

    Display places, positions and page numbers are all below 10; with ids above 100 a number on
    a page can always be told apart from a database id.
    """
    bank = BankFactory()
    questions = Question.objects.bulk_create(
        [Question(bank=bank, type="single", title="x", prompt="x") for _ in range(rows)]
    )
    anchor = questions[0]
    Choice.objects.bulk_create([Choice(question=anchor, text="x") for _ in range(rows)])
    AcceptedAnswer.objects.bulk_create(
        [AcceptedAnswer(question=anchor, text="x") for _ in range(rows)]
    )
    NumericAnswer.objects.bulk_create(
        [NumericAnswer(question=anchor, value=0) for _ in range(rows)]
    )
    MatchPair.objects.bulk_create(
        [MatchPair(question=anchor, prompt="x", answer="x") for _ in range(rows)]
    )
    OrderItem.objects.bulk_create([OrderItem(question=anchor, text="x") for _ in range(rows)])
    Question.objects.filter(bank=bank).delete()


def exam_for(student, *, shuffle_choices: bool):
    """One question of each scored type after a passage, a page each; review hidden until close.

    The factories write every key first, in authoring order, as rows written before the
    random insertion order was introduced still are.
    """
    quiz = QuizFactory(
        published=True,
        questions_per_page=1,
        shuffle_choices=shuffle_choices,
        time_limit_minutes=TIME_LIMIT_MINUTES,
        **HIDDEN_UNTIL_CLOSE,
    )
    passage = QuestionFactory(type="description", published=True, prompt="Read this first.")
    SlotFactory(quiz=quiz, position=0, question=passage)
    for position, qtype in enumerate(SCORED, start=1):
        SlotFactory(
            quiz=quiz, position=position, question=QuestionFactory(type=qtype, published=True)
        )
    assignment = AssignmentFactory(quiz=quiz)
    EnrollmentFactory(school_class=assignment.school_class, student=student)
    return assignment


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def answer_tries(page: Page, prefix: str, qtype: str) -> list[dict[str, list[str]]]:
    """Every answer the student tries, as form fields read off the page."""
    if qtype in ("single", "truefalse"):
        return [{f"{prefix}-choice": [v]} for v in page.control_values(f"{prefix}-choice")]
    if qtype == "multiple":
        values = page.control_values(f"{prefix}-choices")
        return [
            {f"{prefix}-choices": list(subset)}
            for size in range(1, len(values) + 1)
            for subset in itertools.combinations(values, size)
        ]
    if qtype in TYPED_TRIES:
        name = f"{prefix}-{'text' if qtype == 'short' else 'value'}"
        return [{name: [text]} for text in TYPED_TRIES[qtype]]
    selects = page.select_names(prefix)
    if qtype == "matching":
        # Each option on each item alone, and every full matching.
        picks = [["", *page.control_values(name)] for name in selects]
        return [
            {name: [value] for name, value in zip(selects, combo, strict=True) if value}
            for combo in itertools.product(*picks)
            if any(combo)
        ]
    places = page.control_values(selects[0])
    return [
        {name: [place] for name, place in zip(selects, order, strict=True)}
        for order in itertools.permutations(places)
    ]


@dataclass
class Try:
    fields: dict[str, list[str]]
    fraction: Decimal
    post_status: int
    post_location: str
    page: Page
    autosave_status: int
    autosave_reply: dict[str, Any]


@dataclass
class Play:
    attempt: Attempt
    started_ms: int
    ended_ms: int = 0
    pages: list[Page] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    tries: dict[int, list[Try]] = field(default_factory=dict)
    # (value of qN-seen, N, the stored answer the page showed)
    seen_fields: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    typed: set[str] = field(default_factory=set)
    # The student's lookup table: hashes of every plausible answer (see candidate_answers).
    table: list[tuple[str, str]] = field(default_factory=list)

    def stored_answers(self) -> list[dict[str, Any]]:
        return [answer for _value, _position, answer in self.seen_fields]


def stored_answer(attempt: Attempt, position: int) -> dict[str, Any]:
    return Response.objects.get(
        attempt_question__attempt=attempt, attempt_question__position=position
    ).answer


def play(client, student, *, shuffle_choices: bool) -> Play:
    """The student's whole attack, through the pages a browser gets; everything is kept."""
    assignment = exam_for(student, shuffle_choices=shuffle_choices)
    started_ms = now_ms()
    client.post(reverse("quizzes:assignment_start", kwargs={"pk": assignment.pk}))
    attempt = Attempt.objects.get(student=student, assignment=assignment)
    result = Play(attempt=attempt, started_ms=started_ms)
    autosave_url = reverse("quizzes:attempt_autosave", kwargs={"pk": attempt.pk})
    revision = 0

    def load(url: str) -> Page:
        page = Page.get(client, url)
        result.pages.append(page)
        for element in page.elements:
            name = element.attrs.get("name") or ""
            if match := re.fullmatch(r"q([0-9]+)-seen", name):
                position = int(match[1])
                result.seen_fields.append(
                    (element.attrs.get("value") or "", position, stored_answer(attempt, position))
                )
        return page

    for aq in attempt.attempt_questions.order_by("position"):
        url = reverse("quizzes:attempt_take", kwargs={"pk": attempt.pk, "page": aq.page})
        page = load(url)
        if not aq.is_scored:
            continue
        prefix = f"q{aq.position}"
        tries = result.tries.setdefault(aq.position, [])
        for fields in answer_tries(page, prefix, aq.snapshot["type"]):
            if aq.snapshot["type"] in TYPED_TRIES:
                result.typed |= set(itertools.chain(*fields.values()))
            form = {
                name: values
                for name, values in page.form_fields().items()
                if not name.startswith(f"{prefix}-") or name == f"{prefix}-seen"
            }
            posted = client.post(url, {**form, **fields})
            page = load(url)
            revision = max(now_ms() + 1, revision + 1)
            reply = client.post(
                autosave_url, {"position": aq.position, "revision": revision, **fields}
            )
            result.replies.append(reply.json())
            tries.append(
                Try(
                    fields=fields,
                    fraction=grading.grade_response(
                        aq.snapshot, stored_answer(attempt, aq.position)
                    ),
                    post_status=posted.status_code,
                    post_location=posted.get("Location", ""),
                    page=page,
                    autosave_status=reply.status_code,
                    autosave_reply=reply.json(),
                )
            )
    load(reverse("quizzes:attempt_summary", kwargs={"pk": attempt.pk}))
    result.ended_ms = now_ms()
    max_id = max(model.objects.aggregate(top=Max("pk"))["top"] for model in KEY_TABLES)
    result.table = digests(candidate_answers(max_id, result.typed | {"Astana", "1992"}))
    return result


def key_ids(attempt: Attempt) -> set[int]:
    """The database ids of the exam's questions and of every row of their keys."""
    question_ids = set(attempt.attempt_questions.values_list("question_id", flat=True))
    ids = set(question_ids)
    for model in KEY_TABLES[1:]:
        ids |= set(model.objects.filter(question_id__in=question_ids).values_list("pk", flat=True))
    return ids


# -- A: the old oracle, an unkeyed hash of the stored answer --------------------------------


def canonical(answer: dict[str, Any]) -> str:
    return json.dumps(answer, sort_keys=True, separators=(",", ":"))


def old_fingerprint(answer: dict[str, Any]) -> str:
    """What the page's "seen" field used to carry: 16 hex of an unkeyed sha256 of the answer."""
    return hashlib.sha256(canonical(answer).encode()).hexdigest()[:16]


def candidate_answers(max_id: int, texts: set[str]) -> set[str]:
    """Every answer, written in database ids, that a student could hash and compare.

    Ids 1..max_id + 50; the rows of one question are neighbours (inserted together), so sets,
    matchings and orders are drawn from windows of neighbouring ids.
    """
    ids = range(1, max_id + 51)
    answers: list[dict[str, Any]] = [{}]
    answers += [{"choice": i} for i in ids]
    for start in ids:
        window = range(start, start + 6)
        for size in range(1, 5):
            answers += [{"choices": list(s)} for s in itertools.combinations(window, size)]
        window = range(start, start + 4)
        for size in (1, 2):
            for keys in itertools.combinations(window, size):
                for values in itertools.product(window, repeat=size):
                    answers.append(
                        {"matches": {str(k): v for k, v in zip(keys, values, strict=True)}}
                    )
        for order in itertools.permutations(window, 3):
            ranks = {str(item): place for place, item in enumerate(order, start=1)}
            answers.append({"order": list(order), "ranks": ranks})
    for text in texts:
        answers += [{"text": text}, {"value": text}]
    return {canonical(a) for a in answers} | {json.dumps(a, sort_keys=True) for a in answers}


def digests(candidates: set[str]) -> list[tuple[str, str]]:
    """(candidate, hex digest) for sha256, md5 and sha1: the student's lookup table."""
    return [
        (candidate, digest(candidate.encode()).hexdigest())
        for candidate in candidates
        for digest in (hashlib.sha256, hashlib.md5, hashlib.sha1)
    ]


def inverted(hex_values: set[str], table: list[tuple[str, str]]) -> set[str]:
    """The candidates one of the values is a hash prefix of (8 hex or more)."""
    by_length: dict[int, set[str]] = {}
    for value in hex_values:
        by_length.setdefault(len(value), set()).add(value.lower())
    return {
        candidate
        for candidate, hexdigest in table
        for length, values in by_length.items()
        if hexdigest[:length] in values
    }


def hex_values(played: Play) -> set[str]:
    values = set()
    for page in played.pages:
        for _element, _name, value in page.attributes():
            values |= set(HEX_RUN.findall(value or ""))
    for reply in played.replies:
        values |= set(HEX_RUN.findall(json.dumps(reply)))
    return values


def attack_a(played: Play) -> list[str]:
    """Values that invert as a hash of an answer, and old fingerprints found on a page."""
    found = [
        f"inverts to {answer}" for answer in sorted(inverted(hex_values(played), played.table))
    ]
    sources = [page.source for page in played.pages] + [json.dumps(r) for r in played.replies]
    for answer in played.stored_answers():
        if any(old_fingerprint(answer) in source for source in sources):
            found.append(f"the old fingerprint of {answer} is on a page")
    return found


# -- B: nothing that comes back depends on correctness --------------------------------------


def normalized(page: Page, prefix: str) -> list[tuple[Any, ...]]:
    """The page with what the student's own choice changes taken out: which input is checked or
    selected, the typed text, the question's "seen" MAC; and the clock's values and CSRF mask.
    """
    own_fields = {f"{prefix}-text", f"{prefix}-value", f"{prefix}-seen", "csrfmiddlewaretoken"}
    clock = {"data-server-now", "data-ms-left", "data-seconds-left"}
    tokens = []
    for token in page.tokens:
        if token[0] != "<":
            tokens.append(token)
            continue
        _kind, tag, attrs = token
        names = dict(attrs)
        kept = []
        for name, value in attrs:
            if name in ("checked", "selected"):
                continue
            if name in clock or (name == "value" and names.get("name") in own_fields):
                value = "<varies>"
            kept.append((name, value))
        tokens.append(("<", tag, tuple(kept)))
    return tokens


def without_clock(reply: Any) -> Any:
    """An autosave reply without its time left (the clock's, the same whatever the answer)."""
    return {k: v for k, v in reply.items() if k != "ms_left"} if isinstance(reply, dict) else reply


def clock_value(reply: Any, *, limit_ms: int) -> bool:
    """The reply's time left is a plain number of milliseconds within the time limit."""
    ms_left = reply.get("ms_left") if isinstance(reply, dict) else None
    return isinstance(ms_left, int) and 0 <= ms_left <= limit_ms


def attack_b(played: Play) -> list[str]:
    """What differs between the tries of one question, whose answers score differently."""
    found = []
    for position, tries in played.tries.items():
        prefix = f"q{position}"
        first = tries[0]
        expected = normalized(first.page, prefix)
        for attempted in tries:
            label = f"question {position}, {attempted.fields} scoring {attempted.fraction}"
            statuses = (attempted.post_status, attempted.page.status, attempted.autosave_status)
            if statuses != (302, 200, 200) or attempted.post_location != first.post_location:
                found.append(f"{label}: statuses {statuses} to {attempted.post_location}")
            page = normalized(attempted.page, prefix)
            if page != expected:
                pairs = itertools.zip_longest(page, expected)
                token = next(mine for mine, theirs in pairs if mine != theirs)
                found.append(f"{label}: the page differs at {token}")
            reply, expected_reply = (
                without_clock(attempted.autosave_reply),
                without_clock(first.autosave_reply),
            )
            if reply != expected_reply:
                found.append(f"{label}: autosave replied {attempted.autosave_reply}")
            if not clock_value(attempted.autosave_reply, limit_ms=TIME_LIMIT_MINUTES * 60_000):
                found.append(f"{label}: autosave's time left is no time left")
    return found


# -- C: every hidden field and data-* attribute is on the allow-list ------------------------


@dataclass
class Rows:
    """How many rows each control of a question numbers (its display places are 1..n)."""

    choices: int = 0
    prompts: int = 0
    options: int = 0
    items: int = 0


def rows_of(snapshot: dict[str, Any]) -> Rows:
    pairs = snapshot.get("pairs", [])
    return Rows(
        choices=len(snapshot.get("choices", [])),
        prompts=len(pairs),
        options=len({p["answer"] for p in pairs}),
        items=len(snapshot.get("items", [])),
    )


class AllowList:
    """What each hidden field, data-* attribute, name, id, for and value may be.

    Anything not named here fails, so a value added to the pages later is looked at before it
    ships.
    """

    def __init__(self, played: Play) -> None:
        attempt = played.attempt
        self.played = played
        self.rows = {aq.position: rows_of(aq.snapshot) for aq in attempt.attempt_questions.all()}
        self.scored = {aq.position for aq in attempt.attempt_questions.all() if aq.is_scored}
        self.pages = attempt.attempt_questions.values_list("page", flat=True).distinct().count()
        self.own_urls = {
            f"data-{name.replace('_', '-')}-url": reverse(
                f"quizzes:attempt_{name}", kwargs={"pk": attempt.pk}
            )
            for name in ("autosave", "submit", "review", "time_up")
        }
        self.limit_ms = TIME_LIMIT_MINUTES * 60 * 1000

    def in_range(self, value: str | None, upto: int) -> bool:
        return bool(value) and value.isdigit() and 1 <= int(value) <= upto

    def data(self, name: str, value: str | None) -> bool:
        number = int(value) if (value or "").isdigit() else None
        if name in self.own_urls:
            return value == self.own_urls[name]
        if name in UI_STRINGS:
            return value == UI_STRINGS[name]
        if name in MARKER_ATTRIBUTES:
            return not value
        if name == "data-prefix":
            prefix = re.fullmatch(r"q([0-9]+)", value or "")
            return bool(prefix) and int(prefix[1]) in self.rows
        if number is None:
            return False
        if name == "data-server-now":
            return self.played.started_ms <= number <= self.played.ended_ms
        if name == "data-ms-left":
            return number <= self.limit_ms
        if name == "data-seconds-left":
            return number <= self.limit_ms // 1000
        if name == "data-position":
            return number in self.scored
        return False

    def hidden(self, element: Element) -> bool:
        name, value = element.attrs.get("name") or "", element.attrs.get("value") or ""
        if name == "csrfmiddlewaretoken":
            return bool(CSRF_TOKEN.fullmatch(value))
        match = re.fullmatch(r"q([0-9]+)-seen", name)
        # A MAC of the shown answer: checked against answers.seen_token at the end.
        return bool(match and int(match[1]) in self.scored and MAC.fullmatch(value))

    def control_name(self, value: str) -> bool:
        """A question's control: its position, and a row number within that question."""
        match = CONTROL_NAME.fullmatch(value)
        if not match or int(match["position"]) not in self.rows:
            return False
        rows = self.rows[int(match["position"])]
        limits = {
            "choice": rows.choices,
            "match": rows.prompts,
            "match_field": rows.prompts,
            "item": rows.items,
            "item_label": rows.items,
            "rank_field": rows.items,
        }
        return all(self.in_range(match[g], n) for g, n in limits.items() if match[g] is not None)

    def value(self, element: Element) -> bool:
        """Every value attribute outside hidden fields: a display place, a button, typed text."""
        value = element.attrs.get("value") or ""
        name = element.attrs.get("name") or element.select or ""
        match = CONTROL_NAME.fullmatch(name)
        if name == "nav":
            page = re.fullmatch(r"page-([0-9]+)", value)
            return value in ("next", "prev", "summary", "skip") or bool(
                page and int(page[1]) < self.pages
            )
        if name == "flag":
            flag = re.fullmatch(r"([0-9]+):(on|off)", value)
            return bool(flag and int(flag[1]) in self.scored)
        if not match or int(match["position"]) not in self.scored:
            return False
        rows = self.rows[int(match["position"])]
        if name.endswith(("-text", "-value")):
            return value == "" or value in self.played.typed
        if name.endswith(("-choice", "-choices")):
            return self.in_range(value, rows.choices)
        if "-match-" in name:
            return value == "" or self.in_range(value, rows.options)
        if "-rank-" in name:
            return value == "" or self.in_range(value, rows.items)
        return False

    def problems(self, page: Page) -> list[str]:
        found = []
        for element in page.elements:
            if element.tag == "input" and element.attrs.get("type") == "hidden":
                if set(element.attrs) != {"type", "name", "value"} or not self.hidden(element):
                    found.append(f"{page.url}: hidden field {element.attrs}")
                continue
            for name, value in element.attrs.items():
                if name.startswith("data-"):
                    ok = self.data(name, value)
                elif name in ("id", "for", "aria-labelledby") and (value or "").startswith("q"):
                    ok = self.control_name(value or "") or not re.match(r"q[0-9]", value or "")
                elif name == "name" and element.tag in ("input", "select"):
                    ok = self.control_name(value or "") or (
                        element.tag == "input" and element.attrs.get("type") == "submit"
                    )
                elif name == "value" and element.tag in ("input", "option", "button"):
                    ok = self.value(element)
                else:
                    continue
                if not ok:
                    found.append(f"{page.url}: <{element.tag}> {name}={value!r}")
        return found


def ids_in_attributes(played: Play, ids: set[int]) -> list[str]:
    """Attribute values holding a database id (random or clock values left out: no meaning)."""
    own = f"/attempts/{played.attempt.pk}/"
    found = []
    for page in played.pages:
        for element, name, value in page.attributes():
            is_token = element.attrs.get("type") == "hidden" and name == "value"
            if is_token or name in ("data-server-now", "data-ms-left", "data-seconds-left"):
                continue
            for number in DIGIT_RUN.findall((value or "").replace(own, "/attempts/<pk>/")):
                if int(number) in ids:
                    found.append(f"{page.url}: <{element.tag}> {name}={value!r}")
    return found


def attack_c(played: Play) -> list[str]:
    """Values off the allow-list, and database ids of the exam's keys in any attribute."""
    allow = AllowList(played)
    found = [problem for page in played.pages for problem in allow.problems(page)]
    return found + ids_in_attributes(played, key_ids(played.attempt))


# -- the attack ------------------------------------------------------------------------------


@pytest.mark.parametrize("shuffle_choices", [True, False], ids=["shuffled", "in-authoring-order"])
def test_a_student_attacking_every_question_type_recovers_nothing(
    student, student_client, settings, shuffle_choices
):
    push_ids_past_small_numbers()
    played = play(student_client, student, shuffle_choices=shuffle_choices)

    findings = {
        "A: hashes of answers": attack_a(played),
        "B: differences by correctness": attack_b(played),
        "C: values off the allow-list, ids": attack_c(played),
    }

    assert findings == {attack: [] for attack in findings}
    # The attacks are real. Each question was answered right and wrong, ids cannot pass for
    # display places, and the old fingerprint of any answer given inverts at once ...
    for position, tries in played.tries.items():
        fractions = {t.fraction for t in tries}
        assert Decimal(1) in fractions and min(fractions) < 1, (position, fractions)
    assert min(key_ids(played.attempt)) > 100
    given = played.stored_answers()
    fingerprints = {old_fingerprint(a) for a in given}
    assert inverted(fingerprints, played.table) >= {canonical(a) for a in given}
    # ... each "seen" value IS the keyed MAC of the answer its page showed, scoped to the
    # attempt and the question ...
    scope = f"attempt:{played.attempt.pk}"
    macs = [(value, f"{scope}:{n}", answer) for value, n, answer in played.seen_fields]
    assert macs
    assert all(value == seen_token(answer, scope=scoped) for value, scoped, answer in macs)
    # ... and nobody without SECRET_KEY can recompute it.
    settings.SECRET_KEY = "another-key-the-student-might-guess"
    assert all(value != seen_token(answer, scope=scoped) for value, scoped, answer in macs)


# -- D: ids no longer follow authoring order -------------------------------------------------

AUTHORED = 30
CHOICE_TEXTS = ["Astana (the key, written first)", "Almaty", "Bishkek", "Tashkent"]


def author_key_first_in_the_admin(client, bank) -> list[Question]:
    """A teacher writes single-choice questions in the admin, the key always first."""
    for n in range(AUTHORED):
        data = {
            "bank": bank.pk,
            "title": f"Capital {n}",
            "status": "draft",
            "prompt": "Which city is the capital?",
            "difficulty": "medium",
            "default_points": "1",
            "choices-TOTAL_FORMS": str(len(CHOICE_TEXTS)),
            "choices-INITIAL_FORMS": "0",
            "choices-MIN_NUM_FORMS": "0",
            "choices-MAX_NUM_FORMS": "1000",
        }
        data["choices-correct"] = "choices-0"  # the "correct answer" radio of the first row
        for i, text in enumerate(CHOICE_TEXTS):
            data |= {f"choices-{i}-text": text, f"choices-{i}-position": str(i)}
        response = client.post(f"{reverse('admin:quizzes_question_add')}?type=single", data)
        assert response.status_code == 302, response.text
    return list(Question.objects.filter(bank=bank))


def author_key_first_then_duplicate(client, bank) -> list[Question]:
    """Questions written key first, with ids in authoring order (as every question written before
    the random insertion order has), copied with the admin's "duplicate" action."""
    originals = []
    for n in range(AUTHORED):
        question = QuestionFactory(bank=bank, type="single", title=f"Capital {n}", parts=False)
        for i, text in enumerate(CHOICE_TEXTS):
            Choice.objects.create(question=question, text=text, fraction=int(i == 0), position=i)
        originals.append(question.pk)
    response = client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "duplicate", "_selected_action": originals},
    )
    assert response.status_code == 302
    return list(Question.objects.filter(bank=bank).exclude(pk__in=originals))


@pytest.mark.parametrize(
    "author",
    [author_key_first_in_the_admin, author_key_first_then_duplicate],
    ids=lambda f: f.__name__,
)
def test_key_rows_get_ids_that_do_not_follow_authoring_order(teacher_client, author):
    bank = BankFactory()

    questions = author(teacher_client, bank)

    assert len(questions) == AUTHORED
    key_has_lowest_id = in_authoring_order = 0
    for question in questions:
        choices = list(question.choices.order_by("position"))
        assert [c.text for c in choices] == CHOICE_TEXTS and choices[0].fraction == 1
        ids = [c.pk for c in choices]
        key_has_lowest_id += ids[0] == min(ids)
        in_authoring_order += ids == sorted(ids)
    # With shuffle_choices off the page shows choices in authoring order, so only the ids could
    # still tell the key: in random insertion order the key has the lowest of 4 ids with
    # probability 1/4 and the ids ascend with probability 1/24, independently per question.
    # P(Binomial(30, 1/4) >= 21) < 3e-7 and P(Binomial(30, 1/24) >= 11) < 2e-8; written in
    # authoring order both counts are 30.
    assert key_has_lowest_id <= 20, f"the key has the lowest id in {key_has_lowest_id} of 30"
    assert in_authoring_order <= 10, f"ids follow authoring order in {in_authoring_order} of 30"
