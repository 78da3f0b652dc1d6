from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes.services import attempts_finish_overdue


class Command(BaseCommand):
    help = (
        "Finish attempts abandoned past their deadline (plus grace), from their saved answers. "
        "Run from cron, e.g. every minute; attempts are also finished whenever next looked at."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = attempts_finish_overdue(now=timezone.now())
        self.stdout.write(f"Finished {count} overdue attempt(s).")
