"""Benchmark: what the Go driver adds to go/parser's own parse time.

On the largest Go fixture (../shared/conformance/go, or --file), median latency of:
  reference  - go/parser.ParseFile called in-process by a tiny Go timing program (the same mode
               as the driver: comments kept, no object resolution), the parse alone, after
               warm-up;
  go+json    - the same program, parse and the driver's own JSON writer (native/encode.go): the
               native side's whole work;
  native     - the driver (GoDriver, a NativeDriver in this process), native mode: the parse,
               the tree written as JSON, the pipe, JSON decoding;
  annotated  - the same plus the role tables;
  semantic   - the same plus the uast:* transforms;
  runtime    - a parse request through the process runtime (the driver as a child process, the
               protocol's framing both ways), semantic mode.
Each is reported as a ratio of medians to the reference.  Measurements are taken in turns (one
of each per round), so that the machine's noise falls on all of them alike.

Needs the go command and the prepared parser (`bblfsh-lsp driver install go --runtime process`).
Run: python bench/driver_go.py [--n 40] [--file FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from driver_runtime.drivers.go.driver import GoDriver
from driver_runtime.protocol import METHOD_PARSE, Mode, ParseRequest, converter
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "conformance" / "go"
NATIVE = REPO / "driver_runtime" / "drivers" / "go" / "native"

# go/parser timed in its own runtime: argv = file, runs; prints the seconds of each run (after
# as many warm-up runs) as a JSON list.
TIMER = """package main

import (
\t"encoding/json"
\t"go/parser"
\t"go/token"
\t"os"
\t"strconv"
\t"time"
)

func main() {
\tsrc, err := os.ReadFile(os.Args[1])
\tif err != nil {
\t\tpanic(err)
\t}
\truns, _ := strconv.Atoi(os.Args[2])
\tencode := os.Args[3] == "encode"
\tsamples := []float64{}
\tfor i := 0; i < 2*runs; i++ {
\t\tstarted := time.Now()
\t\tfset := token.NewFileSet()
\t\tbase := fset.Base()
\t\tfile, err := parser.ParseFile(fset, "bench.go", src, parser.ParseComments|parser.SkipObjectResolution)
\t\tif err != nil {
\t\t\tpanic(err)
\t\t}
\t\tif encode {
\t\t\tencodeFile(file, src, base)
\t\t}
\t\tif i >= runs {
\t\t\tsamples = append(samples, time.Since(started).Seconds())
\t\t}
\t}
\tjson.NewEncoder(os.Stdout).Encode(samples)
}
"""


def largest_fixture() -> Path:
    files = [path for path in FIXTURES.glob("*.go") if not path.name.startswith("_syntax_error")]
    if not files:
        sys.exit(f"no Go fixtures in {FIXTURES}; give --file")
    return max(files, key=lambda path: path.stat().st_size)


def go_timings(path: Path, runs: int) -> dict[str, list[float]]:
    """go/parser alone, and with the driver's JSON writer: the timer, built in a scratch folder
    (Go's caches there too)."""
    with tempfile.TemporaryDirectory(prefix="bblfsh-lsp-go-bench-") as scratch:
        folder = Path(scratch)
        (folder / "go.mod").write_text("module bench\n\ngo 1.19\n", encoding="utf-8")
        (folder / "main.go").write_text(TIMER, encoding="utf-8")
        (folder / "encode.go").write_bytes((NATIVE / "encode.go").read_bytes())
        env = {**os.environ, "GOCACHE": str(folder / "cache"), "GOPATH": str(folder / "gopath"),
               "GOPROXY": "off", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
        subprocess.run(["go", "build", "-o", str(folder / "timer"), "."], cwd=folder, env=env, check=True,
                       timeout=600)
        out = {what: json.loads(subprocess.run([str(folder / "timer"), str(path), str(runs), what],
                                               capture_output=True, text=True, check=True, timeout=600).stdout)
               for what in ("parse", "encode")}
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)  # Go's module cache is read-only
    return out


async def run(args: argparse.Namespace) -> None:
    path = Path(args.file) if args.file else largest_fixture()
    text = path.read_text(encoding="utf-8")
    driver = GoDriver()
    missing = driver.check_prepared()
    if missing:
        sys.exit(missing)
    spec = Registry.bundled().get("go")
    assert spec is not None
    runtime = ProcessRuntime()
    instance = await runtime.start(spec)
    request = converter.unstructure(ParseRequest(content=text, filename=path.name, mode=Mode.SEMANTIC))
    samples: dict[str, list[float]] = {"native": [], "annotated": [], "semantic": [], "runtime": []}
    try:
        for _ in range(5):  # warm up: the pipes, the caches
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
    in_go = go_timings(path, args.n)
    base = statistics.median(in_go["parse"])
    print(f"file: {path} ({len(text.encode()):,} bytes), {args.n} runs each")
    print(f"{'what':<10} {'median ms':>10} {'ratio':>7}")
    print(f"{'reference':<10} {base * 1000:>10.2f} {1.0:>7.2f}   go/parser in Go, the parse alone")
    for name, values in {"go+json": in_go["encode"], **samples}.items():
        median = statistics.median(values)
        print(f"{name:<10} {median * 1000:>10.2f} {median / base:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="measured runs of each (default 40)")
    parser.add_argument("--file", help="the Go file to parse (default: the largest Go fixture)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
