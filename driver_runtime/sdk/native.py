"""The bridge to a driver's native parser: a long-lived child program in the language's own
runtime (node, go, java, ruby, php...), spoken to in JSON lines.

The native side is deliberately thin.  It reads one request per line,
``{"content": str, "filename": str}``, and answers one line:
``{"ast": <tree or null>, "errors": [{"message": str, "line": int, "col": int}, ...]}``.
The tree is already in the wire form of a native UAST: objects with ``@type`` (the parser's
own node type, without the language prefix), optional ``@token``, ``@pos`` =
``{"start": n, "end": n}`` in the parser's own position unit (see units.py), and fields.
Error lines and columns are 1-based, columns in the same unit.  Everything else (prefixes,
roles, semantic nodes, byte offsets) is done in Python by the driver's tables.

A native program may also keep a document's statements, members and comments between requests
and send only those that changed (the request's "keep" and "reuse" fields): sdk/native_reuse.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from driver_runtime.sdk.programs import absolute_path_entries, find_program, toolchain_environment


class NativeError(Exception):
    """The native parser failed as a program (not a syntax error in the source)."""


class NativeParser:
    """One native parser process, started on first use and restarted if it dies.

    It runs in `cwd` (the driver's own folder: never the user's working directory, where a
    toolchain could find configuration or modules), with toolchain_environment(), and its
    program (command[0]) is found on the PATH's absolute folders only (find_program)."""

    def __init__(self, command: Sequence[str], cwd: str | Path, env: dict[str, str] | None = None):
        self.command = list(command)
        self.cwd = str(cwd)
        self.env = env
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: list[str] = []

    def _start(self) -> subprocess.Popen[bytes]:
        program = find_program(self.command[0])
        if program is None:
            searched = os.pathsep.join(absolute_path_entries(os.environ.get("PATH")))
            raise NativeError(f"cannot start the native parser: {self.command[0]} is not in the PATH's absolute "
                              f"folders ({searched})")
        try:
            process = subprocess.Popen(
                [program, *self.command[1:]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=self.cwd, env={**toolchain_environment(os.environ), **(self.env or {})},
            )
        except OSError as exc:
            raise NativeError(f"cannot start the native parser ({program}): {exc.strerror or exc}") from None
        self._stderr = []
        threading.Thread(target=self._drain_stderr, args=(process,), daemon=True).start()
        return process

    def _drain_stderr(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            text = line.decode("utf-8", "replace").rstrip()
            self._stderr = [*self._stderr[-19:], text]
            print(text, file=sys.stderr)

    def parse(self, content: str, filename: str = "", **fields: Any) -> dict[str, Any]:
        """The native answer for one source text; NativeError if the program failed.  `fields`:
        more of the request, for a program that reads them (sdk.native_reuse's)."""
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        request = {"content": content, "filename": filename, **fields}
        try:
            frame = orjson.dumps(request)
        except TypeError:  # a lone surrogate ("\ud800" from a decoded file): escape it as JSON can
            frame = json.dumps(request).encode("ascii")
        try:
            process.stdin.write(frame + b"\n")
            process.stdin.flush()
            line = process.stdout.readline()
        except (BrokenPipeError, ConnectionError):
            line = b""
        if not line:
            process.wait()
            self._process = None
            tail = " | ".join(self._stderr[-3:])
            raise NativeError(f"the native parser exited (status {process.returncode})"
                              + (f": {tail}" if tail else ""))
        try:
            answer = orjson.loads(line)
        except orjson.JSONDecodeError:
            answer = json.loads(line)  # deep trees: orjson stops at 1024 levels
        if not isinstance(answer, dict):
            raise NativeError("the native parser answered something other than a JSON object")
        return answer

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None
