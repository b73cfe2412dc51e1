"""Outline, folding and selection ranges computed from real Python parses."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol.types import FoldingRangeKind, SymbolKind

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.selection import enclosing
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.sdk.folding import folds, limit
from driver_runtime.sdk.outline import outline
from driver_runtime.sdk.protocol import ParseRequest
from driver_runtime.sdk.structure import Structure

SAMPLE = (Path(__file__).parent / "data" / "sample.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed():
    tree = PythonDriver().parse(ParseRequest(content=SAMPLE, filename="sample.py")).uast
    index = TextIndex(SAMPLE, "utf-16")
    items = Structure(tree, len(index.data))
    return tree, index, items


def line_of_text(needle: str) -> int:
    return next(number for number, line in enumerate(SAMPLE.splitlines()) if needle in line)


def flat(symbols, depth=0):
    for symbol in symbols:
        yield depth, symbol
        yield from flat(symbol.children, depth + 1)


def test_outline_names_kinds_and_nesting(parsed):
    tree, index, items = parsed
    got = [(depth, symbol.kind, symbol.name) for depth, symbol in flat(outline(tree, index, items))]
    assert got == [
        (0, SymbolKind.Constant, "MAX_SIZE"),
        (0, SymbolKind.Variable, "name"),
        (0, SymbolKind.Variable, "a"),
        (0, SymbolKind.Variable, "b"),
        (0, SymbolKind.Class, "Café"),
        (1, SymbolKind.Field, "field"),
        (1, SymbolKind.Constant, "CONST"),
        (1, SymbolKind.Method, "__init__"),
        (1, SymbolKind.Method, "method"),
        (2, SymbolKind.Function, "inner"),
        (0, SymbolKind.Function, "top"),
    ]


def test_definition_range_covers_decorators_and_body_and_selection_is_the_name(parsed):
    tree, index, items = parsed
    symbols = {symbol.name: symbol for _, symbol in flat(outline(tree, index, items))}
    cafe = symbols["Café"]
    assert index.data[cafe.start:cafe.end].startswith(b"@decorator\nclass Caf\xc3\xa9(Base):")
    assert index.data[cafe.start:cafe.end].endswith(b"return inner")
    assert index.data[cafe.name_start:cafe.name_end] == "Café".encode()
    method = symbols["method"]
    assert index.data[method.start:method.end].startswith(b"async def method(self):")
    top = symbols["top"]
    assert index.data[top.start:top.end].startswith(b"def top(") and index.data[top.start:top.end].endswith(b"return 2")
    for symbol in symbols.values():
        assert symbol.start <= symbol.name_start <= symbol.name_end <= symbol.end


def test_folds_cover_definitions_statements_strings_comments_and_imports(parsed):
    tree, index, items = parsed
    found = {(fold.start_line, fold.end_line): fold.kind for fold in folds(items, outline(tree, index, items), index)}
    assert found[(line_of_text("import os"), line_of_text(")"))] == FoldingRangeKind.Imports
    assert found[(line_of_text("# A comment"), line_of_text("# on two lines"))] == FoldingRangeKind.Comment
    assert (line_of_text("@decorator"), line_of_text("return inner")) in found
    assert (line_of_text('"""Docstring'), line_of_text("spanning lines")) in found
    assert (line_of_text("def top"), line_of_text("return 2")) in found
    assert (line_of_text("if a:"), line_of_text("return 2")) in found
    starts = [start for start, _ in found]
    assert len(starts) == len(set(starts))  # one fold per start line


def test_range_limit_keeps_the_outermost_folds(parsed):
    tree, index, items = parsed
    everything = folds(items, outline(tree, index, items), index)
    kept = limit(everything, 2)
    assert len(kept) == 2
    assert all(fold.depth == 0 for fold in kept)
    assert kept == sorted(kept, key=lambda fold: fold.start_line)


def test_selection_grows_from_the_innermost_node_to_the_whole_text(parsed):
    tree, index, items = parsed
    symbols = outline(tree, index, items)
    spans = [(symbol.start, symbol.end) for _, symbol in flat(symbols)]
    offset = index.data.index(b"self.x = x") + len("se")
    chain = enclosing(items, offset, spans)
    texts = [index.data[start:end] for start, end in chain]
    assert texts[0] == b"self"
    assert b"self.x = x" in texts
    assert any(text.startswith(b"def __init__(self, x):") for text in texts)
    assert texts[-1] == index.data
    for inner, outer in zip(chain, chain[1:]):
        assert outer[0] <= inner[0] and inner[1] <= outer[1] and inner != outer


def test_folding_ranges_honour_line_folding_only(parsed):
    from bblfsh_lsp.documents import ParsedDocument
    from bblfsh_lsp.features import folding_ranges
    from driver_runtime.drivers.python.driver import PythonDriver as Driver

    result = Driver().parse(ParseRequest(content=SAMPLE))
    document = ParsedDocument("file:///sample.py", 1, TextIndex(SAMPLE, "utf-16"), result=result)
    with_characters = folding_ranges(document, line_folding_only=False)
    assert all("startCharacter" in fold and "endCharacter" in fold for fold in with_characters)
    lines_only = folding_ranges(document, line_folding_only=True)
    assert all("startCharacter" not in fold and "endCharacter" not in fold for fold in lines_only)
    assert len(folding_ranges(document, range_limit=3)) == 3
