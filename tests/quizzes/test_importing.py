"""The shipped banks load, validate with the admin's own rules, and bad files change nothing."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quizzes.authoring import validate_key
from quizzes.importing import ImportFileError, import_bank_file, import_fixtures
from quizzes.models import Bank, Choice, Question, QuestionStatus, QuestionType, Quiz, Slot, Tag
from quizzes.models.question import key_rows_create as real_key_rows_create
from tests.factories import QuestionFactory, SlotFactory, TagFactory

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("shipped_banks")
class TestShippedContent:
    """Read-only checks of the shipped banks and quizzes, loaded once for them all."""

    def test_shipped_fixtures_load_and_every_question_passes_the_admin_validation(self):
        questions = list(Question.objects.with_parts())
        for question in questions:
            question.full_clean()
            validate_key(question.type, question.key_parts())
        assert len(questions) == sum(
            len(json.loads(p.read_text())["questions"]) for p in (FIXTURES / "banks").glob("*.json")
        )

    def test_shipped_banks_meet_the_content_bar(self):
        published = Question.objects.published().scored()
        per_bank = Counter(published.values_list("bank__slug", flat=True))
        assert len(per_bank) >= 3
        assert all(count >= 30 for count in per_bank.values()), per_bank
        assert published.count() >= 90
        assert len(set(published.values_list("type", flat=True))) >= 6
        for question in published:
            assert question.explanation.strip(), question.key
            assert question.source_outlet and question.source_url.startswith("https://"), (
                question.key
            )
            assert question.facts_as_of is not None, question.key
        assert Question.objects.filter(type=QuestionType.DESCRIPTION).exists()
        assert Question.objects.filter(stimulus__isnull=False).count() >= 3

    def test_shipped_quizzes_include_one_per_bank_and_a_mixed_random_quiz(self):
        banks = set(Bank.objects.values_list("slug", flat=True))
        mixed = Quiz.objects.get(slug="mixed-review")
        assert {slot.bank.slug for slot in mixed.slots.all()} == banks
        assert all(slot.is_random for slot in mixed.slots.all())
        assert Quiz.objects.filter(is_published=True).count() >= 4

    def test_imported_questions_are_published_with_tags_and_stimulus(self):
        follower = (
            Question.objects.filter(stimulus__isnull=False).select_related("stimulus").first()
        )
        assert follower.stimulus.type == QuestionType.DESCRIPTION
        assert follower.snapshot()["stimulus"] == follower.stimulus.prompt
        assert Question.objects.filter(status=QuestionStatus.PUBLISHED, tags__isnull=False).exists()


def test_loading_twice_creates_nothing_new():
    import_fixtures(FIXTURES)
    before = (Question.objects.count(), Quiz.objects.count())

    lines = import_fixtures(FIXTURES)

    assert (Question.objects.count(), Quiz.objects.count()) == before
    assert all("0 created" in line for line in lines)


def test_a_teachers_edit_survives_a_reload_unless_update_is_asked(tmp_path):
    import_fixtures(FIXTURES)
    Question.objects.filter(key="aa-005").update(title="Edited by a teacher")

    import_fixtures(FIXTURES)
    assert Question.objects.get(key="aa-005").title == "Edited by a teacher"

    import_fixtures(FIXTURES, update=True)
    assert Question.objects.get(key="aa-005").title != "Edited by a teacher"


def _write_bank(tmp_path, questions, name="bad.json", bank=None):
    (tmp_path / "banks").mkdir(exist_ok=True)
    path = tmp_path / "banks" / name
    payload = {"bank": bank or {"slug": "tmp", "name": "Tmp"}, "questions": questions}
    path.write_text(json.dumps(payload, indent=2))
    return path


GOOD = {
    "key": "tmp-1",
    "type": "single",
    "title": "Capital",
    "prompt": "Capital of Kazakhstan?",
    "explanation": "Astana since 1997.",
    "difficulty": "easy",
    "source": {"outlet": "X", "url": "https://example.org"},
    "facts_as_of": "2025-12-20",
    "choices": [{"text": "Astana", "fraction": 1}, {"text": "Almaty", "fraction": 0}],
}


def test_malformed_json_reports_the_line_and_saves_nothing(tmp_path):
    (tmp_path / "banks").mkdir()
    (tmp_path / "banks" / "broken.json").write_text('{\n  "bank": {"slug": "x",\n  oops\n}')

    with pytest.raises(ImportFileError, match=r"broken\.json: line 3"):
        import_fixtures(tmp_path)

    assert not Bank.objects.exists()


def test_invalid_question_names_the_key_and_reason_and_saves_nothing(tmp_path):
    two_correct = {
        **GOOD,
        "key": "tmp-2",
        "choices": [{"text": "A", "fraction": 1}, {"text": "B", "fraction": 1}],
    }
    _write_bank(tmp_path, [GOOD, two_correct])

    with pytest.raises(ImportFileError, match=r"question tmp-2: .*exactly one fully correct"):
        import_fixtures(tmp_path)

    assert not Question.objects.exists()
    assert not Bank.objects.filter(slug="tmp").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "essay"}, "unknown type 'essay'"),
        ({"facts_as_of": "last year"}, "must be a date"),
        ({"title": ""}, "missing title"),
        ({"stimulus": "nope"}, "stimulus 'nope' is not a description"),
        ({"difficulty": "trivial"}, "not a valid choice"),
    ],
)
def test_each_kind_of_bad_question_is_refused_with_a_clear_message(tmp_path, change, message):
    _write_bank(tmp_path, [{**GOOD, **change}])

    with pytest.raises(ImportFileError, match=message):
        import_fixtures(tmp_path)

    assert not Question.objects.exists()


def test_a_key_used_by_another_bank_is_refused(tmp_path):
    path = _write_bank(tmp_path, [GOOD])
    import_bank_file(path)
    other = tmp_path / "banks" / "other.json"
    other.write_text(json.dumps({"bank": {"slug": "other", "name": "Other"}, "questions": [GOOD]}))

    with pytest.raises(ImportFileError, match="key already used in bank Tmp"):
        import_bank_file(other, update=True)


def test_load_banks_command_reports_errors_without_a_traceback(tmp_path):
    _write_bank(tmp_path, [{**GOOD, "choices": []}])

    with pytest.raises(CommandError, match=r"Nothing was loaded.*tmp-1"):
        call_command("load_banks", "--directory", str(tmp_path))


# Checking with the admin's rules, then saving: a bad file (even the last one) changes nothing.

PASSAGE = {"key": "tmp-3", "type": "description", "title": "Passage", "prompt": "Read this."}
GOOD_QUIZ = {
    "slug": "capitals",
    "title": "Capitals",
    "time_limit_minutes": 10,
    "slots": [{"question": "tmp-1"}, {"random": {"bank": "tmp", "tag": "capitals", "count": 1}}],
}


def _bad(**change):
    return {**GOOD, "key": "tmp-9", "title": "Bad", **change}


def _write_quizzes(tmp_path, quizzes):
    path = tmp_path / "quizzes.json"
    path.write_text(json.dumps(quizzes, indent=2))
    return path


def _database_rows():
    return {
        model.__name__: model.objects.count() for model in (Bank, Question, Choice, Tag, Quiz, Slot)
    }


@pytest.fixture
def existing_content():
    """What a school already has: a failed load must leave it exactly as it was."""
    question = QuestionFactory(key="hist-1", published=True, tags=[TagFactory(name="history")])
    SlotFactory(question=question)


BAD_QUESTIONS = [
    # (case, the last question of the last bank file, where, what the admin would say)
    (
        "single choice with two correct",
        _bad(choices=[{"text": "A", "fraction": 1}, {"text": "B", "fraction": 1}]),
        "question tmp-9",
        "needs exactly one fully correct choice (fraction 1); this one has 2",
    ),
    (
        "key rows of another type",
        _bad(type="short", answers=[{"text": "Astana"}]),
        "question tmp-9",
        "A short answer question has no choices; remove them.",
    ),
    (
        "stimulus not a description",
        _bad(stimulus="tmp-1"),
        "question tmp-9",
        "stimulus 'tmp-1' is not a description question in this file",
    ),
    (
        "stimulus missing",
        _bad(stimulus="nope"),
        "question tmp-9",
        "stimulus 'nope' is not a description question in this file",
    ),
    (
        "description with a stimulus",
        {**PASSAGE, "key": "tmp-9", "stimulus": "tmp-3"},
        "question tmp-9",
        "A description cannot itself have a stimulus.",
    ),
    (
        "difficulty not a choice",
        _bad(difficulty="trivial"),
        "question tmp-9",
        "difficulty: Value 'trivial' is not a valid choice.",
    ),
    ("key not a slug", _bad(key="tmp 9"), "question tmp 9", "key: Enter a valid “slug”"),
    (
        "accepted answer too long",
        _bad(choices=[], type="short", answers=[{"text": "Astana"}, {"text": "A" * 301}]),
        "question tmp-9, answer 2",
        "text: Ensure this value has at most 300 characters (it has 301).",
    ),
    (
        "tag not a slug",
        _bad(tags=["Capital cities"]),
        "question tmp-9",
        "tag 'Capital cities': Enter a valid “slug”",
    ),
    (
        "source URL not a URL",
        _bad(source={"url": "example dot org"}),
        "question tmp-9",
        "source.url: Enter a valid URL.",
    ),
    ("points too big", _bad(points=10**6), "question tmp-9", "points: Ensure that there"),
    ("malformed too", _bad(points="abc"), "question tmp-9", "points must be a number, not 'abc'"),
]


@pytest.mark.parametrize(
    ("question", "where", "message"), [pytest.param(*c[1:], id=c[0]) for c in BAD_QUESTIONS]
)
def test_a_question_the_admin_would_refuse_stops_the_whole_load(
    tmp_path, existing_content, question, where, message
):
    _write_bank(tmp_path, [{**GOOD, "key": "good-1"}], "a-good.json", {"slug": "a", "name": "A"})
    _write_bank(tmp_path, [GOOD, PASSAGE, question], name="z-bad.json")
    before = _database_rows()

    with pytest.raises(ImportFileError) as caught:
        import_fixtures(tmp_path)

    [problem] = caught.value.problems
    assert problem.path.endswith("z-bad.json")
    assert problem.where.startswith("line ") and problem.where.endswith(where)
    assert message in problem.message
    assert _database_rows() == before


TAGGED = {**GOOD, "key": "tmp-2", "title": "Capital again", "tags": ["capitals"]}


def _bad_quiz(slots=({"question": "tmp-1"},), **settings):
    return {"slug": "bad", "title": "Bad", "slots": list(slots), **settings}


BAD_QUIZZES = [
    # (case, the last quiz of the quiz file, where, what the admin would say)
    (
        "slot naming a missing question",
        _bad_quiz([{"question": "nope"}]),
        "quiz bad, slot 1",
        "no question 'nope'",
    ),
    (
        "slot naming a missing bank",
        _bad_quiz([{"random": {"bank": "nope"}}]),
        "quiz bad, slot 1",
        "no bank 'nope'",
    ),
    (
        "slot naming a missing tag",
        _bad_quiz([{"random": {"bank": "tmp", "tag": "nope"}}]),
        "quiz bad, slot 1",
        "no tag 'nope'",
    ),
    (
        "slot points negative",
        _bad_quiz([{"question": "tmp-1", "points": -1}]),
        "quiz bad, slot 1",
        "points: Ensure this value is greater than or equal to 0.",
    ),
    (
        "random slot larger than its pool",
        _bad_quiz([{"random": {"bank": "tmp", "count": 5}}]),
        "quiz bad",
        "it asks for 5, and only 2 published questions fit it",
    ),
    (
        "unknown setting",
        _bad_quiz(time_limit=10),
        "quiz bad",
        "unknown field 'time_limit' (did you mean time_limit_minutes?)",
    ),
    (
        "setting of the wrong JSON type",
        _bad_quiz(is_published="yes"),
        "quiz bad",
        "is_published must be true or false, not 'yes'",
    ),
    (
        "whole number setting with a fraction",
        _bad_quiz(time_limit_minutes=1.5),
        "quiz bad",
        "time_limit_minutes must be a whole number, not 1.5",
    ),
    (
        "setting not one of the choices",
        _bad_quiz(grading_method="best"),
        "quiz bad",
        "grading_method: Value 'best' is not a valid choice.",
    ),
    (
        "required setting null",
        _bad_quiz(attempts_allowed=None),
        "quiz bad",
        "attempts_allowed: This field cannot be null.",
    ),
    (
        "pass mark over 100",
        _bad_quiz(pass_mark=150),
        "quiz bad",
        "pass_mark: Ensure this value is less than or equal to 100.",
    ),
    (
        "slug not a slug",
        {**_bad_quiz(), "slug": "Bad quiz"},
        "quiz Bad quiz",
        "slug: Enter a valid “slug”",
    ),
    (
        "malformed too",
        _bad_quiz([{"random": {"bank": "tmp", "count": "two"}}]),
        "quiz bad, slot 1",
        "count must be a whole number of at least 1, not 'two'",
    ),
]


@pytest.mark.parametrize(
    ("quiz", "where", "message"), [pytest.param(*c[1:], id=c[0]) for c in BAD_QUIZZES]
)
def test_a_quiz_the_admin_would_refuse_stops_the_whole_load(
    tmp_path, existing_content, quiz, where, message
):
    _write_bank(tmp_path, [GOOD, TAGGED], name="tmp.json")
    _write_quizzes(tmp_path, [GOOD_QUIZ, quiz])
    before = _database_rows()

    with pytest.raises(ImportFileError) as caught:
        import_fixtures(tmp_path)

    [problem] = caught.value.problems
    assert problem.path.endswith("quizzes.json")
    assert problem.where.startswith("line ") and problem.where.endswith(where)
    assert message in problem.message
    assert _database_rows() == before


def test_the_good_files_of_those_tables_load(tmp_path):
    _write_bank(tmp_path, [{**GOOD, "key": "good-1"}], "a-good.json", {"slug": "a", "name": "A"})
    _write_bank(tmp_path, [GOOD, TAGGED, PASSAGE, {**GOOD, "key": "tmp-4", "stimulus": "tmp-3"}])
    _write_quizzes(tmp_path, [GOOD_QUIZ])

    lines = import_fixtures(tmp_path)

    assert lines == [
        "A: 1 created, 0 updated, 0 left as they were",
        "Tmp: 4 created, 0 updated, 0 left as they were",
        "Quizzes: 1 created, 0 updated, 0 left as they were",
    ]
    assert Question.objects.get(key="tmp-4").stimulus.key == "tmp-3"
    assert list(Question.objects.get(key="tmp-2").tags.values_list("name", flat=True)) == [
        "capitals"
    ]
    quiz = Quiz.objects.get(slug="capitals")
    assert quiz.time_limit_minutes == 10
    assert [(s.question and s.question.key, s.tag and s.tag.name) for s in quiz.slots.all()] == [
        ("tmp-1", None),
        (None, "capitals"),
    ]


def test_a_key_another_bank_uses_is_refused_and_changes_nothing(tmp_path, existing_content):
    _write_bank(tmp_path, [GOOD, {**GOOD, "key": "hist-1"}])
    before = _database_rows()

    with pytest.raises(ImportFileError) as caught:
        import_fixtures(tmp_path)

    other_bank = Question.objects.get(key="hist-1").bank
    assert caught.value.where.endswith("question hist-1")
    assert caught.value.message == f"key already used in bank {other_bank}"
    assert _database_rows() == before


def test_key_rows_are_saved_through_the_shuffled_insert_also_on_update(tmp_path, monkeypatch):
    saved = []

    def key_rows_create(rows):
        rows = list(rows)
        saved.append(rows)
        real_key_rows_create(rows)

    monkeypatch.setattr("quizzes.importing.key_rows_create", key_rows_create)
    choices = [{"text": text, "fraction": int(text == "Astana")} for text in "ABC"] + [
        {"text": "Astana", "fraction": 1}
    ]
    path = _write_bank(tmp_path, [GOOD])
    import_bank_file(path)
    _write_bank(tmp_path, [{**GOOD, "choices": choices}])

    import_bank_file(path, update=True)

    question = Question.objects.get(key="tmp-1")
    assert [len(rows) for rows in saved] == [2, 4]
    assert saved[1] and all(row.question_id == question.pk for row in saved[1])
    assert [c.text for c in question.choices.all()] == ["A", "B", "C", "Astana"]


def test_an_update_keeps_who_created_the_question_and_its_image_alt(tmp_path, teacher):
    path = _write_bank(tmp_path, [GOOD])
    import_bank_file(path)
    Question.objects.filter(key="tmp-1").update(created_by=teacher, image_alt="A map")
    _write_bank(tmp_path, [{**GOOD, "title": "Capital city"}])

    import_bank_file(path, update=True)

    question = Question.objects.get(key="tmp-1")
    assert (question.title, question.created_by, question.image_alt) == (
        "Capital city",
        teacher,
        "A map",
    )


def test_a_failed_update_leaves_the_existing_questions_as_they_were(tmp_path):
    path = _write_bank(tmp_path, [GOOD])
    import_bank_file(path)
    _write_bank(tmp_path, [{**GOOD, "title": "Changed", "choices": []}, TAGGED])

    with pytest.raises(ImportFileError, match="question tmp-1: "):
        import_fixtures(tmp_path, update=True)

    question = Question.objects.get(key="tmp-1")
    assert question.title == GOOD["title"]
    assert question.choices.count() == 2
    assert not Question.objects.filter(key="tmp-2").exists()


def test_a_quiz_update_replaces_its_slots_and_settings(tmp_path):
    _write_bank(tmp_path, [GOOD, TAGGED])
    _write_quizzes(tmp_path, [GOOD_QUIZ])
    import_fixtures(tmp_path)
    _write_quizzes(
        tmp_path, [{**GOOD_QUIZ, "time_limit_minutes": 30, "slots": [{"question": "tmp-2"}]}]
    )

    import_fixtures(tmp_path, update=True)

    quiz = Quiz.objects.get(slug="capitals")
    assert quiz.time_limit_minutes == 30
    assert [slot.question.key for slot in quiz.slots.all()] == ["tmp-2"]


def test_load_banks_lists_every_problem_of_a_file(tmp_path):
    _write_bank(tmp_path, [{**GOOD, "points": "abc"}, {**GOOD, "key": "tmp-2", "type": "essay"}])

    with pytest.raises(CommandError) as caught:
        call_command("load_banks", "--directory", str(tmp_path))

    message = str(caught.value)
    assert message.startswith("Nothing was loaded. ")
    assert "question tmp-1: points must be a number" in message
    assert "question tmp-2: unknown type 'essay'" in message


def test_a_quiz_left_as_it_was_loads_even_when_a_teacher_retired_its_pool(tmp_path):
    _write_bank(tmp_path, [GOOD, TAGGED])
    _write_quizzes(tmp_path, [GOOD_QUIZ])
    import_fixtures(tmp_path)
    Question.objects.filter(key="tmp-2").update(status=QuestionStatus.RETIRED)

    lines = import_fixtures(tmp_path)

    assert lines[-1] == "Quizzes: 0 created, 0 updated, 1 left as they were"
