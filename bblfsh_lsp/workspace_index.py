"""The language server's index of its workspace: built and refreshed in the background by a
`bblfsh-lsp index --background` process per workspace folder, read by structural search and
workspace symbols.

A separate process, at a low CPU priority, with drivers of its own: the editor's requests are
served by this process meanwhile, and what the indexer costs is the operating system's to
schedule, behind them.  The index is SQLite's (bblfsh_lsp.index.store): the server reads it
while the indexer writes, and a killed indexer leaves it as it was before the batch it was
writing.  Saves and changes to files ask for a refresh, coalesced: a refresh asked for while
one runs runs once after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from pygls.uris import from_fs_path

from bblfsh_lsp.cluster import SCHEDULER_ENV
from bblfsh_lsp.files import inside
from bblfsh_lsp.index.location import index_file
from bblfsh_lsp.index.store import IndexStore
from bblfsh_lsp.lsp_progress import LspProgress

log = logging.getLogger(__name__)

# Symbols a workspace/symbol request answers with at most: editors show a short list.
SYMBOL_LIMIT = 200

# Changes that come together (a branch switch rewrites many files) are refreshed once.
SETTLE_SECONDS = 0.5


class WorkspaceIndex:
    """The indexes of a server's workspace folders, and the processes that keep them."""

    def __init__(self, roots: list[str], arguments: list[str],
                 progress: Callable[[str], Awaitable[LspProgress | None]] | None = None,
                 tell: Callable[[str], None] | None = None):
        self.roots = roots
        self.arguments = arguments  # the CLI's options for the drivers: --runtime, --driver
        self.progress = progress  # a progress reporter for a title, if the editor shows them
        self.tell = tell or (lambda message: log.info(message))
        self._wanted: dict[str, asyncio.Event] = {root: asyncio.Event() for root in roots}
        self._runs: list[asyncio.Task[None]] = []
        self._process: dict[str, asyncio.subprocess.Process] = {}
        self.states: dict[str, str] = {root: "waiting" for root in roots}  # waiting, indexing, ready, failed
        self.summaries: dict[str, str] = {}  # the indexer's last word per folder
        self._kept: dict[str, IndexStore | None] = {}  # the stores workspace/symbol reads
        self._symbols_lock = threading.Lock()

    def start(self) -> None:
        """Index every folder now, and keep them current from here on."""
        for root in self.roots:
            self._wanted[root].set()
            self._runs.append(asyncio.ensure_future(self._keep(root)))

    def changed(self, paths: list[str] | None = None) -> None:
        """Files changed (saved, created, deleted, or a checkout): refresh the folders holding
        them (every folder when not told which)."""
        for root in self.roots:
            if paths is None or any(inside(path, root) for path in paths):
                self._wanted[root].set()

    def store_for(self, root: str) -> IndexStore | None:
        """The index of a folder, if one has been written (None before the first batch)."""
        if not index_file(root).exists():
            return None
        try:
            return IndexStore.open(root, create=False, tell=self.tell)
        except Exception as exc:  # a damaged index is rebuilt by the next refresh
            self.tell(f"the index of {root} cannot be read: {exc}")
            return None

    def symbols(self, query: str, encoding: str, limit: int = SYMBOL_LIMIT) -> list[dict[str, Any]]:
        """workspace/symbol's answer: the best matches of `query` over every folder's index, as
        SymbolInformation (the name's range, in the editor's position encoding).  Blocking."""
        from bblfsh_lsp.index.symbols import find_symbols, order_key

        found = []
        with self._symbols_lock:  # one connection per folder, kept: its names stay cached
            for root in self.roots:
                store = self._kept.get(root)
                if store is None:
                    store = self._kept[root] = self.store_for(root)
                if store is not None:
                    found += find_symbols(store, query, limit)
        if len(self.roots) > 1:
            found.sort(key=order_key)
        utf8 = encoding == "utf-8"
        return [{
            "name": symbol.name,
            "kind": symbol.kind,
            "containerName": symbol.container or None,
            "location": {"uri": from_fs_path(symbol.path) or symbol.path, "range": {
                "start": {"line": symbol.line, "character": symbol.col8 if utf8 else symbol.col16},
                "end": {"line": symbol.end_line, "character": symbol.end_col8 if utf8 else symbol.end_col16}}},
        } for symbol in found[:limit]]

    async def close(self) -> None:
        with self._symbols_lock:
            for store in self._kept.values():
                if store is not None:
                    store.close()
            self._kept.clear()
        for task in self._runs:
            task.cancel()
        for process in list(self._process.values()):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        for task in self._runs:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._runs.clear()

    async def _keep(self, root: str) -> None:
        wanted = self._wanted[root]
        while True:
            await wanted.wait()
            await asyncio.sleep(SETTLE_SECONDS)
            wanted.clear()
            self.states[root] = "indexing"
            try:
                self.summaries[root] = await self._index(root)
                self.states[root] = "ready"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next change tries again
                self.states[root] = "failed"
                self.summaries[root] = str(exc)
                self.tell(f"indexing {root} failed: {exc}")

    def status(self) -> list[dict[str, str]]:
        """Each folder's index, as bblfsh/status reports it."""
        out = []
        for root in self.roots:
            state = self.states[root]
            if state == "ready" and self._wanted[root].is_set():
                state = "refreshing"  # a change is waiting to be indexed
            out.append({"root": root, "state": state, "summary": self.summaries.get(root, "")})
        return out

    async def _index(self, root: str) -> str:
        # Isolated (-I: neither the working folder nor PYTHON* variables on the import path) and
        # started outside the workspace: a workspace's `ast.py` must never be imported.
        command = [sys.executable, "-I", "-m", "bblfsh_lsp", *self.arguments, "index", root, "--progress", "json",
                   "--background", "--wait"]
        # The editor's index is this machine's: not on a cluster the user's shell names for `index`.
        local = {name: value for name, value in os.environ.items() if name != SCHEDULER_ENV}
        process = await asyncio.create_subprocess_exec(*command, stdin=asyncio.subprocess.DEVNULL,
                                                       stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE, cwd=os.path.abspath(os.sep),
                                                       env=local)
        self._process[root] = process
        report = await self.progress(f"Indexing {root}") if self.progress is not None else None
        last = ""
        assert process.stdout is not None and process.stderr is not None
        # Read both pipes at once: a child blocked on a full stderr would never finish stdout.
        stderr = asyncio.ensure_future(process.stderr.read())
        try:
            async for line in process.stdout:
                try:
                    step = orjson.loads(line)
                except orjson.JSONDecodeError:
                    last = line.decode("utf-8", "replace").strip()  # the summary line
                    continue
                if report is not None and isinstance(step, dict):
                    report(int(step.get("done", 0)), int(step.get("total", 0)), f"parsed {step.get('path', '')}")
            errors = (await stderr).decode("utf-8", "replace").strip()
            status = await process.wait()
        finally:
            stderr.cancel()
            self._process.pop(root, None)
            if report is not None:
                report.end(last or "indexed")
        if status != 0:
            raise RuntimeError(errors.splitlines()[-1] if errors else f"exit status {status}")
        if errors:
            log.info("indexer of %s: %s", root, errors)
        log.info("%s", last)
        return last

