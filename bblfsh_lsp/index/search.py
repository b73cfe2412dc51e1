"""Structural search with an index: each file answered from what the index holds when that is
fresh, and parsed when it is not.

For a fresh file, the query's plan (plan.py) runs on its node table; a query the plan cannot
answer runs in full on a new parse, but only in the files whose terms say it may match.  A
stale or new file is parsed, searched, and its entry written, so the next query finds it
fresh.  Answers come in the order the files were given, as a search without an index gives
them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import attrs

from bblfsh_lsp.index.plan import Plan, compile_plan, plan_of, requirements, tree_shortcut
from bblfsh_lsp.interruptible import run_interruptible
from bblfsh_lsp.parsing import parse_files
from bblfsh_lsp.query.search import FileMatches, Parser, Search
from driver_runtime.sdk import node_table
from driver_runtime.sdk.uast import LineStarts

if TYPE_CHECKING:  # imported where an index is searched: a search without one never loads them
    from bblfsh_lsp.index.indexer import IndexParser
    from bblfsh_lsp.index.store import FileRecord, IndexStore

# Fresh files answered by the plan per trip to a worker thread (the event loop only routes).
PLAN_BATCH = 64


async def planned_search(text: str, parser: Parser, **options: Any) -> Search:
    """A search for `text` (Search.start's options).  Where the index's plan answers the query,
    a parsed tree is answered by the plan on its node table, and the evaluator is compiled only
    if a tree needs it; else the query is compiled now (QueryError if it is invalid)."""
    plan = plan_of(text, parser.language_names())
    if plan is None:
        return await Search.start(text, parser, **options)
    return Search.unchecked(text, parser, shortcut=tree_shortcut(plan), table_answer=plan.run, **options)


@attrs.frozen
class _Parse:
    """A file the index cannot answer for: parsed and searched now; `keep` writes its entry."""

    path: str
    keep: bool


def _from_record(record: FileRecord, path: str) -> FileMatches:
    """What the index says of a file (`path`, as given) that could not be parsed."""
    problem = record.problem or f"{record.path}: no tree"
    missing = record.language if not record.driver else None
    return FileMatches(path, problem=problem, missing_driver=missing)


def _answer(plan: Plan, path: str, data: bytes | None) -> FileMatches | None:
    """The plan's answer from a file's node table; None when the plan cannot tell."""
    if data is None:
        return None
    try:
        table = node_table.decode(data)
    except node_table.TableError:
        return None  # damaged: parsed again, and written again
    outcome = plan.run(table)
    if outcome is None:
        return None
    matches, value = outcome
    return FileMatches(path, matches=matches, value=value, lines=LineStarts.known(table.line_starts, table.size))


async def indexed_files(search: Search, store: IndexStore, paths: list[str], roots: list[str],
                        parser: IndexParser) -> AsyncIterator[FileMatches]:
    """Search `paths` (as found by walking `roots`) with the index's help; answers in order."""
    from bblfsh_lsp.index.indexer import check

    absolute = [os.path.abspath(path) for path in paths]
    state = await asyncio.to_thread(check, store, absolute, roots, parser)
    plan = compile_plan(search.text) if search.language is None else None
    requirement = plan.requires if plan is not None else requirements(search.text)
    candidates = await asyncio.to_thread(store.files_with, requirement) if requirement else None

    # What each file needs: an answer from the index (filled below), or a parse.
    answers: dict[str, FileMatches] = {}
    planned: list[FileRecord] = []
    to_parse: list[_Parse] = []
    for given, path in zip(paths, absolute):
        record = state.fresh.get(path)
        if record is None:
            to_parse.append(_Parse(given, keep=True))
        elif record.problem is not None or record.driver == "":
            answers[given] = _from_record(record, given)
        elif candidates is not None and record.id not in candidates:
            answers[given] = FileMatches(given, lines=LineStarts.known([0], record.size))
        elif plan is not None:
            planned.append(record)
        else:
            to_parse.append(_Parse(given, keep=False))

    # The files to parse are parsed while the plan answers the others: their drivers start,
    # on the other cores, meanwhile.
    first = _Prefetched(_parse_and_search(search, store, to_parse, parser))
    late: list[_Parse] = []  # files whose table the plan could not read
    try:
        if planned:
            given_of = dict(zip(absolute, paths))
            for at in range(0, len(planned), PLAN_BATCH):
                batch = planned[at:at + PLAN_BATCH]
                tables = dict(await asyncio.to_thread(lambda ids: list(store.nodes(ids)), [r.id for r in batch]))
                results = await run_interruptible(
                    lambda: [_answer(plan, given_of[record.path], tables.get(record.id)) for record in batch])
                for record, answer in zip(batch, results):
                    given = given_of[record.path]
                    if answer is None:
                        late.append(_Parse(given, keep=False))
                    else:
                        answers[given] = answer

        position = {given: number for number, given in enumerate(paths)}
        late.sort(key=lambda item: position[item.path])
        parsed_first = {item.path for item in to_parse}
        parsed_late = _parse_and_search(search, store, late, parser)
        try:
            for given in paths:
                answer = answers.get(given)
                if answer is None:
                    answer = await (first.next() if given in parsed_first else anext(parsed_late))
                yield answer
            await first.finish()  # its entries written
        finally:
            await parsed_late.aclose()
    finally:
        await first.close()


class _Prefetched:
    """An async iterator's items, taken as soon as they come (in a task), handed out in order."""

    def __init__(self, items: AsyncIterator[FileMatches]):
        self._items = items
        self._queue: asyncio.Queue[FileMatches | BaseException | None] = asyncio.Queue()
        self._task = asyncio.ensure_future(self._take())

    async def _take(self) -> None:
        try:
            async for item in self._items:
                await self._queue.put(item)
        except Exception as exc:  # handed to the reader, in its place
            await self._queue.put(exc)
        await self._queue.put(None)

    async def next(self) -> FileMatches:
        item = await self._queue.get()
        if item is None:
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        return item

    async def finish(self) -> None:
        """Wait for the iterator's end (what it does after its last item: writing entries)."""
        await asyncio.shield(self._task)

    async def close(self) -> None:
        """Stop taking items (a reader that left early); nothing if finished."""
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        await self._items.aclose()  # type: ignore[attr-defined]


async def _parse_and_search(search: Search, store: IndexStore, files: list[_Parse],
                            parser: IndexParser) -> AsyncIterator[FileMatches]:
    """Parse and search files, in their order; write the entries of those to keep (parsed as
    the index parses: the semantic UAST, each file's language detected)."""
    from bblfsh_lsp.index.indexer import ENTRY_PARTS, EntryWriter

    writer = EntryWriter(store, parser)
    keeping = search.language is None and search.mode.value == "semantic"
    if keeping:
        writer.expect(item.path for item in files if item.keep)
    # An entry wants the table and the outline; the search, the table if it can use one, else the
    # tree (which a driver also sends with a table that the plan cannot read).
    parts = search.parts
    if keeping and any(item.keep for item in files):
        parts = tuple(dict.fromkeys((*ENTRY_PARTS, *parts)))
    try:
        async for result in parse_files(parser, [item.path for item in files], search.mode, search.language,
                                        search.concurrency, search.max_bytes, parts):
            await writer.add(result)
            yield await search.parsed(result)
    finally:
        await writer.flush()
