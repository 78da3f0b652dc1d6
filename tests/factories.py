"""factory_boy factories for every model. Questions get a valid key for their type by default."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from quizzes.models import (
    AcceptedAnswer,
    Assignment,
    AssignmentOverride,
    Bank,
    Choice,
    Enrollment,
    MatchPair,
    NumericAnswer,
    OrderItem,
    Question,
    QuestionStatus,
    QuestionType,
    Quiz,
    SchoolClass,
    Slot,
    Tag,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:03d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw")


class StudentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"student{n:03d}")


class TeacherFactory(UserFactory):
    username = factory.Sequence(lambda n: f"teacher{n:03d}")
    is_staff = True

    @factory.post_generation
    def in_teachers_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Teachers"))


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bank
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Bank {n}")
    slug = factory.Sequence(lambda n: f"bank-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"tag-{n}")


def _default_parts(question: Question) -> None:
    """Give a question a valid key for its type (tests override by passing parts=False)."""
    t = question.type
    if t == QuestionType.SINGLE:
        for i, (text, fraction) in enumerate([("Astana", 1), ("Almaty", 0), ("Bishkek", 0)]):
            Choice.objects.create(
                question=question, text=text, fraction=fraction, feedback=f"fb {text}", position=i
            )
    elif t == QuestionType.MULTIPLE:
        rows = [("Kazakhstan", "0.5"), ("Uzbekistan", "0.5"), ("Azerbaijan", "-0.5")]
        for i, (text, fraction) in enumerate(rows):
            Choice.objects.create(
                question=question, text=text, fraction=Decimal(fraction), position=i
            )
    elif t == QuestionType.TRUE_FALSE:
        Choice.objects.create(question=question, text="True", fraction=1, position=0)
        Choice.objects.create(question=question, text="False", fraction=0, position=1)
    elif t == QuestionType.SHORT:
        AcceptedAnswer.objects.create(question=question, text="Astana", fraction=1)
    elif t == QuestionType.NUMERIC:
        NumericAnswer.objects.create(question=question, value=1992, tolerance=0, fraction=1)
    elif t == QuestionType.MATCHING:
        for i, (prompt, answer) in enumerate([("UAE", "Annexation"), ("Sudan", "Terror list")]):
            MatchPair.objects.create(question=question, prompt=prompt, answer=answer, position=i)
    elif t == QuestionType.ORDERING:
        for i, text in enumerate(["UAE", "Bahrain", "Sudan"]):
            OrderItem.objects.create(question=question, text=text, position=i)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    bank = factory.SubFactory(BankFactory)
    type = QuestionType.SINGLE
    title = factory.Sequence(lambda n: f"Question {n}")
    prompt = factory.Sequence(lambda n: f"What is the answer to question {n}?")
    explanation = "Because the fact sheet says so."
    source_outlet = "Anadolu Agency"
    source_url = "https://www.aa.com.tr/en/"
    facts_as_of = datetime.date(2025, 11, 7)
    status = QuestionStatus.DRAFT

    class Params:
        published = factory.Trait(status=QuestionStatus.PUBLISHED)

    @factory.post_generation
    def parts(self, create, extracted, **kwargs):
        if create and extracted is not False:
            _default_parts(self)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    time_limit_minutes = 20
    attempts_allowed = 2

    class Params:
        published = factory.Trait(is_published=True)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    quiz = factory.SubFactory(QuizFactory)
    position = factory.Sequence(int)
    question = factory.SubFactory(QuestionFactory, published=True)


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Class {n}")

    @factory.post_generation
    def teachers(self, create, extracted, **kwargs):
        if create and extracted:
            self.teachers.set(extracted)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    school_class = factory.SubFactory(SchoolClassFactory)
    student = factory.SubFactory(StudentFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """Open now by default; traits `closed` and `upcoming`.

    Exam settings start as the quiz's defaults (as Assignment.of_quiz does); pass any of them
    to give this assignment its own.
    """

    class Meta:
        model = Assignment

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved as the app saves a new assignment: the quiz's settings and slots copied."""
        from quizzes.assigning import assignment_save

        quiz = kwargs["quiz"]
        assignment = model_class(*args, **{**quiz.exam_settings(), **kwargs})
        assignment_save(assignment=assignment, changed_by=None, now=timezone.now())
        return assignment

    quiz = factory.SubFactory(QuizFactory, published=True)
    school_class = factory.SubFactory(SchoolClassFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))

    class Params:
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=14)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7)),
        )
        upcoming = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2)),
            closes_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=9)),
        )


class AssignmentOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentOverride

    assignment = factory.SubFactory(AssignmentFactory)
    student = factory.SubFactory(StudentFactory)
    time_limit_minutes = 60
