from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.demo import seed_demo
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Create the demo teacher, class, students, assignments and attempts (once)."

    def handle(self, *args: object, **options: object) -> None:
        if not Quiz.objects.exists():
            raise CommandError("Load the question banks first: python manage.py load_banks")
        for line in seed_demo(now=timezone.now()):
            self.stdout.write(line)
