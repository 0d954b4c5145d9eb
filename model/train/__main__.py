"""`python -m model.train fit --config RUN.toml` / `finetune --config RUN.toml`.

Trains (resuming from the run's latest checkpoint if it has one) with a progress bar, writes
`<output_dir>/checkpoints/<step>/`, `<output_dir>/metrics.jsonl` (a line per step: loss, loss per
head, learning rate; a line per evaluation: validation metrics per head) and the exported model
`<output_dir>/export/`. See `model.train.config` for the file's sections.
"""

from __future__ import annotations

import argparse
import json

from model.train import config as train_config
from model.train.loop import EXPORT_DIR, METRICS_FILE, config_summary, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model.train", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("fit", "train from random weights"),
        ("finetune", "start from [finetune] checkpoint, new heads for new tracks"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--config", required=True, help="TOML run config")
        command.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        config = train_config.load(args.config)
    except (ValueError, OSError) as error:
        raise SystemExit(f"error: {error}") from None
    out = config.train.output_dir
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").write_text(json.dumps(config_summary(config) | {"command": args.command}, indent=2))
    state = run(config, finetune=args.command == "finetune", progress=not args.no_progress)
    print(f"{state.step} steps; metrics {out / METRICS_FILE}; model {out / EXPORT_DIR}")


if __name__ == "__main__":
    main()
