"""The `bblfsh-lsp` script: the driver of the first file a query, parse or symbols run names is
started before anything else is imported (driver_runtime.early), then the command line runs.
Its start then overlaps the command line's own imports instead of following them.

Such a short command then ends at once (end_now): freeing its hundreds of modules and the
objects they hold, which the interpreter does at exit and the system does anyway when the
process ends, took 17 ms of the 137 ms that importing what a query needs and exiting take; a
query of a 10 KB file went from 166 to 159 ms (medians of 40, alternated)."""

from __future__ import annotations

import atexit
import os
import sys
import threading


def main() -> int:
    from driver_runtime import early

    argv = sys.argv[1:]
    early.launch(argv)
    from bblfsh_lsp.cli import main as run

    status = run()
    if early.short_command(argv) is not None:
        end_now(status)
    return status


def end_now(status: int) -> None:
    """End the process with `status` after doing what exit does that matters: the atexit
    handlers (logging's, the unused early driver's end) and the standard streams' buffers.
    Only when no other thread runs that exit would wait for (daemon threads it does not wait
    for), since its work would be cut short; else return, and the interpreter exits as usual."""
    main = threading.main_thread()
    if any(thread is not main and not thread.daemon for thread in threading.enumerate()):
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the usual exit reports it as it always has
        return
    os._exit(status)
