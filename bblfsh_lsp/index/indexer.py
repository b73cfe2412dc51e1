"""Keeping an index current: which files are fresh, parsing the rest, writing their entries.

A file is fresh when its size and modification time are those indexed and the driver that
would parse it now is the one that did; a file whose stat changed but whose content did not
(a checkout that rewrote it) is only touched.  Files parse a few at a time on the drivers'
instances; entries are written in batches, each one transaction.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

import attrs

from bblfsh_lsp.files import DEFAULT_MAX_BYTES, inside
from bblfsh_lsp.index.store import FileEntry, FileRecord, IndexedSymbol, IndexStore, same_file
from bblfsh_lsp.index.terms import file_terms
from bblfsh_lsp.parsing import FileParse, SourceParser, parse_files
from bblfsh_lsp.positions import TextIndex
from driver_runtime.errors import DriverError
from driver_runtime.sdk import node_table
from driver_runtime.sdk.protocol import PART_OUTLINE, PART_TABLE, Manifest, Mode, document_digest

if TYPE_CHECKING:
    from driver_runtime.driver_choice import DriverChoice
    from driver_runtime.sdk.outline import Symbol

# Entries written per transaction, and at least this often (seconds): a killed indexer loses
# at most one batch, and a reader sees progress.
BATCH_FILES = 64
BATCH_SECONDS = 2.0
# What an entry is made from: the node table and the outline, which the driver makes (protocol
# 1.3; the host makes them from the tree that a driver which does not sends instead).
ENTRY_PARTS = (PART_TABLE, PART_OUTLINE)


class IndexParser(SourceParser, Protocol):
    """What indexing needs of the drivers (the runtime's DriverService)."""

    def language_of(self, path: str, head: bytes | str = b"", language: str | None = None) -> str: ...

    def manifest(self, language: str) -> Manifest | None: ...

    def driver_for(self, language: str) -> DriverChoice: ...


def driver_key(parser: IndexParser, language: str) -> str:
    """The driver that parses a language now, as an index row names it ("" if none): its name
    and version, and exactly which build: an image by its id, a bundled driver by its files'
    sizes and times (and the kit's), so that changed code without a new version still makes
    the rows it parsed stale."""
    try:
        spec = parser.driver_for(language).spec
    except DriverError:
        return ""
    manifest = spec.manifest
    build = spec.digest or (_fingerprint(str(spec.folder)) if spec.folder is not None else "")
    return f"{manifest.name} {manifest.version} {build}".strip()


_KIT = os.path.dirname(node_table.__file__)
_SKIPPED_FOLDERS = frozenset(("__pycache__", "node_modules", ".git", "target", "vendor"))


@functools.cache
def _fingerprint(folder: str) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for top in (folder, _KIT):
        for where, folders, files in os.walk(top):
            folders[:] = sorted(name for name in folders if name not in _SKIPPED_FOLDERS)
            for name in sorted(files):
                try:
                    stat = os.stat(os.path.join(where, name))
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(os.path.join(where, name), top)} {stat.st_size} "
                              f"{stat.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@attrs.frozen
class Freshness:
    fresh: dict[str, FileRecord]  # absolute path -> its record
    stale: list[str]  # absolute paths to parse
    gone: list[str]  # indexed under the roots walked, no longer found


def check(store: IndexStore, paths: Iterable[str], roots: Iterable[str], parser: IndexParser) -> Freshness:
    """Which of `paths` (absolute) the index answers for as they are now."""
    records = store.records()
    drivers: dict[str, str] = {}
    fresh: dict[str, FileRecord] = {}
    stale: list[str] = []
    seen: set[str] = set()
    for path in paths:
        seen.add(path)
        record = records.get(path)
        if record is None:
            stale.append(path)
            continue
        try:
            stat = os.stat(path)
        except OSError:
            stale.append(path)  # the search says why it cannot be read
            continue
        driver = drivers.get(record.language)
        if driver is None:
            driver = drivers[record.language] = driver_key(parser, record.language)
        if record.driver != driver:
            stale.append(path)
        elif record.same_stat(stat):
            fresh[path] = record
        elif _same_content(path, record, stat):
            store.touch(path, stat.st_size, stat.st_mtime_ns)
            fresh[path] = attrs.evolve(record, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
        else:
            stale.append(path)
    # Paths are kept absolute as walked; a root given through a link is also matched as resolved.
    folders = {spelling(root) for root in roots if os.path.isdir(root)
               for spelling in (os.path.abspath, os.path.realpath)}
    gone = [path for path in records if path not in seen and any(inside(path, folder) for folder in folders)]
    return Freshness(fresh, stale, gone)


def _same_content(path: str, record: FileRecord, stat: os.stat_result) -> bool:
    if stat.st_size != record.size or stat.st_size > DEFAULT_MAX_BYTES:
        return False
    try:
        with open(path, "rb") as source:
            return document_digest(source.read()) == record.digest
    except OSError:
        return False


def entry_for(parsed: FileParse, stat: os.stat_result | None, parser: IndexParser) -> FileEntry | None:
    """A file's index entry from its parse; None if it could not be read (nothing to keep)."""
    if parsed.text is None or stat is None:
        return None
    data = parsed.text.encode("utf-8", "surrogatepass")
    language = parsed.result.language if parsed.result is not None else parsed.missing_driver or ""
    if not language:
        try:
            language = parser.language_of(parsed.path, parsed.text[:256])
        except DriverError:
            language = ""
    common = dict(path=parsed.path, size=stat.st_size, mtime_ns=stat.st_mtime_ns, digest=document_digest(data),
                  language=language, driver=driver_key(parser, language) if language else "")
    tree = parsed.result.uast if parsed.result is not None else None
    encoded = parsed.table_data()
    try:
        table = node_table.decode(encoded) if encoded is not None else None
    except node_table.TableError:
        table = None
    if parsed.problem is not None or (table is None and not isinstance(tree, (dict, list))):
        return FileEntry(**common, problem=parsed.describe_errors() or f"{parsed.path}: no tree")
    index = TextIndex(parsed.text, "utf-16")
    if table is None or encoded is None:  # a driver that does not make tables: made here
        table = node_table.build(tree, index.lines.starts, len(data))
        encoded = table.encode()
    symbols = parsed.symbols()
    if symbols is None:
        from driver_runtime.sdk.outline import outline, symbol_kinds  # only for a driver that sends no outline

        manifest = parser.manifest(language)
        kinds = symbol_kinds(manifest.symbol_kinds) if manifest is not None else {}
        symbols = outline(tree, index, kinds=kinds) if isinstance(tree, dict) else []
    return FileEntry(**common, nodes=encoded, terms=frozenset(file_terms(table)),
                     symbols=tuple(_indexed_symbols(symbols, index)))


def _indexed_symbols(symbols: list[Symbol], index: TextIndex, container: str = "") -> list[IndexedSymbol]:
    out: list[IndexedSymbol] = []
    starts = index.lines.starts
    for symbol in symbols:
        line, col16 = index.position(symbol.name_start)
        end_line, end_col16 = index.position(symbol.name_end)
        out.append(IndexedSymbol(symbol.name, int(symbol.kind), container, line,
                                 min(symbol.name_start, len(index.data)) - starts[line], col16, end_line,
                                 min(symbol.name_end, len(index.data)) - starts[end_line], end_col16))
        out += _indexed_symbols(symbol.children, index, symbol.name)
    return out


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


class EntryWriter:
    """Writes the entries of parsed files, a batch per transaction (BATCH_FILES, and at least
    every BATCH_SECONDS): a killed writer loses one batch at most.  A file is stat'ed before it
    is read (`expect`), and one that changed while it was read is not kept: its stat would not
    be its content's.  The entries are made off the event loop."""

    def __init__(self, store: IndexStore, parser: IndexParser):
        self.store = store
        self.parser = parser
        self._before: dict[str, os.stat_result | None] = {}
        self._batch: list[FileEntry] = []
        self._written_at = time.monotonic()

    def expect(self, paths: Iterable[str]) -> None:
        """Files about to be read: their stat now."""
        for path in paths:
            self._before[path] = _stat(path)

    async def add(self, parsed: FileParse) -> None:
        stat = self._before.pop(parsed.path, None)
        if stat is None or not same_file(_stat(parsed.path), stat):
            return
        entry = await asyncio.to_thread(entry_for, attrs.evolve(parsed, path=os.path.abspath(parsed.path)), stat,
                                        self.parser)
        if entry is not None:
            self._batch.append(entry)
        if len(self._batch) >= BATCH_FILES or time.monotonic() - self._written_at >= BATCH_SECONDS:
            await self.flush()

    async def flush(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            await asyncio.to_thread(self.store.put, batch)
        self._written_at = time.monotonic()


@attrs.frozen
class Refreshed:
    parsed: int  # files parsed and written
    removed: int  # entries dropped: files gone
    fresh: int  # files the index already had right


async def refresh(store: IndexStore, parser: IndexParser, paths: list[str], roots: list[str],
                  concurrency: int = 4, progress: Callable[[int, int, str], None] | None = None,
                  freshness: Freshness | None = None) -> Refreshed:
    """Bring the index up to date for `paths` (absolute; found by walking `roots`): parse what
    is stale, drop what is gone.  `progress(done, total, path)` after each file parsed."""
    state = freshness or check(store, paths, roots, parser)
    if state.gone:
        store.remove(state.gone)
    writer = EntryWriter(store, parser)
    writer.expect(state.stale)
    done = 0
    try:
        async for parsed in parse_files(parser, state.stale, Mode.SEMANTIC, concurrency=concurrency,
                                        parts=ENTRY_PARTS):
            done += 1
            await writer.add(parsed)
            if progress is not None:
                progress(done, len(state.stale), parsed.path)
    finally:
        await writer.flush()
    return Refreshed(done, len(state.gone), len(state.fresh))
