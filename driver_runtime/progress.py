"""How long steps tell their progress: one callback shape for every caller (CLI bar, LSP $/progress)."""

from __future__ import annotations

from collections.abc import Callable

# (done, total, message); total 0 means "unknown".
Progress = Callable[[int, int, str], None]


def silent(_done: int, _total: int, _message: str) -> None:
    """A progress callback that reports nothing."""
