"""Parsing and validating what scientists submit: variants (text or VCF), loci and gene names.

Pure Python on top of the model layer's public surface (`model.service`, `model.assets`); no
Django. Views call:

    result = parse_vcf_file(upload, genome, settings.GENOMEAPP_MAX_VARIANTS_PER_JOB,
                            settings.GENOMEAPP_MAX_UPLOAD_BYTES)
    result = parse_variant_text(form.cleaned_data["variants"], genome, max_variants)
    interval = centered_window(parse_locus("chr20:1,000,000-1,131,072", genome), 131_072, genome)

and turn an `InputError` into a form error with `error.status_code` (413 for
`InputTooLargeError`, else 400).
"""

from predictions.inputs.loci import (
    SEQUENCE_LENGTHS,
    GeneIndex,
    GeneLocus,
    GeneNotFoundError,
    LocusError,
    centered_window,
    find_gene,
    parse_locus,
    resolve_locus_or_gene,
    smallest_fitting_length,
    suggest_genes,
)
from predictions.inputs.normalize import left_normalize, normalize_variant
from predictions.inputs.results import (
    EmptyInputError,
    InputError,
    InputTooLargeError,
    NoVariantsError,
    ParsedVariant,
    ParseResult,
    Rejection,
    RejectionCode,
    TooManyVariantsError,
    UnsupportedFormatError,
)
from predictions.inputs.variants import parse_variant_text
from predictions.inputs.vcf import detect_compression, parse_vcf_bytes, parse_vcf_file

__all__ = [
    "SEQUENCE_LENGTHS",
    "EmptyInputError",
    "GeneIndex",
    "GeneLocus",
    "GeneNotFoundError",
    "InputError",
    "InputTooLargeError",
    "LocusError",
    "NoVariantsError",
    "ParseResult",
    "ParsedVariant",
    "Rejection",
    "RejectionCode",
    "TooManyVariantsError",
    "UnsupportedFormatError",
    "centered_window",
    "detect_compression",
    "find_gene",
    "left_normalize",
    "normalize_variant",
    "parse_locus",
    "parse_variant_text",
    "parse_vcf_bytes",
    "parse_vcf_file",
    "resolve_locus_or_gene",
    "smallest_fitting_length",
    "suggest_genes",
]
