from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from model.assets import (
    build_background,
    default_sequence_length,
    describe_build,
    load_common_variants,
    scorers_from_text,
)
from model.service import get_backend
from predictions.assemblies import genes_for
from predictions.models import Assembly


class Command(BaseCommand):
    help = (
        "Score an assembly's common variants with this server's AlphaGenome model and save per-scorer, "
        "per-track quantiles; jobs and gRPC then show quantile scores beside raw scores. Rebuild it "
        "after changing the AlphaGenome weights (a background only applies to the weights it was built with)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assembly", required=True, help="a registered assembly with common variants")
        parser.add_argument("--limit", type=int, default=0, help="only the first N common variants")
        parser.add_argument("--scorers", help="comma-separated scorer names (default: the recommended ones)")
        parser.add_argument("--sequence-length", type=int, default=0, help="window (default: the model's)")
        parser.add_argument("--batch-size", type=int, default=8)
        parser.add_argument(
            "--out", type=Path, help="directory (default: DATA_DIR/quantiles/ASSEMBLY/alphagenome)"
        )
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        assembly = Assembly.objects.filter(name=options["assembly"]).first()
        if assembly is None:
            names = ", ".join(Assembly.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"no assembly named {options['assembly']!r} (registered: {names})")
        if not assembly.common_variants_path or not Path(assembly.common_variants_path).exists():
            raise CommandError(
                f"{assembly.name} has no common-variants file: register one with "
                "`manage.py add_assembly --common-variants VCF`"
            )
        variants = load_common_variants(assembly.common_variants_path, options["limit"])
        backend = get_backend("alphagenome")
        out = (
            options["out"] or Path(settings.GENOMEAPP_DATA_DIR) / "quantiles" / assembly.name / "alphagenome"
        )
        bar = tqdm(
            total=len(variants),
            unit="variant",
            desc=f"{assembly.name} common variants",
            disable=options["no_progress"],
        )
        background = build_background(
            backend,
            assembly.fasta_path,
            genes_for(assembly),
            variants,
            scorers_from_text(options["scorers"]),
            sequence_length=options["sequence_length"] or default_sequence_length(backend),
            batch_size=options["batch_size"],
            progress=lambda done, _total: bar.update(done - bar.n),
            info={
                "assembly": assembly.name,
                "annotation": assembly.annotation_path,
                "variants_file": assembly.common_variants_path,
            },
        )
        bar.close()
        background.save(out)
        assembly.quantiles_path = str(out.resolve())
        assembly.save(update_fields=["quantiles_path"])
        self.stdout.write(f"{assembly.name}: {describe_build(background, out)}")
        for reason in background.info["skipped_scorers"].values():
            self.stderr.write(f"skipped: {reason}")
