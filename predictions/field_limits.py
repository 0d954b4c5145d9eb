"""Maximum lengths of text fields, one definition each for the model column, the start form and the
REST serializer, so that what a form or the API accepts always fits the column it reaches (Postgres
refuses an over-long value with a DataError: a 500 before the bound was shared).

The widths are part of the schema (a migration changes them), so they are constants, not settings;
the bounds on work (upload and decompressed bytes, lines, sequence length, JSON depth) are settings
(`genomeapp/settings.py`, README's configuration table).
"""

from __future__ import annotations

JOB_TITLE = 200  # Job.title; a job named after its upload's file name is cut to fit
STEP = 200  # Job.step
CONTIG_NAME = 64  # Variant.chrom; longer CHROM values are rejected lines, stored cut
VARIANT_ID = 200  # Variant.variant_id, the VCF ID column (longer IDs are cut, with a trailing …)
SOURCE_TEXT = 500  # Variant.source_text, the input line as shown (cut)
GENE_NAME = 100  # Variant.top_gene, Score.gene_name, the gene field of the form and the API
ONTOLOGY_CURIE = 64  # Score.ontology_curie; each term of the form's and the API's ontology_terms
ONTOLOGY_TERMS = 100  # terms per job
ONTOLOGY_TERMS_TEXT = ONTOLOGY_TERMS * (ONTOLOGY_CURIE + 2)  # the form's comma-separated field
LOCUS = 200  # the locus and ISM locus fields (`chr20:1,000,000-1,131,072` is 25 characters)
ASSEMBLY_NAME = 64  # Assembly.name
API_KEY_NAME = 100  # ApiKey.name
SPLICEAI_MAX_DISTANCE = 4999  # bp either side; SpliceAI's own -D limit
