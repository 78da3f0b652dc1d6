from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.importing import ImportFileError, import_fixtures


class Command(BaseCommand):
    help = (
        "Load the shipped question banks and quizzes from fixtures/ (idempotent, all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures",
            help="Folder holding banks/*.json and quizzes.json (default: fixtures/).",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite questions and quizzes that already exist (teachers' edits are lost).",
        )

    def handle(self, *args: object, directory: Path, update: bool, **options: object) -> None:
        try:
            lines = import_fixtures(directory, update=update)
        except ImportFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        for line in lines:
            self.stdout.write(line)
