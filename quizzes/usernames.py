"""Usernames a new account may take: a safe alphabet, and no look-alike of an existing one.

Pure Python (no Django): the class-list parser (quizzes.roster) uses it on its own, and
quizzes.accounts.username_check adds the comparison with the accounts already in the database,
for sign-up, the class-list import and create_teacher alike.

**The alphabet.** Students in Kazakh and Russian schools have Cyrillic names, but a username is
typed on whatever keyboard is at hand, read off a login slip and said aloud, so it is written in
Latin: lower-case letters a–z, digits and `. _ -`, starting with a letter or a digit (the class
list has always generated such usernames; the name itself keeps its own alphabet). A Cyrillic or
Greek letter that looks like a Latin one is refused by name (“е” is not “e”), since two accounts
that read the same are an impersonation waiting to happen.

**The skeleton.** The alphabet alone does not stop that: `student0l` reads as `student01`, and
accounts made before this rule may hold Cyrillic letters (`studеnt01`). So a new username is
also refused when its skeleton equals an existing account's. The skeleton, after Unicode's
UTS #39 ("confusable detection"), cut down to what can matter here: NFKC (so full-width and
compatibility forms become plain letters), casefold (so case never tells two accounts apart),
every Cyrillic and Greek look-alike folded to the Latin letter it reads as (LOOK_ALIKES), and
the Latin confusables of UTS #39's table among our alphabet: `0` reads as `o`, `1` as `l`,
`rn` as `m`.

Why a table and not a library: `confusable_homoglyphs` (the one kept up, used by
django-registration) tells whether one string mixes scripts dangerously, but computes no
skeleton to compare two strings with; and every character outside the table is already refused
by the alphabet for new usernames, so only old accounts' usernames reach the fold with anything
else, and those are Cyrillic when they are anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
USERNAME_CHARACTER = re.compile(r"[A-Za-z0-9._-]")

# Letters of other alphabets that read as Latin ones (the Latin letter as it looks).
LOOK_ALIKES = {
    # Cyrillic
    "а": "a", "в": "B", "е": "e", "к": "k", "м": "M", "н": "H", "о": "o", "р": "p", "с": "c",
    "т": "T", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ӏ": "l",
    "ү": "y", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Һ": "H", "Ү": "Y",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip

# Applied after casefolding: each look-alike (as casefold leaves it) to its lower-case Latin
# letter, and the Latin characters UTS #39 counts as confusable with a letter.
_SKELETON_FOLD = str.maketrans(
    {
        **{alike.casefold(): latin.lower() for alike, latin in LOOK_ALIKES.items()},
        "0": "o",
        "1": "l",
    }
)


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages looks for this name) without Django."""
    return message


@dataclass(frozen=True)
class UsernameProblem:
    """Why a username is refused: an English %-template marked for translation, and its params."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self) -> str:
        return self.message % self.params if self.params else self.message


def username_skeleton(username: str) -> str:
    """What a username reads as: two usernames with one skeleton are confusable (see above)."""
    folded = unicodedata.normalize("NFKC", username).casefold().translate(_SKELETON_FOLD)
    return folded.replace("rn", "m")


def username_problem(username: str, *, lower_case: bool = True) -> UsernameProblem | None:
    """Why `username` is outside the alphabet, or None. With `lower_case` False, upper-case
    Latin letters pass (the class list lowers them itself)."""
    wrong = next((c for c in username if not USERNAME_CHARACTER.match(c)), None)
    if wrong in LOOK_ALIKES:
        return UsernameProblem(
            gettext_noop(
                "The username “%(username)s” contains “%(char)s” (%(unicode)s), which looks like "
                "the Latin “%(latin)s” but is another letter: retype the username with a Latin "
                "keyboard layout."
            ),
            {
                "username": username,
                "char": wrong,
                "unicode": _code_point(wrong),
                "latin": LOOK_ALIKES[wrong],
            },
        )
    if wrong is not None:
        return UsernameProblem(
            gettext_noop(
                "The username “%(username)s” contains “%(char)s” (%(unicode)s): usernames use "
                "only Latin letters a–z, digits and . _ -"
            ),
            {"username": username, "char": wrong, "unicode": _code_point(wrong)},
        )
    if lower_case and username != username.lower():
        return UsernameProblem(
            gettext_noop("Usernames are written in lower case: “%(lower)s”, not “%(username)s”."),
            {"username": username, "lower": username.lower()},
        )
    if not USERNAME_PATTERN.match(username.lower()):
        return UsernameProblem(
            gettext_noop("The username “%(username)s” must start with a Latin letter or a digit."),
            {"username": username},
        )
    return None


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()
