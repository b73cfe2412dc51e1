"""Files in batches sized by bytes: one task carries many small files or a few large ones, so
that a task's overhead (a round trip to the scheduler) is paid per few megabytes, not per file."""

from __future__ import annotations

import os
from collections.abc import Sequence

# Bytes of source per task: a few seconds of parsing, small next to a worker lost mid-run.
BATCH_BYTES = 4 * 1024 * 1024
# Tasks per worker thread at least, where the files allow: a slow batch does not leave the
# other workers idle at the end.  On CPython's stdlib and two one-core workers, 16 ended the run
# about 0.3 s sooner than 4 (bench/cluster.py: 8.25 s against 8.54 s).
TASKS_PER_THREAD = 16


def file_size(path: str) -> int:
    """Its size, or 0 when it cannot be read here (the worker that reads it says why)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def batches(paths: Sequence[str], sizes: Sequence[int], threads: int, limit: int = BATCH_BYTES) -> list[list[int]]:
    """The positions of `paths` in consecutive batches (their order kept) of at most `limit`
    bytes, or fewer so that there are at least TASKS_PER_THREAD batches per thread; a file
    larger than the budget is a batch of its own."""
    total = sum(sizes)
    budget = max(1, min(limit, total // max(threads * TASKS_PER_THREAD, 1)))
    out: list[list[int]] = []
    current: list[int] = []
    held = 0
    for position, size in enumerate(sizes):
        if current and held + size > budget:
            out.append(current)
            current, held = [], 0
        current.append(position)
        held += size
    if current:
        out.append(current)
    return out
