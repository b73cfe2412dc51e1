"""Pattern search over files and trees: the walk-parse-match loop of search.py for patterns.

A pattern is compiled once per language, when a file of that language is first met (or at
once, when the caller names the pattern's language).  Without --semantic a pattern in a
named language only searches files of that language (another language's native tree cannot
match it); with it, every file's semantic tree is searched and files in other languages are
matched loosely (pattern.py).  A language whose grammar cannot read the pattern is skipped,
and said once.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable, Collection, Iterable
from typing import Any, Protocol

import attrs

from bblfsh_lsp.files import DEFAULT_MAX_BYTES, Report, walk
from bblfsh_lsp.interruptible import TimeLimitExceeded, run_interruptible
from bblfsh_lsp.parsing import FileParse, parse_files
from bblfsh_lsp.positions import Encoding, TextIndex
from bblfsh_lsp.query.pattern import Pattern, PatternError, compile_pattern, language_of_tree, match
from bblfsh_lsp.query.search import FileMatches, searchable
from driver_runtime.errors import UnknownLanguage
from driver_runtime.sdk.protocol import Mode, ParseResult


class PatternParser(Protocol):
    async def parse(self, content: str, path: str = "", language: str | None = None,
                    mode: Mode = Mode.SEMANTIC) -> ParseResult: ...

    def language_names(self) -> Collection[str]: ...

    def recognises(self, path: str) -> bool: ...

    def language_of(self, path: str, head: bytes | str = b"", language: str | None = None) -> str: ...


@attrs.define
class PatternSearch:
    """One pattern, compiled per language as needed, run over trees and files within limits."""

    text: str
    parser: PatternParser
    language: str | None = None  # the pattern's language; None: each file's
    semantic: bool = False  # match semantic trees, across languages
    file_language: str | None = None  # parse every file as this language
    mode: Mode = Mode.NATIVE
    encoding: Encoding = "utf-8"
    max_bytes: int = DEFAULT_MAX_BYTES
    time_limit: float | None = None
    concurrency: int = 4
    patterns: dict[str, Pattern] = attrs.field(factory=dict)
    failures: dict[str, PatternError] = attrs.field(factory=dict)  # languages that cannot read the pattern
    unmatched: collections.Counter[str] = attrs.field(factory=collections.Counter)  # files skipped for that
    _lock: asyncio.Lock = attrs.field(factory=asyncio.Lock)

    def __attrs_post_init__(self) -> None:
        if self.semantic:
            self.mode = Mode.SEMANTIC
        if self.language is None:
            self.language = self.file_language

    @classmethod
    async def start(cls, text: str, parser: PatternParser, **options: Any) -> PatternSearch:
        """A search; its pattern compiled now if its language is known (PatternError if it does
        not parse, or the language is unknown)."""
        search = cls(text, parser, **options)
        if search.language is not None:
            try:
                search.language = parser.language_of("", language=search.language)
            except UnknownLanguage as exc:  # a usage error, said as the pattern's
                raise PatternError(str(exc)) from None
            await search.pattern_for(search.language)
        return search

    async def pattern_for(self, language: str) -> Pattern:
        """The pattern compiled for `language`, once (PatternError if it cannot be)."""
        async with self._lock:
            if language in self.failures:
                raise self.failures[language]
            if language not in self.patterns:
                try:
                    self.patterns[language] = await compile_pattern(self.text, language, self.parser, self.mode)
                except PatternError as exc:
                    self.failures[language] = exc
                    raise
            return self.patterns[language]

    def _wanted_language(self, path: str) -> bool:
        """Whether a file may match: any file with --semantic or without a pattern language,
        else only the pattern's language (by name; a file that does not say is parsed)."""
        if self.semantic or self.language is None or self.file_language is not None:
            return True
        try:
            return self.parser.language_of(path) == self.language
        except UnknownLanguage:  # its text (a shebang) will tell
            return True

    def searchable(self, path: str) -> bool:
        return searchable(self.parser, path) and self._wanted_language(path)

    def walk(self, roots: Iterable[str], report: Report, skip: Callable[[str], bool] | None = None,
             skipped: Report | None = None) -> list[str]:
        found = walk(roots, wanted=self.searchable, report=report, skipped=skipped or (lambda _message: None))
        return [path for path in found if skip is None or not skip(path)]

    async def tree(self, path: str, text: str | TextIndex, tree: dict[str, Any], language: str = "") -> FileMatches:
        """Match one tree (of `text`, in `language`: the tree's own by default) in a worker
        thread within the time limit."""
        language = language or language_of_tree(tree)
        index = text if isinstance(text, TextIndex) else TextIndex(text, self.encoding)
        if not self.semantic and self.language is not None and language != self.language:
            return FileMatches(path, index)
        try:
            pattern = await self.pattern_for(self.language or language)
        except PatternError:
            self.unmatched[language] += 1
            return FileMatches(path, index)

        def work() -> FileMatches:
            return FileMatches(path, index, list(match(pattern, tree, index, language)))

        try:
            return await run_interruptible(work, timeout=self.time_limit)
        except TimeLimitExceeded as exc:
            return FileMatches(path, problem=f"{path}: the pattern {exc} on this file and was stopped", timed_out=True)

    async def files(self, paths: list[str]) -> AsyncIterator[FileMatches]:
        """Read, parse and match files, a few at a time; their answers in the order given."""
        async for parsed in parse_files(self.parser, paths, self.mode, self.file_language, self.concurrency,
                                        self.max_bytes):
            yield await self.parsed(parsed)

    async def parsed(self, parsed: FileParse) -> FileMatches:
        tree = parsed.result.uast if parsed.result is not None else None
        if parsed.text is None or parsed.problem is not None or not isinstance(tree, dict):
            return FileMatches(parsed.path, problem=parsed.describe_errors() or f"{parsed.path}: no tree",
                               missing_driver=parsed.missing_driver, unread=parsed.text is None)
        return await self.tree(parsed.path, parsed.text, tree, parsed.language)

    def skipped_languages(self) -> list[str]:
        """What to tell of the languages that could not read the pattern: one line each."""
        return [f"skipped {count} {language} file{'s' if count != 1 else ''}: {self.failures[language]}"
                for language, count in sorted(self.unmatched.items())]
