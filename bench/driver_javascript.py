"""Benchmark: what the JavaScript and TypeScript drivers add to Babel's own parse time.

On the largest JavaScript and the largest TypeScript fixture (../shared/conformance, or --js /
--ts), median latency of:
  reference  - @babel/parser's parse() called in-process by a tiny Node.js timing script, with the
               driver's own options and plugins (native/parse.js exports them), the parse alone,
               after warm-up;
  native     - the driver (a NativeDriver in this process), native mode: the parse, the tree
               written as JSON, the pipe, JSON decoding, UTF-16 offsets turned into bytes;
  annotated, semantic, runtime: the rows of every driver bench (bench/common.py, MEASURED_ROWS).

Needs node and the prepared parser (`bblfsh-lsp driver install javascript --runtime process`,
and `... typescript ...`).
Run: python bench/driver_javascript.py [--n 30] [--js FILE] [--ts FILE]
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from common import Reference, arguments, bench, largest_fixture, timed_samples

from driver_runtime.drivers.javascript.driver import PARSER, JavaScriptDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver

# Babel timed in Node: argv = parse.js, node_modules, file, runs; prints the seconds of each run
# (after as many warm-up runs) as a JSON list.
TIMER = """
const fs = require('fs');
const [parserScript, modules, file, runs] = process.argv.slice(1);
const driver = require(parserScript);
const babel = driver.load(modules);
const content = fs.readFileSync(file, 'utf8');
const plugins = driver.PLUGINS[driver.dialectOf(file, 'javascript')];
const options = { ...driver.OPTIONS, plugins, sourceType: 'module' };
const samples = [];
for (let i = 0; i < 2 * Number(runs); i++) {
  const started = process.hrtime.bigint();
  const file = babel.parse(content, options);
  if (file.errors.length) throw new Error(file.errors[0].message);
  if (i >= Number(runs)) samples.push(Number(process.hrtime.bigint() - started) / 1e9);
}
console.log(JSON.stringify(samples));
"""


def reference(driver: JavaScriptDriver, path: Path, runs: int) -> Reference:
    modules = driver.build / "node_modules"
    samples = timed_samples(["node", "-e", TIMER, str(PARSER), str(modules), str(path), str(runs)])
    return Reference(samples, "@babel/parser in Node.js, the parse alone")


def bench_dialect(driver: JavaScriptDriver, path: Path, runs: int) -> None:
    bench(driver, path, runs, lambda: reference(driver, path, runs), strict=True, label=driver.manifest.language)
    print()


def main() -> None:
    parser = arguments(__doc__, 30, None)
    for option, title in (("--js", "JavaScript"), ("--ts", "TypeScript")):
        parser.add_argument(option, type=Path, help=f"the {title} file to parse (default: the largest {title} fixture)")
    args = parser.parse_args()
    # The drivers run in their own processes in production, where the SDK's serve() turns the
    # cyclic garbage collector off (UAST trees hold no cycles): the same here.
    gc.disable()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    for driver, given, suffix in ((JavaScriptDriver(), args.js, ".js"), (TypeScriptDriver(), args.ts, ".ts")):
        language = driver.manifest.language
        bench_dialect(driver, given or largest_fixture(language, suffix, language, "--js / --ts"), args.n)


if __name__ == "__main__":
    main()
