"""`python -m model.quantiles build --assembly NAME --variants FILE --out DIR`.

The program lives in `model.scoring.quantiles`.
"""

from model.scoring.quantiles import QuantileBackground, main

__all__ = ["QuantileBackground", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
