"""Random slots in quizzes: the admin accepts exactly the quizzes some draw can fill, and every
quiz it accepts starts, for every seed.

quizzes.drawing (pure) is tested in test_drawing.py; these tests go through the Django glue
(services.slot_demands, slots_problem, draw_questions) as the admin's slot inline, the quiz
preview and attempt_start use it: the issue's two examples first, then the issue's property
over random banks and slots, checked against a brute-force search.
"""

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from quizzes.admin.quizzes import SlotInline
from quizzes.models import Attempt, QuestionStatus, QuestionType, Quiz, Slot
from quizzes.services import attempt_finish, attempt_start, slots_problem
from tests.factories import (
    AssignmentFactory,
    BankFactory,
    EnrollmentFactory,
    QuestionFactory,
    QuizFactory,
    SchoolClassFactory,
    SlotFactory,
    TagFactory,
)
from tests.quizzes.test_admin_quizzes import quiz_form_data, slot_errors

pytestmark = pytest.mark.django_db
SEEDS = range(100)
SEEDS_PER_EXAMPLE = 3  # attempts started for each quiz the property test accepts


def post_slots(client, quiz: Quiz, slots: Sequence[dict]):
    """The quiz's change form, posted with these slot rows as new rows of the slot inline."""
    data = quiz_form_data(title=quiz.title, slug=quiz.slug, is_published=True, slots=slots)
    return client.post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]), data)


def random_slot(bank, tag, count: int) -> dict:
    return {"bank": bank, "count": count, **({"tag": tag} if tag is not None else {})}


def enrolled_assignment(quiz: Quiz, student):
    """An open assignment of `quiz`, unlimited attempts, in a class `student` is enrolled in."""
    school_class = SchoolClassFactory()
    EnrollmentFactory(school_class=school_class, student=student)
    return AssignmentFactory(quiz=quiz, school_class=school_class, attempts_allowed=0)


def drawn_by_slot(attempt: Attempt) -> dict[int, list[int]]:
    """Question ids of the attempt, by the slot that put them there."""
    drawn: dict[int, list[int]] = {}
    for aq in attempt.attempt_questions.order_by("position"):
        drawn.setdefault(aq.slot_id, []).append(aq.question_id)
    return drawn


@pytest.fixture
def tags():
    return {name: TagFactory(name=f"tag-{name}") for name in "abc"}


def bank_with(tags, **questions: str):
    """A bank of published questions, each with the tags its letters name."""
    bank = BankFactory(name="Abraham Accords")
    made = {
        name: QuestionFactory(
            bank=bank, published=True, title=name, tags=[tags[letter] for letter in letters]
        )
        for name, letters in questions.items()
    }
    return bank, made


# -- the examples -------------------------------------------------------------------


def test_overlapping_tags_are_accepted_by_the_admin_and_start_for_every_seed(
    teacher_client, student, tags
):
    # {q1: a+b, q2: a, q3: b}: "1 from a" and "2 from b" fit only as q2 / q1+q3.
    bank, q = bank_with(tags, q1="ab", q2="a", q3="b")
    quiz = QuizFactory(published=True)

    response = post_slots(
        teacher_client, quiz, [random_slot(bank, tags["a"], 1), random_slot(bank, tags["b"], 2)]
    )

    assert response.status_code == 302
    assignment = enrolled_assignment(quiz, student)
    from_a, from_b = assignment.slots.all()  # its own copies of the quiz's two slots
    for seed in SEEDS:
        now = timezone.now()
        attempt = attempt_start(
            student=student, assignment=assignment, now=now, rng=random.Random(seed)
        )
        drawn = drawn_by_slot(attempt)
        assert drawn[from_a.pk] == [q["q2"].pk], seed
        assert sorted(drawn[from_b.pk]) == sorted([q["q1"].pk, q["q3"].pk]), seed
        attempt_finish(attempt=attempt, now=now)
    assert Attempt.objects.filter(assignment=assignment).count() == len(SEEDS)


def test_oversubscribed_tags_are_refused_by_the_admin_naming_both_slots(teacher_client, tags):
    # {q1: a+b, q2: a, q3: c}: "2 from a" and "1 from b" need three questions of {q1, q2}.
    bank, _q = bank_with(tags, q1="ab", q2="a", q3="c")
    quiz = QuizFactory(published=True)

    response = post_slots(
        teacher_client, quiz, [random_slot(bank, tags["a"], 2), random_slot(bank, tags["b"], 1)]
    )

    assert slot_errors(response) == [
        "The random slots “2 × random from Abraham Accords #tag-a”, “1 × random from Abraham "
        "Accords #tag-b” cannot all be filled: together they ask for 3 questions, and only 2 "
        "different published questions fit them (not counting this quiz's fixed ones). Lower a "
        "count, or publish or tag more questions."
    ]
    assert not quiz.slots.exists()


@pytest.fixture
def oversubscribed_quiz(tags):
    """The second example, saved without the admin (as an old quiz or a direct edit might be)."""
    bank, _q = bank_with(tags, q1="ab", q2="a", q3="c")
    quiz = QuizFactory(published=True)
    SlotFactory(quiz=quiz, position=0, question=None, bank=bank, tag=tags["a"], count=2)
    SlotFactory(quiz=quiz, position=1, question=None, bank=bank, tag=tags["b"], count=1)
    return quiz


def test_an_oversubscribed_quiz_never_starts_and_stores_nothing(student, oversubscribed_quiz):
    assignment = enrolled_assignment(oversubscribed_quiz, student)

    for seed in SEEDS:
        with pytest.raises(ValidationError) as refused:
            attempt_start(
                student=student,
                assignment=assignment,
                now=timezone.now(),
                rng=random.Random(seed),
            )
        assert refused.value.code == "slot_pool_too_small"
    assert not Attempt.objects.exists()


def test_the_preview_of_an_oversubscribed_quiz_shows_the_problem(
    teacher_client, oversubscribed_quiz
):
    slots = list(oversubscribed_quiz.slots.select_related("question", "bank", "tag"))
    problem = slots_problem(slots)

    response = teacher_client.get(
        reverse("admin:quizzes_quiz_preview", args=[oversubscribed_quiz.pk])
    )

    assert response.status_code == 200
    assert problem is not None and "cannot all be filled" in problem
    assert response.context["problem"] == problem
    assert f'<p class="errornote">{escape(problem)}</p>' in response.text
    assert response.context["questions"] == []


# -- the property: admin acceptance is exactly "some draw exists" --------------------------

TAG_NAMES = ("a", "b", "c")
# Tags overlap: most questions carry two of them.
TAG_SETS = tuple(frozenset(tags) for tags in ("ab", "ac", "bc", "abc", "a", "b", "c", ""))
# Mostly published and scored, mostly in the first bank.
STATUSES = (QuestionStatus.PUBLISHED,) * 4 + (QuestionStatus.DRAFT, QuestionStatus.RETIRED)
SCORED = (True,) * 5 + (False,)
BANKS = (0, 0, 0, 1)  # the bank of each question
SLOT_TAGS = (None, *TAG_NAMES)


@dataclass(frozen=True)
class BankQuestion:
    bank: int  # 0 or 1
    tags: frozenset[str]
    status: str
    is_scored: bool


@dataclass(frozen=True)
class Scenario:
    questions: tuple[BankQuestion, ...]
    # Fixed questions (indexes), each published when the quiz is saved, then given this status:
    # a teacher may retire one, or set it back to draft, after the quiz was built.
    fixed: dict[int, str]
    randoms: tuple[tuple[int, str | None, int], ...]  # (bank, tag or None, count)
    seed: int


def pool(questions: Sequence[BankQuestion], fixed, bank: int, tag: str | None) -> frozenset[int]:
    """The indexes of the questions a random slot may draw, from the rules alone: published,
    scored, in its bank (with its tag), and not one of the quiz's fixed questions."""
    return frozenset(
        index
        for index, question in enumerate(questions)
        if index not in fixed
        and question.status == QuestionStatus.PUBLISHED
        and question.is_scored
        and question.bank == bank
        and (tag is None or tag in question.tags)
    )


def expected_pools(scenario: Scenario) -> list[frozenset[int]]:
    return [pool(scenario.questions, scenario.fixed, b, t) for b, t, _c in scenario.randoms]


@st.composite
def scenarios(draw) -> Scenario:
    """A bank, a quiz's fixed questions and random slots. A slot's count fits its own pool
    (or is 1 when its pool is empty), so whether the quiz can be filled turns mostly on how
    the slots overlap: the case a per-slot check gets wrong."""
    questions = draw(
        st.lists(
            st.builds(
                BankQuestion,
                bank=st.sampled_from(BANKS),
                tags=st.sampled_from(TAG_SETS),
                status=st.sampled_from(STATUSES),
                is_scored=st.sampled_from(SCORED),
            ),
            min_size=1,
            max_size=8,
        )
    )
    n_fixed = min(len(questions), draw(st.sampled_from((0, 1, 1, 2))))
    fixed_indexes = draw(
        st.sets(st.integers(0, len(questions) - 1), min_size=n_fixed, max_size=n_fixed)
    )
    later = (QuestionStatus.PUBLISHED, QuestionStatus.DRAFT, QuestionStatus.RETIRED)
    fixed = {index: draw(st.sampled_from(later)) for index in sorted(fixed_indexes)}
    places = [(bank, tag) for bank in (0, 1) for tag in SLOT_TAGS]
    # Mostly slots some question fits, now and then any slot at all (perhaps an empty one).
    fitting = [place for place in places if pool(questions, fixed, *place)] or places
    randoms = []
    for _ in range(draw(st.integers(1, 3))):
        bank, tag = draw(st.sampled_from(places if draw(st.integers(0, 5)) == 0 else fitting))
        size = len(pool(questions, fixed, bank, tag))
        randoms.append((bank, tag, draw(st.integers(1, max(1, min(size, 3))))))
    seed = draw(st.integers(0, 2**32 - 1))
    return Scenario(tuple(questions), fixed, tuple(randoms), seed)


def some_fill_exists(counts: Sequence[int], pools: Sequence[frozenset[int]]) -> bool:
    """Brute force: can each slot get its count of distinct questions, none used twice?"""

    def fill(slot: int, taken: frozenset[int]) -> bool:
        if slot == len(counts):
            return True
        free = sorted(pools[slot] - taken)
        return any(
            fill(slot + 1, taken | set(pick)) for pick in itertools.combinations(free, counts[slot])
        )

    return fill(0, frozenset())


def check_attempt(attempt: Attempt, *, slots: list[Slot], pools: dict[int, set[int]], fixed):
    """The attempt holds distinct questions: each random slot its count from its pool, and
    exactly the fixed questions still published."""
    drawn = list(attempt.attempt_questions.select_related("slot"))
    question_ids = [aq.question_id for aq in drawn]
    assert len(question_ids) == len(set(question_ids))
    for slot in slots:
        mine = [aq.question_id for aq in drawn if aq.slot_id == slot.pk]
        if slot.is_random:
            assert len(mine) == slot.count
            assert set(mine) <= pools[slot.pk]
        elif slot.question.status == QuestionStatus.PUBLISHED:
            assert mine == [slot.question_id]
        else:
            assert mine == []
    assert {aq.question_id for aq in drawn if not aq.slot.is_random} == fixed


def admin_slot_formset(teacher, quiz: Quiz, rows: Sequence[dict]):
    """The admin's slot inline formset for `quiz`, bound to these rows as the change form posts
    them: the admin's own validation and saving, without rendering the whole change page."""
    request = RequestFactory().post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    request.user = teacher
    formset_class = SlotInline(Quiz, admin.site).get_formset(request, quiz)
    data = quiz_form_data(slots=rows)
    return formset_class(data, instance=quiz, prefix=formset_class.get_default_prefix())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_the_admin_accepts_exactly_the_quizzes_a_draw_can_fill_and_they_start_for_every_seed(
    teacher, student, scenario
):
    # Each example builds its bank and quiz inside a transaction rolled back at its end, so
    # examples never see each other's rows (the personas stay).
    with transaction.atomic():
        banks = [BankFactory(name=f"Bank {n}") for n in range(2)]
        tags = {name: TagFactory(name=f"tag-{name}") for name in TAG_NAMES}
        questions = [
            QuestionFactory(
                bank=banks[q.bank],
                type=QuestionType.SINGLE if q.is_scored else QuestionType.DESCRIPTION,
                status=QuestionStatus.PUBLISHED if index in scenario.fixed else q.status,
                tags=[tags[name] for name in sorted(q.tags)],
                parts=False,  # the draw reads no key rows: fewer rows, faster examples
            )
            for index, q in enumerate(scenario.questions)
        ]
        pools = expected_pools(scenario)
        fillable = some_fill_exists([count for _b, _t, count in scenario.randoms], pools)
        event("some draw fills it" if fillable else "no draw fills it")
        rows = [{"question": questions[index]} for index in scenario.fixed] + [
            random_slot(banks[bank], tags.get(tag), count) for bank, tag, count in scenario.randoms
        ]
        quiz = QuizFactory(published=True)

        formset = admin_slot_formset(teacher, quiz, rows)
        accepted = formset.is_valid()

        assert accepted == fillable
        unsaved = [form.instance for form in formset.forms]
        problem = slots_problem(unsaved)
        assert (problem is None) == fillable
        if not accepted:
            assert problem in formset.non_form_errors()
            transaction.set_rollback(True)
            return
        formset.save()
        # Taken out of use after the quiz was built: left out of attempts, and the rest of the
        # quiz still fills (a fixed question leaves no pool smaller).
        if set(scenario.fixed.values()) != {QuestionStatus.PUBLISHED} and scenario.fixed:
            event("a fixed question was taken out of use after the quiz was built")
        for index, status in scenario.fixed.items():
            questions[index].status = status
            questions[index].save(update_fields=["status"])
        assert slots_problem(list(quiz.slots.select_related("question", "bank", "tag"))) is None
        # The assignment copies the quiz's slots: its copies are what attempts draw from.
        assignment = enrolled_assignment(quiz, student)
        slots = list(assignment.slots.select_related("question", "bank", "tag"))
        pool_ids = {
            slot.pk: {questions[index].pk for index in pool}
            for slot, pool in zip([s for s in slots if s.is_random], pools, strict=True)
        }
        still_fixed = {
            questions[index].pk
            for index, status in scenario.fixed.items()
            if status == QuestionStatus.PUBLISHED
        }
        counted = Quiz.objects.prefetch_related(
            Prefetch("slots", queryset=Slot.objects.select_related("question"))
        ).get(pk=quiz.pk)
        for offset in range(SEEDS_PER_EXAMPLE):
            now = timezone.now()
            attempt = attempt_start(
                student=student,
                assignment=assignment,
                now=now,
                rng=random.Random(scenario.seed + offset),
            )
            check_attempt(attempt, slots=slots, pools=pool_ids, fixed=still_fixed)
            scored = attempt.attempt_questions.exclude(snapshot__type=QuestionType.DESCRIPTION)
            assert scored.count() == counted.question_count()
            attempt_finish(attempt=attempt, now=now)
        transaction.set_rollback(True)
