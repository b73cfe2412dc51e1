"""Benchmark: what the Ruby driver adds to Ruby's own parse time (Ripper).

On the largest Ruby fixture (../shared/conformance/ruby, or --file), median latency of:
  reference  - Ripper called in-process by a tiny Ruby timing script (the same `ruby
               --disable-gems` as the driver): Ripper.sexp on the source, the parse and Ripper's
               own tree, after warm-up;
  native     - the driver (RubyDriver, a NativeDriver in this process), native mode: the parse
               with every token kept, the tree shaped as the parser gem's with byte spans,
               JSON over a pipe, JSON decoding;
  annotated  - the same plus the role tables;
  semantic   - the same plus the uast:* transforms;
  runtime    - a parse request through the process runtime (the driver as a child process, the
               protocol's framing both ways), semantic mode.
Each is reported as a ratio of medians to the reference.  Measurements are taken in turns (one
of each per round), so that the machine's noise falls on all of them alike.  The fixtures are
small (the largest is 1.4 KB): there the ratios are mostly the fixed cost of a request; give a
larger --file (e.g. /usr/lib/ruby/3.1.0/optparse.rb) for the cost per byte.

Needs ruby and the prepared driver (`bblfsh-lsp driver install ruby --runtime process`).
Run: python bench/driver_ruby.py [--n 40] [--file FILE]
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
from pathlib import Path

from driver_runtime.drivers.ruby.driver import RubyDriver
from driver_runtime.protocol import METHOD_PARSE, Mode, ParseRequest, converter
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "conformance" / "ruby"

# Ripper timed in its own runtime: argv = file, runs; prints the seconds of each run (after as
# many warm-up runs) as a JSON list.
TIMER = r"""
require "ripper"
require "json"
source = File.read(ARGV[0], encoding: "UTF-8")
runs = Integer(ARGV[1])
samples = []
(2 * runs).times do |i|
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  Ripper.sexp(source) or abort("the file does not parse")
  samples << Process.clock_gettime(Process::CLOCK_MONOTONIC) - started if i >= runs
end
puts JSON.generate(samples)
"""


def largest_fixture() -> Path:
    files = [path for path in FIXTURES.glob("*.rb") if not path.name.startswith("_syntax_error")]
    if not files:
        sys.exit(f"no Ruby fixtures in {FIXTURES}; give --file")
    return max(files, key=lambda path: path.stat().st_size)


def reference(path: Path, runs: int) -> list[float]:
    with tempfile.NamedTemporaryFile("w", suffix=".rb", delete=False) as script:
        script.write(TIMER)
    try:
        out = subprocess.run(["ruby", "--disable-gems", script.name, str(path), str(runs)],
                             capture_output=True, text=True, check=True, timeout=600).stdout
    finally:
        Path(script.name).unlink()
    return json.loads(out)


async def run(args: argparse.Namespace) -> None:
    path = Path(args.file) if args.file else largest_fixture()
    text = path.read_text(encoding="utf-8")
    driver = RubyDriver()
    missing = driver.check_prepared()
    if missing:
        sys.exit(missing)
    spec = Registry.bundled().get("ruby")
    assert spec is not None
    runtime = ProcessRuntime()
    instance = await runtime.start(spec)
    request = converter.unstructure(ParseRequest(content=text, filename=path.name, mode=Mode.SEMANTIC))
    samples: dict[str, list[float]] = {"native": [], "annotated": [], "semantic": [], "runtime": []}
    try:
        for _ in range(5):  # warm up: the processes, the pipes, the caches
            driver.parse(ParseRequest(content=text, mode=Mode.SEMANTIC))
            await instance.request(METHOD_PARSE, request, timeout=60)
        for _ in range(args.n):
            for mode in (Mode.NATIVE, Mode.ANNOTATED, Mode.SEMANTIC):
                started = time.perf_counter()
                result = driver.parse(ParseRequest(content=text, filename=path.name, mode=mode))
                samples[mode.value].append(time.perf_counter() - started)
                assert result.uast is not None, result.errors
            started = time.perf_counter()
            answer = await instance.request(METHOD_PARSE, request, timeout=60)
            samples["runtime"].append(time.perf_counter() - started)
            assert answer.get("uast"), answer
    finally:
        await instance.stop()
        await runtime.close()
        driver.native.close()
    base = statistics.median(reference(path, args.n))
    print(f"file: {path} ({len(text.encode()):,} bytes), {args.n} runs each")
    print(f"{'what':<10} {'median ms':>10} {'ratio':>7}")
    print(f"{'reference':<10} {base * 1000:>10.2f} {1.0:>7.2f}   Ripper.sexp in ruby, the parse alone")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<10} {median * 1000:>10.2f} {median / base:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="measured runs of each (default 40)")
    parser.add_argument("--file", help="the Ruby file to parse (default: the largest Ruby fixture)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
