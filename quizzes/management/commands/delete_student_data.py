from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from quizzes.student_data import student_account, student_data_delete, student_data_summary


class Command(BaseCommand):
    help = (
        "Erase a student: the account's personal data, enrolments, overrides and practice are "
        "removed; finished attempts are kept, anonymised, so class statistics stay the same."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        try:
            student = student_account(username)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not options["yes"]:
            held = ", ".join(
                f"{section}: {count}"
                for section, count in student_data_summary(student=student).items()
                if count
            )
            self.stdout.write(f"{username} has {held or 'no records'}.")
            answer = input(f"Erase {username}? This cannot be undone. Type yes to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled; nothing was changed.")
        try:
            result = student_data_delete(student=student, now=timezone.now())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for what, count in result.counts.items():
            if count:
                self.stdout.write(f"{what}: {count}")
        self.stdout.write(
            f"Erased {username}; their finished attempts now belong to {result.placeholder}."
        )
