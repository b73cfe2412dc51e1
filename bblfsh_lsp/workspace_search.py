"""Structural search over one document or a whole workspace, for the language server.

Open documents are searched in their editor state (the current version); the rest of the
workspace is read from disk, walked as the CLI walks it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from pygls.uris import from_fs_path, to_fs_path

from bblfsh_lsp.documents import DocumentModified, DocumentStore
from bblfsh_lsp.files import walk
from bblfsh_lsp.interruptible import TimeLimitExceeded, run_interruptible
from bblfsh_lsp.parsing import parse_file, parse_files
from bblfsh_lsp.positions import Encoding, TextIndex
from bblfsh_lsp.query import Query, QueryTimeout, compile_query
from bblfsh_lsp.search import Match, find
from driver_runtime import languages
from driver_runtime.progress import Progress
from driver_runtime.protocol import Mode, ParseResult
from driver_runtime.runtimes.base import DriverError
from driver_runtime.service import DriverService


def results_json(uri: str, index: TextIndex, query: Query, tree: dict[str, Any]) -> list[dict[str, Any]]:
    """A document's answer to the query: its matches; or, for a query that is not a node set
    (count(...), boolean(...)), one entry with the value, at the document's start (as the CLI
    prints a value per file)."""
    matches, value = find(query, tree, index)
    if value is None or matches:
        return [match_json(uri, index, match) for match in matches]
    start = {"line": 0, "character": 0}
    return [{"uri": uri, "range": {"start": start, "end": start}, "type": "value", "label": str(value),
             "value": value}]


def match_json(uri: str, index: TextIndex, match: Match) -> dict[str, Any]:
    start_line, start_char = index.position(match.start)
    end_line, end_char = index.position(match.end)
    return {
        "uri": uri,
        "range": {"start": {"line": start_line, "character": start_char},
                  "end": {"line": end_line, "character": end_char}},
        "type": match.type,
        "label": match.label,
    }


def searchable(path: str) -> bool:
    """Worth reading during a workspace search: a known extension or file name, or no extension
    (it may have a shebang)."""
    name = os.path.basename(path)
    return languages.detect(name) is not None or "." not in name


# How many skipped files a workspace search names in the log before it only counts them.
NAMED_SKIPS = 5


class WorkspaceSearch:
    def __init__(self, store: DocumentStore, service: DriverService, roots: list[str], encoding: Encoding,
                 max_bytes: int, progress: Progress | None = None, time_limit: float | None = None,
                 log: Callable[[str], None] | None = None):
        self.store = store
        self.time_limit = time_limit  # seconds a query may run on one document
        self.service = service
        self.roots = roots
        self.encoding = encoding
        self.max_bytes = max_bytes
        self.progress = progress
        self.log = log  # tells the user (window/logMessage) which files were skipped, and why
        self.skipped: list[str] = []  # "path: why", from the walk and from reading

    async def run(self, query_text: str, uri: str | None = None) -> list[dict[str, Any]]:
        """Matches as JSON-ready dicts: {uri, range, type, label} (and `value` for a query that is
        not a node set: results_json); QueryError if the query is bad."""
        try:  # a long query takes long to compile too
            query = await run_interruptible(compile_query, query_text, timeout=self.time_limit)
        except TimeLimitExceeded as exc:
            raise QueryTimeout(f"compiling the query {exc}") from None
        if uri is not None:
            return await self._search_uri(query, uri)
        out: list[dict[str, Any]] = []
        open_uris = self.store.uris()
        for open_uri in open_uris:
            out += await self._search_uri(query, open_uri)
        # Walking a large workspace (and resolving links) takes a while: not on the event loop.
        paths = await asyncio.to_thread(self._files_on_disk, open_uris)
        done = 0
        async for parsed in parse_files(self.service, paths, Mode.SEMANTIC, max_bytes=self.max_bytes):
            done += 1
            if self.progress is not None:
                self.progress(done, len(paths), f"searched {parsed.path}" if done < len(paths) else
                              f"searched {len(paths)} file{'s' if len(paths) != 1 else ''}")
            tree = parsed.result.uast if parsed.result is not None else None
            if parsed.text is None or not isinstance(tree, dict):
                if parsed.problem:
                    self.skipped.append(parsed.problem)
                continue
            out += await self._results(from_fs_path(parsed.path) or parsed.path, parsed.text, query, tree)
        self._log_skipped()
        return out

    async def _results(self, uri: str, text: str | TextIndex, query: Query,
                       tree: dict[str, Any]) -> list[dict[str, Any]]:
        """One document's matches, found in a worker thread within the time limit."""
        def work() -> list[dict[str, Any]]:
            index = text if isinstance(text, TextIndex) else TextIndex(text, self.encoding)
            return results_json(uri, index, query, tree)

        try:
            return await run_interruptible(work, timeout=self.time_limit)
        except TimeLimitExceeded as exc:
            raise QueryTimeout(f"query {query.text!r} {exc} on {to_fs_path(uri) or uri} (the limit is the "
                               f"queryTimeout setting)") from None

    def _files_on_disk(self, open_uris: list[str]) -> list[str]:
        """The workspace's searchable files, but those open in the editor (searched as edited).
        What cannot be read (a broken link, a link out of the workspace, a FIFO...) goes to
        self.skipped; the walk is files.walk, bounded against a hostile tree."""
        open_paths = {os.path.realpath(to_fs_path(uri) or uri) for uri in open_uris}
        return [path for path in walk(self.roots, wanted=searchable, report=self.skipped.append)
                if os.path.realpath(path) not in open_paths]

    def _log_skipped(self) -> None:
        """The skipped files, a few named and then a count (a tree may hold thousands)."""
        if self.log is None or not self.skipped:
            return
        for message in self.skipped[:NAMED_SKIPS]:
            self.log(f"structural search skipped {message}")
        if len(self.skipped) > NAMED_SKIPS:
            more = len(self.skipped) - NAMED_SKIPS
            self.log(f"structural search skipped {more} more file{'s' if more != 1 else ''} that could not be searched")

    async def _search_uri(self, query: Any, uri: str) -> list[dict[str, Any]]:
        index, result, _problem = await self.parse_uri(uri, Mode.SEMANTIC)
        if result is None or not isinstance(result.uast, dict):
            return []
        return await self._results(uri, index, query, result.uast)

    async def parse_uri(self, uri: str, mode: Mode) -> tuple[TextIndex, ParseResult | None, str | None]:
        """A document's parse: of the editor's current version if it is open, else of the file."""
        path = to_fs_path(uri) or uri
        if uri in self.store and mode is Mode.SEMANTIC:
            try:
                parsed = await self.store.current(uri)
            except DocumentModified:  # searching, not editing: the newer version will do
                parsed = await self.store.current(uri)
            return parsed.index, parsed.result, parsed.problem
        open_index = self.store.text_index(uri)
        if open_index is not None:
            try:
                return open_index, await self.service.parse(open_index.text, path, mode=mode), None
            except DriverError as exc:
                return open_index, None, str(exc)
        outcome = await parse_file(self.service, path, mode, max_bytes=self.max_bytes)
        index = TextIndex(outcome.text or "", self.encoding)
        return index, outcome.result, outcome.problem
