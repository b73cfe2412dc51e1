"""The language server end to end over stdio, as VS Code (utf-16) and Neovim (utf-8) drive it."""

from __future__ import annotations

from pathlib import Path

import pytest
from driver_checks import column, lsp_client_fixture, open_document, selection_chain
from driver_checks import document_symbols as symbols
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

SOURCE = '''"""Non-ASCII on purpose: é is 2 bytes / 1 utf-16 unit, 𝓏 is 4 bytes / 2 units."""
import os
import sys

café = "𝓏"; après = 2


class Größe:
    def maß(self, x):
        return x


def outer(value):
    if value:
        return [
            value,
            value,
        ]
    return None
'''


client = lsp_client_fixture({
    "lib.py": "def helper():\n    return 'é'\n\n\nclass Thing:\n    pass\n",
    "notes.txt": "not code\n",
    "ignored/gone.py": "def gone():\n    pass\n",
    ".gitignore": "ignored/\n",
})


async def open_doc(client: LanguageClient, name: str, text: str) -> str:
    return await open_document(client, name, text, "python")


def names(found) -> list[str]:
    out = []
    for symbol in found:
        out.append(symbol.name)
        out += names(symbol.children or [])
    return out


async def test_outline_with_exact_positions_in_the_negotiated_encoding(client: LanguageClient):
    uri = await open_doc(client, "doc.py", SOURCE)
    found = await symbols(client, uri)
    assert [(s.name, s.kind) for s in found] == [
        ("café", types.SymbolKind.Variable), ("après", types.SymbolKind.Variable),
        ("Größe", types.SymbolKind.Class), ("outer", types.SymbolKind.Function)]
    assert [(m.name, m.kind) for m in found[2].children] == [("maß", types.SymbolKind.Method)]
    line = 'café = "𝓏"; après = 2'
    apres = found[1]
    assert apres.selection_range.start == types.Position(line=4, character=column(client, line, 'café = "𝓏"; '))
    assert apres.selection_range.end.character == column(client, line, 'café = "𝓏"; après')
    klass = found[2]
    assert klass.range.start == types.Position(line=7, character=0)
    assert klass.range.end == types.Position(line=9, character=16)
    method = klass.children[0]
    assert method.selection_range.end.character == column(client, "    def maß(self, x):", "    def maß")


async def test_folding_and_selection_ranges(client: LanguageClient):
    uri = await open_doc(client, "fold.py", SOURCE)
    folds = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    spans = {(fold.start_line, fold.end_line) for fold in folds}
    assert (7, 9) in spans  # class
    assert (12, 18) in spans  # def outer
    assert (14, 17) in spans  # the multi-line list
    assert any(fold.kind == types.FoldingRangeKind.Imports and (fold.start_line, fold.end_line) == (1, 2)
               for fold in folds)
    assert all(fold.start_character is None for fold in folds)  # both clients ask lineFoldingOnly

    position = types.Position(line=9, character=column(client, "        return x", "        return "))
    chain = await selection_chain(client, uri, position)
    assert chain[0].start == types.Position(line=9, character=column(client, "        return x", "        return "))
    assert chain[0].end.character == chain[0].start.character + 1
    assert any(r.start == types.Position(line=8, character=4) for r in chain)  # the whole method
    assert chain[-1].start == types.Position(line=0, character=0)


async def test_syntax_errors_are_published_and_cleared(client: LanguageClient):
    uri = await open_doc(client, "broken.py", "def f(:\n    pass\n")
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diagnostics = client.diagnostics[uri]
    assert len(diagnostics) == 1 and diagnostics[0].range.start.line == 0
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error

    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(0, 6), types.Position(0, 7)), text="x):")]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []
    assert names(await symbols(client, uri)) == ["f"]


async def test_incremental_edits_and_the_newest_version_wins(client: LanguageClient):
    uri = await open_doc(client, "edit.py", "def first():\n    pass\n")
    assert names(await symbols(client, uri)) == ["first"]
    for version, name in ((2, "second"), (3, "third"), (4, "fourth")):
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(0, 4), types.Position(0, 4 + len("first" if version == 2 else
                                                                                  {3: "second", 4: "third"}[version]))),
                text=name)]))
    assert names(await symbols(client, uri)) == ["fourth"]


async def test_broken_code_keeps_the_last_good_outline(client: LanguageClient):
    uri = await open_doc(client, "typing.py", "def done():\n    pass\n")
    assert names(await symbols(client, uri)) == ["done"]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(2, 0), types.Position(2, 0)), text="def half(")]))
    assert names(await symbols(client, uri)) == ["done"]


async def test_structural_query_on_a_document_and_on_the_workspace(client: LanguageClient):
    uri = await open_doc(client, "doc.py", SOURCE)
    matches = await client.protocol.send_request_async(
        "bblfsh/query", {"query": "//uast:FunctionGroup", "textDocument": {"uri": uri}})
    assert [(m["label"], m["type"]) for m in matches] == [("maß", "uast:FunctionGroup"), ("outer", "uast:FunctionGroup")]
    assert matches[0]["range"]["start"]["line"] == 8

    everywhere = await client.protocol.send_request_async("bblfsh/query", {"query": "//uast:FunctionGroup"})
    by_file = {(Path(m["uri"]).name if m["uri"].startswith("file:") else m["uri"], m["label"]) for m in everywhere}
    assert by_file == {("doc.py", "maß"), ("doc.py", "outer"), ("lib.py", "helper")}  # ignored/ skipped

    via_command = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bblfsh.query", arguments=["//*[@role='Declaration' and @role='Type']", uri]))
    assert [m["label"] for m in via_command] == ["Größe"]


async def test_a_query_that_is_not_a_node_set_gives_its_value_per_document(client: LanguageClient):
    uri = await open_doc(client, "doc.py", SOURCE)
    counted = await client.protocol.send_request_async(
        "bblfsh/query", {"query": "count(//uast:FunctionGroup)", "textDocument": {"uri": uri}})
    start = {"line": 0, "character": 0}
    assert counted == [{"uri": uri, "range": {"start": start, "end": start}, "type": "value", "label": "2", "value": 2}]

    everywhere = await client.protocol.send_request_async("bblfsh/query", {"query": "boolean(//uast:RuntimeImport)"})
    by_file = {Path(m["uri"]).name: (m["type"], m["value"]) for m in everywhere}
    # .gitignore is a language too (the universal driver's); notes.txt is none.
    assert by_file == {"doc.py": ("value", True), "lib.py": ("value", False), ".gitignore": ("value", False)}


async def test_invalid_query_is_a_clear_error_and_the_server_keeps_serving(client: LanguageClient):
    uri = await open_doc(client, "doc.py", SOURCE)
    with pytest.raises(JsonRpcException, match="invalid query"):
        await client.protocol.send_request_async("bblfsh/query", {"query": "//uast:Identifier[", "textDocument": {"uri": uri}})
    with pytest.raises(JsonRpcException):
        await client.protocol.send_request_async("bblfsh/query", {"nope": 1})
    assert "outer" in names(await symbols(client, uri))


async def test_parse_request_returns_babelfish_uast(client: LanguageClient):
    uri = await open_doc(client, "doc.py", SOURCE)
    answer = await client.protocol.send_request_async("bblfsh/parse", {"textDocument": {"uri": uri}, "mode": "semantic"})
    assert answer["language"] == "python" and answer["errors"] == []
    tree = answer["uast"]
    assert tree["@type"] == "python:Module"
    first = tree["body"][1]
    assert first["@pos"]["@type"] == "uast:Positions" and first["@pos"]["start"]["line"] == 2
    native = await client.protocol.send_request_async("bblfsh/parse", {"textDocument": {"uri": uri}, "mode": "native"})
    assert "@role" not in native["uast"]


async def test_unknown_languages_and_huge_documents_get_empty_answers(client: LanguageClient):
    uri = (client.workspace_path / "notes.txt").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text="hello\n")))
    assert await symbols(client, uri) == []
    huge = await open_doc(client, "huge.py", "x = 1\n" * 1_000_000)
    assert await symbols(client, huge) == []
    ok = await open_doc(client, "after.py", "def still_serving():\n    pass\n")
    assert names(await symbols(client, ok)) == ["still_serving"]


async def test_workspace_query_reports_progress_on_the_clients_token(client: LanguageClient):
    token = "search-1"
    client.progress_reports.setdefault(token, [])
    matches = await client.protocol.send_request_async(
        "bblfsh/query", {"query": "//python:ClassDef", "workDoneToken": token})
    assert [m["label"] for m in matches] == ["Thing"]
    kinds = [type(report).__name__ for report in client.progress_reports[token]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"


async def test_status_names_the_runtime_and_the_documents_driver(client: LanguageClient):
    uri = await open_doc(client, "status.py", "x = 1\n")
    await symbols(client, uri)  # the driver is running now
    answer = await client.protocol.send_request_async("bblfsh/status", {"textDocument": {"uri": uri}})
    assert answer["runtime"] == "process" and "process" in answer["note"]
    assert answer["document"] == {"language": "python", "driver": "0.1.0", "driverName": "python",
                                  "why": "its own driver (bundled)", "runtime": "process", "image": None,
                                  "problem": None}
    rust = await open_document(client, "status.rs", "fn main() {}\n", "rust")
    answer = await client.protocol.send_request_async("bblfsh/status", {"textDocument": {"uri": rust}})
    assert answer["document"]["language"] == "rust" and answer["document"]["driverName"] == "universal"
    assert answer["document"]["why"] == "universal driver (bundled): no driver of its own"
    unknown = await client.protocol.send_request_async(
        "bblfsh/status", {"textDocument": {"uri": (client.workspace_path / "notes.txt").as_uri()}})
    assert unknown["document"]["language"] is None and "notes.txt" in unknown["document"]["problem"]
