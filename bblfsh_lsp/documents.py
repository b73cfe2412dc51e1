"""Open documents, one parse per version, and what each parse lets us answer.

Every new version is parsed at once (in a driver process), and its views (outline, folds,
selection spans) are computed once, in a worker thread (bblfsh_lsp.interruptible), off the
event loop; a newer version cancels the work for an older one, so nothing waits behind an
outdated parse.  A request waits only for the parse of the version that was current when it
came in; if the document changes meanwhile, the request is answered as "content modified" so
the editor asks again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Protocol

from bblfsh_lsp.files import DEFAULT_MAX_BYTES, SourceError, SourceTooLarge
from bblfsh_lsp.interruptible import run_interruptible
from bblfsh_lsp.parsing import SourceParser, parse_file, parse_text
from bblfsh_lsp.positions import Encoding, TextIndex
from driver_runtime import collector
from driver_runtime.errors import DriverError
from driver_runtime.languages import canonical
from driver_runtime.sdk.folding import Fold, folds, folds_from_data
from driver_runtime.sdk.outline import Symbol, SymbolKind, outline, symbol_kinds, symbols_from_data
from driver_runtime.sdk.protocol import PART_FOLDS, PART_OUTLINE, PART_UAST, Manifest, Mode, ParseResult
from driver_runtime.sdk.structure import Structure
from driver_runtime.sdk.text import common_prefix

log = logging.getLogger(__name__)


class DocumentParser(SourceParser, Protocol):
    """What the store needs of the drivers (the runtime's DriverService): a parse, the driver's
    manifest for its symbol kinds, and to be told a document was closed."""

    def manifest(self, language: str) -> Manifest | None: ...

    def forget(self, document: str) -> None:
        """The document was closed: its driver need not keep it."""


class computed_once:  # noqa: N801 (a decorator, named like functools.cached_property)
    """functools.cached_property without its lock: before Python 3.12 it holds one lock for all
    instances of a class, so the views of a large document, computed for seconds in one worker
    thread, kept every other document's views waiting.  Here two threads may both compute a
    value the first time; both get the same answer."""

    def __init__(self, compute: Callable[[Any], Any]):
        self.compute = compute
        self.name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


# From this size on, closing a document hands the memory of its trees back to the system.
LARGE_DOCUMENT_BYTES = 1 << 20
# What each new version is parsed into (protocol 1.3): the outline and the folds, which the
# driver makes from the tree in its own process, without sending the tree.  The tree is asked
# for when a request needs it (selection ranges, a query, the explorer); a driver of an older
# protocol sends it anyway and the views are made here.
VIEW_PARTS = (PART_OUTLINE, PART_FOLDS)

AnswerMaker = Callable[["ParsedDocument"], Any]


class ParsedDocument:
    """One version of a document and its parse (or why there is none)."""

    def __init__(self, uri: str, version: int, index: TextIndex, result: ParseResult | None = None,
                 problem: str | None = None, kinds: Mapping[str, SymbolKind] | None = None,
                 problem_on_document: bool = False, last: ParsedDocument | None = None):
        self.uri = uri
        # The document's last parse, while this one's views and answers are made: what lies before
        # the edit is taken from it (dropped in prepare, so that parses do not hold a chain).
        self.last = last if last is not None and last.result is not None and last.index.encoding == index.encoding \
            else None
        # Symbols (by id) -> the documentSymbol answer's item made of them (features.document_symbols).
        self.symbol_answers: dict[int, tuple[Symbol, dict[str, Any]]] = {}
        self.kinds = kinds or {}  # the driver's symbol kinds (outline.symbol_kinds)
        self.version = version
        self.index = index
        self.result = result
        self.problem = problem
        # Whether the problem is about this document's content, worth a diagnostic on it (a file
        # too large), rather than about the drivers (said once, in a message).
        self.problem_on_document = problem_on_document
        # The same version with its tree, when a request asked for it (DocumentStore.with_whole_tree).
        self.whole: asyncio.Future[ParsedDocument] | None = None
        # Answers made with the views, in the same worker (prepare): those an editor asks after every edit.
        self.answers: dict[Hashable, Any] = {}

    @property
    def tree(self) -> dict[str, Any] | None:
        """The tree, if the driver sent it (see DocumentStore.with_full_tree)."""
        uast = self.result.uast if self.result is not None else None
        return uast if isinstance(uast, dict) else None

    @property
    def parsed(self) -> bool:
        """Whether the source parsed: it has a tree, or the outline the driver made of one."""
        return self.tree is not None or (self.result is not None and self.result.outline is not None)

    def _driver_views(self) -> tuple[list[Symbol], list[Fold]] | None:
        """The outline and folds the driver sent (without the tree), if it sent both intact."""
        result = self.result
        if result is None or result.outline is None or result.folds is None:
            return None
        last = self.last
        reused, unchanged = None, 0
        if last is not None and last.result.outline is not None and last.parsed:
            reused, unchanged = (last.result.outline, last.symbols), common_prefix(last.index.data, self.index.data)
        try:
            return symbols_from_data(result.outline, reused, unchanged), folds_from_data(result.folds)
        except ValueError:
            log.warning("%s: the driver's outline or folds do not read: made from the tree", self.uri)
            return None

    @property
    def language(self) -> str:
        return self.result.language if self.result is not None else ""

    @computed_once
    def structure(self) -> Structure:
        return Structure(self.tree or {}, len(self.index.data))

    @computed_once
    def views(self) -> tuple[list[Symbol], list[Fold]]:
        """The outline and the folds: the driver's, else made from the tree."""
        sent = self._driver_views()
        if sent is not None:
            return sent
        symbols = outline(self.tree, self.index, self.structure, self.kinds) if self.tree is not None else []
        return symbols, folds(self.structure, symbols, self.index) if self.tree is not None else []

    @property
    def symbols(self) -> list[Symbol]:
        return self.views[0]

    @computed_once
    def definition_spans(self) -> list[tuple[int, int]]:
        return [(symbol.start, symbol.end) for root in self.symbols for symbol in root.walk()]

    @property
    def folds(self) -> list[Fold]:
        return self.views[1]

    def prepare(self, answers: Mapping[Hashable, AnswerMaker] | None = None) -> None:
        """Compute every view now (in a worker thread: on a large file this takes seconds), so
        that requests only read them; and the `answers` (key: its maker), kept in `answers`."""
        try:
            with collector.paused():
                self.definition_spans  # noqa: B018 (cached: the outline and the folds with it)
                if self.parsed:
                    for key, make in (answers or {}).items():
                        try:
                            self.answers[key] = make(self)
                        except Exception:  # the parse stands: the request makes it again, and fails as it would have
                            log.exception("%s: making the answer %r failed", self.uri, key)
        finally:
            self.last = None

    async def answer(self, key: Hashable, make: AnswerMaker) -> Any:
        """The answer `make` gives for this parse: made with the views if it was asked for
        then, else now, in a worker."""
        if key in self.answers:
            return self.answers[key]
        return await run_interruptible(make, self)


class DocumentModified(Exception):
    """The document changed while a request waited for its parse."""


class _Document:
    def __init__(self, uri: str, language_id: str | None):
        self.uri = uri
        self.language_id = language_id
        self.version = -1
        self.path = ""
        self.index: TextIndex | None = None
        self.pending: asyncio.Future[ParsedDocument] | None = None
        self.latest: ParsedDocument | None = None  # newest completed parse
        self.latest_tree: ParsedDocument | None = None  # newest parse that produced a tree


class DocumentStore:
    """The open documents: each version parsed once, with the size limit (`max_bytes`) that
    applies to every source."""

    def __init__(self, parser: DocumentParser, encoding: Encoding = "utf-16", max_bytes: int = DEFAULT_MAX_BYTES,
                 on_parsed: Callable[[ParsedDocument], None] | None = None):
        self.parser = parser
        self.max_bytes = max_bytes
        self.encoding = encoding
        self._on_parsed = on_parsed
        self._documents: dict[str, _Document] = {}
        self._graveyard: list[ParsedDocument] = []
        self._burial_scheduled = False
        # Answers the editor has asked for, made from now on with each new parse's views, in
        # the same worker: the request after a keystroke then only reads its answer.
        self.answers: dict[Hashable, AnswerMaker] = {}

    def __contains__(self, uri: str) -> bool:
        return uri in self._documents

    def uris(self) -> list[str]:
        return list(self._documents)

    def update(self, uri: str, version: int, text: str, path: str, language_id: str | None = None) -> None:
        """A new version (open or change): index it and start its parse."""
        document = self._documents.get(uri)
        if document is None:
            document = self._documents[uri] = _Document(uri, language_id)
        elif language_id:
            document.language_id = language_id
        document.version = version
        document.path = path
        document.index = TextIndex(text, self.encoding)
        self._start_parse(document)

    def _start_parse(self, document: _Document) -> None:
        assert document.index is not None
        if document.pending is not None and not document.pending.done():
            document.pending.cancel()  # its answer would describe an outdated version
        document.pending = asyncio.ensure_future(
            self._run_parse(document, document.version, document.index, document.path))

    def close(self, uri: str) -> None:
        document = self._documents.pop(uri, None)
        if document is None:
            return
        if document.pending is not None:
            document.pending.cancel()
        self.parser.forget(uri)
        large = document.index is not None and len(document.index.data) >= LARGE_DOCUMENT_BYTES
        del document  # its trees are freed here
        if large:
            asyncio.get_running_loop().run_in_executor(None, collector.give_back_memory)

    def use(self, parser: DocumentParser) -> None:
        """Parse with other drivers from now on, every open document again."""
        self.parser = parser
        for document in self._documents.values():
            if document.index is not None:
                self._start_parse(document)

    def _retire(self, *parses: ParsedDocument | None) -> None:
        """Keep replaced parses alive a moment: freeing a 100 KB file's tree takes a few ms,
        which the request waiting for the new parse should not pay."""
        self._graveyard.extend(parse for parse in parses if parse is not None)
        if self._graveyard and not self._burial_scheduled:
            self._burial_scheduled = True
            asyncio.get_running_loop().call_later(0.25, self._bury)

    def _bury(self) -> None:
        self._burial_scheduled = False
        large = any(len(parse.index.data) >= LARGE_DOCUMENT_BYTES for parse in self._graveyard)
        self._graveyard.clear()
        if large:
            asyncio.get_running_loop().run_in_executor(None, collector.give_back_memory)

    def language_id(self, uri: str) -> str | None:
        """The language the editor says a document is in (its languageId), if known to us."""
        document = self._documents.get(uri)
        return canonical(document.language_id) if document and document.language_id else None

    def text_index(self, uri: str) -> TextIndex | None:
        document = self._documents.get(uri)
        return document.index if document else None

    async def _run_parse(self, document: _Document, version: int, index: TextIndex, path: str) -> ParsedDocument:
        started = time.perf_counter()
        try:
            result = await parse_text(self.parser, index.text, path, language=self.language_id(document.uri),
                                      max_bytes=self.max_bytes, size=len(index.data), document=document.uri,
                                      parts=VIEW_PARTS)
            manifest = self.parser.manifest(result.language)
            parsed = ParsedDocument(document.uri, version, index, result=result,
                                    kinds=symbol_kinds(manifest.symbol_kinds) if manifest is not None else {},
                                    last=document.latest)
            await run_interruptible(parsed.prepare, dict(self.answers))
        except SourceTooLarge as exc:
            parsed = ParsedDocument(document.uri, version, index, problem_on_document=True,
                                    problem=f"{exc}, the maxFileBytes setting: no outline, folding or search")
        except DriverError as exc:
            parsed = ParsedDocument(document.uri, version, index, problem=str(exc))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never leave a request hanging on a bug
            log.exception("parsing %s failed", document.uri)
            parsed = ParsedDocument(document.uri, version, index, problem=f"internal error: {exc}")
        log.debug("parsed %s v%d in %.1f ms", document.uri, version, (time.perf_counter() - started) * 1000)
        if document.latest is None or version >= document.latest.version:
            self._retire(document.latest, document.latest_tree)
            document.latest = parsed
            if parsed.parsed:
                document.latest_tree = parsed
        if self._on_parsed is not None and self._documents.get(document.uri) is document \
                and version == document.version:
            self._on_parsed(parsed)
        return parsed

    async def current(self, uri: str) -> ParsedDocument:
        """The parse of the version current now; DocumentModified if a newer one arrives first."""
        document = self._documents.get(uri)
        if document is None or document.pending is None:
            raise KeyError(uri)
        version = document.version
        pending = document.pending
        try:
            parsed = await asyncio.shield(pending)
        except asyncio.CancelledError:
            if pending.cancelled():  # a newer version replaced it, not our own cancellation
                raise DocumentModified(uri) from None
            raise
        if document.version != version:
            raise DocumentModified(uri)
        return parsed

    async def with_tree(self, uri: str, whole: bool = False) -> ParsedDocument:
        """The current parse if the source parsed, else the newest parse that did; `whole`: with
        its tree (fetched from the driver if only its views came, see with_whole_tree).

        While the user types, the text is often broken; the outline of the last good version
        is more useful than none.
        """
        parsed = await self.current(uri)
        if not parsed.parsed:
            document = self._documents.get(uri)
            if document is not None and document.latest_tree is not None:
                parsed = document.latest_tree
        return await self.with_whole_tree(parsed) if whole else parsed

    async def with_whole_tree(self, parsed: ParsedDocument) -> ParsedDocument:
        """The parse with its tree: as it is if the driver sent the tree, else the tree of the
        same text asked for now (the driver answers it from its last parse), kept with it."""
        if parsed.tree is not None or not parsed.parsed or parsed.result is None:
            return parsed
        if parsed.whole is None:
            parsed.whole = asyncio.ensure_future(self._whole(parsed))
        return await asyncio.shield(parsed.whole)

    async def _whole(self, parsed: ParsedDocument) -> ParsedDocument:
        path = self._documents[parsed.uri].path if parsed.uri in self._documents else ""
        try:
            result = await parse_text(self.parser, parsed.index.text, path, language=parsed.language,
                                      max_bytes=self.max_bytes, size=len(parsed.index.data), document=parsed.uri,
                                      parts=(PART_UAST, *VIEW_PARTS))
        except (DriverError, SourceError) as exc:
            return ParsedDocument(parsed.uri, parsed.version, parsed.index, problem=str(exc))
        whole = ParsedDocument(parsed.uri, parsed.version, parsed.index, result=result, kinds=parsed.kinds)
        await run_interruptible(whole.prepare)
        return whole

    async def snapshot(self, uri: str, path: str, mode: Mode = Mode.SEMANTIC) -> ParsedDocument:
        """A parse of a document as the editor has it if it is open, else of the file on disk
        (version -1); a problem, not an exception, when there is no tree."""
        document = self._documents.get(uri)
        if document is not None and mode is Mode.SEMANTIC:
            try:
                return await self.with_whole_tree(await self.current(uri))
            except DocumentModified:  # reading, not editing: the newer version will do
                return await self.with_whole_tree(await self.current(uri))
        if document is None or document.index is None:
            outcome = await parse_file(self.parser, path, mode, max_bytes=self.max_bytes)
            return ParsedDocument(uri, -1, TextIndex(outcome.text or "", self.encoding), outcome.result,
                                  outcome.problem)
        index = document.index
        try:
            result = await parse_text(self.parser, index.text, path, mode, self.language_id(uri), self.max_bytes,
                                      len(index.data), document=uri)
        except (DriverError, SourceError) as exc:
            return ParsedDocument(uri, document.version, index, problem=str(exc))
        return ParsedDocument(uri, document.version, index, result)
