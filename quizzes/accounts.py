"""Accounts the school creates: teachers (staff in the Teachers group, never superusers), and
students from a class list, each with a one-time password they must change at first login."""

import datetime
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.models import Group, User, UserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from .models import AccountState, Enrollment, SchoolClass
from .roster import MAX_FILE_BYTES, RosterProblem, RosterRow, parse_roster, size_problem
from .usernames import username_problem, username_skeleton

logger = logging.getLogger(__name__)

TEACHERS_GROUP = "Teachers"

# No 0/O/o, 1/l/I: the password is read from paper and typed on a phone.
ONE_TIME_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
ONE_TIME_PASSWORD_LENGTH = 10  # 56 ** 10: about 58 bits
# Key stretching protects passwords people choose; a one-time password is 58 random bits, so a
# million PBKDF2 rounds (a third of a second each here; three minutes for a class list of 500)
# add nothing an attacker would notice. At 20,000 rounds, guessing one still takes millennia
# of GPU time; it is rehashed with the site's full settings at the student's first login, and
# replaced by their own password right after.
ONE_TIME_PASSWORD_ITERATIONS = 20_000


@sensitive_variables("password")
def teacher_create(
    *, username: str, password: str, email: str = "", first_name: str = "", last_name: str = ""
) -> User:
    """A staff account in the Teachers group (never a superuser).

    The username follows username_check and the password the site's password validators
    (AUTH_PASSWORD_VALIDATORS, compared with this username, name and email): a ValidationError
    lists every problem, and nothing is created.
    """
    user_model = get_user_model()
    user = user_model(
        username=username,
        email=UserManager.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
    )
    errors: list[ValidationError] = []
    try:
        username_check(username)
    except ValidationError as error:
        errors.append(error)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors.append(error)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            user.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    except IntegrityError:  # the same username, created since username_check
        raise ValidationError(
            _("A user named %(username)s already exists."),
            code="username_taken",
            params={"username": username},
        ) from None
    return user


def username_check(username: str) -> None:
    """Refuse a username a new account may not take (one rule for sign-up, the class list and
    create_teacher; quizzes.usernames says why): outside the alphabet, already taken, or
    reading the same as an existing account's username. The message names no other account."""
    problem = username_problem(username)
    if problem is not None:
        raise ValidationError(
            _(problem.message), code="username_alphabet", params=dict(problem.params)
        )
    existing = usernames_confusable_with_existing([username]).get(username)
    if existing is None:
        return
    if existing.username.lower() == username.lower():
        raise ValidationError(
            _("A user named %(username)s already exists."),
            code="username_taken",
            params={"username": username},
        )
    raise ValidationError(
        _(
            "“%(username)s” reads the same as a username that is already taken (letters of "
            "another alphabet, 0 and o, 1 and l look alike). Choose one that cannot be "
            "mistaken for it."
        ),
        code="username_confusable",
        params={"username": username},
    )


@dataclass(frozen=True)
class ExistingAccount:
    pk: int
    username: str


def usernames_confusable_with_existing(usernames: Iterable[str]) -> dict[str, ExistingAccount]:
    """For each of `usernames` whose skeleton (quizzes.usernames) an account's username has,
    that account (the same username, in any case, is one such).

    One query reading every username, their skeletons computed here: a school has thousands of
    accounts, not millions, and a skeleton costs microseconds. A confusable pair created by two
    requests at the same moment is not caught (no database constraint can hold a skeleton of
    the auth user's username); an identical username still is, by its unique index.
    """
    wanted = {username_skeleton(username): username for username in usernames}
    found: dict[str, ExistingAccount] = {}
    accounts = User.objects.order_by("pk").values_list("pk", "username")
    for pk, existing in accounts.iterator(chunk_size=5000):
        username = wanted.get(username_skeleton(existing))
        if username is not None and username not in found:
            found[username] = ExistingAccount(pk, existing)
    return found


class AccountStateBackend(ModelBackend):
    """Django's model backend, loading each request's user with their AccountState in the same
    query: the forced password change (quizzes.middleware) then costs no query on any page."""

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("account_state").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: Any) -> User | None:
        user = (
            await User._default_manager.select_related("account_state").filter(pk=user_id).afirst()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


def must_change_password(user: Any) -> bool:
    """Whether a logged-in account still has a one-time password to replace."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        return bool(user.account_state.must_change_password)
    except AccountState.DoesNotExist:
        return False


def account_password_chosen(*, user: User) -> None:
    """The account's owner has chosen their password: no one-time password is left to change."""
    AccountState.objects.filter(user=user, must_change_password=True).update(
        must_change_password=False
    )
    # The request's user (loaded with its state) must not keep sending them to the form.
    cached = getattr(getattr(user, "_state", None), "fields_cache", {}).get("account_state")
    if cached is not None:
        cached.must_change_password = False


def one_time_password() -> str:
    return "".join(
        secrets.choice(ONE_TIME_PASSWORD_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH)
    )


@sensitive_variables("password")
def one_time_password_hash(password: str) -> str:
    """The stored form of a one-time password (see ONE_TIME_PASSWORD_ITERATIONS)."""
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(
            password, hasher.salt(), iterations=min(hasher.iterations, ONE_TIME_PASSWORD_ITERATIONS)
        )
    return make_password(password)


@dataclass(frozen=True)
class NewStudent:
    """An account created from a class list. The password exists only here, in memory, for the
    login slips of the response that created it: it is stored hashed and never logged."""

    line: int
    full_name: str
    username: str
    email: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class RosterResult:
    """The accounts created, or the problems that stopped them (then nothing was created)."""

    students: tuple[NewStudent, ...] = ()
    problems: tuple[str, ...] = ()  # translated, each naming its line
    encoding: str = ""


@sensitive_variables("passwords", "users", "students")
def roster_import(
    *, school_class: SchoolClass, upload: File, created_by: User, now: datetime.datetime
) -> RosterResult:
    """Create and enrol a student account for each row of a class list (quizzes.roster), or none.

    Any problem in the file, or a username that an account already has (compared without
    case), refuses the whole file with every problem located by its line. Otherwise each
    student gets an active, non-staff account with a one-time password, flagged so they must
    change it at first login (AccountState), and is enrolled in `school_class`, all in one
    transaction. The passwords are hashed before it starts, so the database is held only for
    the inserts, a fixed number of queries whatever the number of rows.
    """
    too_big = size_problem(upload.size or 0)
    if too_big is not None:
        return _refused([too_big], encoding="")
    parsed = parse_roster(upload.read(MAX_FILE_BYTES + 1))
    problems = [*parsed.problems, *_validator_problems(parsed.rows)]
    if problems:
        return _refused(problems, encoding=parsed.encoding)
    taken = _taken_problems(parsed.rows, school_class=school_class)
    if taken:
        return RosterResult(problems=tuple(taken), encoding=parsed.encoding)
    rows = parsed.rows
    passwords = _one_time_passwords(rows)
    users = [
        User(
            username=User.normalize_username(row.username),
            first_name=row.full_name,
            email=UserManager.normalize_email(row.email),
            password=one_time_password_hash(password),
            date_joined=now,
        )
        for row, password in zip(rows, passwords, strict=True)
    ]
    try:
        with transaction.atomic():
            User.objects.bulk_create(users)
            AccountState.objects.bulk_create(
                AccountState(user=user, must_change_password=True) for user in users
            )
            Enrollment.objects.bulk_create(
                Enrollment(school_class=school_class, student=user) for user in users
            )
    except IntegrityError:
        # Checked just before; another request created one of these usernames in between.
        return RosterResult(
            problems=(
                _(
                    "Another account took one of these usernames a moment ago, so nothing was "
                    "created. Upload the file again to see which."
                ),
            ),
            encoding=parsed.encoding,
        )
    # Ids, never usernames or emails: logs are kept and shipped where student data may not go.
    logger.info(
        "user %s created %d student accounts in class %s",
        created_by.pk,
        len(users),
        school_class.pk,
    )
    students = tuple(
        NewStudent(row.line, row.full_name, user.username, user.email, password)
        for row, user, password in zip(rows, users, passwords, strict=True)
    )
    return RosterResult(students=students, encoding=parsed.encoding)


def _one_time_passwords(rows: tuple[RosterRow, ...]) -> list[str]:
    """A different password per row, each passing the site's password validators."""
    passwords: list[str] = []
    for row in rows:
        user = User(username=row.username, first_name=row.full_name, email=row.email)
        while True:
            password = one_time_password()
            try:
                validate_password(password, user)
            except ValidationError:
                continue
            if password not in passwords:
                break
        passwords.append(password)
    return passwords


def _validator_problems(rows: tuple[RosterRow, ...]) -> list[RosterProblem]:
    """Django's own rules for a username and an email, after the parser's stricter ones."""
    username_field = User._meta.get_field("username")
    problems = []
    for row in rows:
        try:
            username_field.run_validators(row.username)
            if row.email:
                validate_email(row.email)
        except ValidationError as error:
            problems += [RosterProblem(row.line, message) for message in error.messages]
    return problems


def _refused(problems: list[RosterProblem], *, encoding: str) -> RosterResult:
    problems.sort(key=lambda problem: problem.line or 0)
    return RosterResult(problems=tuple(map(problem_text, problems)), encoding=encoding)


def problem_text(problem: RosterProblem) -> str:
    """A parser's problem in the reader's language, with its line."""
    text = _(problem.message) % problem.params if problem.params else _(problem.message)
    if problem.hint:
        text = f"{text} {_(problem.hint)}"
    if problem.line is None:
        return text
    return _("Line %(line)s: %(problem)s") % {"line": problem.line, "problem": text}


def _taken_problems(rows: tuple[RosterRow, ...], *, school_class: SchoolClass) -> list[str]:
    """The rows whose username an account already has, whatever its case, or one that reads
    the same (usernames_confusable_with_existing); the other account is not named, since a
    teacher sees only her own students."""
    line_of = {row.username: row.line for row in rows}
    taken = usernames_confusable_with_existing(line_of)
    if not taken:
        return []
    if len(taken) == len(rows) and Enrollment.objects.filter(
        school_class=school_class, student_id__in=[account.pk for account in taken.values()]
    ).count() == len(rows):
        return [
            _(
                "Every student in this file already has an account in this class: was the page "
                "of login slips reloaded? Nothing was created. Passwords are shown only once."
            )
        ]
    problems = []
    for username in sorted(taken, key=line_of.__getitem__):
        existing = taken[username].username
        if existing.lower() == username:
            problem = _(
                "Line %(line)s: the username “%(username)s” belongs to an existing account. "
                "Choose another (a student who already has an account joins with the class code)."
            )
        else:
            problem = _(
                "Line %(line)s: the username “%(username)s” reads the same as an existing "
                "account's (letters of another alphabet, 0 and o, 1 and l look alike). Choose "
                "one that cannot be mistaken for it."
            )
        problems.append(problem % {"line": line_of[username], "username": username})
    return problems
