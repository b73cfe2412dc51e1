"""Structural search for the language server: the query library (bblfsh_lsp.query) over the
documents open in the editor, in their editor state, and over the rest of the workspace from
disk, walked as the CLI walks it; answers as LSP locations.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import attrs
from pygls.uris import from_fs_path, to_fs_path

from bblfsh_lsp.documents import DocumentStore
from bblfsh_lsp.files import SourceError, inside, read_source
from bblfsh_lsp.index.search import indexed_files, planned_search
from bblfsh_lsp.index.store import IndexStore
from bblfsh_lsp.interruptible import run_interruptible
from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query import FileMatches, Match, Parser, QueryTimeout, Search
from driver_runtime.progress import Progress


def results_json(uri: str, outcome: FileMatches) -> list[dict[str, Any]]:
    """A document's answer to the query: its matches; or, for a query that is not a node set
    (count(...), boolean(...)), one entry with the value, at the document's start (as the CLI
    prints a value per file)."""
    if outcome.value is None or outcome.matches:
        assert outcome.index is not None or not outcome.matches
        return [match_json(uri, outcome.index, match) for match in outcome.matches if outcome.index is not None]
    start = {"line": 0, "character": 0}
    return [{"uri": uri, "range": {"start": start, "end": start}, "type": "value", "label": str(outcome.value),
             "value": outcome.value}]


def _range(index: TextIndex, start: int, end: int) -> dict[str, Any]:
    start_line, start_char = index.position(start)
    end_line, end_char = index.position(end)
    return {"start": {"line": start_line, "character": start_char}, "end": {"line": end_line, "character": end_char}}


def match_json(uri: str, index: TextIndex, match: Match) -> dict[str, Any]:
    answer = {"uri": uri, "range": _range(index, match.start, match.end), "type": match.type, "label": match.label}
    if hasattr(match, "captures"):  # a pattern's: {name: {text, range?}}
        answer["captures"] = {
            name: {"text": capture.text, **({"range": _range(index, capture.start, capture.end)}
                                            if capture.start is not None and capture.end is not None else {})}
            for name, capture in match.captures}
    return answer


def _by_root(roots: list[str], paths: list[str]) -> dict[str, list[str]]:
    """Paths grouped by the workspace folder holding them (the innermost, when folders nest;
    "" for a path in none), each group in the order given."""
    folders = sorted((os.path.abspath(root) for root in roots), key=len, reverse=True)
    groups: dict[str, list[str]] = {}
    for path in paths:
        absolute = os.path.abspath(path)
        root = next((folder for folder in folders if inside(absolute, folder)), "")
        groups.setdefault(root, []).append(path)
    return groups


# How many skipped files a workspace search names in the log before it only counts them.
NAMED_SKIPS = 5


class WorkspaceSearch:
    def __init__(self, store: DocumentStore, parser: Parser, roots: list[str], progress: Progress | None = None,
                 time_limit: float | None = None, log: Callable[[str], None] | None = None,
                 index_of: Callable[[str], IndexStore | None] | None = None):
        self.index_of = index_of  # a workspace folder's index, where there is one
        self.store = store
        self.parser = parser
        self.roots = roots
        self.progress = progress
        self.time_limit = time_limit  # seconds a query may run on one document
        self.log = log  # tells the user (window/logMessage) which files were skipped, and why
        self.skipped: list[str] = []  # "path: why", from the walk and from reading

    async def run(self, query_text: str, uri: str | None = None) -> list[dict[str, Any]]:
        """Matches as JSON-ready dicts: {uri, range, type, label} (and `value` for a query that is
        not a node set: results_json); QueryError if the query is bad, QueryTimeout if it runs
        too long on a document."""
        search = await planned_search(query_text, self.parser, encoding=self.store.encoding,
                                    max_bytes=self.store.max_bytes, time_limit=self.time_limit)
        return await self._run(search, uri)

    async def run_pattern(self, pattern: str, language: str | None = None, semantic: bool = False,
                          uri: str | None = None) -> list[dict[str, Any]]:
        """A code pattern's matches, as run() gives a query's, each with its captures; PatternError
        (a QueryError) if the pattern does not parse."""
        from bblfsh_lsp.query.pattern_search import PatternSearch

        search = await PatternSearch.start(pattern, self.parser, language=language, semantic=semantic,
                                           encoding=self.store.encoding, max_bytes=self.store.max_bytes,
                                           time_limit=self.time_limit)
        answer = await self._run(search, uri)
        if search.failures and not search.patterns:  # no document's language could read the pattern
            raise next(iter(search.failures.values()))
        return answer

    async def _run(self, search: Any, uri: str | None) -> list[dict[str, Any]]:
        if uri is not None:
            return await self._search_open(search, uri)
        out: list[dict[str, Any]] = []
        open_uris = self.store.uris()
        for open_uri in open_uris:
            out += await self._search_open(search, open_uri)
        open_paths = {os.path.realpath(to_fs_path(open_uri) or open_uri) for open_uri in open_uris}
        # Walking a large workspace (and resolving links) takes a while: not on the event loop.
        paths = await asyncio.to_thread(search.walk, self.roots, self.skipped.append,
                                        lambda path: os.path.realpath(path) in open_paths)
        done = 0
        for root, root_paths in _by_root(self.roots, paths).items():
            # Opening a database reads and may wait on a file: not on the event loop.
            index = await asyncio.to_thread(self.index_of, root) if (
                self.index_of is not None and root and isinstance(search, Search)) else None
            try:
                outcomes = (indexed_files(search, index, root_paths, [root], self.parser) if index is not None
                            else search.files(root_paths))
                async for outcome in outcomes:
                    done += 1
                    if self.progress is not None:
                        self.progress(done, len(paths), f"searched {outcome.path}" if done < len(paths) else
                                      f"searched {len(paths)} file{'s' if len(paths) != 1 else ''}")
                    out += await self._answer(search, from_fs_path(outcome.path) or outcome.path, outcome)
            finally:
                if index is not None:
                    index.close()
        self._log_skipped()
        return out

    async def _search_open(self, search: Any, uri: str) -> list[dict[str, Any]]:
        """A document as the editor has it if it is open (else from disk)."""
        path = to_fs_path(uri) or uri
        parsed = await self.store.snapshot(uri, path, search.mode)
        if parsed.tree is None:
            return []
        if isinstance(search, Search):
            return await self._answer(search, uri, await search.tree(path, parsed.index, parsed.tree))
        return await self._answer(search, uri, await search.tree(path, parsed.index, parsed.tree, parsed.language))

    async def _answer(self, search: Any, uri: str, outcome: FileMatches) -> list[dict[str, Any]]:
        if outcome.timed_out:
            raise QueryTimeout(f"{outcome.problem}: {search.text!r} (the limit is the queryTimeout setting)")
        if outcome.problem is not None:
            self.skipped.append(outcome.problem)
            return []
        if not outcome.matches:
            return results_json(uri, outcome)
        if outcome.index is None:  # answered by the index: the editor's positions need the text
            try:
                text = await asyncio.to_thread(read_source, outcome.path, self.store.max_bytes)
            except SourceError as exc:
                self.skipped.append(str(exc))
                return []
            outcome = attrs.evolve(outcome, index=TextIndex(text, self.store.encoding))
        return await run_interruptible(results_json, uri, outcome)  # many matches take a while

    def _log_skipped(self) -> None:
        """The skipped files, a few named and then a count (a tree may hold thousands)."""
        if self.log is None or not self.skipped:
            return
        for message in self.skipped[:NAMED_SKIPS]:
            self.log(f"structural search skipped {message}")
        if len(self.skipped) > NAMED_SKIPS:
            more = len(self.skipped) - NAMED_SKIPS
            self.log(f"structural search skipped {more} more file{'s' if more != 1 else ''} that could not be searched")
