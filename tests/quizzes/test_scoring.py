"""Teachers' changes to scores (quizzes.scoring): overrides, and regrades after a key fix.

What must hold: every change is logged (who, when, from → to, why); the attempt's score, and so
the student's grade, follows at once; a dry run writes nothing; applying is all or nothing,
under one batch, refused when stale, and leaves what the student saw as it was.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from quizzes import scoring
from quizzes.models import (
    AcceptedAnswer,
    Attempt,
    AttemptQuestion,
    Choice,
    MatchPair,
    NumericAnswer,
    OrderItem,
    QuestionType,
    Response,
    ScoreChange,
    ScoreChangeKind,
)
from quizzes.services import attempt_finish
from tests.factories import SchoolClassFactory, StudentFactory, TeacherFactory, UserFactory
from tests.quizzes.scoring_data import (
    LATER,
    NOW,
    assignment_for,
    choose,
    choose_all,
    grade_of,
    match,
    number,
    order,
    quiz_with,
    response_to,
    taken,
    typed,
)

pytestmark = pytest.mark.django_db

SINGLE = QuestionType.SINGLE


@pytest.fixture
def school_class(teacher):
    return SchoolClassFactory(teachers=[teacher])


@pytest.fixture
def quiz_and_questions():
    return quiz_with(SINGLE, QuestionType.SHORT, points=2)


@pytest.fixture
def assignment(quiz_and_questions, school_class):
    return assignment_for(quiz_and_questions[0], school_class)


@pytest.fixture
def questions(quiz_and_questions):
    return quiz_and_questions[1]


def state_of_everything() -> dict:
    """Every score, key, snapshot and log row: what a dry run must leave exactly as it was."""
    return {
        "responses": list(
            Response.objects.order_by("pk").values_list(
                "pk", "fraction", "override_fraction", "override_comment"
            )
        ),
        "snapshots": list(AttemptQuestion.objects.order_by("pk").values_list("pk", "snapshot")),
        "attempts": list(Attempt.objects.order_by("pk").values_list("pk", "score", "max_score")),
        "changes": ScoreChange.objects.count(),
    }


# --- overrides -------------------------------------------------------------------------------


def test_an_override_is_logged_with_who_when_from_to_and_why(
    assignment, questions, student, teacher
):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    response = response_to(attempt, questions[SINGLE])

    change = scoring.response_override(
        response=response,
        fraction=Decimal("0.5"),
        comment="Almaty was the capital until 1997: half marks.",
        changed_by=teacher,
        now=LATER,
    )

    assert change is not None
    logged = ScoreChange.objects.get()
    assert logged.pk == change.pk
    assert logged.response == response
    assert logged.kind == ScoreChangeKind.OVERRIDE
    assert logged.changed_by == teacher
    assert logged.changed_at == LATER
    assert logged.from_fraction == Decimal(0)
    assert logged.to_fraction == Decimal("0.5")
    assert logged.reason == "Almaty was the capital until 1997: half marks."
    response.refresh_from_db()
    assert response.fraction == Decimal(0)  # the key's score is kept
    assert response.override_fraction == Decimal("0.5")
    assert response.score_fraction == Decimal("0.5")


def test_an_override_moves_the_attempt_score_and_the_students_grade(
    assignment, questions, student, teacher
):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    assert attempt.score == Decimal(0)
    assert grade_of(student, assignment) == Decimal(0)

    scoring.response_override(
        response=response_to(attempt, questions[SINGLE]),
        fraction=Decimal(1),
        comment="Accepted after discussion.",
        changed_by=teacher,
        now=LATER,
    )

    attempt.refresh_from_db()
    assert attempt.score == Decimal(2)  # the question is worth 2 of 4 points
    assert attempt.max_score == Decimal(4)
    assert grade_of(student, assignment) == Decimal(50)


def test_setting_the_same_override_again_logs_nothing(assignment, questions, student, teacher):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    response = response_to(attempt, questions[SINGLE])
    first = {"fraction": Decimal("0.5"), "comment": "Half.", "changed_by": teacher, "now": LATER}
    scoring.response_override(response=response, **first)

    again = scoring.response_override(response=response, **first)

    assert again is None
    assert ScoreChange.objects.count() == 1


def test_a_new_comment_on_the_same_score_is_saved_and_logged(
    assignment, questions, student, teacher
):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    response = response_to(attempt, questions[SINGLE])
    scoring.response_override(
        response=response, fraction=Decimal("0.5"), comment="Half.", changed_by=teacher, now=LATER
    )

    scoring.response_override(
        response=response,
        fraction=Decimal("0.5"),
        comment="Half: see the class notes.",
        changed_by=teacher,
        now=LATER,
    )

    response.refresh_from_db()
    assert response.override_comment == "Half: see the class notes."
    assert [c.reason for c in ScoreChange.objects.order_by("pk")] == [
        "Half.",
        "Half: see the class notes.",
    ]


@pytest.mark.parametrize(
    ("fraction", "comment", "code"),
    [
        (Decimal("1.01"), "Too much", "fraction_out_of_range"),
        (Decimal("-0.1"), "Negative", "fraction_out_of_range"),
        (Decimal("NaN"), "Not a number", "fraction_out_of_range"),
        ("abc", "Not a number", "fraction_out_of_range"),
        (Decimal("0.5"), "   ", "comment_required"),
    ],
)
def test_a_bad_override_is_refused_and_changes_nothing(
    assignment, questions, student, teacher, fraction, comment, code
):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    before = state_of_everything()

    with pytest.raises(ValidationError) as refused:
        scoring.response_override(
            response=response_to(attempt, questions[SINGLE]),
            fraction=fraction,
            comment=comment,
            changed_by=teacher,
            now=LATER,
        )

    assert refused.value.code == code
    assert state_of_everything() == before


def test_an_attempt_in_progress_cannot_be_overridden(assignment, questions, student, teacher):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")}, finish=False)

    with pytest.raises(ValidationError) as refused:
        scoring.response_override(
            response=response_to(attempt, questions[SINGLE]),
            fraction=Decimal(1),
            comment="Early",
            changed_by=teacher,
            now=LATER,
        )

    assert refused.value.code == "attempt_in_progress"
    assert not ScoreChange.objects.exists()
    assert response_to(attempt, questions[SINGLE]).override_fraction is None


def test_removing_an_override_restores_the_keys_score_and_is_logged(
    assignment, questions, student, teacher, other_teacher
):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    response = response_to(attempt, questions[SINGLE])
    scoring.response_override(
        response=response, fraction=Decimal(1), comment="Fine.", changed_by=teacher, now=NOW
    )

    change = scoring.response_override_remove(
        response=response, changed_by=other_teacher, now=LATER, reason="Not consistent."
    )

    assert change is not None
    assert (change.kind, change.from_fraction, change.to_fraction) == (
        ScoreChangeKind.OVERRIDE_REMOVED,
        Decimal(1),
        Decimal(0),
    )
    assert (change.changed_by, change.changed_at, change.reason) == (
        other_teacher,
        LATER,
        "Not consistent.",
    )
    response.refresh_from_db()
    assert (response.override_fraction, response.override_comment) == (None, "")
    attempt.refresh_from_db()
    assert attempt.score == Decimal(0)
    assert grade_of(student, assignment) == Decimal(0)


def test_removing_when_there_is_no_override_changes_nothing(
    assignment, questions, student, teacher
):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})

    change = scoring.response_override_remove(
        response=response_to(attempt, questions[SINGLE]), changed_by=teacher, now=LATER
    )

    assert change is None
    assert not ScoreChange.objects.exists()


def test_attempt_rescore_sums_the_scores_that_count(assignment, questions, student, teacher):
    attempt = taken(
        assignment, student, {questions[SINGLE]: choose("Astana"), questions["short"]: typed("x")}
    )
    Response.objects.filter(attempt_question__attempt=attempt, fraction=0).update(
        override_fraction=Decimal("0.25")
    )
    Attempt.objects.filter(pk=attempt.pk).update(score=Decimal(0))

    scoring.attempt_rescore(attempt=attempt)

    attempt.refresh_from_db()
    assert attempt.score == Decimal("2.5")  # 2 x 1 + 2 x 0.25


def test_attempt_rescore_refuses_an_attempt_in_progress(assignment, questions, student):
    attempt = taken(assignment, student, {}, finish=False)

    with pytest.raises(ValidationError):
        scoring.attempt_rescore(attempt=attempt)


# --- regrade: dry run and apply --------------------------------------------------------------


def fix_single_key(question, *, right: str = "Almaty") -> None:
    """The teacher's fix: `right` is the correct choice, every other one is worth 0."""
    Choice.objects.filter(question=question).update(fraction=0)
    Choice.objects.filter(question=question, text=right).update(fraction=1)


@pytest.fixture
def class_of_three(assignment, questions):
    """Three students: one chose the old key, one the corrected key, one left it blank."""
    old_key, new_key, blank = (StudentFactory() for _ in range(3))
    single = questions[SINGLE]
    return {
        "old_key": taken(assignment, old_key, {single: choose("Astana")}),
        "new_key": taken(assignment, new_key, {single: choose("Almaty")}),
        "blank": taken(assignment, blank, {}),
    }


def test_a_dry_run_writes_nothing(assignment, questions, class_of_three):
    fix_single_key(questions[SINGLE])
    before = state_of_everything()

    plan = scoring.regrade_plan(assignment=assignment)

    assert not plan.is_empty
    assert state_of_everything() == before


def test_a_dry_run_lists_exactly_the_changed_attempts_old_to_new(
    assignment, questions, class_of_three
):
    fix_single_key(questions[SINGLE])

    plan = scoring.regrade_plan(assignment=assignment)

    changed = {a.attempt_id: (a.score_before, a.score_after) for a in plan.score_changes}
    assert changed == {
        class_of_three["old_key"].pk: (Decimal(2), Decimal(0)),
        class_of_three["new_key"].pk: (Decimal(0), Decimal(2)),
    }
    # The blank attempt keeps its score (0), but its review will show the corrected key.
    assert plan.key_only_count == 1
    assert plan.checked == 3
    by_attempt = {a.attempt_id: a for a in plan.attempts}
    (response,) = by_attempt[class_of_three["old_key"].pk].responses
    assert (response.fraction_before, response.fraction_after) == (Decimal(1), Decimal(0))
    assert by_attempt[class_of_three["new_key"].pk].difference == Decimal(2)


def test_applying_changes_scores_grades_and_logs_one_batch(
    assignment, questions, class_of_three, teacher
):
    fix_single_key(questions[SINGLE])
    plan = scoring.regrade_plan(assignment=assignment)

    batch = scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )

    scores = {key: Attempt.objects.get(pk=a.pk).score for key, a in class_of_three.items()}
    assert scores == {"old_key": Decimal(0), "new_key": Decimal(2), "blank": Decimal(0)}
    assert grade_of(class_of_three["new_key"].student, assignment) == Decimal(50)
    changes = list(ScoreChange.objects.all())
    assert len(changes) == 3  # two scores changed, one key corrected
    assert {c.batch for c in changes} == {batch}
    assert {c.kind for c in changes} == {ScoreChangeKind.REGRADE}
    assert {c.changed_by for c in changes} == {teacher}
    assert {c.changed_at for c in changes} == {LATER}
    moves = sorted((c.from_fraction, c.to_fraction) for c in changes)
    assert moves == [(0, 0), (0, 1), (1, 0)]
    # The key the attempts had is kept in the log.
    assert all(
        [Decimal(c["fraction"]) for c in change.key_before["choices"]] == [1, 0, 0]
        for change in changes
    )


def test_a_regrade_is_idempotent(assignment, questions, class_of_three, teacher):
    fix_single_key(questions[SINGLE])
    plan = scoring.regrade_plan(assignment=assignment)
    scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )

    second = scoring.regrade_plan(assignment=assignment)

    assert second.is_empty
    with pytest.raises(ValidationError) as refused:
        scoring.regrade_apply(
            assignment=assignment, fingerprint=second.fingerprint, changed_by=teacher, now=LATER
        )
    assert refused.value.code == "regrade_empty"
    assert ScoreChange.objects.count() == 3


def test_applying_is_all_or_nothing(assignment, questions, class_of_three, teacher, monkeypatch):
    fix_single_key(questions[SINGLE])
    plan = scoring.regrade_plan(assignment=assignment)
    before = state_of_everything()

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away midway")

    # Responses, snapshots and the log are written by then; the attempts' scores are not.
    monkeypatch.setattr(scoring, "_attempts_rescore", fail)
    with pytest.raises(RuntimeError):
        scoring.regrade_apply(
            assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
        )

    assert state_of_everything() == before


def test_a_stale_dry_run_is_refused(assignment, questions, class_of_three, teacher):
    fix_single_key(questions[SINGLE])
    plan = scoring.regrade_plan(assignment=assignment)
    # Meanwhile another teacher gives the blank attempt's student the marks by hand.
    scoring.response_override(
        response=response_to(class_of_three["blank"], questions[SINGLE]),
        fraction=Decimal(1),
        comment="Answered on paper.",
        changed_by=teacher,
        now=NOW,
    )
    before = state_of_everything()

    with pytest.raises(ValidationError) as refused:
        scoring.regrade_apply(
            assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
        )

    assert refused.value.code == "regrade_stale"
    assert state_of_everything() == before


def test_a_key_changed_again_after_the_dry_run_makes_it_stale(
    assignment, questions, class_of_three, teacher
):
    fix_single_key(questions[SINGLE])
    plan = scoring.regrade_plan(assignment=assignment)
    fix_single_key(questions[SINGLE], right="Bishkek")

    with pytest.raises(ValidationError) as refused:
        scoring.regrade_apply(
            assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
        )

    assert refused.value.code == "regrade_stale"
    assert not ScoreChange.objects.exists()


def test_an_attempt_finished_after_the_dry_run_makes_it_stale(
    assignment, questions, class_of_three, teacher
):
    late = taken(assignment, StudentFactory(), {questions[SINGLE]: choose("Astana")}, finish=False)
    fix_single_key(questions[SINGLE])
    plan = scoring.regrade_plan(assignment=assignment)
    assert plan.in_progress == 1
    attempt_finish(attempt=late, now=NOW + datetime.timedelta(minutes=9))

    with pytest.raises(ValidationError) as refused:
        scoring.regrade_apply(
            assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
        )

    assert refused.value.code == "regrade_stale"


def test_an_attempt_in_progress_keeps_its_key_and_is_counted(
    assignment, questions, student, teacher
):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")}, finish=False)
    fix_single_key(questions[SINGLE])

    plan = scoring.regrade_plan(assignment=assignment)

    assert plan.is_empty
    assert plan.in_progress == 1
    frozen = attempt.attempt_questions.get(question=questions[SINGLE]).snapshot
    assert Decimal(next(c for c in frozen["choices"] if c["text"] == "Astana")["fraction"]) == 1


def test_a_teachers_override_survives_a_regrade(assignment, questions, student, teacher):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    response = response_to(attempt, questions[SINGLE])
    scoring.response_override(
        response=response, fraction=Decimal("0.5"), comment="Half.", changed_by=teacher, now=NOW
    )
    fix_single_key(questions[SINGLE])

    plan = scoring.regrade_plan(assignment=assignment)
    (shown,) = plan.responses
    assert shown.is_overridden and shown.override_fraction == Decimal("0.5")
    assert plan.attempts[0].score_after == plan.attempts[0].score_before == Decimal(1)
    scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )

    response.refresh_from_db()
    assert response.fraction == Decimal(1)  # the key's score follows the corrected key
    assert response.override_fraction == Decimal("0.5")  # the teacher's score still counts
    assert response.override_comment == "Half."
    attempt.refresh_from_db()
    assert attempt.score == Decimal(1)


def test_the_content_the_student_saw_is_unchanged(assignment, questions, student, teacher):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    aq = attempt.attempt_questions.get(question=questions[SINGLE])
    frozen = dict(aq.snapshot)
    question = questions[SINGLE]
    question.prompt = "A reworded prompt"
    question.save()
    Choice.objects.filter(question=question, text="Almaty").update(text="Almaty (old capital)")
    fix_single_key(question, right="Almaty (old capital)")
    Choice.objects.create(question=question, text="Tashkent", fraction=0, position=9)

    plan = scoring.regrade_plan(assignment=assignment)
    scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )

    aq.refresh_from_db()
    assert aq.snapshot["prompt"] == frozen["prompt"]
    assert [c["text"] for c in aq.snapshot["choices"]] == [c["text"] for c in frozen["choices"]]
    assert [c["id"] for c in aq.snapshot["choices"]] == [c["id"] for c in frozen["choices"]]
    assert aq.display_order == attempt.attempt_questions.get(pk=aq.pk).display_order
    fractions = {c["text"]: Decimal(c["fraction"]) for c in aq.snapshot["choices"]}
    assert fractions == {"Astana": 0, "Almaty": 1, "Bishkek": 0}
    assert response_to(attempt, question).fraction == Decimal(1)


def test_a_choice_deleted_since_is_worth_nothing(assignment, questions, student, teacher):
    attempt = taken(assignment, student, {questions[SINGLE]: choose("Astana")})
    Choice.objects.filter(question=questions[SINGLE], text="Astana").delete()
    Choice.objects.filter(question=questions[SINGLE], text="Almaty").update(fraction=1)

    plan = scoring.regrade_plan(assignment=assignment)

    (change,) = plan.responses
    assert (change.fraction_before, change.fraction_after) == (Decimal(1), Decimal(0))
    assert plan.attempts[0].attempt_id == attempt.pk


def test_a_question_whose_type_changed_is_left_out_and_named(
    assignment, questions, student, teacher
):
    taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    questions[SINGLE].type = QuestionType.MULTIPLE
    questions[SINGLE].save()

    plan = scoring.regrade_plan(assignment=assignment)

    assert plan.is_empty
    assert plan.type_changed == (questions[SINGLE].title,)


# --- each question type ----------------------------------------------------------------------


def _fix_multiple(question):
    Choice.objects.filter(question=question, text="Azerbaijan").update(fraction=0)


def _fix_short(question):
    AcceptedAnswer.objects.create(question=question, text="Nur-Sultan", fraction=1, position=2)


def _fix_numeric(question):
    NumericAnswer.objects.filter(question=question).update(tolerance=1)


def _fix_ordering(question):
    for position, text in enumerate(["Bahrain", "UAE", "Sudan"]):
        OrderItem.objects.filter(question=question, text=text).update(position=position)


def _fix_matching(question):
    # The answers of the two rows were swapped by mistake; the teacher swaps them back.
    MatchPair.objects.filter(question=question, prompt="UAE").update(answer="Terror list")
    MatchPair.objects.filter(question=question, prompt="Sudan").update(answer="Annexation")


TYPE_CASES = [
    pytest.param(QuestionType.SINGLE, choose("Almaty"), fix_single_key, 0, 1, id="single"),
    pytest.param(
        QuestionType.MULTIPLE,
        choose_all("Kazakhstan", "Azerbaijan"),
        _fix_multiple,
        0,
        Decimal("0.5"),
        id="multiple-fraction",
    ),
    pytest.param(QuestionType.SHORT, typed("nur-sultan"), _fix_short, 0, 1, id="short-text"),
    pytest.param(QuestionType.NUMERIC, number("1991"), _fix_numeric, 0, 1, id="numeric-tolerance"),
    pytest.param(
        QuestionType.ORDERING,
        order("Bahrain", "UAE", "Sudan"),
        _fix_ordering,
        Decimal("0.3333333"),
        1,
        id="ordering",
    ),
    pytest.param(
        QuestionType.MATCHING,
        match({"UAE": "Terror list", "Sudan": "Annexation"}),
        _fix_matching,
        0,
        1,
        id="matching-pair",
    ),
]


@pytest.mark.parametrize(("qtype", "answer", "fix", "before", "after"), TYPE_CASES)
def test_a_fixed_key_regrades_each_question_type(
    qtype, answer, fix, before, after, school_class, teacher
):
    quiz, questions = quiz_with(qtype)
    assignment = assignment_for(quiz, school_class)
    attempt = taken(assignment, StudentFactory(), {questions[qtype]: answer})
    aq = attempt.attempt_questions.get()
    seen = {k: v for k, v in aq.snapshot.items() if k not in ("choices", "answers", "numeric")}
    assert response_to(attempt, questions[qtype]).fraction == Decimal(before)
    fix(questions[qtype])

    plan = scoring.regrade_plan(assignment=assignment)
    scoring.regrade_apply(
        assignment=assignment, fingerprint=plan.fingerprint, changed_by=teacher, now=LATER
    )

    assert [(r.fraction_before, r.fraction_after) for r in plan.responses] == [
        (Decimal(before), Decimal(after))
    ]
    assert response_to(attempt, questions[qtype]).fraction == Decimal(after)
    attempt.refresh_from_db()
    assert attempt.score == Decimal(after)
    aq.refresh_from_db()
    # What the student saw: prompt, items and pairs as shown, the options they picked among.
    for name, value in seen.items():
        if name == "options":
            continue
        if name == "pairs":
            assert [(p["prompt"], p["answer"]) for p in aq.snapshot[name]] == [
                (p["prompt"], p["answer"]) for p in value
            ]
        elif name == "items":
            assert sorted(i["text"] for i in aq.snapshot[name]) == sorted(i["text"] for i in value)
        else:
            assert aq.snapshot[name] == value, name
    assert scoring.regrade_plan(assignment=assignment).is_empty


# --- a question across classes ---------------------------------------------------------------


def test_a_question_regrade_reaches_only_the_teachers_own_classes(
    quiz_and_questions, school_class, teacher, other_teacher
):
    quiz, questions = quiz_and_questions
    mine = taken(
        assignment_for(quiz, school_class), StudentFactory(), {questions[SINGLE]: choose("Almaty")}
    )
    theirs = taken(
        assignment_for(quiz, SchoolClassFactory(teachers=[other_teacher])),
        StudentFactory(),
        {questions[SINGLE]: choose("Almaty")},
    )
    fix_single_key(questions[SINGLE])

    plan = scoring.regrade_plan(question=questions[SINGLE], teacher=teacher)
    scoring.regrade_apply(
        question=questions[SINGLE],
        teacher=teacher,
        fingerprint=plan.fingerprint,
        changed_by=teacher,
        now=LATER,
    )

    assert [a.attempt_id for a in plan.attempts] == [mine.pk]
    assert plan.left_out == 1
    assert response_to(mine, questions[SINGLE]).fraction == 1
    assert response_to(theirs, questions[SINGLE]).fraction == 0
    theirs.refresh_from_db()
    assert theirs.score == 0


def test_a_question_regrade_changes_only_that_question(quiz_and_questions, school_class, teacher):
    quiz, questions = quiz_and_questions
    attempt = taken(
        assignment_for(quiz, school_class),
        StudentFactory(),
        {questions[SINGLE]: choose("Almaty"), questions["short"]: typed("Nur-Sultan")},
    )
    fix_single_key(questions[SINGLE])
    _fix_short(questions["short"])

    plan = scoring.regrade_plan(question=questions[SINGLE], teacher=teacher)

    assert [r.title for r in plan.responses] == [questions[SINGLE].title]
    assert plan.attempts[0].attempt_id == attempt.pk
    assert plan.attempts[0].score_after == Decimal(2)


def test_a_superuser_regrades_every_class(quiz_and_questions, school_class, other_teacher):
    quiz, questions = quiz_and_questions
    for owner in (school_class, SchoolClassFactory(teachers=[other_teacher])):
        taken(assignment_for(quiz, owner), StudentFactory(), {questions[SINGLE]: choose("Almaty")})
    fix_single_key(questions[SINGLE])
    admin = UserFactory(is_staff=True, is_superuser=True)

    plan = scoring.regrade_plan(question=questions[SINGLE], teacher=admin)

    assert len(plan.attempts) == 2
    assert plan.left_out == 0


def test_a_regrade_needs_a_scope():
    with pytest.raises(ValueError):
        scoring.regrade_plan(teacher=TeacherFactory())


def test_a_key_that_breaks_the_authoring_rules_is_not_applied(
    assignment, questions, student, teacher
):
    taken(assignment, student, {questions[SINGLE]: choose("Almaty")})
    # Half a fix: two fully correct choices in a single-choice question.
    Choice.objects.filter(question=questions[SINGLE], text="Almaty").update(fraction=1)

    plan = scoring.regrade_plan(assignment=assignment)

    assert plan.is_empty
    assert plan.invalid_key == (questions[SINGLE].title,)
