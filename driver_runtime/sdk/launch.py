"""Starts a Python driver in an isolated interpreter, whatever folder it is started from.

    python -I -B .../driver_runtime/sdk/launch.py -m MODULE [ARGUMENT...]
    python -I -B .../driver_runtime/sdk/launch.py SCRIPT [ARGUMENT...]

`-I` keeps the interpreter from reading anything the user's working directory or environment
holds: no working directory first on sys.path (a workspace's ast.py, attr.py or orjson.py would
be imported instead of the real module, and run), no PYTHONPATH or other PYTHON* variables, no
user site-packages.  What a driver still needs, the folder that holds the driver_runtime
package, is put on sys.path here, found from where this file is: never from the working
directory or the environment.  `-B`: an installation is not written to.

This file runs before driver_runtime is importable: it imports nothing but the standard library.
"""

from __future__ import annotations

import os
import runpy
import sys

# .../driver_runtime/sdk/launch.py -> ...: the folder that holds the driver_runtime package.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
USAGE = "usage: python -I -B launch.py (-m MODULE | SCRIPT) [ARGUMENT...]"


def main(argv: list[str]) -> None:
    if PACKAGE_ROOT not in sys.path:
        sys.path.insert(0, PACKAGE_ROOT)
    if len(argv) >= 2 and argv[0] == "-m":
        module, arguments = argv[1], argv[2:]
        sys.argv = [module, *arguments]  # runpy puts the module's file in sys.argv[0]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    elif argv and not argv[0].startswith("-"):
        script, arguments = argv[0], argv[1:]
        sys.argv = [script, *arguments]
        runpy.run_path(script, run_name="__main__")
    else:
        sys.exit(USAGE)


if __name__ == "__main__":
    main(sys.argv[1:])
