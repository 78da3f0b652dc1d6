from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from quizzes.student_data import attempts_purge


class Command(BaseCommand):
    help = (
        "Remove finished attempts (with their answers, score changes and mistake records) that "
        "finished longer ago than QUIZZES_RETENTION_DAYS, or --older-than-days. Assignments "
        "still open for anyone keep theirs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            help="Use this many days instead of the QUIZZES_RETENTION_DAYS setting.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; remove nothing."
        )

    def handle(self, *args: object, **options: object) -> None:
        days = options["older_than_days"]
        if days is None:
            days = settings.QUIZZES_RETENTION_DAYS
        if days is None:
            raise CommandError(
                "No retention period: set QUIZZES_RETENTION_DAYS or give --older-than-days. "
                "Nothing was removed."
            )
        try:
            result = attempts_purge(
                older_than_days=int(str(days)), now=timezone.now(), dry_run=bool(options["dry_run"])
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Would remove" if options["dry_run"] else "Removed"
        counts = ", ".join(f"{count} {what}" for what, count in result.counts.items())
        self.stdout.write(
            f"{verb} {counts} (finished before {timezone.localtime(result.cutoff):%Y-%m-%d %H:%M})."
        )
