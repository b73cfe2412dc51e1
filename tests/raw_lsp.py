"""A raw client for the real server (`bblfsh-lsp --runtime process serve` on stdio): it can send
any bytes, and it checks every message the server writes (framing, strict JSON, the shape of a
JSON-RPC message).  The tests of hostile input (test_rpc.py, test_fuzz_*.py) drive it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

READY_TIMEOUT = 60.0  # the first answers wait for Python to start and import


def frame(body: bytes | str, length: int | None = None) -> bytes:
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return b"Content-Length: %d\r\n\r\n" % (len(data) if length is None else length) + data


def _strict_json(data: bytes) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")
    return json.loads(data, parse_constant=refuse)


def message_problem(message: Any) -> str | None:
    """What is wrong with a message the server sent; None if it is a valid JSON-RPC message."""
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return f"not a JSON-RPC 2.0 object: {message!r:.120}"
    if "method" in message:
        return None if isinstance(message["method"], str) else f"method not a string: {message!r:.120}"
    if "id" not in message or ("result" in message) == ("error" in message):
        return f"a response needs an id and exactly one of result and error: {message!r:.120}"
    error = message.get("error")
    if error is not None and not (isinstance(error, dict) and isinstance(error.get("code"), int)
                                  and isinstance(error.get("message"), str)):
        return f"an error needs an integer code and a message: {message!r:.120}"
    return None


def children_of(pid: int) -> list[int]:
    """Live child processes of pid (the drivers a server started)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(name))
    return found


def gone(pids: list[int], timeout: float = 10.0) -> bool:
    """Whether every process in pids has ended (or is a zombie) within timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.1)
    return False


class RawServer:
    """One server process over stdio, with a thread that reads and checks everything it writes."""

    def __init__(self, workspace: Path, log_path: Path):
        self.workspace = workspace
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", "serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, cwd=workspace)
        self._changed = threading.Condition()
        self.messages: list[dict[str, Any]] = []  # everything the server sent, in order
        self.problems: list[str] = []  # output that is not a valid message
        self.output_ended = False
        self._next_id = 0
        self.own_ids: set[int] = set()  # ids of the requests sent with request()
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    # --- reading ------------------------------------------------------------------------------

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                length = None
                while True:
                    line = stdout.readline()
                    if not line:
                        raise EOFError
                    if line == b"\r\n":
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if length is None:
                    self._note_problem("a frame without Content-Length")
                    continue
                body = stdout.read(length)
                if len(body) < length:
                    raise EOFError
                self._receive(body)
        except (EOFError, OSError, ValueError):
            pass
        with self._changed:
            self.output_ended = True
            self._changed.notify_all()

    def _receive(self, body: bytes) -> None:
        try:
            message = _strict_json(body)
        except ValueError as exc:
            self._note_problem(f"invalid JSON ({exc}): {body[:120]!r}")
            return
        problem = message_problem(message)
        if problem:
            self._note_problem(problem)
        if isinstance(message, dict) and "method" in message and "id" in message:
            self._answer_server_request(message)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def _note_problem(self, problem: str) -> None:
        with self._changed:
            self.problems.append(problem)

    def _answer_server_request(self, message: dict[str, Any]) -> None:
        params = message.get("params")
        items = params.get("items", []) if isinstance(params, dict) else []
        result = [None for _ in items] if message["method"] == "workspace/configuration" else None
        try:
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        except OSError:
            pass

    # --- writing ------------------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        with self._write_lock:
            stdin.write(data)
            stdin.flush()

    def send(self, message: Any) -> None:
        self.send_bytes(frame(json.dumps(message)))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request(self, method: str, params: Any = None, omit_params: bool = False) -> int:
        msg_id = self.new_id()
        self.own_ids.add(msg_id)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)
        return msg_id

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    # --- answers ------------------------------------------------------------------------------

    def answers(self, msg_id: Any) -> list[dict[str, Any]]:
        with self._changed:
            return [m for m in self.messages if "method" not in m and m.get("id") == msg_id]

    def wait(self, msg_id: Any, timeout: float = 20.0) -> dict[str, Any]:
        """The answer to request msg_id; TimeoutError or EOFError if none comes."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self.messages if "method" not in m and m.get("id") == msg_id]
                if found:
                    return found[0]
                if self.output_ended:
                    raise EOFError(f"the server closed its output before answering {msg_id!r}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no answer to {msg_id!r} in {timeout:g}s")
                self._changed.wait(min(left, 0.5))

    def call(self, method: str, params: Any = None, timeout: float = 20.0, omit_params: bool = False) -> dict[str, Any]:
        return self.wait(self.request(method, params, omit_params), timeout)

    def notifications(self, method: str) -> list[dict[str, Any]]:
        with self._changed:
            return [m for m in self.messages if m.get("method") == method and "id" not in m]

    # --- the session --------------------------------------------------------------------------

    def initialize(self, encoding: str = "utf-16") -> dict[str, Any]:
        answer = self.call("initialize", {
            "processId": os.getpid(), "rootUri": self.workspace.as_uri(),
            "workspaceFolders": [{"uri": self.workspace.as_uri(), "name": "ws"}],
            "capabilities": {"general": {"positionEncodings": [encoding]},
                             "workspace": {"workspaceFolders": True, "configuration": True},
                             "textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": True}}},
        }, timeout=READY_TIMEOUT)
        self.notify("initialized", {})
        return answer

    def open(self, name: str, text: str, language: str = "python", version: int = 1) -> str:
        uri = (self.workspace / name).as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language,
                                                              "version": version, "text": text}})
        return uri

    def alive(self) -> bool:
        return self.process.poll() is None and not self.output_ended

    def status_answered(self, timeout: float = 20.0) -> bool:
        try:
            return "result" in self.call("bblfsh/status", {}, timeout=timeout)
        except (TimeoutError, EOFError, OSError):
            return False

    def drivers(self) -> list[int]:
        return children_of(self.process.pid)

    def exit_status(self, timeout: float = 15.0) -> int | None:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        """shutdown and exit if it still runs; then whatever is left is killed (by pid)."""
        drivers = self.drivers()
        if self.alive():
            try:
                self.call("shutdown", None, timeout=10)
                self.notify("exit", None)
                self.process.wait(10)
            except (TimeoutError, EOFError, OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for pid in drivers:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self._log.close()
