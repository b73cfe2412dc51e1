"""What the driver benchmarks (bench/driver_*.py) share: the fixture, the reference's samples read
back from a timing program, the driver measured in turns in this process and through the process
runtime, the report, the command line.

Each bench keeps what is its language's own: its docstring, its timing program (the parser called
in-process in its own runtime, printing the seconds of each measured run as a JSON list) and how
that is run, its driver class.  The benches import this module as a script's sibling (`python
bench/driver_go.py` puts bench/ first on sys.path); it puts the checkout on sys.path too, so that
they run from a checkout without installing it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the checkout, after bench/

from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.protocol import METHOD_PARSE, Mode, ParseRequest, converter

REPO = Path(__file__).resolve().parent.parent
CONFORMANCE = REPO.parent / "shared" / "conformance"
ALL_MODES = (Mode.NATIVE, Mode.ANNOTATED, Mode.SEMANTIC)
# The rows every driver bench reports after its native row, and how all are measured: a bench's
# docstring names them with MEASURED_MARK, which its --help shows as MEASURED_ROWS (arguments).
MEASURED_MARK = "  annotated, semantic, runtime: the rows of every driver bench (bench/common.py, MEASURED_ROWS)."
MEASURED_ROWS = """\
  annotated  - the same plus the role tables;
  semantic   - the same plus the uast:* transforms;
  runtime    - a parse request through the process runtime (the driver as a child process, the
               protocol's framing both ways), semantic mode.
Each is reported as a ratio of medians to the reference.  Measurements are taken in turns (one
of each per round), so that the machine's noise falls on all of them alike."""


@attrs.frozen
class Reference:
    """The parser alone in its own runtime: the seconds of each measured run, and what they are
    (shown on the report's reference row).  `extra`: more rows measured there (e.g. Go's parse
    with the driver's JSON writer), reported before the driver's."""

    samples: list[float]
    what: str
    extra: dict[str, list[float]] = attrs.field(factory=dict)


def largest_fixture(language: str, suffix: str, title: str, option: str = "--file") -> Path:
    """The largest fixture of ../shared/conformance/LANGUAGE ending in `suffix` (syntax-error
    fixtures left out); without any, exit saying to give `option`."""
    folder = CONFORMANCE / language
    files = [path for path in folder.glob(f"*{suffix}") if not path.name.startswith("_syntax_error")]
    if not files:
        sys.exit(f"no {title} fixtures in {folder}; give {option}")
    return max(files, key=lambda path: path.stat().st_size)


def timed_samples(command: Sequence[str], timeout: float = 600) -> list[float]:
    """Run a timing program: its standard output is the seconds of each run, as a JSON list."""
    out = subprocess.run(list(command), capture_output=True, text=True, check=True, timeout=timeout).stdout
    return json.loads(out)


def script_samples(interpreter: Sequence[str], script: str, suffix: str, arguments: Sequence[str]) -> list[float]:
    """timed_samples of a timing script written to a scratch file: interpreter script arguments..."""
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as file:
        file.write(script)
    try:
        return timed_samples([*interpreter, file.name, *arguments])
    finally:
        Path(file.name).unlink()


async def measure(driver: NativeDriver, path: Path, text: str, runs: int, *, modes: Sequence[Mode] = ALL_MODES,
                  warmup: int = 5, strict: bool = False) -> dict[str, list[float]]:
    """Seconds of each parse: the driver in this process per mode, then a semantic-mode request
    through the process runtime, in turns (one of each per round) after `warmup` rounds of a
    semantic parse and a request.  `strict`: a parse error fails the run, not only a missing tree."""
    spec = Registry.bundled().get(driver.manifest.language)
    assert spec is not None
    runtime = ProcessRuntime()
    instance = await runtime.start(spec)
    request = converter.unstructure(ParseRequest(content=text, filename=path.name, mode=Mode.SEMANTIC))
    samples: dict[str, list[float]] = {mode.value: [] for mode in modes}
    samples["runtime"] = []
    try:
        for _ in range(warmup):  # the pipes, the parsers' JITs, the caches
            driver.parse(ParseRequest(content=text, filename=path.name, mode=Mode.SEMANTIC))
            await instance.request(METHOD_PARSE, request, timeout=60)
        for _ in range(runs):
            for mode in modes:
                started = time.perf_counter()
                result = driver.parse(ParseRequest(content=text, filename=path.name, mode=mode))
                samples[mode.value].append(time.perf_counter() - started)
                assert result.uast is not None and not (strict and result.errors), result.errors
            started = time.perf_counter()
            answer = await instance.request(METHOD_PARSE, request, timeout=60)
            samples["runtime"].append(time.perf_counter() - started)
            assert answer.get("uast"), answer
    finally:
        await instance.stop()
        await runtime.close()
    return samples


def report(label: str, path: Path, text: str, runs: int, reference: Reference, samples: dict[str, list[float]]) -> None:
    """Medians in ms and their ratios to the reference's: the reference row, its extra rows, the
    driver's."""
    base = statistics.median(reference.samples)
    print(f"{label}: {path} ({len(text.encode()):,} bytes), {runs} runs each")
    print(f"{'what':<10} {'median ms':>10} {'ratio':>7}")
    print(f"{'reference':<10} {base * 1000:>10.2f} {1.0:>7.2f}   {reference.what}")
    for name, values in {**reference.extra, **samples}.items():
        median = statistics.median(values)
        print(f"{name:<10} {median * 1000:>10.2f} {median / base:>7.2f}")


def bench(driver: NativeDriver, path: Path, runs: int, reference: Callable[[], Reference], *,
          modes: Sequence[Mode] = ALL_MODES, warmup: int = 5, strict: bool = False, label: str = "file") -> None:
    """Measure the driver on the file (measure), then the reference, and print the report; exit
    if the driver's native parser is not prepared."""
    missing = driver.check_prepared()
    if missing:
        sys.exit(missing)
    text = path.read_text(encoding="utf-8")
    try:
        samples = asyncio.run(measure(driver, path, text, runs, modes=modes, warmup=warmup, strict=strict))
        measured = reference()
    finally:
        driver.native.close()
    report(label, path, text, runs, measured, samples)


def bench_largest_fixture(doc: str | None, driver: NativeDriver, suffix: str, title: str, runs: int,
                          reference: Callable[[Path, int], Reference], **options: Any) -> None:
    """A bench's whole run: the command line (arguments, --file by default the largest fixture of
    the driver's language ending in `suffix`), then bench, with `reference(path, runs)`."""
    args = arguments(doc, runs, f"the {title} file to parse (default: the largest {title} fixture)").parse_args()
    path = args.file or largest_fixture(driver.manifest.language, suffix, title)
    bench(driver, path, args.n, lambda: reference(path, args.n), **options)


def arguments(doc: str | None, runs: int, file_help: str | None) -> argparse.ArgumentParser:
    """The benches' command line: --n (measured runs of each) and, with `file_help`, --file; the
    description is the bench's docstring, its MEASURED_MARK line spelled out."""
    description = doc.replace(MEASURED_MARK, MEASURED_ROWS) if doc else doc
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=runs, help=f"measured runs of each (default {runs})")
    if file_help is not None:
        parser.add_argument("--file", type=Path, help=file_help)
    return parser
