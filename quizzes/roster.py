"""A class list (CSV) read into plain rows: bytes in, `RosterRow`s and located problems out.

Pure Python (no Django), so it can be tested on its own; quizzes.accounts.roster_import adds
the checks that need the database (a username already taken) and Django's own validators, and
creates the accounts only when no row has a problem.

The file, as teachers' spreadsheets export it:

- **Encoding**: UTF-8, with or without a byte-order mark. A file that is not UTF-8 is read as
  Windows-1251, the "CSV" of Excel on a Russian-language Windows, but a name read that way must
  be plausible: each word in one alphabet (a Latin-1 "Müller" read as Windows-1251 becomes
  "Mьller", and is refused as a file of unknown encoding). Kazakh letters (ә ғ қ ң ө ұ ү һ і)
  do not exist in Windows-1251; Excel writes "?" in their place, so a name containing "?" is
  refused with that explanation.
  UTF-16 ("Unicode text"), a workbook (.xlsx, .xls) or anything else is refused, naming what
  to do: save as "CSV UTF-8".
- **Delimiter**: `,` or `;` (spreadsheets in Kazakhstan and Russia export `;`): whichever the
  first line holds more of outside quotes; a tie goes to `;`, since commas are common in text.
- **Columns**: full name, username, and an optional email, in that order; or in any order under
  a header row naming them in English, Russian or Kazakh ("Full name", "ФИО", "Аты-жөні";
  "Username", "Логин"; "Email", "Почта"). Quoted fields, blank lines and spaces around values
  are fine; trailing empty cells (an export's unused columns) are ignored.
- **Rows**: the full name is required (one line, at most 150 characters); the username is
  required, in the alphabet of quizzes.usernames (Latin letters, digits and `. _ -`; a
  Cyrillic letter that looks like a Latin one, "а" for "a", is refused by name) and saved in
  lower case; the email is optional but must look like one. A username appearing twice, or
  reading the same as an earlier one (`student0l` after `student01`: their skeletons match),
  is refused on its second line.
- **Limits**: at most MAX_ROWS students and MAX_FILE_BYTES bytes per file.

Every problem names its line (the line a record starts on, counting blank lines, as a text
editor numbers them). Messages are English templates marked for translation; the Django side
translates them (`gettext(problem.message) % problem.params`).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from .usernames import username_problem, username_skeleton

MAX_FILE_BYTES = 200_000  # 500 rows of long names and emails fit in well under half of it
MAX_ROWS = 500
FULL_NAME_MAX_LENGTH = 150  # Django's first_name, where the full name is kept
USERNAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254

FULL_NAME, USERNAME, EMAIL = "full_name", "username", "email"
POSITIONAL_COLUMNS = (FULL_NAME, USERNAME, EMAIL)

# A deliberately plain check; Django's EmailValidator runs after this on the server side.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\Z")


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages looks for this name) without Django."""
    return message


# Header cells, compared without case, spaces or punctuation ("Аты-жөні" → "атыжөні").
HEADER_NAMES = {
    FULL_NAME: {
        "fullname", "name", "studentname", "student", "fio",
        "фио", "фамилияимя", "фамилияимяотчество", "имяфамилия", "полноеимя", "имя", "ученик",
        "атыжөні", "толықатыжөні", "аты", "оқушы",
    },
    USERNAME: {
        "username", "user", "login", "loginname", "userid",
        "логин", "имяпользователя", "пользователь",
        "пайдаланушыаты", "пайдаланушы",
    },
    EMAIL: {
        "email", "emailaddress", "mail",
        "почта", "электроннаяпочта", "элпочта", "адресэлектроннойпочты",
        "электрондықпошта", "элпошта", "пошта",
    },
}  # fmt: skip


@dataclass(frozen=True)
class RosterRow:
    """One student of the file: `line` is where their record starts."""

    line: int
    full_name: str
    username: str
    email: str = ""


@dataclass(frozen=True)
class RosterProblem:
    """What is wrong, and where: `line` None is the file as a whole.

    `message` is an English %-template marked for translation, `params` fills it, and `hint`
    (also marked) says what to do about it, when one sentence does.
    """

    line: int | None
    message: str
    params: Mapping[str, object] = field(default_factory=dict)
    hint: str = ""

    def text(self) -> str:
        """The problem in English (the Django side translates `message` and `hint` instead)."""
        text = self.message % self.params if self.params else self.message
        return f"{text} {self.hint}" if self.hint else text


@dataclass(frozen=True)
class RosterFile:
    """What a file holds: its rows if `problems` is empty (rows found so far otherwise)."""

    rows: tuple[RosterRow, ...] = ()
    problems: tuple[RosterProblem, ...] = ()
    encoding: str = ""
    delimiter: str = ""


def parse_roster(data: bytes) -> RosterFile:
    """Read a class list; never raises on bad input (every problem is reported, in line order)."""
    too_big = size_problem(len(data))
    if too_big is not None:
        return RosterFile(problems=(too_big,))
    decoded = _decode(data)
    if isinstance(decoded, RosterProblem):
        return RosterFile(problems=(decoded,))
    text, encoding = decoded
    if not text.strip():
        return _refused(gettext_noop("The file is empty."), encoding=encoding)
    delimiter = _delimiter(text)
    rows, problems = _rows(_records(text, delimiter), encoding=encoding)
    return RosterFile(
        rows=tuple(rows),
        problems=tuple(sorted(problems, key=lambda p: p.line or 0)),
        encoding=encoding,
        delimiter=delimiter,
    )


def size_problem(size: int) -> RosterProblem | None:
    """The problem with a file of `size` bytes, if it is too big to read."""
    if size <= MAX_FILE_BYTES:
        return None
    return RosterProblem(
        None,
        gettext_noop(
            "The file is %(size)s KB; a class list is at most %(limit)s KB. "
            "Split it into smaller files."
        ),
        {"size": -(-size // 1000), "limit": MAX_FILE_BYTES // 1000},
    )


def _refused(message: str, *, encoding: str = "", **params: object) -> RosterFile:
    return RosterFile(problems=(RosterProblem(None, message, params),), encoding=encoding)


SAVE_AS_CSV_UTF8 = gettext_noop(
    "In your spreadsheet, choose File → Save as (or Download) → “CSV UTF-8”, and upload that file."
)


def _decode(data: bytes) -> tuple[str, str] | RosterProblem:
    """The file's text and the encoding it was read in, or why it cannot be read."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return RosterProblem(
            None,
            gettext_noop("This is a spreadsheet workbook (.xlsx or .xls), not a CSV file."),
            hint=SAVE_AS_CSV_UTF8,
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return RosterProblem(
            None,
            gettext_noop("This file is saved as UTF-16 (“Unicode text”), not as CSV."),
            hint=SAVE_AS_CSV_UTF8,
        )
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError:
        return _unknown_encoding()


def _unknown_encoding() -> RosterProblem:
    return RosterProblem(
        None,
        gettext_noop("The file is neither UTF-8 nor Windows-1251."),
        hint=SAVE_AS_CSV_UTF8,
    )


def _alphabets(word: str) -> int:
    """How many alphabets (Latin, Cyrillic, Greek, …) a word's letters come from."""
    return len({unicodedata.name(c, "?").split(" ")[0] for c in word if c.isalpha()})


def _delimiter(text: str) -> str:
    first = next(line for line in text.splitlines() if line.strip())
    outside_quotes = "".join(first.split('"')[::2])
    return "," if outside_quotes.count(",") > outside_quotes.count(";") else ";"


@dataclass(frozen=True)
class _Record:
    line: int
    cells: tuple[str, ...]


def _records(text: str, delimiter: str) -> list[_Record]:
    """The file's non-blank records, each with the line it starts on.

    Read leniently (spaces around a quoted value, a stray quote inside one): a quote that is
    never closed takes the lines after it into one value, which the row checks then refuse
    as a name running over several lines, on the line where it starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    records: list[_Record] = []
    ended_on = 0
    for cells in reader:
        line, ended_on = ended_on + 1, reader.line_num
        values = [cell.strip() for cell in cells]
        while values and not values[-1]:
            values.pop()
        if values:
            records.append(_Record(line, tuple(values)))
    return records


def _header(record: _Record) -> tuple[tuple[str, ...] | None, list[RosterProblem]]:
    """The columns a header row names, or None if the record is not a header."""
    keys = [_header_key(cell) for cell in record.cells]
    if not any(keys):
        return None, []
    problems = []
    for number, (cell, key) in enumerate(zip(record.cells, keys, strict=True), start=1):
        if key is None:
            problems.append(
                RosterProblem(
                    record.line,
                    gettext_noop(
                        "Column %(number)s is headed “%(heading)s”: the columns are full name, "
                        "username and email (optional)."
                    ),
                    {"number": number, "heading": cell},
                )
            )
        elif keys.index(key) != number - 1:
            problems.append(
                RosterProblem(
                    record.line,
                    gettext_noop("Column %(number)s repeats the heading “%(heading)s”."),
                    {"number": number, "heading": cell},
                )
            )
    if FULL_NAME not in keys:
        problems.append(
            RosterProblem(record.line, gettext_noop("The header has no full name column."))
        )
    if USERNAME not in keys:
        problems.append(
            RosterProblem(record.line, gettext_noop("The header has no username column."))
        )
    return tuple(key or "" for key in keys), problems


def _header_key(cell: str) -> str | None:
    normal = "".join(c for c in cell.casefold() if c.isalnum())
    return next((key for key, names in HEADER_NAMES.items() if normal in names), None)


def _rows(records: list[_Record], *, encoding: str) -> tuple[list[RosterRow], list[RosterProblem]]:
    if not records:
        return [], [RosterProblem(None, gettext_noop("The file has no students."))]
    columns, problems = _header(records[0])
    if problems:
        return [], problems
    body = records[1:] if columns else records
    if not body:
        return [], [RosterProblem(None, gettext_noop("The file has a header but no students."))]
    if len(body) > MAX_ROWS:
        return [], [
            RosterProblem(
                None,
                gettext_noop(
                    "The file lists %(count)s students; at most %(limit)s can be added at once. "
                    "Split it into smaller files."
                ),
                {"count": len(body), "limit": MAX_ROWS},
            )
        ]
    rows: list[RosterRow] = []
    first_row: dict[str, RosterRow] = {}  # by username_skeleton: look-alikes are duplicates
    for record in body:
        row, row_problems = _row(record, columns or POSITIONAL_COLUMNS, encoding=encoding)
        problems += row_problems
        if row is None:
            continue
        skeleton = username_skeleton(row.username)
        first = first_row.get(skeleton)
        if first is not None:
            problems.append(_duplicate_problem(row, first))
            continue
        first_row[skeleton] = row
        rows.append(row)
    return rows, problems


def _duplicate_problem(row: RosterRow, first: RosterRow) -> RosterProblem:
    if row.username == first.username:
        return RosterProblem(
            row.line,
            gettext_noop("The username “%(username)s” is also on line %(other)s."),
            {"username": row.username, "other": first.line},
        )
    return RosterProblem(
        row.line,
        gettext_noop(
            "The username “%(username)s” reads the same as “%(first)s” on line %(other)s: "
            "choose usernames that cannot be mistaken for each other."
        ),
        {"username": row.username, "first": first.username, "other": first.line},
    )


def _row(
    record: _Record, columns: tuple[str, ...], *, encoding: str
) -> tuple[RosterRow | None, list[RosterProblem]]:
    if len(record.cells) > len(columns):
        message = (
            gettext_noop(
                "This line has %(count)s values; expected full name, username and an optional "
                "email. A value holding the delimiter must be in double quotes."
            )
            if columns is POSITIONAL_COLUMNS
            else gettext_noop("This line has %(count)s values, more than the header's columns.")
        )
        return None, [RosterProblem(record.line, message, {"count": len(record.cells)})]
    values = dict(zip(columns, record.cells, strict=False))
    found = [
        *_full_name_problems(values.get(FULL_NAME, ""), encoding=encoding),
        *_username_problems(values.get(USERNAME, "")),
        *_email_problems(values.get(EMAIL, "")),
    ]
    if found:
        return None, [dataclasses.replace(problem, line=record.line) for problem in found]
    return (
        RosterRow(
            line=record.line,
            full_name=" ".join(unicodedata.normalize("NFC", values[FULL_NAME]).split()),
            username=values[USERNAME].lower(),
            email=values.get(EMAIL, ""),
        ),
        [],
    )


def _problem(message: str, hint: str = "", **params: object) -> list[RosterProblem]:
    """A row's problem; its line is filled in by _row."""
    return [RosterProblem(None, message, params, hint)]


def _full_name_problems(name: str, *, encoding: str) -> list[RosterProblem]:
    if not name:
        return _problem(gettext_noop("The full name is missing."))
    if "\n" in name or "\r" in name:
        return _problem(
            gettext_noop(
                "The full name runs over several lines: keep it on one, and check that each "
                "opening double quote has its closing one."
            )
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in name):
        return _problem(
            gettext_noop("The full name “%(name)s” contains an invisible character."), name=name
        )
    if "?" in name or "\ufffd" in name:
        if encoding == "Windows-1251":
            message = gettext_noop(
                "The full name “%(name)s” contains “?”: Windows-1251 has no Kazakh letters "
                "(ә ғ қ ң ө ұ ү һ і), and the spreadsheet wrote “?” in their place."
            )
        else:
            message = gettext_noop(
                "The full name “%(name)s” contains “?” or “\ufffd”, which usually stands for "
                "letters lost when the file was saved."
            )
        return _problem(message, SAVE_AS_CSV_UTF8, name=name)
    mixed = next((w for w in re.findall(r"[^\W\d_]+", name) if _alphabets(w) > 1), None)
    if mixed and encoding == "Windows-1251":
        # A Latin-1 "Müller" read as Windows-1251 is "Mьller": the file is in neither.
        return _problem(
            gettext_noop(
                "The file is not UTF-8, and read as Windows-1251 the name has “%(word)s”, "
                "which mixes alphabets: the file's encoding is unknown."
            ),
            SAVE_AS_CSV_UTF8,
            word=mixed,
        )
    if len(" ".join(name.split())) > FULL_NAME_MAX_LENGTH:
        return _problem(
            gettext_noop("The full name is longer than %(limit)s characters."),
            limit=FULL_NAME_MAX_LENGTH,
        )
    return []


def _username_problems(username: str) -> list[RosterProblem]:
    if not username:
        return _problem(gettext_noop("The username is missing."))
    if len(username) > USERNAME_MAX_LENGTH:
        return _problem(
            gettext_noop("The username is longer than %(limit)s characters."),
            limit=USERNAME_MAX_LENGTH,
        )
    problem = username_problem(username, lower_case=False)  # saved in lower case (_row)
    if problem is not None:
        return [RosterProblem(None, problem.message, problem.params)]
    return []


def _email_problems(email: str) -> list[RosterProblem]:
    if email and (len(email) > EMAIL_MAX_LENGTH or not EMAIL_PATTERN.match(email)):
        return _problem(gettext_noop("“%(email)s” is not a valid email address."), email=email)
    return []
