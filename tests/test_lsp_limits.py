"""Long work in the server is bounded and can be cancelled, and it does not hold up the rest:
a query over a large document stops at its time limit with a clear error, a cancelled query
is answered as cancelled, and other requests are answered meanwhile."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from driver_checks import document_symbols, lsp_client_fixture, open_document
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

REQUEST_FAILED = -32803
HEAVY = "//*//*//*//*"  # quadratic and more in the size of the tree: minutes on a big file


def functions(count: int) -> str:
    return "".join(f"def f{number}(a, b):\n    return a + b\n\n" for number in range(count))


client = lsp_client_fixture({}, options={"queryTimeout": 1.0, "maxFileBytes": 100_000})


def query(client: LanguageClient, text: str, uri: str, msg_id: str | None = None) -> asyncio.Future:
    return asyncio.wrap_future(client.protocol.send_request(
        "bblfsh/query", {"query": text, "textDocument": {"uri": uri}}, msg_id=msg_id))


async def test_a_query_past_its_time_limit_stops_with_a_clear_error(client: LanguageClient):
    big = await open_document(client, "big.py", functions(2000), "python")
    assert len(await document_symbols(client, big)) == 2000
    with pytest.raises(JsonRpcException) as failure:
        await query(client, HEAVY, big)
    assert failure.value.code == REQUEST_FAILED
    assert "longer than 1 s" in str(failure.value) and "queryTimeout" in str(failure.value)
    # A query within its limit still answers.
    found = await query(client, "count(//uast:FunctionGroup)", big)
    assert found[0]["value"] == 2000


async def test_other_requests_are_answered_while_a_query_runs(client: LanguageClient):
    big = await open_document(client, "big.py", functions(2000), "python")
    small = await open_document(client, "small.py", "def tiny():\n    pass\n", "python")
    await document_symbols(client, big)
    await document_symbols(client, small)
    heavy = query(client, HEAVY, big)
    await asyncio.sleep(0.2)
    outline = await document_symbols(client, small)
    assert [symbol.name for symbol in outline] == ["tiny"]
    assert not heavy.done(), "the outline came only after the heavy query ended"
    with pytest.raises(JsonRpcException):
        await heavy


async def test_a_cancelled_query_is_answered_as_cancelled_and_the_server_goes_on(client: LanguageClient):
    big = await open_document(client, "big.py", functions(2000), "python")
    await document_symbols(client, big)
    heavy = query(client, HEAVY, big, msg_id="heavy")
    await asyncio.sleep(0.3)
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="heavy"))
    with pytest.raises(JsonRpcRequestCancelled):
        await heavy
    assert len(await document_symbols(client, big)) == 2000


async def test_a_document_over_the_size_limit_says_why_it_has_no_outline(client: LanguageClient):
    uri = await open_document(client, "huge.py", functions(3000), "python")  # about 100 KB
    assert await document_symbols(client, uri) == []
    for _ in range(100):
        if client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.05)
    [diagnostic] = client.diagnostics[uri]
    assert "too large" in diagnostic.message and "maxFileBytes" in diagnostic.message
    assert diagnostic.severity == types.DiagnosticSeverity.Information


def server_rss_mib() -> float:
    """The resident memory of the language server this test process started."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields["PPid"]) == os.getpid() and b"bblfsh_lsp" in cmdline and b"serve" in cmdline:
            return int(fields["VmRSS"].split()[0]) / 1024
    raise AssertionError("no language server among this process's children")


big_client = lsp_client_fixture({}, options={"maxFileBytes": 8 << 20})


async def test_closing_a_large_document_gives_its_memory_back(big_client: LanguageClient):
    before = server_rss_mib()
    uri = await open_document(big_client, "big.py", functions(40_000), "python")  # 1.4 MB
    assert len(await document_symbols(big_client, uri)) == 40_000
    # The outline comes without the tree; a selection range needs the tree, which the server then holds.
    await big_client.text_document_selection_range_async(types.SelectionRangeParams(
        text_document=types.TextDocumentIdentifier(uri=uri), positions=[types.Position(line=1, character=4)]))
    peak = server_rss_mib()
    assert peak > before + 200, "the document's trees should be large"
    big_client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    for _ in range(100):
        after = server_rss_mib()
        if after < before + 0.2 * (peak - before):
            break
        await asyncio.sleep(0.1)
    assert after < before + 0.2 * (peak - before), f"{before:.0f} -> {peak:.0f} -> {after:.0f} MiB"
