"""Benchmark: the first outline of a language never used before in a session.

A server that has served Python for a while gets its first Kotlin file: the universal driver's
process starts (Python, tree-sitter, the pack), loads Kotlin's grammar, parses and the outline is
computed.  Then a Lua file: the driver is running, only Lua's grammar is new.  Each is measured
in a fresh DriverService (local processes, as after the README's install), against the same
outline once everything is warm (the reference), median over --n sessions.

Run: python bench/universal_first_outline.py [--n 5]
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from common import arguments

from bblfsh_lsp.positions import TextIndex
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.outline import outline, symbol_kinds
from driver_runtime.service import DriverService

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "universal_samples"


def sample(language: str) -> tuple[Path, str]:
    path = next(path for path in (SAMPLES / language).iterdir() if path.name != "expected.txt")
    return path, path.read_text(encoding="utf-8")


async def outline_of(service: DriverService, path: Path, text: str) -> float:
    started = time.perf_counter()
    result = await service.parse(text, str(path))
    manifest = service.manifest(result.language)
    symbols = outline(result.uast, TextIndex(text, "utf-16"),
                      kinds=symbol_kinds(manifest.symbol_kinds) if manifest is not None else {})
    assert symbols, path
    return time.perf_counter() - started


async def session() -> dict[str, float]:
    service = DriverService(ProcessRuntime(), Registry.bundled())
    try:
        python = Path(__file__)
        await outline_of(service, python, python.read_text(encoding="utf-8"))  # a session already going
        times = {"first language": await outline_of(service, *sample("kotlin")),
                 "second language": await outline_of(service, *sample("lua"))}
        times["warm (reference)"] = min([await outline_of(service, *sample("kotlin")) for _ in range(5)])
        return times
    finally:
        await service.close()


def main() -> None:
    args = arguments(__doc__, 5, None).parse_args()
    sessions = [asyncio.run(session()) for _ in range(args.n)]
    base = statistics.median(times["warm (reference)"] for times in sessions)
    print(f"first outline of a language in a session, median of {args.n} sessions")
    print(f"{'what':<18} {'median ms':>10} {'ratio':>7}")
    for name in ("warm (reference)", "first language", "second language"):
        median = statistics.median(times[name] for times in sessions)
        print(f"{name:<18} {median * 1000:>10.1f} {median / base:>7.1f}")


if __name__ == "__main__":
    main()
