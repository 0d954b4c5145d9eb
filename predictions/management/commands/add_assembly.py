from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from predictions.assemblies import register_assembly


class Command(BaseCommand):
    help = "Register a reference assembly: an indexed FASTA and a gene annotation (GTF or SpliceAI table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="short name, e.g. hg38")
        parser.add_argument(
            "--fasta", required=True, type=Path, help="FASTA (plain or bgzip) with .fai (.gzi)"
        )
        parser.add_argument("--annotation", type=Path, help="GENCODE GTF(.gz) or SpliceAI gene table")
        parser.add_argument("--organism", default="HOMO_SAPIENS", choices=["HOMO_SAPIENS", "MUS_MUSCULUS"])
        parser.add_argument("--common-variants", type=Path, help="VCF of common variants for score quantiles")
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            assembly, contigs = register_assembly(
                name=options["name"],
                fasta=options["fasta"],
                annotation=options["annotation"],
                organism=options["organism"],
                common_variants=options["common_variants"],
                description=options["description"],
                progress=True,
            )
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"assembly {assembly.name}: {contigs} contig(s), FASTA {assembly.fasta_path}")
        )
