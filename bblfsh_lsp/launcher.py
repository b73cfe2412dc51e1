"""The `bblfsh-lsp` script: the driver of the first file a query, parse or symbols run names is
started before anything else is imported (driver_runtime.early), then the command line runs.
Its start then overlaps the command line's own imports instead of following them."""

from __future__ import annotations

import sys


def main() -> int:
    from driver_runtime import early

    early.launch(sys.argv[1:])
    from bblfsh_lsp.cli import main as run

    return run()
