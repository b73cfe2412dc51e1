"""The work a task does on a worker: read its batch of files (only paths were sent), parse and
search them with the same code a local run uses, and send back small, picklable answers that
name each file as the client named it."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

import attrs

from bblfsh_lsp.cluster.export import UastRow, row_of
from bblfsh_lsp.cluster.plugin import DriverPlugin, worker_plugin
from bblfsh_lsp.cluster.sources import parse_paths, search_paths
from bblfsh_lsp.query.search import FileMatches
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import Mode
from driver_runtime.sdk.uast import LineStarts

if TYPE_CHECKING:
    from bblfsh_lsp.index.store import FileEntry

# (as the client names it, absolute): workers may run elsewhere than the client's folder.
Named = tuple[str, str]
NO_LINES = LineStarts.known([0], 0)


@attrs.frozen
class QuerySpec:
    """An XPath search, as `query` was given it."""

    plugin: str
    text: str
    mode: str
    language: str | None
    time_limit: float | None


@attrs.frozen
class ParseSpec:
    plugin: str
    mode: str
    language: str | None
    rows: bool = False  # Parquet rows (--output) instead of JSON lines


@attrs.frozen
class Parsed:
    """One file of `parse`: its JSON line or its Parquet row, and its errors for stderr."""

    path: str
    record: bytes | None
    errors: str | None
    row: UastRow | None = None


def _renamed(text: str | None, absolute: str, shown: str) -> str | None:
    return text.replace(absolute, shown) if text is not None else None


def portable(outcome: FileMatches, absolute: str, shown: str) -> FileMatches:
    """What the client prints from: no text (the client reads a file it shows as code), line
    starts only where a match or value needs them."""
    lines = outcome.lines if outcome.lines is not None and (outcome.matches or outcome.value is not None) else None
    kept = LineStarts.known(list(lines.starts), lines.size) if lines is not None else NO_LINES
    return attrs.evolve(outcome, path=shown, index=None, lines=kept,
                        problem=_renamed(outcome.problem, absolute, shown))


async def _search(plugin: DriverPlugin, spec: QuerySpec) -> Any:
    search = plugin.cache.get(spec)
    if search is None:
        from bblfsh_lsp.index.search import planned_search

        assert plugin.service is not None
        search = await planned_search(spec.text, plugin.service, mode=Mode(spec.mode), language=spec.language,
                                      time_limit=spec.time_limit)
        plugin.cache[spec] = search
    return search


async def _query(plugin: DriverPlugin, spec: QuerySpec, files: list[Named]) -> list[FileMatches]:
    search = await _search(plugin, spec)
    out = []
    # search.files, for URLs too (read here, through fsspec)
    async for outcome in search_paths(search, search.parser, [absolute for _, absolute in files]):
        shown, absolute = files[len(out)]
        out.append(portable(outcome, absolute, shown))
    return out


def query_batch(spec: QuerySpec, files: list[Named]) -> list[FileMatches]:
    """A task: search a batch of files; answers in the order given."""
    plugin = worker_plugin(spec.plugin)
    return plugin.run(_query(plugin, spec, files))


async def _parse(plugin: DriverPlugin, spec: ParseSpec, files: list[Named]) -> list[Parsed]:
    from bblfsh_lsp.cli import _record  # the record a local `parse` prints

    assert plugin.service is not None
    out = []
    async for parsed in parse_paths(plugin.service, [absolute for _, absolute in files], Mode(spec.mode),
                                    spec.language):
        shown, absolute = files[len(out)]
        parsed = attrs.evolve(parsed, path=shown, problem=_renamed(parsed.problem, absolute, shown))
        failed = parsed.problem or (parsed.result and parsed.result.errors)
        errors = parsed.describe_errors() if failed else None
        if spec.rows:
            out.append(Parsed(shown, None, errors, row_of(parsed)))
        else:
            out.append(Parsed(shown, protocol.encode(_record(parsed)), errors))
    return out


def parse_batch(spec: ParseSpec, files: list[Named]) -> list[Parsed]:
    """A task: parse a batch of files into `parse`'s JSON lines."""
    plugin = worker_plugin(spec.plugin)
    return plugin.run(_parse(plugin, spec, files))




@attrs.frozen
class IndexSpec:
    plugin: str


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


async def _index(plugin: DriverPlugin, files: list[str]) -> list[tuple[str, FileEntry | None]]:
    """indexer.refresh's work for a batch, but the writing: each file stat'ed before it is read,
    parsed into its table and outline, and its entry made here (None: unreadable, or changed
    while it was read, as EntryWriter keeps nothing of it)."""
    from bblfsh_lsp.index.indexer import ENTRY_PARTS, entry_for
    from bblfsh_lsp.index.store import same_file

    service = plugin.service
    assert service is not None
    before = {path: _stat(path) for path in files}
    out: list[tuple[str, FileEntry | None]] = []
    async for parsed in parse_paths(service, files, Mode.SEMANTIC, concurrency=2 * service.settings.max_instances,
                                    parts=ENTRY_PARTS):
        stat = before[parsed.path]
        entry = None
        if stat is not None and same_file(_stat(parsed.path), stat):
            entry = await asyncio.to_thread(entry_for, parsed, stat, service)
        out.append((parsed.path, entry))
    return out


def index_batch(spec: IndexSpec, files: list[Named]) -> list[tuple[str, FileEntry | None]]:
    """A task: the index entries of a batch of files (absolute paths: the index's keys)."""
    plugin = worker_plugin(spec.plugin)
    return plugin.run(_index(plugin, [absolute for _, absolute in files]))


@attrs.frozen
class PatternSpec:
    """A code pattern (`query --pattern`), as `query` was given it."""

    plugin: str
    text: str
    language: str | None  # --lang
    semantic: bool
    file_language: str | None  # --language
    mode: str
    time_limit: float | None


@attrs.frozen
class PatternReport:
    """What a batch learnt of the pattern's languages, for `query`'s closing lines: the last
    answer of a pattern task (the client folds it into its own PatternSearch)."""

    patterns: dict[str, Any]  # language -> Pattern, compiled for a file of the batch
    failures: dict[str, Exception]  # language -> PatternError: the pattern does not parse in it
    unmatched: dict[str, int]  # files skipped for that, by language


async def _pattern(plugin: DriverPlugin, spec: PatternSpec, files: list[Named]) -> list[FileMatches | PatternReport]:
    from bblfsh_lsp.query.pattern_search import PatternSearch

    assert plugin.service is not None
    # A new search per batch: its languages are this batch's, as a local run's are its files'
    # (compiling a pattern is one small parse per language).
    search = await PatternSearch.start(spec.text, plugin.service, language=spec.language, semantic=spec.semantic,
                                       file_language=spec.file_language, mode=Mode(spec.mode),
                                       time_limit=spec.time_limit)
    out: list[FileMatches | PatternReport] = []
    async for outcome in search_paths(search, plugin.service, [absolute for _, absolute in files]):
        shown, absolute = files[len(out)]
        out.append(portable(outcome, absolute, shown))
    out.append(PatternReport(dict(search.patterns), dict(search.failures), dict(search.unmatched)))
    return out


def pattern_batch(spec: PatternSpec, files: list[Named]) -> list[FileMatches | PatternReport]:
    """A task: match a code pattern in a batch of files; answers in the order given, then the report."""
    plugin = worker_plugin(spec.plugin)
    return plugin.run(_pattern(plugin, spec, files))
