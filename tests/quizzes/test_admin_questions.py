"""Authoring questions in the admin as a teacher: type chooser, per-type inlines, rules, actions."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import Bank, Choice, Question, QuestionStatus, QuestionType
from tests.factories import BankFactory, QuestionFactory

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:quizzes_question_add")

# (inline prefix, rows) that make a valid key for each type.
VALID_ROWS = {
    "single": ("choices", [{"text": "Astana", "correct": True}, {"text": "Almaty"}]),
    "multiple": (
        "choices",
        [
            {"text": "Kazakhstan", "fraction": "0.5"},
            {"text": "Kyrgyzstan", "fraction": "0.5"},
            {"text": "Azerbaijan", "fraction": "-0.5"},
        ],
    ),
    "truefalse": ("choices", [{"text": "True"}, {"text": "False", "correct": True}]),
    "short": ("accepted_answers", [{"text": "Astana", "fraction": "1"}]),
    "numeric": ("numeric_answers", [{"value": "1992", "tolerance": "0", "fraction": "1"}]),
    "matching": (
        "match_pairs",
        [{"prompt": "UAE", "answer": "Annexation"}, {"prompt": "Sudan", "answer": "Terror list"}],
    ),
    "ordering": ("order_items", [{"text": "UAE"}, {"text": "Bahrain"}, {"text": "Morocco"}]),
    "description": (None, []),
}


def question_post(bank, *, title="New question", prefix=None, rows=(), **fields):
    data = {
        "bank": bank.pk,
        "title": title,
        "status": "published",
        "prompt": "Which one?",
        "explanation": "Because.",
        "difficulty": "easy",
        "default_points": "1",
        "facts_as_of": "2025-11-07",
        **fields,
    }
    if prefix:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for i, row in enumerate(rows):
            # The "correct" radios of a single-choice or true/false question are one group.
            if row.get("correct"):
                data[f"{prefix}-correct"] = f"{prefix}-{i}"
            fields = {name: value for name, value in row.items() if name != "correct"}
            data.update({f"{prefix}-{i}-{name}": value for name, value in fields.items()})
            data.setdefault(f"{prefix}-{i}-position", str(i))
    return data


def test_add_starts_with_a_type_chooser(teacher_client):
    response = teacher_client.get(ADD_URL)

    assert response.status_code == 200
    for value in QuestionType.values:
        assert f'data-type="{value}"' in response.text


def test_an_unknown_type_shows_the_chooser_again(teacher_client):
    response = teacher_client.get(ADD_URL + "?type=essay")

    assert "Choose a question type" in response.text


@pytest.mark.parametrize("question_type", QuestionType.values)
def test_a_teacher_authors_every_type_through_the_admin_form(
    teacher, teacher_client, question_type
):
    bank = BankFactory()
    prefix, rows = VALID_ROWS[question_type]

    response = teacher_client.post(
        f"{ADD_URL}?type={question_type}", question_post(bank, prefix=prefix, rows=rows)
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    question = Question.objects.get(title="New question")
    assert (question.type, question.status, question.created_by) == (
        question_type,
        QuestionStatus.PUBLISHED,
        teacher,
    )
    if prefix:
        assert getattr(question, prefix).count() == len(rows)


def test_an_item_added_at_the_bottom_of_an_ordering_question_stays_last(teacher_client):
    question = QuestionFactory(type=QuestionType.ORDERING, published=True)  # UAE, Bahrain, Sudan
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    rows = list(question.order_items.all())
    page = teacher_client.get(url).content.decode()
    shown_position = re.search(
        r'name="order_items-3-position" value="([0-9]+)"', page.replace("\n", " ")
    ) or re.search(r'value="([0-9]+)"[^>]*name="order_items-3-position"', page)
    shown_position = shown_position[1]
    assert int(shown_position) > max(row.position for row in rows)
    data = question_post(question.bank, title=question.title, **{"order_items-TOTAL_FORMS": "4"})
    data.update(
        {
            "order_items-INITIAL_FORMS": "3",
            "order_items-MIN_NUM_FORMS": "0",
            "order_items-MAX_NUM_FORMS": "1000",
            "order_items-3-text": "Morocco",
            # The blank extra row, with the place the form gives it.
            "order_items-3-position": shown_position,
        }
    )
    for i, row in enumerate(rows):
        data.update(
            {
                f"order_items-{i}-id": str(row.pk),
                f"order_items-{i}-question": str(question.pk),
                f"order_items-{i}-text": row.text,
                f"order_items-{i}-position": str(row.position),
            }
        )

    response = teacher_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert [i.text for i in question.order_items.all()] == ["UAE", "Bahrain", "Sudan", "Morocco"]


@pytest.mark.parametrize("positions", ["untyped", "typed"])
def test_rows_keep_the_order_the_teacher_gave_though_their_ids_are_shuffled(
    teacher_client, positions
):
    bank = BankFactory()
    texts = ["Astana", "Almaty", "Bishkek", "Tashkent", "Dushanbe", "Ashgabat"]
    rows = [{"text": text, "correct": i == 0} for i, text in enumerate(texts)]
    if positions == "untyped":
        rows = [{**row, "position": "0"} for row in rows]
    for n in range(8):
        teacher_client.post(
            f"{ADD_URL}?type=single",
            question_post(bank, title=f"Q{n}", prefix="choices", rows=rows),
        )

    questions = list(Question.objects.filter(bank=bank).with_parts())
    assert len(questions) == 8
    for question in questions:
        shown = [c.text for c in question.choices.all()]  # Meta.ordering: position, id
        assert shown == texts
        assert [c.position for c in question.choices.all()] == [1, 2, 3, 4, 5, 6]
    # The key (written first) does not have the lowest id every time: 8 shuffles of 6 rows
    # all putting it first by chance has probability (1/6)^8.
    assert not all(
        min(question.choices.all(), key=lambda c: c.pk).text == "Astana" for question in questions
    )


def test_blank_rows_sent_back_with_their_numbers_are_left_out(teacher_client):
    page = teacher_client.get(f"{ADD_URL}?type=single").text
    inputs = re.findall(r'<input[^>]*name="choices-[0-9]+-position"[^>]*>', page)
    given = [
        (re.search(r"choices-([0-9]+)-", tag)[1], re.search(r'value="([0-9]+)"', tag)[1])
        for tag in inputs
    ]
    assert len(given) == 4  # four blank rows, numbered 1..4
    rows = [{"position": position} for _, position in sorted(given)]
    rows[0].update(text="Astana", correct=True)
    rows[1].update(text="Almaty")
    for row in rows:
        row.setdefault("fraction", "0.0000000")  # the partial credit the menu shows: none

    response = teacher_client.post(
        f"{ADD_URL}?type=single", question_post(BankFactory(), prefix="choices", rows=rows)
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    question = Question.objects.get()
    assert [(c.text, c.position) for c in question.choices.all()] == [("Astana", 1), ("Almaty", 2)]


def test_the_true_false_form_starts_with_true_and_false_rows(teacher_client):
    response = teacher_client.get(f"{ADD_URL}?type=truefalse")

    assert 'name="choices-0-text"' in response.text
    assert ">\nTrue</textarea>" in response.text
    assert ">\nFalse</textarea>" in response.text


def test_single_choice_with_no_choice_marked_correct_is_refused_and_nothing_saved(teacher_client):
    bank = BankFactory()
    rows = [{"text": "A"}, {"text": "B"}]

    response = teacher_client.post(
        f"{ADD_URL}?type=single", question_post(bank, prefix="choices", rows=rows)
    )

    assert response.status_code == 200
    assert "exactly one fully correct choice" in response.text
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_single_choice_partial_credit_of_100_percent_is_refused_as_tampered(teacher_client):
    """A second correct choice cannot be smuggled in through the partial-credit menu."""
    rows = [{"text": "A", "correct": True}, {"text": "B", "fraction": "1"}]

    response = teacher_client.post(
        f"{ADD_URL}?type=single", question_post(BankFactory(), prefix="choices", rows=rows)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Question.objects.exists()


def test_the_posted_type_is_ignored_the_chooser_link_decides(teacher_client):
    bank = BankFactory()
    prefix, rows = VALID_ROWS["single"]

    teacher_client.post(
        f"{ADD_URL}?type=single", question_post(bank, prefix=prefix, rows=rows, type="matching")
    )

    assert Question.objects.get().type == QuestionType.SINGLE


def test_the_type_is_fixed_once_a_question_exists(teacher_client):
    question = QuestionFactory(type=QuestionType.NUMERIC)

    response = teacher_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))

    assert 'name="type"' not in response.text
    assert 'name="numeric_answers-TOTAL_FORMS"' in response.text
    assert 'name="choices-TOTAL_FORMS"' not in response.text


def test_an_image_without_alt_text_is_refused(teacher_client):
    bank = BankFactory()
    prefix, rows = VALID_ROWS["short"]
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
        b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    data = question_post(bank, prefix=prefix, rows=rows)
    data["image"] = SimpleUploadedFile("map.gif", gif, content_type="image/gif")

    response = teacher_client.post(f"{ADD_URL}?type=short", data)

    assert "Describe the image" in response.text
    assert not Question.objects.exists()


def test_an_image_with_alt_text_is_stored(teacher_client, settings):
    bank = BankFactory()
    prefix, rows = VALID_ROWS["short"]
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
        b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    data = question_post(bank, prefix=prefix, rows=rows, image_alt="A map of Central Asia")
    data["image"] = SimpleUploadedFile("map.gif", gif, content_type="image/gif")

    teacher_client.post(f"{ADD_URL}?type=short", data)

    question = Question.objects.get()
    assert question.image.name.startswith("questions/")
    assert (settings.MEDIA_ROOT / question.image.name).exists()


def test_facts_review_filter_lists_only_stale_questions(teacher_client, settings):
    settings.QUIZZES_FACTS_REVIEW_AGE_DAYS = 365
    QuestionFactory(title="Stale fact", facts_as_of=datetime.date(2015, 11, 1))
    QuestionFactory(title="Fresh fact", facts_as_of=datetime.date.today())

    response = teacher_client.get(reverse("admin:quizzes_question_changelist") + "?facts=due")

    assert "Stale fact" in response.text
    assert "Fresh fact" not in response.text


def _action(client, action, questions, **extra):
    return client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": action, "_selected_action": [q.pk for q in questions], **extra},
        follow=True,
    )


def test_bulk_publish_and_retire(teacher_client):
    drafts = [QuestionFactory(), QuestionFactory()]

    _action(teacher_client, "publish", drafts)
    assert set(Question.objects.values_list("status", flat=True)) == {"published"}

    _action(teacher_client, "retire", drafts[:1])
    assert Question.objects.get(pk=drafts[0].pk).status == "retired"


def test_bulk_publish_refuses_questions_with_a_broken_key(teacher_client):
    good = QuestionFactory()
    broken = QuestionFactory(title="Broken one", parts=False)

    response = _action(teacher_client, "publish", [good, broken])

    assert "Broken one" in response.text
    assert set(Question.objects.values_list("status", flat=True)) == {"draft"}


def test_bulk_move_to_bank_asks_for_the_bank_then_moves(teacher_client):
    questions = [QuestionFactory(), QuestionFactory()]
    target = BankFactory(name="Target bank")

    page = _action(teacher_client, "move_to_bank", questions)
    assert "Move to bank" in page.text
    assert not Question.objects.filter(bank=target).exists()

    _action(teacher_client, "move_to_bank", questions, bank=target.pk, apply="Move")
    assert Question.objects.filter(bank=target).count() == 2


def test_bulk_duplicate_makes_draft_copies(teacher_client):
    original = QuestionFactory(published=True)

    _action(teacher_client, "duplicate", [original])

    copy = Question.objects.exclude(pk=original.pk).get()
    assert copy.status == "draft"
    assert copy.choices.count() == original.choices.count()


def test_preview_shows_no_key_to_the_student_frame_and_the_key_to_the_teacher(teacher_client):
    question = QuestionFactory(explanation="SENTINEL-EXPLANATION", parts=False)
    Choice.objects.create(question=question, text="Right", fraction=1, feedback="SENTINEL-FB-1")
    Choice.objects.create(question=question, text="Wrong", fraction=0, feedback="SENTINEL-FB-2")

    frame = teacher_client.get(
        reverse("admin:quizzes_question_student_preview", args=[question.pk])
    )
    page = teacher_client.get(reverse("admin:quizzes_question_preview", args=[question.pk]))

    assert "Right" in frame.text and "Wrong" in frame.text
    for secret in ("SENTINEL", "fraction", "1.0000000"):
        assert secret not in frame.text
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    for secret in ("SENTINEL-EXPLANATION", "SENTINEL-FB-1", "SENTINEL-FB-2"):
        assert secret in page.text


def test_teachers_cannot_delete_questions_but_can_retire_them(teacher_client):
    question = QuestionFactory()

    response = teacher_client.post(
        reverse("admin:quizzes_question_delete", args=[question.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_bank_list_counts_questions(teacher_client):
    bank = BankFactory(name="Counted")
    QuestionFactory(bank=bank, published=True)
    QuestionFactory(bank=bank)

    response = teacher_client.get(reverse("admin:quizzes_bank_changelist"))

    assert response.status_code == 200
    assert Bank.objects.get().name == "Counted"


def test_an_image_over_the_size_limit_is_refused_and_nothing_saved(teacher_client, settings):
    settings.QUIZZES_MAX_IMAGE_BYTES = 20
    bank = BankFactory()
    prefix, rows = VALID_ROWS["short"]
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
        b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    data = question_post(bank, prefix=prefix, rows=rows, image_alt="A map of Central Asia")
    data["image"] = SimpleUploadedFile("map.gif", gif, content_type="image/gif")

    response = teacher_client.post(f"{ADD_URL}?type=short", data)

    assert "the limit is 20" in response.text
    assert not Question.objects.exists()
    assert not (settings.MEDIA_ROOT / "questions").exists()
