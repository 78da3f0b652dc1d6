import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from quizzes.student_data import student_account, student_data_export


class Command(BaseCommand):
    help = (
        "Write every record about a student as JSON: account, enrolments, attempts and "
        "answers, overrides, practice, and the history entries that name them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args: object, **options: str | None) -> None:
        try:
            student = student_account(str(options["username"]))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        data = student_data_export(student=student, now=timezone.now())
        text = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote the data of {student.username} to {options['output']}.")
        else:
            self.stdout.write(text)
