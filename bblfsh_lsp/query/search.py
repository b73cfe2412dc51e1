"""Structural search over files and trees: the walk, the parses and the matching, within limits.

The command line and the language server are thin clients of :class:`Search`: the CLI prints
each :class:`FileMatches` as lines, the server turns them into LSP locations and searches the
documents open in the editor from their editor state.  What a search needs of the drivers is
:class:`Parser` (the runtime's DriverService is one); which languages exist is the parser's
business, not the search's.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from bblfsh_lsp.files import DEFAULT_MAX_BYTES, Report, walk
from bblfsh_lsp.interruptible import TimeLimitExceeded, run_interruptible
from bblfsh_lsp.parsing import FileParse, parse_files
from bblfsh_lsp.positions import Encoding, TextIndex
from bblfsh_lsp.query.errors import QueryTimeout
from bblfsh_lsp.query.matches import Match, Scalar, find
from driver_runtime.sdk.protocol import DEFAULT_PARTS, PART_TABLE, Mode, ParseResult
from driver_runtime.sdk.uast import LineStarts

if TYPE_CHECKING:  # the evaluator (elementpath, 0.1 s to import) loads when a query compiles
    from bblfsh_lsp.query.xpath import Query
    from driver_runtime.sdk.node_table import NodeTable

Answer = tuple[list[Match], Scalar | None]


class Parser(Protocol):
    """What a search needs of the drivers."""

    async def parse(self, content: str, path: str = "", language: str | None = None,
                    mode: Mode = Mode.SEMANTIC, parts: tuple[str, ...] = DEFAULT_PARTS) -> ParseResult: ...

    def language_names(self) -> Collection[str]:
        """The languages files may be in: the namespace prefixes a query may use."""
        ...

    def recognises(self, path: str) -> bool:
        """Whether a file's name says it is in a language this parser knows."""
        ...


def searchable(parser: Parser, path: str) -> bool:
    """Worth reading when found by walking: a known language by name, or no extension (it may
    have a shebang)."""
    return parser.recognises(path) or "." not in os.path.basename(path)


@attrs.frozen
class FileMatches:
    """One file's answer: its matches (and the query's value, for one that is not a node
    set), or the problem that kept it from being searched."""

    path: str
    index: TextIndex | None = None  # the text searched, when it was read
    matches: list[Match] = attrs.field(factory=list)
    value: Scalar | None = None  # count(...), boolean(...): None for a node-set
    problem: str | None = None  # unreadable, unknown language, no tree, time limit
    missing_driver: str | None = None  # the language, when no driver is installed for it
    unread: bool = False  # the problem is that the file could not be read
    timed_out: bool = False
    lines: LineStarts | None = None  # where the matches' lines start: the text's, or as an index kept them

    def __attrs_post_init__(self) -> None:
        if self.lines is None and self.index is not None:
            object.__setattr__(self, "lines", self.index.lines)

    @property
    def found(self) -> int:
        """What the file adds to a search's count: its matches, or 1 for a true value."""
        if self.matches:
            return len(self.matches)
        value = self.value
        return int(value is not None and bool(value) and value not in ("0", "false"))


async def compile_within(text: str, prefixes: Iterable[str], time_limit: float | None) -> Query:
    """compile_query in a worker thread: a long query takes long to compile too."""
    from bblfsh_lsp.query.xpath import compile_query

    try:
        return await run_interruptible(compile_query, text, prefixes, timeout=time_limit)
    except TimeLimitExceeded as exc:
        raise QueryTimeout(f"compiling the query {exc}") from None


@attrs.define
class Search:
    """One compiled query, run over trees at hand and over files found by walking.

    Matching runs in a worker thread, stopped after `time_limit` seconds per file (None: no
    limit) and by cancellation; a query error that shows only when it runs is raised.
    """

    text: str
    parser: Parser
    query: Query | None = None  # compiled; None until a tree is matched, for a search made `unchecked`
    mode: Mode = Mode.SEMANTIC
    language: str | None = None  # parse every file as this language; None: detect it
    encoding: Encoding = "utf-8"  # of the positions in the matches' text indexes
    max_bytes: int = DEFAULT_MAX_BYTES
    time_limit: float | None = None
    concurrency: int = 4  # files parsed at once
    # A faster way to the same answer on a tree, where it has one (the index's query plan on
    # the tree's node table); None from it: the evaluator answers.
    shortcut: Callable[[Any, TextIndex], Answer | None] | None = None
    # The same on a node table the driver built (protocol 1.3): with one, files are parsed into
    # tables, and a tree is sent only where the table cannot answer.
    table_answer: Callable[[NodeTable], Answer | None] | None = None

    @classmethod
    async def start(cls, text: str, parser: Parser, **options: Any) -> Search:
        """Compile `text` (QueryError if it is invalid) with the parser's languages as prefixes."""
        query = await compile_within(text, parser.language_names(), options.get("time_limit"))
        return cls(text, parser, query, **options)

    @classmethod
    def unchecked(cls, text: str, parser: Parser, **options: Any) -> Search:
        """A search whose query compiles when a tree is first matched: for a caller that knows
        the query is valid (the index's plan parsed it) and may answer without any tree, so
        without loading the evaluator."""
        return cls(text, parser, None, **options)

    def _compiled(self) -> Query:
        """The query, compiled on first need (in the worker that matches a tree: within its
        time limit, off the event loop)."""
        if self.query is None:
            from bblfsh_lsp.query.xpath import compile_query

            self.query = compile_query(self.text, self.parser.language_names())
        return self.query

    def searchable(self, path: str) -> bool:
        return searchable(self.parser, path)

    def walk(self, roots: Iterable[str], report: Report, skip: Callable[[str], bool] | None = None,
             skipped: Report | None = None) -> list[str]:
        """The searchable files under `roots` (files.walk: bounded against a hostile tree; what
        cannot be read goes to `report`), but those `skip` refuses.  Blocking."""
        found = walk(roots, wanted=self.searchable, report=report, skipped=skipped or (lambda _message: None))
        return [path for path in found if skip is None or not skip(path)]

    async def tree(self, path: str, text: str | TextIndex, tree: dict[str, Any]) -> FileMatches:
        """Match one parsed tree of `text`, in a worker thread within the time limit."""
        def work() -> FileMatches:
            index = text if isinstance(text, TextIndex) else TextIndex(text, self.encoding)
            answer = self.shortcut(tree, index) if self.shortcut is not None else None
            return FileMatches(path, index, *(answer or find(self._compiled(), tree, index)))

        try:
            return await run_interruptible(work, timeout=self.time_limit)
        except TimeLimitExceeded as exc:
            return FileMatches(path, problem=f"{path}: the query {exc} on this file and was stopped", timed_out=True)

    @property
    def parts(self) -> tuple[str, ...]:
        """What to ask the drivers for: node tables where they answer, else trees."""
        return (PART_TABLE,) if self.table_answer is not None else DEFAULT_PARTS

    async def files(self, paths: list[str]) -> AsyncIterator[FileMatches]:
        """Read, parse and match files, a few at a time; their answers in the order given."""
        async for parsed in parse_files(self.parser, paths, self.mode, self.language, self.concurrency,
                                        self.max_bytes, self.parts):
            yield await self.parsed(parsed)

    async def parsed(self, parsed: FileParse) -> FileMatches:
        """Match a file's parse (its node table where that answers, else its tree); or say what
        kept it from being parsed."""
        if parsed.text is not None and parsed.problem is None and self.table_answer is not None \
                and parsed.result is not None and parsed.result.table is not None:
            answered = await self._table(parsed)
            if answered is not None:
                return answered
        tree = parsed.result.uast if parsed.result is not None else None
        if parsed.text is None or parsed.problem is not None or not isinstance(tree, dict):
            return FileMatches(parsed.path, problem=parsed.describe_errors() or f"{parsed.path}: no tree",
                               missing_driver=parsed.missing_driver, unread=parsed.text is None)
        return await self.tree(parsed.path, parsed.text, tree)

    async def _table(self, parsed: FileParse) -> FileMatches | None:
        """The answer from the node table the driver sent, in a worker within the time limit;
        None where the table cannot answer (the tree, sent with such a table, does)."""
        assert self.table_answer is not None and parsed.text is not None
        answer_of = self.table_answer

        def work() -> FileMatches | None:
            table = parsed.table()
            answer = answer_of(table) if table is not None else None
            if answer is None or table is None:
                return None
            # Positions in the editor's encoding need the text; a match's line, only the table.
            index = TextIndex(parsed.text, self.encoding) if answer[0] else None  # type: ignore[arg-type]
            return FileMatches(parsed.path, index, *answer, lines=LineStarts.known(table.line_starts, table.size))

        try:
            return await run_interruptible(work, timeout=self.time_limit)
        except TimeLimitExceeded as exc:
            return FileMatches(parsed.path, problem=f"{parsed.path}: the query {exc} on this file and was stopped",
                               timed_out=True)
