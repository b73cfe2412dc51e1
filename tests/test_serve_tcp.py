"""`bblfsh-lsp serve --tcp HOST:PORT`: the same server over a socket."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from conftest import free_port
from lsprotocol import types
from pygls.lsp.client import LanguageClient


async def test_serve_over_tcp():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bblfsh_lsp", "serve", "--tcp", f"127.0.0.1:{port}"])
    client = LanguageClient("test", "1")
    client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda _params: None)
    client.feature(types.WINDOW_LOG_MESSAGE)(lambda _params: None)
    try:
        for attempt in range(100):  # wait until it listens (a probe connection would end it)
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                if attempt == 99:
                    raise
                await asyncio.sleep(0.1)
        await asyncio.wait_for(client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities())), 30)
        client.initialized(types.InitializedParams())
        uri = "file:///tcp/example.py"
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text="class Over:\n    def tcp(self):\n        pass\n")))
        found = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        assert [symbol.name for symbol in found] == ["Over"]
        assert [child.name for child in found[0].children] == ["tcp"]
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
        server.terminate()
        server.wait(timeout=10)


def test_tcp_address_must_be_host_and_port():
    result = subprocess.run([sys.executable, "-m", "bblfsh_lsp", "serve", "--tcp", "nonsense"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "HOST:PORT" in result.stderr
