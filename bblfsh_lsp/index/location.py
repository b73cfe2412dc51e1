"""Where the workspace index of a folder is: in the user's cache folder (never inside the
workspace), one database per workspace root.  Apart from the store (store.py), so that whether
an index covers some paths is told without loading the database's machinery: a command line
run where none does pays nothing for it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from driver_runtime.paths import cache_dir

INDEX_DIR_ENV = "BBLFSH_LSP_INDEX_DIR"


def index_folder() -> Path:
    """Where indexes live: $BBLFSH_LSP_INDEX_DIR, else $XDG_CACHE_HOME/bblfsh-lsp/index, else
    ~/.cache/bblfsh-lsp/index."""
    explicit = os.environ.get(INDEX_DIR_ENV)
    if explicit:
        return Path(explicit)
    return cache_dir() / "index"


def index_file(root: str) -> Path:
    """The database of a workspace root: named by the root's real path, so that the same
    folder reached by another path shares it."""
    real = os.path.realpath(root)
    digest = hashlib.sha256(real.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    name = "".join(char if char.isalnum() or char in "-_." else "_" for char in os.path.basename(real))
    return index_folder() / f"{name or 'root'}-{digest}.sqlite"


def index_root_of(path: str) -> str | None:
    """The nearest folder at or above `path` that has an index, if any."""
    here = os.path.realpath(path)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        if index_file(here).exists():
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
