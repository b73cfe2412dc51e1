"""Drivers started before their caller can start them.

A command line run on a few files is mostly start-up: its interpreter's, its imports' (an event
loop, the query machinery) and its first driver's, which the imports would otherwise precede.
So the command line starts that driver first thing (launch), from what the last run chose for a
file with the same extension and the same options (a hint in the user's cache folder, written by
remember), and the process runtime then takes the running process as the instance it was about
to start (take) if it is the very command it would have run; else the process is ended unused
when the caller exits.  A hint is only a guess: the choice is made again, as always.

A hint names a program to run.  Only this interpreter, isolated, on one of this package's own
drivers is ever launched from one (the way the process runtime runs the bundled drivers), in a
folder of this package; anything else in the file is ignored.  Nothing of a workspace is read
but the names of the files given.  Only the standard library is imported here.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from driver_runtime.paths import cache_dir
from driver_runtime.runtime_names import RUNTIME_ENV
from driver_runtime.sdk.programs import isolated_python, toolchain_environment

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
HINTS_NAME = "launch-hints.json"
# The commands whose first file's driver is launched early, and the global options that take a value.
COMMANDS = frozenset({"query", "parse", "symbols"})
OPTIONS_WITH_VALUES = frozenset({"--runtime", "--driver", "--log-level", "--log-file"})
MAX_HINTS = 64

# The processes launched, by (command, working directory), until taken; and the key of the file
# the caller launched a driver for (or would have, had it a hint), for remember().
_launched: dict[tuple[tuple[str, ...], str], subprocess.Popen[bytes]] = {}
_key: str | None = None


def hints_file() -> Path:
    return cache_dir() / HINTS_NAME


def short_command(argv: list[str]) -> tuple[str, list[str], list[str]] | None:
    """A query, parse or symbols command line, split: the command, the global options before
    it (with their values), and the words after it.  None for any other command line."""
    options: list[str] = []
    at = 0
    while at < len(argv) and argv[at].startswith("-"):
        option = argv[at]
        if option in OPTIONS_WITH_VALUES and at + 1 < len(argv):
            options += argv[at:at + 2]
            at += 2
        elif option.partition("=")[0] in OPTIONS_WITH_VALUES:
            options.append(option)
            at += 1
        else:
            return None  # --help, --version: nothing to parse
    if at >= len(argv) or argv[at] not in COMMANDS:
        return None
    return argv[at], options, argv[at + 1:]


def first_file(argv: list[str]) -> tuple[str, str] | None:
    """The first existing file a command line's query, parse or symbols names, and the key of
    its hints: its extension, with the global options and the runtime's environment variable
    (which decide its driver), for this interpreter (an install of its own).  None for any other
    command line."""
    command = short_command(argv)
    if command is None:
        return None
    name, options, words = command
    for word in words:
        if word.startswith("-") or not os.path.isfile(word):  # never opens it: a FIFO would wait
            continue
        extension = os.path.splitext(word)[1].lower()
        if not extension:
            return None  # a shebang's language needs the file's text
        return word, json.dumps([sys.executable, name, options, os.environ.get(RUNTIME_ENV, ""), extension])
    return None


def launch(argv: list[str]) -> None:
    """Start the driver the last run chose for the first file of this command line, if any."""
    global _key
    found = first_file(argv)
    if found is None:
        return
    _key = found[1]
    hint = _hints().get(_key)
    if not isinstance(hint, dict):
        return
    command, cwd = hint.get("command"), hint.get("cwd")
    if not _ours(command, cwd):
        return
    try:
        process = subprocess.Popen(command, cwd=cwd, env=toolchain_environment(os.environ), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError:
        return
    if not _launched:
        atexit.register(_end)
    _launched[(tuple(command), cwd)] = process


def take(command: list[str], cwd: str) -> subprocess.Popen[bytes] | None:
    """The process launched early for this very command, still running, if any (once)."""
    process = _launched.pop((tuple(command), cwd), None)
    if process is not None and process.poll() is not None:
        return None
    return process


def remember(command: list[str], cwd: str) -> None:
    """The driver chosen for the first file of this command line, for the next run to launch
    early (written only when it changed)."""
    if _key is None or not _ours(command, cwd):
        return
    hints = _hints()
    hint = {"command": command, "cwd": cwd}
    if hints.get(_key) == hint:
        return
    hints.pop(_key, None)
    hints[_key] = hint
    kept = dict(list(hints.items())[-MAX_HINTS:])
    path = hints_file()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{HINTS_NAME}.{os.getpid()}")
        scratch.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(scratch, path)


def _hints() -> dict[str, object]:
    try:
        found = json.loads(hints_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _ours(command: object, cwd: object) -> bool:
    """This interpreter, isolated, on one of this package's drivers, in a folder of the package."""
    python = isolated_python()
    if not (isinstance(command, list) and all(isinstance(part, str) for part in command) and isinstance(cwd, str)):
        return False
    if command[:len(python)] != python or len(command) != len(python) + 2 or command[len(python)] != "-m":
        return False
    module = command[-1].split(".")
    if len(module) != 3 or module[:2] != ["driver_runtime", "drivers"] or not module[2].isidentifier():
        return False
    folder = Path(os.path.realpath(cwd))
    return os.path.isabs(cwd) and (folder == PACKAGE_ROOT or PACKAGE_ROOT in folder.parents)


def _end() -> None:
    """The processes launched but not taken are killed: they did nothing yet, and the caller
    (which failed, or found no work for them) need not wait for them to start and then end."""
    for process in _launched.values():
        with contextlib.suppress(OSError):
            process.kill()
        process.wait()
    _launched.clear()
