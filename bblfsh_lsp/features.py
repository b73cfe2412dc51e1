"""LSP answers from a parsed document: plain functions from our views to lsprotocol types."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter

from bblfsh_lsp.documents import ParsedDocument
from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.selection import enclosing
from driver_runtime import collector
from driver_runtime.sdk.folding import limit
from driver_runtime.sdk.outline import Symbol

DIAGNOSTIC_SOURCE = "bblfsh"
_JSON = default_converter()


def as_json(answer: Callable[..., Any], *args: Any) -> Any:
    """`answer(*args)` as plain JSON data: run in a worker thread, so that the event loop has
    only to write it out (unstructuring 50,000 symbols takes most of a second)."""
    with collector.paused():  # a large answer is many new objects: see driver_runtime.collector
        return _JSON.unstructure(answer(*args))


def lsp_range(index: TextIndex, start: int, end: int) -> types.Range:
    start_line, start_char = index.position(start)
    end_line, end_char = index.position(end)
    return types.Range(types.Position(start_line, start_char), types.Position(end_line, end_char))


def document_symbols(parsed: ParsedDocument) -> list[dict[str, Any]]:
    """The outline as LSP's DocumentSymbol JSON, made directly: asked after every keystroke,
    lsprotocol's objects and their unstructuring would cost more than the outline itself.  A
    symbol the last version's parse had too, before the edit (the same object: ParsedDocument's
    views), has the same item as in that version's answer."""
    position = parsed.index.position
    last = parsed.last.symbol_answers if parsed.last is not None else {}
    made = parsed.symbol_answers

    def keep(symbol: Symbol, item: dict[str, Any]) -> None:  # for the next version, its children too
        made[id(symbol)] = (symbol, item)
        for child, child_item in zip(symbol.children, item["children"]):
            keep(child, child_item)

    def data(symbol: Symbol) -> dict[str, Any]:
        known = last.get(id(symbol))
        if known is not None and known[0] is symbol:
            keep(symbol, known[1])
            return known[1]
        (start_line, start_character), (end_line, end_character) = position(symbol.start), position(symbol.end)
        (name_line, name_character), (name_end_line, name_end_character) = (position(symbol.name_start),
                                                                            position(symbol.name_end))
        item = {"name": symbol.name, "kind": int(symbol.kind),
                "range": {"start": {"line": start_line, "character": start_character},
                          "end": {"line": end_line, "character": end_character}},
                "selectionRange": {"start": {"line": name_line, "character": name_character},
                                   "end": {"line": name_end_line, "character": name_end_character}},
                "children": [data(child) for child in symbol.children]}
        made[id(symbol)] = (symbol, item)
        return item

    with collector.paused():  # a large answer is many new objects: see driver_runtime.collector
        return [data(symbol) for symbol in parsed.symbols]


def folding_ranges(parsed: ParsedDocument, line_folding_only: bool = False,
                   range_limit: int | None = None) -> list[dict[str, Any]]:
    """The folds as LSP's FoldingRange JSON, made directly (as document_symbols)."""
    out = []
    position = parsed.index.position
    with collector.paused():
        for fold in limit(parsed.folds, range_limit):
            item: dict[str, Any] = {"startLine": fold.start_line, "endLine": fold.end_line}
            if not line_folding_only:
                item["startCharacter"] = position(fold.collapsed_at)[1]
                item["endCharacter"] = position(fold.ends_at)[1]
            if fold.kind:
                item["kind"] = fold.kind
            out.append(item)
    return out


def selection_ranges(parsed: ParsedDocument, positions: Sequence[types.Position]) -> list[types.SelectionRange]:
    index = parsed.index
    out = []
    for position in positions:
        offset = index.offset(position.line, position.character)
        chain = enclosing(parsed.structure, offset, parsed.definition_spans)
        selection: types.SelectionRange | None = None
        for start, end in reversed(chain):  # outermost first, so each wraps the next
            selection = types.SelectionRange(range=lsp_range(index, start, end), parent=selection)
        assert selection is not None  # the chain always holds the whole text
        out.append(selection)
    return out


def diagnostics(parsed: ParsedDocument) -> list[types.Diagnostic]:
    """Syntax errors of this version; none when it parsed (so fixing the code clears them).
    A document that could not be parsed because of what it is (too large) says so at its start."""
    if parsed.result is None:
        if parsed.problem and parsed.problem_on_document:
            start = types.Position(0, 0)
            return [types.Diagnostic(range=types.Range(start, start), message=parsed.problem,
                                     severity=types.DiagnosticSeverity.Information, source=DIAGNOSTIC_SOURCE)]
        return []
    index = parsed.index
    out = []
    for error in parsed.result.errors:
        start = error.start.offset if error.start else 0
        end = error.end.offset if error.end and error.end.offset >= start else start
        if end == start:  # show at least one character, or the end of the line
            line = index.line_of(start)
            end = min(start + 1, index.line_end(line)) if start < index.line_end(line) else start
        out.append(types.Diagnostic(
            range=lsp_range(index, start, end),
            message=error.message,
            severity=types.DiagnosticSeverity.Error,
            source=DIAGNOSTIC_SOURCE,
        ))
    return out
