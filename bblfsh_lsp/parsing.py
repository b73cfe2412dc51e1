"""Parsing sources: one text within the size limit, or files in bulk (read, detect, parse, in
order, a few at a time)."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Protocol

import attrs

from bblfsh_lsp.files import DEFAULT_MAX_BYTES, SourceError, check_size, read_source
from driver_runtime.errors import DriverError, NoDriver
from driver_runtime.sdk import node_table
from driver_runtime.sdk.outline import Symbol, symbols_from_data
from driver_runtime.sdk.protocol import DEFAULT_PARTS, Mode, ParseResult

Reader = Callable[[str, int], str]
"""How a source is read: its text from its path and the size limit (SourceError if it cannot be)."""


class SourceParser(Protocol):
    """What parsing needs of the drivers (the runtime's DriverService)."""

    async def parse(self, content: str, path: str = "", language: str | None = None,
                    mode: Mode = Mode.SEMANTIC, document: str = "",
                    parts: tuple[str, ...] = DEFAULT_PARTS) -> ParseResult: ...


async def parse_text(parser: SourceParser, text: str, path: str, mode: Mode = Mode.SEMANTIC,
                     language: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                     size: int | None = None, document: str = "",
                     parts: tuple[str, ...] = DEFAULT_PARTS) -> ParseResult:
    """Parse a text within the size limit (SourceTooLarge over it); `size`, its UTF-8 length,
    if known; `document`, the editor's document it is (its URI), whose driver may keep it and be
    sent only its edits next time.  DriverError when no driver could answer."""
    check_size(len(text.encode("utf-8", "surrogatepass")) if size is None else size, path, max_bytes)
    return await parser.parse(text, path, language=language, mode=mode, document=document, parts=parts)


@attrs.frozen
class FileParse:
    """One file's outcome: a parse result, or a problem that kept it from being parsed."""

    path: str
    text: str | None = None
    result: ParseResult | None = None
    problem: str | None = None  # unreadable, unknown language, driver failure
    missing_driver: str | None = None  # the language, when the problem is that no driver is installed

    @property
    def language(self) -> str:
        return self.result.language if self.result else ""

    def table_data(self) -> bytes | None:
        """The node table the driver sent (protocol 1.3), as NodeTable.encode()'s bytes."""
        encoded = self.result.table if self.result is not None else None
        if encoded is None:
            return None
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return None

    def symbols(self) -> list[Symbol] | None:
        """The outline the driver sent (protocol 1.3); None if it sent none, or one that is not
        an outline (the caller computes it from the tree)."""
        data = self.result.outline if self.result is not None else None
        try:
            return symbols_from_data(data) if data is not None else None
        except ValueError:
            return None

    def table(self) -> node_table.NodeTable | None:
        """The tree's node table, when the driver sent one; None if it did not, or sent one that
        does not decode (the tree, if sent too, still answers)."""
        data = self.table_data()
        try:
            return node_table.decode(data) if data is not None else None
        except node_table.TableError:
            return None

    def describe_errors(self) -> str:
        """What went wrong, for the user: the problem, or the syntax errors one per line."""
        if self.problem is not None:
            return self.problem
        assert self.result is not None
        lines = []
        for error in self.result.errors:
            where = f"{error.start.line}:{error.start.col}: " if error.start else ""
            lines.append(f"{self.path}:{where}{error.message}")
        return "\n".join(lines)


async def parse_file(
    parser: SourceParser,
    path: str,
    mode: Mode = Mode.SEMANTIC,
    language: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    parts: tuple[str, ...] = DEFAULT_PARTS,
    read: Reader = read_source,
) -> FileParse:
    """One file read (`read`: how, read_source for a path) and parsed; or the problem."""
    try:
        text = await asyncio.to_thread(read, path, max_bytes)
    except SourceError as exc:
        return FileParse(path=path, problem=str(exc))
    try:
        result = await parser.parse(text, path, language=language, mode=mode, parts=parts)
    except NoDriver as exc:
        return FileParse(path=path, text=text, problem=f"{path}: {exc}", missing_driver=exc.language)
    except DriverError as exc:
        message = str(exc)
        return FileParse(path=path, text=text, problem=message if path in message else f"{path}: {message}")
    return FileParse(path=path, text=text, result=result)


async def parse_files(
    parser: SourceParser,
    paths: Iterable[str],
    mode: Mode = Mode.SEMANTIC,
    language: str | None = None,
    concurrency: int = 4,
    max_bytes: int = DEFAULT_MAX_BYTES,
    parts: tuple[str, ...] = DEFAULT_PARTS,
    read: Reader = read_source,
) -> AsyncIterator[FileParse]:
    """Parse files with up to `concurrency` in flight; yield outcomes in the order given."""
    pending: asyncio.Queue[asyncio.Task[FileParse] | None] = asyncio.Queue(maxsize=max(concurrency, 1))

    async def feed() -> None:
        for path in paths:
            await pending.put(asyncio.ensure_future(parse_file(parser, path, mode, language, max_bytes, parts, read)))
        await pending.put(None)

    feeder = asyncio.ensure_future(feed())
    try:
        while (task := await pending.get()) is not None:
            yield await task
    finally:
        feeder.cancel()
        while not pending.empty():
            task = pending.get_nowait()
            if task is not None:
                task.cancel()
