"""How a driver's programs are started: a Python driver in this interpreter, isolated; a toolchain
(node, ruby, php, java) found on the PATH's absolute folders only, with an environment that
cannot make it load foreign code.

Only the standard library is imported here: the command line starts its first driver with this
(driver_runtime.early) before it imports anything else.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from pathlib import Path

# How every Python program of a driver is started (the driver itself: runtimes/process.py and
# the images' ENTRYPOINT; the C/C++ helper): isolated, so that nothing of the working directory
# or the PYTHON* variables is read (sdk/launch.py says why), and without writing bytecode.
ISOLATED_PYTHON_FLAGS = ("-I", "-B")
LAUNCHER = Path(__file__).resolve().with_name("launch.py")

# Variables through which a toolchain loads code or configuration that is not the driver's:
# a preloaded script, a module or library folder, an ini file, JVM options.  A project's
# environment (direnv, a shell in the project) may set them, often to relative paths; the
# driver's programs run without them.  (PYTHON* are ignored anyway under -I.)
TOOLCHAIN_VARIABLES = frozenset({
    "NODE_OPTIONS", "NODE_PATH",
    "RUBYOPT", "RUBYLIB",
    "PHPRC", "PHP_INI_SCAN_DIR",
    "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH",
})


def isolated_python() -> list[str]:
    """The start of the command line of a Python driver: this interpreter, isolated, through
    the launcher (which puts this package on sys.path): append `-m MODULE` or a script."""
    return [sys.executable, *ISOLATED_PYTHON_FLAGS, str(LAUNCHER)]


def absolute_path_entries(search_path: str | None) -> list[str]:
    """The PATH's absolute folders.  An empty or relative entry ("", ".", "node_modules/.bin")
    names a folder of whatever the working directory is: a workspace's `./node` must never
    be the node a driver runs."""
    return [entry for entry in (search_path or "").split(os.pathsep) if os.path.isabs(entry)]


def find_program(name: str) -> str | None:
    """The absolute path of a toolchain program (node, ruby, php, java) on the PATH's absolute
    folders; None if there is none.  A name with a slash is a path already, taken as it is
    (a relative one is relative to the native parser's own folder, its working directory)."""
    if os.sep in name:
        return name
    return _find_on_path(name, os.environ.get("PATH", ""))


@functools.cache
def _find_on_path(name: str, search_path: str) -> str | None:
    """Looked up once per name and PATH: a native parser restarted after a crash runs the same program."""
    for folder in absolute_path_entries(search_path):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def toolchain_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment a driver's programs run with: the user's, without the variables that
    make a toolchain load foreign code or configuration, and with only absolute PATH folders."""
    out = {key: value for key, value in environ.items() if key not in TOOLCHAIN_VARIABLES}
    if "PATH" in out:
        out["PATH"] = os.pathsep.join(absolute_path_entries(out["PATH"]))
    return out
