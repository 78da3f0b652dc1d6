"""The shipped banks load, validate with the admin's own rules, and bad files change nothing."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quizzes.authoring import validate_key
from quizzes.importing import ImportFileError, import_bank_file, import_fixtures
from quizzes.models import Bank, Question, QuestionStatus, QuestionType, Quiz

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
pytestmark = pytest.mark.django_db


def test_shipped_fixtures_load_and_every_question_passes_the_admin_validation():
    import_fixtures(FIXTURES)

    questions = list(Question.objects.with_parts())
    for question in questions:
        question.full_clean()
        validate_key(question.type, question.key_parts())
    assert len(questions) == sum(
        len(json.loads(p.read_text())["questions"]) for p in (FIXTURES / "banks").glob("*.json")
    )


def test_shipped_banks_meet_the_content_bar():
    import_fixtures(FIXTURES)

    published = Question.objects.published().scored()
    per_bank = Counter(published.values_list("bank__slug", flat=True))
    assert len(per_bank) >= 3
    assert all(count >= 30 for count in per_bank.values()), per_bank
    assert published.count() >= 90
    assert len(set(published.values_list("type", flat=True))) >= 6
    for question in published:
        assert question.explanation.strip(), question.key
        assert question.source_outlet and question.source_url.startswith("https://"), question.key
        assert question.facts_as_of is not None, question.key
    assert Question.objects.filter(type=QuestionType.DESCRIPTION).exists()
    assert Question.objects.filter(stimulus__isnull=False).count() >= 3


def test_shipped_quizzes_include_one_per_bank_and_a_mixed_random_quiz():
    import_fixtures(FIXTURES)

    banks = set(Bank.objects.values_list("slug", flat=True))
    mixed = Quiz.objects.get(slug="mixed-review")
    assert {slot.bank.slug for slot in mixed.slots.all()} == banks
    assert all(slot.is_random for slot in mixed.slots.all())
    assert Quiz.objects.filter(is_published=True).count() >= 4


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


def _write_bank(tmp_path, questions, name="bad.json"):
    (tmp_path / "banks").mkdir(exist_ok=True)
    path = tmp_path / "banks" / name
    payload = {"bank": {"slug": "tmp", "name": "Tmp"}, "questions": questions}
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
        ({"facts_as_of": "last year"}, "is not a date"),
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


def test_imported_questions_are_published_with_tags_and_stimulus():
    import_fixtures(FIXTURES)

    follower = Question.objects.filter(stimulus__isnull=False).select_related("stimulus").first()
    assert follower.stimulus.type == QuestionType.DESCRIPTION
    assert follower.snapshot()["stimulus"] == follower.stimulus.prompt
    assert Question.objects.filter(status=QuestionStatus.PUBLISHED, tags__isnull=False).exists()
