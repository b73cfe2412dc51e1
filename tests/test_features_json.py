"""The LSP answers made as JSON directly (bblfsh_lsp/features.py) are what lsprotocol makes of
its own objects for the same outline and folds: structured as lsprotocol's types and unstructured
again, they come back the same, in a file with characters outside the BMP (UTF-16 columns)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter

from bblfsh_lsp import features
from bblfsh_lsp.documents import ParsedDocument
from bblfsh_lsp.positions import TextIndex
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.sdk.outline import symbol_kinds
from driver_runtime.sdk.protocol import ParseRequest

SAMPLE = (Path(__file__).parent / "data" / "sample.py").read_text(encoding="utf-8")
CONVERTER = default_converter()


def parsed_sample() -> ParsedDocument:
    text = "# 𝓏 𝓏\n" + SAMPLE  # a comment of characters two UTF-16 units long each, before the rest
    driver = PythonDriver()
    result = driver.parse(ParseRequest(content=text, filename="sample.py"))
    return ParsedDocument("file:///sample.py", 1, TextIndex(text, "utf-16"), result=result,
                          kinds=symbol_kinds(driver.manifest.symbol_kinds))


def test_document_symbols_are_lsprotocol_json():
    data = features.document_symbols(parsed_sample())
    symbols = CONVERTER.structure(data, list[types.DocumentSymbol])
    assert len(symbols) > 3 and any(symbol.children for symbol in symbols)
    assert CONVERTER.unstructure(symbols) == data


def test_folding_ranges_are_lsprotocol_json_with_and_without_characters():
    parsed = parsed_sample()
    for line_folding_only in (False, True):
        data = features.folding_ranges(parsed, line_folding_only, None)
        folds = CONVERTER.structure(data, list[types.FoldingRange])
        assert len(folds) > 3 and any(fold.kind for fold in folds)
        assert CONVERTER.unstructure(folds) == data
        assert all((fold.start_character is None) == line_folding_only for fold in folds)
    assert len(features.folding_ranges(parsed, False, 2)) == 2
