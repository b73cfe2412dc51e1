"""Benchmark: the outline after a one-character edit, through the universal driver.

The editor's path: a document is open (the driver keeps it, protocol 1.2), the user types one
character, the server parses the new version and gets its outline.  Median latency of:
  reference  - one full tree-sitter parse of the file, in this process (py-tree-sitter, the
               pack's grammar, a parser made once);
  edit       - the edit sent to the universal driver (a local process, through DriverService as
               the server uses it: it re-parses from its previous tree) and its outline and folds
               back, made in the driver (protocol 1.3's parts, as the server asks after an edit);
  edit+tree  - the same, but the semantic UAST back and the outline computed from it here (what
               the server did before protocol 1.3, and what a driver of 1.2 gets);
  whole      - the outline and folds with the whole text sent each time (a protocol 1.1 driver).
Reported as ratios of medians to the reference, measured in turns: each path in a series of its own,
--pause seconds between rounds (typing speed: what a driver does after an answer, freeing the last
tree, is done then, as in an editor; the paths' series do not leave work to each other).  Default
file: CPython's argparse.py (about 100 KB).

Run: python bench/universal_edits.py [--n 30] [--file FILE --language LANG]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from pathlib import Path

from common import Reference, arguments, report

from bblfsh_lsp.positions import TextIndex
from driver_runtime.drivers.universal import grammars
from driver_runtime.drivers.universal.driver import UniversalDriver
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.outline import outline, symbol_kinds, symbols_from_data
from driver_runtime.sdk.protocol import PART_FOLDS, PART_OUTLINE
from driver_runtime.service import DriverService


async def outline_of(service: DriverService, text: str, path: Path, language: str, document: str,
                     views: bool = True) -> int:
    if views:
        result = await service.parse(text, str(path), language, document=document, parts=(PART_OUTLINE, PART_FOLDS))
        return len(symbols_from_data(result.outline))
    result = await service.parse(text, str(path), language, document=document)
    manifest = service.manifest(result.language)
    kinds = symbol_kinds(manifest.symbol_kinds) if manifest is not None else {}
    return len(outline(result.uast, TextIndex(text, "utf-16"), kinds=kinds))


async def run(path: Path, language: str, runs: int, pause: float) -> None:
    text = path.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    grammar = grammars.grammar_for(grammars.served_name(language), path.name)
    if grammar is None:
        raise SystemExit(f"the universal driver has no grammar for {language!r}")
    tree_sitter = UniversalDriver().parser(grammar)
    service = DriverService(ProcessRuntime(), Registry.bundled(), preferences={"*": "universal"})
    rng = random.Random(1)
    try:
        document = path.resolve().as_uri()
        assert await outline_of(service, text, path, language, document) > 0  # warm: the driver keeps it
        assert await outline_of(service, text, path, language, "")
        reference: list[float] = []
        samples: dict[str, list[float]] = {"edit": [], "edit+tree": [], "whole": []}
        # Each path in a series of its own, a pause between rounds as between keystrokes (what a
        # driver does once an answer is sent, freeing the last tree, is then done as in an editor).
        for name, key, views in (("edit", document, True), ("edit+tree", document, False), ("whole", "", True)):
            for _ in range(runs):
                await asyncio.sleep(pause)
                started = time.perf_counter()
                tree_sitter.parse(data)
                reference.append(time.perf_counter() - started)
                # One character typed at the end of a random line.
                lines = text.splitlines(keepends=True)
                line = rng.randrange(len(lines))
                lines[line] = lines[line].rstrip("\n") + " \n"
                text = "".join(lines)
                started = time.perf_counter()
                await outline_of(service, text, path, language, key, views)
                samples[name].append(time.perf_counter() - started)
        report(language, path, text, runs, Reference(reference, f"one full tree-sitter parse ({grammar} grammar)"),
               samples)
    finally:
        await service.close()


def main() -> None:
    parser = arguments(__doc__, 30, "the file to edit (default: CPython's argparse.py)")
    parser.add_argument("--language", default="python", help="its language (default: python)")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between rounds (default 0.05: typing)")
    args = parser.parse_args()
    asyncio.run(run(args.file or Path(argparse.__file__), args.language, args.n, args.pause))


if __name__ == "__main__":
    main()
