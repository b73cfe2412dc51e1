"""Output of a long command: lines on stdout and stderr, with a progress bar on stderr when it
is a terminal (tqdm, imported only then: a pipe needs neither its import nor its per-line
bookkeeping, which costs more than the printing of a large result)."""

from __future__ import annotations

import sys
from typing import Any, TextIO


class ProgressLines:
    def __init__(self, total: int, unit: str = "file"):
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=unit, file=sys.stderr, delay=1.0, leave=False)

    def update(self, done: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(done)

    def write(self, text: str, file: TextIO) -> None:
        """Print `text` (one line or several) above the bar."""
        if self.bar is not None:
            self.bar.write(text, file=file)
        else:
            file.write(text + "\n")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
