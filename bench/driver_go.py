"""Benchmark: what the Go driver adds to go/parser's own parse time.

On the largest Go fixture (../shared/conformance/go, or --file), median latency of:
  reference  - go/parser.ParseFile called in-process by a tiny Go timing program (the same mode
               as the driver: comments kept, no object resolution), the parse alone, after
               warm-up;
  go+json    - the same program, parse and the driver's own JSON writer (native/encode.go): the
               native side's whole work;
  native     - the driver (GoDriver, a NativeDriver in this process), native mode: the parse,
               the tree written as JSON, the pipe, JSON decoding;
  annotated, semantic, runtime: the rows of every driver bench (bench/common.py, MEASURED_ROWS).

Needs the go command and the prepared parser (`bblfsh-lsp driver install go --runtime process`).
Run: python bench/driver_go.py [--n 40] [--file FILE]
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from common import REPO, Reference, bench_largest_fixture, timed_samples

from driver_runtime.drivers.go.driver import GoDriver

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
\t\t\tencodeFile(file, src, base, nil)
\t\t}
\t\tif i >= runs {
\t\t\tsamples = append(samples, time.Since(started).Seconds())
\t\t}
\t}
\tjson.NewEncoder(os.Stdout).Encode(samples)
}
"""


def go_timings(path: Path, runs: int) -> Reference:
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
        out = {what: timed_samples([str(folder / "timer"), str(path), str(runs), what]) for what in ("parse", "encode")}
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)  # Go's module cache is read-only
    return Reference(out["parse"], "go/parser in Go, the parse alone", extra={"go+json": out["encode"]})


def main() -> None:
    bench_largest_fixture(__doc__, GoDriver(), ".go", "Go", 40, go_timings)


if __name__ == "__main__":
    main()
