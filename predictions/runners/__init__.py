"""One module per job kind; each exposes `run(job, cancelled)` and reports progress through `Job.beat`."""
