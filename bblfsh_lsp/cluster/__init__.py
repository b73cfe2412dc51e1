"""`query`, `parse` and `index` on a Dask cluster: the walk on the client, files read, parsed and
searched by workers that keep their drivers warm, answers printed (or written) by the client in
the order a local run has them.

This module is what the CLI imports at start-up: flags only.  Dask loads (`run.py`) when a
command is given `--scheduler` or `--workers`.
"""

from __future__ import annotations

import argparse
import os

SCHEDULER_ENV = "BBLFSH_LSP_SCHEDULER"


def _workers(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of worker processes (1 or more), not {value!r}")
    return int(value)


def add_cluster_arguments(command: argparse.ArgumentParser) -> None:
    """`--scheduler ADDRESS` (default: $BBLFSH_LSP_SCHEDULER) and `--workers N`, for the
    commands that run on a cluster."""
    command.add_argument(
        "--scheduler", metavar="ADDRESS", default=os.environ.get(SCHEDULER_ENV) or None,
        help=f"run on the Dask cluster at ADDRESS (tcp://host:8786; default: ${SCHEDULER_ENV}); the paths must "
             "be readable by the workers at the same place (docs/cluster.md)")
    command.add_argument(
        "--workers", type=_workers, metavar="N",
        help="run on a Dask cluster of N worker processes on this machine")


def on_cluster(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "scheduler", None) or getattr(args, "workers", None))
