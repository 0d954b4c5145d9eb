"""Sizes the whole application agrees on: the input lengths it offers and the widest ISM interval.

The web form, the REST API, the gRPC service, the job runners and the benchmarks import these;
none of them spells the numbers again.
"""

from __future__ import annotations

# Input lengths (bp) by the name the web form and the REST API take; the official API's 16 kb,
# 100 kb, 500 kb and 1 Mb are the same powers of two.
SEQUENCE_LENGTHS_BY_NAME: dict[str, int] = {"16KB": 2**14, "128KB": 2**17, "512KB": 2**19, "1MB": 2**20}
SEQUENCE_LENGTHS: tuple[int, ...] = tuple(SEQUENCE_LENGTHS_BY_NAME.values())  # ascending

DEFAULT_SEQUENCE_LENGTH_NAME = "16KB"
DEFAULT_SEQUENCE_LENGTH = SEQUENCE_LENGTHS_BY_NAME[DEFAULT_SEQUENCE_LENGTH_NAME]  # 16,384 bp

MAX_ISM_WIDTH = 200  # bp per ISM job or gRPC call: 600 substitutions, one ALT pass each
