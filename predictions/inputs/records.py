"""Validating records against the reference: the engine behind the text and VCF parsers.

Every data line is checked in this order, and the first problem rejects it with its line
number: the line can be read, CHROM is a contig of the reference (under any alias: `20`,
`chr20`), POS is a whole number within the contig, REF is sequence and matches the reference.
Then each ALT of the line is checked on its own (sequence, not symbolic, not equal to REF),
left-normalised, and accepted unless the same normalised variant was accepted before.

Decisions:
  - Duplicates (same contig, position, REF and ALT after normalisation) are kept once, at
    their first line; later lines are listed in `rejected` with code DUPLICATE and the line
    they repeat.
  - The per-job limit counts accepted, distinct variants. Going over it refuses the whole
    submission (TooManyVariantsError) before any job exists, rather than silently scoring
    the first N: a partial job would lose records without the rejection being visible.
  - Variants close to a contig end are accepted: the model pads windows with N.
  - Rejections are listed line by line up to `max_listed_rejections` (default the job limit,
    at least 1,000) and only counted beyond it, so that a whole-genome VCF sent to a
    one-chromosome assembly keeps its few usable records without filling the memory.
  - Accepted variants stay in input order; an unsorted file is fine (noted, not an error).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Iterator

from model.service import ContigNotFoundError, Genome
from predictions.inputs.formats import (
    EXPECTED_FORMATS,
    ColumnMap,
    RawRecord,
    is_header_line,
    read_header,
    read_record,
)
from predictions.inputs.normalize import (
    ReferenceReader,
    RepeatTooLongError,
    allele_problem,
    left_normalize,
    shorten_allele,
)
from predictions.inputs.numbers import number_problem, whole_number
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

_DEFAULT_COLUMNS = ColumnMap(chrom=0, pos=1, ref=3, alt=4, id=2, header_line=0)  # headerless VCF
_CONTIG_META = re.compile(r"^##contig=<(?=.*\bID=(?P<id>[^,>]+))(?=.*\blength=(?P<length>\d+))", re.I)


def parse_lines(
    lines: Iterable[tuple[int, str]],
    genome: Genome,
    max_variants: int,
    *,
    result: ParseResult | None = None,
    empty_message: str = "No variants were given.",
    max_listed_rejections: int | None = None,
    max_records: int | None = None,
) -> ParseResult:
    """Validate numbered input lines against `genome` and collect the outcome.

    Args:
      lines: `(line number, text)` pairs, line endings already removed.
      genome: the assembly's reference.
      max_variants: the per-job limit on accepted, distinct variants.
      result: a ParseResult to fill (carrying compression and notes already made), or None.
      empty_message: the EmptyInputError message when no data line is found.
      max_listed_rejections: rejections kept line by line (default: `max(max_variants, 1000)`);
        beyond that they are only counted (`ParseResult.unlisted_rejections`), so that a
        whole-genome VCF sent to a one-chromosome assembly cannot fill the memory.
      max_records: the limit on variant records read, each ALT allele of a record counting once
        (duplicates and rejected ones too: each costs a check), or None.

    Raises:
      EmptyInputError: no data line at all.
      NoVariantsError: data lines, none accepted (the exception carries the result).
      TooManyVariantsError: more accepted variants than `max_variants`.
      InputTooLargeError: more records than `max_records` (reading stops there).
      InputError: a `#CHROM` header without CHROM, POS, REF or ALT.
    """
    if max_variants < 1:
        raise ValueError(f"max_variants must be at least 1, got {max_variants}")
    listed = max_listed_rejections if max_listed_rejections is not None else max(max_variants, 1000)
    collector = _Collector(genome, max_variants, result or ParseResult(), listed, max_records)
    line_iter = iter(lines)
    try:
        for line, raw_text in line_iter:
            collector.feed(line, raw_text)
            if collector.overflow:
                break
        if collector.overflow:
            collector.count_remaining(line_iter)
    except InputTooLargeError:
        if not collector.overflow:
            raise
        collector.count_is_lower_bound = True
    return collector.finish(empty_message)


class _Collector:
    """State while reading one submission."""

    def __init__(
        self, genome: Genome, max_variants: int, result: ParseResult, max_listed: int, max_records: int | None
    ) -> None:
        self.genome = genome
        self.max_records = max_records
        self.max_variants = max_variants
        self.max_listed = max_listed
        self.result = result
        self.contigs: dict[str, str | None] = {}  # input spelling → reference spelling (None: unknown)
        names = list(genome.lengths)
        self.contig_names = ", ".join(names[:8]) + (f" and {len(names) - 8:,} more" if len(names) > 8 else "")
        self.columns: ColumnMap | None = None
        self.seen: dict[tuple[str, int, str, str], int] = {}
        self.readers: dict[str, ReferenceReader] = {}
        self.contig_order = {name: i for i, name in enumerate(genome.lengths)}
        self.last_sort_key: tuple[int, int] | None = None
        self.unsorted_at: int | None = None
        self.renamed: dict[str, str] = {}
        self.unknown_contigs: collections.Counter[str] = collections.Counter()
        self.split_records = 0
        self.split_alleles = 0
        self.normalised: list[ParsedVariant] = []
        self.vcf_without_header = False
        self.overflow = False
        self.alleles_in_input = 0
        self.count_is_lower_bound = False
        self.ref_checks = 0
        self.ref_mismatches = 0

    # reading lines

    def feed(self, line: int, raw_text: str) -> None:
        text = raw_text.strip()
        if not text:
            return
        if "\x00" in text:
            raise UnsupportedFormatError(
                f"Line {line} contains binary data (NUL bytes): this is not a text VCF or variant list."
            )
        if not text.startswith("#") and self.result.records == 0 and is_header_line("#" + text):
            text = "#" + text  # a column header written without its '#' (spreadsheet exports)
        if text.startswith("#"):
            if text.startswith("##"):
                self._check_meta(line, text)
            elif is_header_line(text):
                columns = read_header(text, line)
                if isinstance(columns, str):
                    raise InputError(f"Line {line}: {columns}.")
                self.columns = columns
                self.result.input_format = "vcf"
            return
        self.result.records += 1
        if self.result.unlisted_rejections and self._counted_as_unknown_contig(text):
            return
        record = read_record(text, self.columns)
        if isinstance(record, str):
            self._reject(line, text, RejectionCode.SYNTAX, record)
            return
        if record.vcf_columns:
            self.result.input_format = "vcf"
            self.vcf_without_header |= self.columns is None
        self._validate(line, record)

    def _counted_as_unknown_contig(self, text: str) -> bool:
        """Once the rejection list is full, count a tab-separated line on a contig already known
        to be absent without reading it further (a whole-genome VCF sent to a chr20 assembly)."""
        columns = self.columns or _DEFAULT_COLUMNS
        fields = text.split("\t", columns.width)
        if len(fields) < columns.width or self.contigs.get(fields[columns.chrom], "") is not None:
            return False
        if not fields[columns.pos].strip().isdigit():
            return False
        alt = fields[columns.alt].strip()
        self.alleles_in_input += 0 if alt in {"", "."} else alt.count(",") + 1
        self.unknown_contigs[fields[columns.chrom]] += 1
        self.result.rejection_counts[RejectionCode.CONTIG] += 1
        self.result.unlisted_rejections += 1
        return True

    def count_remaining(self, lines: Iterator[tuple[int, str]]) -> None:
        """After the limit is exceeded: count the ALT alleles of the remaining lines, unchecked.

        Only the ALT column is looked at (tab-separated lines; any other line counts as one
        variant), so that counting a large file stays cheap.
        """
        alt_column = self.columns.alt if self.columns is not None else 4
        count = 0
        for _, raw_text in lines:
            text = raw_text.strip()
            if not text or text.startswith("#"):
                continue
            fields = text.split("\t", alt_column + 1)
            if len(fields) <= alt_column:
                count += 1
                continue
            alt = fields[alt_column].strip()
            count += 0 if alt in {"", "."} else alt.count(",") + 1
        self.alleles_in_input += count

    # checking one record

    def _validate(self, line: int, record: RawRecord) -> None:
        alts = record.alt.split(",")
        self.alleles_in_input += sum(1 for alt in alts if alt not in {"", "."})
        if self.max_records is not None and self.alleles_in_input > self.max_records:
            # every ALT is checked and normalised: 400,000 copies of one ALT on a line cost seconds
            raise InputTooLargeError(
                f"The input has more than {self.max_records:,} variant records (each ALT allele counts "
                f"once, duplicates and rejected ones too; line {line:,}), the limit "
                "(GENOMEAPP_MAX_INPUT_RECORDS); split it into smaller files.",
                size=None,
                limit=self.max_records,
            )
        contig = self._resolve(record.chrom)
        if contig is None:
            if not record.pos.isdigit():  # neither CHROM nor POS reads: not a record at all
                reason = f"cannot read a variant from {record.source_text[:60]!r}: {EXPECTED_FORMATS}"
                self._reject(line, record.source_text, RejectionCode.SYNTAX, reason)
                return
            if record.chrom in self.unknown_contigs or len(self.unknown_contigs) < 1_000:
                self.unknown_contigs[record.chrom] += 1
            reason = f"CHROM {record.chrom!r} is not a contig of this reference (it has {self.contig_names})"
            self._reject(line, record.source_text, RejectionCode.CONTIG, reason, record)
            return
        if contig != record.chrom:
            self.renamed.setdefault(record.chrom, contig)
        pos = whole_number(record.pos)
        if pos is None:
            self._reject(
                line, record.source_text, RejectionCode.POSITION, number_problem(record.pos, "POS"), record
            )
            return
        ref = record.ref.upper()
        length = self.genome.lengths[contig]
        if pos < 1:
            self._reject(
                line,
                record.source_text,
                RejectionCode.POSITION,
                f"POS {pos} is not valid: positions start at 1",
                record,
            )
            return
        problem = allele_problem(ref, "REF")
        if problem is not None:
            self._reject(line, record.source_text, problem[0], problem[1], record)
            return
        if pos > length:
            self._reject(
                line,
                record.source_text,
                RejectionCode.POSITION,
                f"POS {pos:,} is beyond the end of contig {contig} ({length:,} bp)",
                record,
            )
            return
        if pos + len(ref) - 1 > length:
            self._reject(
                line,
                record.source_text,
                RejectionCode.POSITION,
                f"REF ({len(ref):,} bp from POS {pos:,}) runs past the end of contig {contig} "
                f"({length:,} bp)",
                record,
            )
            return
        reference = self.genome.fetch(contig, pos - 1, pos - 1 + len(ref))
        self.ref_checks += 1
        if reference != ref:
            self.ref_mismatches += 1
            self._reject(
                line,
                record.source_text,
                RejectionCode.REF_MISMATCH,
                f"REF {shorten_allele(ref)} does not match the reference, which has "
                f"{shorten_allele(reference)} at {contig}:{pos:,}",
                record,
            )
            return
        self._note_order(line, contig, pos)
        accepted_here = 0
        for alt_index, alt_text in enumerate(alts, start=1):
            if self.overflow:
                return
            accepted_here += self._validate_allele(
                line, record, contig, pos, ref, alt_text, alt_index, len(alts)
            )
        if len(alts) > 1:
            self.split_records += 1
            self.split_alleles += accepted_here

    def _resolve(self, chrom: str) -> str | None:
        """The reference's spelling of `chrom`, or None when it has no such contig (cached)."""
        if chrom in self.contigs:
            return self.contigs[chrom]
        try:
            contig: str | None = self.genome.resolve_contig(chrom)
        except ContigNotFoundError:
            contig = None
        if len(self.contigs) < 10_000:  # bounded: garbage lines could each name a new "contig"
            self.contigs[chrom] = contig
        return contig

    def _validate_allele(
        self,
        line: int,
        record: RawRecord,
        contig: str,
        pos: int,
        ref: str,
        alt_text: str,
        alt_index: int,
        alt_count: int,
    ) -> int:
        """Check, normalise and accept one ALT; returns 1 when accepted, else 0."""
        alt = alt_text.upper()
        which = f"allele {alt_index} of {alt_count}: " if alt_count > 1 else ""
        problem = allele_problem(alt, "ALT")
        if problem is None and alt == ref:
            problem = (
                RejectionCode.REF_EQUALS_ALT,
                f"ALT {shorten_allele(alt)} is the same as REF: not a variant",
            )
        if problem is not None:
            self._reject(line, record.source_text, problem[0], which + problem[1], record, alt=alt_text)
            return 0
        reader = self.readers.get(contig) or self.readers.setdefault(
            contig, ReferenceReader(self.genome, contig)
        )
        try:
            new_pos, new_ref, new_alt = left_normalize(reader, pos, ref, alt)
        except RepeatTooLongError as error:
            self._reject(
                line, record.source_text, RejectionCode.LONG_REPEAT, which + str(error), record, alt=alt_text
            )
            return 0
        moved = (new_pos, new_ref, new_alt) != (pos, ref, alt)
        variant = ParsedVariant(
            chrom=contig,
            pos=new_pos,
            ref=new_ref,
            alt=new_alt,
            variant_id=record.variant_id,
            line=line,
            source_text=record.source_text,
            normalised_from=f"{record.chrom}:{pos}:{ref}>{alt}" if moved else None,
            alt_index=alt_index,
        )
        first_line = self.seen.get(variant.key)
        if first_line is not None:
            spelled = f" after left-normalisation (written {record.chrom}:{pos}:{ref}>{alt})" if moved else ""
            self._reject(
                line,
                record.source_text,
                RejectionCode.DUPLICATE,
                f"{which}{variant} repeats line {first_line}{spelled}; it is scored once",
                record,
                alt=alt_text,
            )
            return 0
        if len(self.result.accepted) >= self.max_variants:
            self.overflow = True
            return 0
        self.seen[variant.key] = line
        self.result.accepted.append(variant)
        if moved:
            self.normalised.append(variant)
        return 1

    def _reject(
        self,
        line: int,
        text: str,
        code: RejectionCode,
        reason: str,
        record: RawRecord | None = None,
        *,
        alt: str | None = None,
    ) -> None:
        self.result.rejection_counts[code] += 1
        if len(self.result.rejected) >= self.max_listed:
            self.result.unlisted_rejections += 1
            return
        pos = whole_number(record.pos) if record is not None else None
        self.result.rejected.append(
            Rejection(
                line=line,
                text=text if len(text) <= 500 else text[:499] + "…",
                reason=reason,
                code=code,
                chrom=record.chrom if record else None,
                pos=pos,
                ref=record.ref if record else None,
                alt=alt if alt is not None else (record.alt if record else None),
            )
        )

    # file-level observations

    def _check_meta(self, line: int, text: str) -> None:
        """`##contig` lengths that disagree with the reference suggest another assembly."""
        match = _CONTIG_META.match(text)
        if not match:
            return
        try:
            contig = self.genome.resolve_contig(match["id"])
        except ContigNotFoundError:
            return
        declared, actual = whole_number(match["length"]), self.genome.lengths[contig]
        if declared is None:  # `\d` also matches other scripts' digits; thousands of them overflow int()
            self.result.notes.append(
                f"The header (line {line}) declares contig {match['id'][:64]!r} with "
                f"{number_problem(match['length'], 'length')}; it was ignored."
            )
            return
        if declared != actual:
            self.result.notes.append(
                f"The header (line {line}) declares contig {match['id']} with {declared:,} bp, but this "
                f"reference's {contig} has {actual:,} bp: the file may have been made for another assembly."
            )

    def _note_order(self, line: int, contig: str, pos: int) -> None:
        key = (self.contig_order[contig], pos)
        if self.unsorted_at is None and self.last_sort_key is not None and key < self.last_sort_key:
            self.unsorted_at = line
        self.last_sort_key = key

    def finish(self, empty_message: str) -> ParseResult:
        result = self.result
        if self.overflow:
            bound = "at least " if self.count_is_lower_bound else ""
            raise TooManyVariantsError(
                f"The input has {bound}{self.alleles_in_input:,} variants (each ALT allele counts once), "
                f"more than the limit of {self.max_variants:,} per job. Split it into jobs of at most "
                f"{self.max_variants:,} variants.",
                limit=self.max_variants,
                count=self.alleles_in_input,
                count_is_lower_bound=self.count_is_lower_bound,
            )
        if result.records == 0:
            raise EmptyInputError(empty_message)
        result.notes.extend(self._summary_notes())
        if not result.accepted:
            first = result.rejected[0]
            others = len(result.rejected) - 1
            more = f"; {others:,} more line{'s' if others != 1 else ''} rejected" if others else ""
            raise NoVariantsError(
                f"None of the {result.records:,} record{'s' if result.records != 1 else ''} could be used: "
                f"{first}{more}.",
                result=result,
            )
        return result

    def _summary_notes(self) -> list[str]:
        notes = []
        if self.vcf_without_header:
            notes.append("No #CHROM header line: columns were read as CHROM POS ID REF ALT.")
        if self.renamed:
            pairs = ", ".join(f"{old} → {new}" for old, new in list(self.renamed.items())[:5])
            notes.append(f"Contig names were matched to the reference's spelling ({pairs}).")
        if self.unknown_contigs:
            counts = ", ".join(f"{name} ({n:,})" for name, n in self.unknown_contigs.most_common(5))
            notes.append(f"Records on contigs this reference does not have were rejected: {counts}.")
        if self.ref_mismatches >= 5 and self.ref_mismatches * 2 > self.ref_checks:
            notes.append(
                f"REF does not match the reference for {self.ref_mismatches:,} of {self.ref_checks:,} "
                "records: the file was probably made for another assembly "
                "(GRCh37 and GRCh38 positions differ)."
            )
        if self.split_records:
            notes.append(
                f"{self.split_records:,} multi-allelic "
                f"record{'s were' if self.split_records != 1 else ' was'} split into "
                f"{self.split_alleles:,} variants, one per ALT allele."
            )
        if self.normalised:
            example = self.normalised[0]
            notes.append(
                f"{len(self.normalised):,} variant{'s were' if len(self.normalised) != 1 else ' was'} "
                f"left-normalised against the reference (e.g. line {example.line}: "
                f"{example.normalised_from} → {example})."
            )
        duplicates = self.result.duplicates
        duplicate_count = self.result.rejection_counts[RejectionCode.DUPLICATE]
        if duplicate_count:
            lines = ", ".join(str(r.line) for r in duplicates[:10]) + ("…" if duplicate_count > 10 else "")
            notes.append(
                f"{duplicate_count:,} duplicate variant{'s' if duplicate_count != 1 else ''} "
                f"(lines {lines}) {'were' if duplicate_count != 1 else 'was'} kept once."
            )
        if self.result.unlisted_rejections:
            notes.append(
                f"{self.result.unlisted_rejections:,} more rejected lines are counted but not listed "
                f"(the first {self.max_listed:,} are)."
            )
        if self.unsorted_at is not None:
            notes.append(
                f"Records are not sorted by position (from line {self.unsorted_at}); that is fine, "
                "they are read in any order."
            )
        return notes
