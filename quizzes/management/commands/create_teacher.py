"""manage.py create_teacher USERNAME: a teacher account, its password asked for twice (or read
from QUIZZES_TEACHER_PASSWORD, for scripts), never given on the command line, where shell
history and `ps` would keep it."""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.accounts import teacher_create

PASSWORD_VARIABLE = "QUIZZES_TEACHER_PASSWORD"  # noqa: S105


class Command(BaseCommand):
    help = (
        "Create a teacher: a staff account in the Teachers group (not a superuser). The "
        f"password is asked for, or read from the {PASSWORD_VARIABLE} environment variable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        # Refused with a reason, rather than "unrecognized arguments", for old scripts.
        parser.add_argument("--password", help=f"no longer accepted: use {PASSWORD_VARIABLE}")

    def handle(self, *args: object, **options: str) -> None:
        if options["password"] is not None:
            raise CommandError(
                f"--password is not accepted: a password on the command line stays in shell "
                f"history and is shown by ps. Answer the prompt, or set {PASSWORD_VARIABLE}. "
                "Nothing was created."
            )
        password = os.environ.get(PASSWORD_VARIABLE) or self._ask_password()
        try:
            user = teacher_create(
                username=options["username"],
                password=password,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as error:
            raise CommandError(" ".join([*error.messages, "Nothing was created."])) from None
        self.stdout.write(f"Teacher {user.get_username()} created; they can log in at /admin/.")

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                f"No terminal to ask for the password: set {PASSWORD_VARIABLE}. "
                "Nothing was created."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; nothing was created.")
        return password
