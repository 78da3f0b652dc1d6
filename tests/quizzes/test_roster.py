"""Class lists: the pure CSV parser (quizzes.roster) and the import that creates the accounts
(quizzes.accounts.roster_import): all or nothing, each account enrolled, flagged and given a
strong one-time password that works until the student chooses their own."""

import random
import string

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from quizzes.accounts import (
    ONE_TIME_PASSWORD_ALPHABET,
    ONE_TIME_PASSWORD_ITERATIONS,
    ONE_TIME_PASSWORD_LENGTH,
    one_time_password_hash,
    roster_import,
)
from quizzes.models import AccountState, Enrollment
from quizzes.roster import MAX_FILE_BYTES, MAX_ROWS, RosterRow, parse_roster
from tests.factories import EnrollmentFactory, SchoolClassFactory, StudentFactory

User = get_user_model()

# The parser -----------------------------------------------------------------------------------


def rows(data: bytes) -> list[tuple[int, str, str, str]]:
    parsed = parse_roster(data)
    assert parsed.problems == (), [p.text() for p in parsed.problems]
    return [(r.line, r.full_name, r.username, r.email) for r in parsed.rows]


def problems(data: bytes) -> list[tuple[int | None, str]]:
    parsed = parse_roster(data)
    return [(p.line, p.text()) for p in parsed.problems]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b"Ann Lee,ann\nBen Ode,ben,ben@example.kz\n",
            [(1, "Ann Lee", "ann", ""), (2, "Ben Ode", "ben", "ben@example.kz")],
            id="no header, comma",
        ),
        pytest.param(
            b"\xef\xbb\xbfFull name,Username,Email\r\nAnn Lee,ann,ann@example.kz\r\n",
            [(2, "Ann Lee", "ann", "ann@example.kz")],
            id="BOM and CRLF, English header",
        ),
        pytest.param(
            "ФИО;Логин;Почта\nИванова Мария;m.ivanova;m@example.kz\n".encode(),
            [(2, "Иванова Мария", "m.ivanova", "m@example.kz")],
            id="Russian header, semicolon",
        ),
        pytest.param(
            "Аты-жөні;Логин\nӘлихан Бөкейханов;alikhan\n".encode(),
            [(2, "Әлихан Бөкейханов", "alikhan", "")],
            id="Kazakh header",
        ),
        pytest.param(
            b"Email,Username,Name\nann@example.kz,ann,Ann Lee\n",
            [(2, "Ann Lee", "ann", "ann@example.kz")],
            id="header in another order",
        ),
        pytest.param(
            b'"Smith, John",jsmith\n  "O\'Brien ""Sean""" ,  sean  ,\n',
            [(1, "Smith, John", "jsmith", ""), (2, 'O\'Brien "Sean"', "sean", "")],
            id="quotes, doubled quotes, spaces",
        ),
        pytest.param(
            b"\n\nAnn Lee,ann\n\n   \n, ,\nBen Ode,ben,,,\n",
            [(3, "Ann Lee", "ann", ""), (7, "Ben Ode", "ben", "")],
            id="blank lines and empty trailing cells skipped, lines still counted",
        ),
        pytest.param(
            b"Ann   Lee ,  ANN.Lee-2_x ,\n",
            [(1, "Ann Lee", "ann.lee-2_x", "")],
            id="spaces trimmed, username lower-cased",
        ),
        pytest.param(
            "ФИО;Логин\nИванов Иван;ivanov\n".encode("cp1251"),
            [(2, "Иванов Иван", "ivanov", "")],
            id="Windows-1251",
        ),
    ],
)
def test_a_good_file_gives_its_rows(data, expected):
    assert rows(data) == expected


def test_the_encoding_and_delimiter_are_reported():
    utf8 = parse_roster(b"Ann;ann\n")
    cp1251 = parse_roster("Иван;ivan\n".encode("cp1251"))

    assert (utf8.encoding, utf8.delimiter) == ("UTF-8", ";")
    assert (cp1251.encoding, cp1251.delimiter) == ("Windows-1251", ";")


BAD_FILES = [
    pytest.param(b"Ann Lee,ann\n,ben\n", [(2, "The full name is missing.")], id="missing name"),
    pytest.param(b"Ann Lee,ann\nBen Ode\n", [(2, "The username is missing.")], id="no username"),
    pytest.param(
        b"Ann Lee,ann lee\n",
        [(1, "contains “ ” (U+0020 SPACE): usernames use only Latin letters")],
        id="space in username",
    ),
    pytest.param(
        b"Ann Lee,ann@school\n",
        [(1, "contains “@” (U+0040 COMMERCIAL AT)")],
        id="@ in username",
    ),
    pytest.param(
        b"Ann Lee,.ann\n", [(1, "must start with a Latin letter or a digit")], id="leading dot"
    ),
    pytest.param(
        "Anna Lee,\u0430nna\n".encode(),
        [(1, "contains “а” (U+0430 CYRILLIC SMALL LETTER A), which looks like the Latin “a”")],
        id="Cyrillic look-alike in username",
    ),
    pytest.param(
        "Anna Lee,ANN\u0410\n".encode(),
        [(1, "(U+0410 CYRILLIC CAPITAL LETTER A), which looks like the Latin “A”")],
        id="Cyrillic capital look-alike",
    ),
    pytest.param(
        "Anna Lee,\u03bflga\n".encode(),
        [(1, "(U+03BF GREEK SMALL LETTER OMICRON), which looks like the Latin “o”")],
        id="Greek look-alike",
    ),
    pytest.param(
        "Жанна,жанна\n".encode(),
        [(1, "contains “ж” (U+0436 CYRILLIC SMALL LETTER ZHE): usernames use only Latin")],
        id="Cyrillic username",
    ),
    pytest.param(
        b"Ann Lee,ann,not-an-email\n",
        [(1, "“not-an-email” is not a valid email address.")],
        id="bad email",
    ),
    pytest.param(
        b"Ann Lee,ann\nAnnie Lee,Ann\n",
        [(2, "The username “ann” is also on line 1.")],
        id="duplicate in file, any case",
    ),
    pytest.param(
        b"Ann Lee,ann,a@example.kz,extra\n",
        [(1, "This line has 4 values; expected full name, username and an optional email")],
        id="too many values",
    ),
    pytest.param(
        b"Name,Username,Class\nAnn,ann,10A\n",
        [(1, "Column 3 is headed “Class”")],
        id="unknown header column",
    ),
    pytest.param(
        b"Name,Email\nAnn,ann@example.kz\n",
        [(1, "The header has no username column.")],
        id="header without username",
    ),
    pytest.param(
        b"Name,Login,Username\nAnn,ann,ann\n",
        [(1, "Column 3 repeats the heading “Username”.")],
        id="repeated header column",
    ),
    pytest.param(b"Full name,Username\n\n", [(None, "a header but no students")], id="header only"),
    pytest.param(b"", [(None, "The file is empty.")], id="empty"),
    pytest.param(b" \r\n\r\n", [(None, "The file is empty.")], id="blank"),
    pytest.param(
        b'Ann Lee,ann\n"Ben Ode,ben\nCid Poe,cid\n',
        [
            (2, "The full name runs over several lines"),
            (2, "The username is missing."),
        ],
        id="unclosed quote",
    ),
    pytest.param(
        b"Ann Lee,ann\nM?ller,muller\n",
        [(2, "The full name “M?ller” contains “?” or “\ufffd”")],
        id="question mark in a name",
    ),
    pytest.param(
        "ФИО;Логин\n?лия Серікова;aliya\n".encode("cp1251", errors="replace"),
        [(2, "Windows-1251 has no Kazakh letters")],
        id="Kazakh letters lost in Windows-1251",
    ),
    pytest.param(
        "Name,Username\nJosé Müller,jose\n".encode("latin-1"),
        [(2, "read as Windows-1251 the name has “Josй”, which mixes alphabets")],
        id="Latin-1 is not Windows-1251",
    ),
    pytest.param(
        "Ann Lee,ann\n".encode("utf-16"),
        [(None, "This file is saved as UTF-16 (“Unicode text”), not as CSV.")],
        id="UTF-16",
    ),
    pytest.param(
        b"PK\x03\x04\x14\x00\x06\x00rest of a workbook",
        [(None, "This is a spreadsheet workbook (.xlsx or .xls), not a CSV file.")],
        id="xlsx",
    ),
    pytest.param(
        b"Ann Lee,ann\n\x98\x98,bad\n",
        [(None, "The file is neither UTF-8 nor Windows-1251.")],
        id="no known encoding",
    ),
    pytest.param(b"Ann\x00Lee,ann\n", [(None, "saved as UTF-16")], id="NUL bytes are not a CSV"),
    pytest.param(
        b"Ann\x07Lee,ann\n", [(1, "contains an invisible character")], id="control character"
    ),
    pytest.param(
        b"x" * 151 + b",ann\n", [(1, "longer than 150 characters")], id="full name too long"
    ),
]


@pytest.mark.parametrize(("data", "expected"), BAD_FILES)
def test_a_bad_file_is_refused_with_each_problem_located(data, expected):
    found = problems(data)

    assert len(found) == len(expected), found
    for (line, text), (want_line, want_text) in zip(found, expected, strict=True):
        assert line == want_line
        assert want_text in text


def test_every_bad_line_is_reported_in_line_order():
    data = "Ann Lee,ann\n,ben\nCid,cid,bad\nDee,\u0430\nAnn Two,ann\n".encode()

    assert [line for line, _text in problems(data)] == [2, 3, 4, 5]


def test_two_usernames_of_one_file_that_read_the_same_are_refused():
    assert problems(b"Ann Lee,student01\nBen Ode,studentOl\n") == [
        (
            2,
            "The username “studentol” reads the same as “student01” on line 1: choose "
            "usernames that cannot be mistaken for each other.",
        )
    ]


def test_unsaved_kazakh_letters_explain_what_to_do():
    [problem] = parse_roster("Имя;Логин\n?лия;aliya\n".encode("cp1251")).problems

    assert "Save as" in problem.hint and "CSV UTF-8" in problem.hint
    assert problem.hint in problem.text()


def test_too_many_rows_are_refused():
    data = "".join(f"Student {n},s{n}\n" for n in range(MAX_ROWS + 1)).encode()

    [(line, text)] = problems(data)

    assert line is None
    assert f"lists {MAX_ROWS + 1} students; at most {MAX_ROWS}" in text


def test_the_largest_class_list_is_accepted():
    data = "".join(f"Student {n},s{n}\n" for n in range(MAX_ROWS)).encode()

    assert len(rows(data)) == MAX_ROWS


def test_too_big_a_file_is_refused_unread():
    [(line, text)] = problems(b"a" * (MAX_FILE_BYTES + 1))

    assert line is None
    assert "at most 200 KB" in text


def test_the_parser_never_raises_on_random_bytes():
    generator = random.Random(9)
    for _ in range(300):
        data = bytes(generator.randrange(256) for _ in range(generator.randrange(60)))
        parse_roster(data)  # no exception, whatever the bytes


# The import -----------------------------------------------------------------------------------


@pytest.fixture
def school_class(teacher):
    return SchoolClassFactory(name="Year 10 World Affairs", teachers=[teacher])


def upload(text: str, *, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("class.csv", text.encode(encoding), content_type="text/csv")


def do_import(school_class, teacher, text: str):
    return roster_import(
        school_class=school_class, upload=upload(text), created_by=teacher, now=timezone.now()
    )


GOOD_LIST = "Full name,Username,Email\nAnn Lee,ann,ann@example.kz\nБекова Айгерим,aigerim,\n"


@pytest.mark.django_db
def test_import_creates_enrolled_student_accounts_that_must_change_password(school_class, teacher):
    result = do_import(school_class, teacher, GOOD_LIST)

    assert result.problems == ()
    assert [(s.line, s.full_name, s.username, s.email) for s in result.students] == [
        (2, "Ann Lee", "ann", "ann@example.kz"),
        (3, "Бекова Айгерим", "aigerim", ""),
    ]
    for new in result.students:
        user = User.objects.get(username=new.username)
        assert user.get_full_name() == new.full_name
        assert user.email == new.email
        assert user.is_active and not user.is_staff and not user.is_superuser
        assert not user.groups.exists()
        assert user.check_password(new.password)
        assert AccountState.objects.get(user=user).must_change_password
        assert Enrollment.objects.filter(school_class=school_class, student=user).exists()


@pytest.mark.django_db
def test_one_time_passwords_are_strong_unique_readable_and_not_stored(school_class, teacher):
    text = "".join(f"Student {n},s{n}\n" for n in range(60))

    result = do_import(school_class, teacher, text)

    passwords = [s.password for s in result.students]
    assert len(set(passwords)) == 60
    for password in passwords:
        assert len(password) == ONE_TIME_PASSWORD_LENGTH
        assert set(password) <= set(ONE_TIME_PASSWORD_ALPHABET)
    assert not set("0Oo1lI") & set(ONE_TIME_PASSWORD_ALPHABET)
    assert set(ONE_TIME_PASSWORD_ALPHABET) >= set("23456789")
    stored = " ".join(User.objects.values_list("password", flat=True))
    assert not any(password in stored for password in passwords)
    assert not any(s.password in repr(s) for s in result.students)


@pytest.mark.django_db
def test_a_one_time_password_is_hashed_with_fewer_rounds_and_rehashed_at_login(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    encoded = one_time_password_hash("Abcdefgh23")
    user = StudentFactory(username="fresh")
    user.password = encoded
    user.save()

    assert encoded.startswith(f"pbkdf2_sha256${ONE_TIME_PASSWORD_ITERATIONS}$")
    assert identify_hasher(encoded).algorithm == "pbkdf2_sha256"
    assert Client().login(username="fresh", password="Abcdefgh23")
    user.refresh_from_db()
    assert not user.password.startswith(f"pbkdf2_sha256${ONE_TIME_PASSWORD_ITERATIONS}$")
    assert user.check_password("Abcdefgh23")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Ann Lee,ann\nBen Ode,\u0432en\n", id="one bad row"),
        pytest.param("Ann Lee,ann\nBen Ode,ben,nope\n", id="bad email"),
        pytest.param("Ann Lee,ann\nAnn Two,ann\n", id="duplicate"),
        pytest.param("Ann Lee,ann\nBen Ode,taken\n", id="existing username"),
        pytest.param("Ann Lee,ann\nBen Ode,TAKEN\n", id="existing username in another case"),
        pytest.param("".join(f"S {n},s{n}\n" for n in range(MAX_ROWS + 1)), id="too many"),
    ],
)
@pytest.mark.django_db
def test_import_creates_nothing_when_any_row_is_refused(school_class, teacher, text):
    StudentFactory(username="taken")
    users_before = User.objects.count()

    result = do_import(school_class, teacher, text)

    assert result.problems
    assert result.students == ()
    assert User.objects.count() == users_before
    assert not Enrollment.objects.filter(school_class=school_class).exists()
    assert not AccountState.objects.exists()


@pytest.mark.django_db
def test_an_existing_username_is_named_with_its_line(school_class, teacher):
    StudentFactory(username="ben")

    result = do_import(school_class, teacher, "Ann Lee,ann\nBen Ode,Ben\n")

    assert result.problems == (
        "Line 2: the username “ben” belongs to an existing account. Choose another (a student "
        "who already has an account joins with the class code).",
    )


@pytest.mark.django_db
def test_parser_problems_are_translated_and_located(school_class, teacher):
    result = do_import(school_class, teacher, "Ann Lee,ann\n,ben\n")

    assert result.problems == ("Line 2: The full name is missing.",)


@pytest.mark.django_db
def test_a_file_imported_twice_says_the_accounts_exist_already(school_class, teacher):
    do_import(school_class, teacher, GOOD_LIST)

    again = do_import(school_class, teacher, GOOD_LIST)

    assert again.students == ()
    [problem] = again.problems
    assert "already has an account in this class" in problem
    assert "Passwords are shown only once" in problem
    assert User.objects.filter(username__in=["ann", "aigerim"]).count() == 2


@pytest.mark.django_db
def test_too_big_an_upload_is_refused_before_it_is_read(school_class, teacher):
    big = SimpleUploadedFile("class.csv", b"a" * (MAX_FILE_BYTES + 1))

    result = roster_import(
        school_class=school_class, upload=big, created_by=teacher, now=timezone.now()
    )

    assert result.students == ()
    assert "at most 200 KB" in result.problems[0]


@pytest.mark.django_db
def test_an_existing_student_keeps_their_classes_and_password(school_class, teacher):
    existing = StudentFactory(username="ann")
    other_class = EnrollmentFactory(student=existing).school_class

    do_import(school_class, teacher, "Ann Lee,ann\n")

    existing.refresh_from_db()
    assert existing.check_password("pw")
    assert list(existing.enrollments.values_list("school_class", flat=True)) == [other_class.pk]


@pytest.mark.django_db
def test_the_import_costs_the_same_queries_for_5_and_50_students(
    school_class, teacher, django_assert_num_queries
):
    # 1 usernames already taken (none); 2 savepoint; 3 users; 4 account states;
    # 5 enrollments; 6 release savepoint.
    for count in (5, 50):
        text = "".join(f"Student {n},q{count}s{n}\n" for n in range(count))
        with django_assert_num_queries(6):
            result = do_import(school_class, teacher, text)
        assert len(result.students) == count


def test_generated_passwords_use_letters_and_digits_only():
    assert set(ONE_TIME_PASSWORD_ALPHABET) <= set(string.ascii_letters + string.digits)


def test_a_row_is_plain_data():
    assert RosterRow(1, "Ann", "ann") == RosterRow(1, "Ann", "ann", "")


@pytest.mark.django_db
@pytest.mark.parametrize("existing", ["student01", "studеnt01"])  # the second: Cyrillic е
def test_a_username_that_reads_like_an_existing_one_is_refused_and_nothing_created(
    school_class, teacher, existing
):
    StudentFactory(username=existing)

    result = do_import(school_class, teacher, "Ann Lee,ann\nBen Ode,student0l\n")

    assert result.students == ()
    assert result.problems == (
        "Line 2: the username “student0l” reads the same as an existing account's (letters of "
        "another alphabet, 0 and o, 1 and l look alike). Choose one that cannot be mistaken "
        "for it.",
    )
    assert not User.objects.filter(username__in=["ann", "student0l"]).exists()
