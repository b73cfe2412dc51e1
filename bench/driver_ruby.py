"""Benchmark: what the Ruby driver adds to Ruby's own parse time (Ripper).

On the largest Ruby fixture (../shared/conformance/ruby, or --file), median latency of:
  reference  - Ripper called in-process by a tiny Ruby timing script (the same `ruby
               --disable-gems` as the driver): Ripper.sexp on the source, the parse and Ripper's
               own tree, after warm-up;
  native     - the driver (RubyDriver, a NativeDriver in this process), native mode: the parse
               with every token kept, the tree shaped as the parser gem's with byte spans,
               JSON over a pipe, JSON decoding;
  annotated, semantic, runtime: the rows of every driver bench (bench/common.py, MEASURED_ROWS).
The fixtures are small (the largest is 1.4 KB): there the ratios are mostly the fixed cost of a
request; give a larger --file (e.g. /usr/lib/ruby/3.1.0/optparse.rb) for the cost per byte.

Needs ruby and the prepared driver (`bblfsh-lsp driver install ruby --runtime process`).
Run: python bench/driver_ruby.py [--n 40] [--file FILE]
"""

from __future__ import annotations

from pathlib import Path

from common import Reference, bench_largest_fixture, script_samples

from driver_runtime.drivers.ruby.driver import RubyDriver

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


def reference(path: Path, runs: int) -> Reference:
    samples = script_samples(["ruby", "--disable-gems"], TIMER, ".rb", [str(path), str(runs)])
    return Reference(samples, "Ripper.sexp in ruby, the parse alone")


def main() -> None:
    bench_largest_fixture(__doc__, RubyDriver(), ".rb", "Ruby", 40, reference)


if __name__ == "__main__":
    main()
