"""Benchmark: documentSymbol round trip on the stdlib's argparse.py (~100 KB) through the real
server over stdio, against in-process ast.parse of the same text, as a ratio (target <= 2x).

Two round trips are measured:
  edit   - a one-character edit (didChange) immediately followed by documentSymbol: the
           server must re-parse, so this is what a user feels while typing;
  steady - documentSymbol again on an unchanged version (answered from the parse cache).

Run: python bench/lsp_symbols.py [--rounds N] [--runtime process]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

# Profile the server: BENCH_PROFILE=out.html python bench/lsp_symbols.py (needs pyinstrument)
PROFILE = os.environ.get("BENCH_PROFILE")
PREFIX = ["-m", "pyinstrument", "-o", PROFILE] if PROFILE else []
# Log the server's timings: BENCH_LOG=server.log python bench/lsp_symbols.py
LOG = ["--log-level", "debug", "--log-file", os.environ["BENCH_LOG"]] if os.environ.get("BENCH_LOG") else []


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def measure(rounds: int, runtime: str) -> dict[str, float]:
    source = Path(argparse.__file__).read_text(encoding="utf-8")
    client = LanguageClient("bench", "1")
    for method in (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, types.WINDOW_LOG_MESSAGE, types.WINDOW_SHOW_MESSAGE):
        client.feature(method)(lambda _params: None)
    await client.start_io(sys.executable, *PREFIX, "-m", "bblfsh_lsp", "--runtime", runtime,
                          *LOG, "serve")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = "file:///bench/argparse.py"
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=source)))
    identifier = types.TextDocumentIdentifier(uri=uri)

    async def symbols() -> list:
        return await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=identifier))

    first = await symbols()
    assert first, "no symbols"
    edit, steady = [], []
    for version in range(2, rounds + 2):
        started = time.perf_counter()
        # Insert and remove a space on the first line, alternately: the text stays valid.
        change = (types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)), text=" ")
            if version % 2 == 0 else types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(0, 0), types.Position(0, 1)), text=""))
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))
        found = await symbols()
        edit.append(time.perf_counter() - started)
        assert len(found) == len(first)
        started = time.perf_counter()
        await symbols()
        steady.append(time.perf_counter() - started)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    parse = []
    for _ in range(rounds):
        started = time.perf_counter()
        ast.parse(source)
        parse.append(time.perf_counter() - started)
    return {"ast.parse": median_ms(parse), "edit": median_ms(edit), "steady": median_ms(steady),
            "bytes": len(source.encode())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--runtime", default="process")
    args = parser.parse_args()
    result = asyncio.run(measure(args.rounds, args.runtime))
    reference = result["ast.parse"]
    print(f"argparse.py, {result['bytes']:,} bytes, {args.rounds} rounds, medians:")
    print(f"  in-process ast.parse         {reference:7.1f} ms   1.00x")
    print(f"  edit + documentSymbol        {result['edit']:7.1f} ms   {result['edit'] / reference:.2f}x")
    print(f"  documentSymbol (unchanged)   {result['steady']:7.1f} ms   {result['steady'] / reference:.2f}x")


if __name__ == "__main__":
    main()
