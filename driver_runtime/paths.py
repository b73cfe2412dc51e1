"""Where this installation keeps its state: $BBLFSH_LSP_DATA, else $XDG_DATA_HOME/bblfsh-lsp."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "BBLFSH_LSP_DATA"


def data_dir() -> Path:
    explicit = os.environ.get(DATA_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(xdg) / "bblfsh-lsp"


def bundles_dir() -> Path:
    """OCI bundles' root filesystems, one folder per image digest."""
    return data_dir() / "bundles"


def state_file() -> Path:
    """The installed drivers (driver_runtime.manager)."""
    return data_dir() / "drivers.json"
