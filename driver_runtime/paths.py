"""Where this installation keeps its state, in its data folder: $BBLFSH_LSP_DATA, else
$XDG_DATA_HOME/bblfsh-lsp; and what it can make again, in its cache folder.

The data folder itself is the driver kit's (sdk/prepared.py): a driver running on this host finds
its prepared native parts there, and the kit imports nothing of the host.
"""

from __future__ import annotations

import os
from pathlib import Path

from driver_runtime.sdk.prepared import DATA_ENV, data_dir

__all__ = ["DATA_ENV", "bundles_dir", "cache_dir", "data_dir", "state_file"]


def cache_dir() -> Path:
    """What can be made again (the workspace indexes, start-up hints): $XDG_CACHE_HOME/bblfsh-lsp,
    else ~/.cache/bblfsh-lsp."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "bblfsh-lsp"


def bundles_dir() -> Path:
    """OCI bundles' root filesystems, one folder per image digest."""
    return data_dir() / "bundles"


def state_file() -> Path:
    """The installed drivers (driver_runtime.manager)."""
    return data_dir() / "drivers.json"
