"""Where a driver's prepared native parts are: what its prepare.sh compiled or installed.

A driver finds them in the folder its host names in $BBLFSH_LSP_DRIVER_BUILD: a driver image
names /opt/driver/build (host.Dockerfile), where its Dockerfile ran prepare.sh.  A driver on a
host that names no folder (the process runtime, a driver made in the host's own process by a
test or a benchmark) uses the host's default, the one `bblfsh-lsp driver install LANG --runtime
process` prepares: NAME-VERSION in the build folder of the installation's data folder.

The data folder is defined here, in the kit, and not in the host's driver_runtime.paths (which
builds its own places on it): the kit is copied alone into images and must not import the host.
"""

from __future__ import annotations

import os
from pathlib import Path

BUILD_ENV = "BBLFSH_LSP_DRIVER_BUILD"
DATA_ENV = "BBLFSH_LSP_DATA"


def data_dir() -> Path:
    """Where this installation keeps its state: $BBLFSH_LSP_DATA, else $XDG_DATA_HOME/bblfsh-lsp."""
    explicit = os.environ.get(DATA_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(xdg) / "bblfsh-lsp"


def build_dir(name: str, version: str) -> Path:
    """The folder of the driver NAME at VERSION's prepared parts: the one its host names, else
    the host's default."""
    explicit = os.environ.get(BUILD_ENV)
    if explicit:
        return Path(explicit)
    return data_dir() / "build" / f"{name}-{version}"
