"""The work a task does on a worker: read its batch of files (only paths were sent), parse and
search them with the same code a local run uses, and send back small, picklable answers that
name each file as the client named it."""

from __future__ import annotations

from typing import Any

import attrs

from bblfsh_lsp.cluster.plugin import DriverPlugin, worker_plugin
from bblfsh_lsp.parsing import parse_files
from bblfsh_lsp.query.search import FileMatches
from driver_runtime.sdk import protocol
from driver_runtime.sdk.protocol import Mode
from driver_runtime.sdk.uast import LineStarts

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


@attrs.frozen
class Parsed:
    """One file of `parse --format jsonl`: its line, and its errors for stderr."""

    path: str
    record: bytes
    errors: str | None


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
    async for outcome in search.files([absolute for _, absolute in files]):
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
    async for parsed in parse_files(plugin.service, [absolute for _, absolute in files], Mode(spec.mode),
                                    spec.language):
        shown, absolute = files[len(out)]
        parsed = attrs.evolve(parsed, path=shown, problem=_renamed(parsed.problem, absolute, shown))
        failed = parsed.problem or (parsed.result and parsed.result.errors)
        out.append(Parsed(shown, protocol.encode(_record(parsed)), parsed.describe_errors() if failed else None))
    return out


def parse_batch(spec: ParseSpec, files: list[Named]) -> list[Parsed]:
    """A task: parse a batch of files into `parse`'s JSON lines."""
    plugin = worker_plugin(spec.plugin)
    return plugin.run(_parse(plugin, spec, files))


