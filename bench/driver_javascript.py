"""Benchmark: what the JavaScript and TypeScript drivers add to Babel's own parse time.

On the largest JavaScript and the largest TypeScript fixture (../shared/conformance, or --js /
--ts), median latency of:
  reference  - @babel/parser's parse() called in-process by a tiny Node.js timing script, with the
               driver's own options and plugins (native/parse.js exports them), the parse alone,
               after warm-up;
  native     - the driver (a NativeDriver in this process), native mode: the parse, the tree
               written as JSON, the pipe, JSON decoding, UTF-16 offsets turned into bytes;
  annotated  - the same plus the role tables;
  semantic   - the same plus the uast:* transforms;
  runtime    - a parse request through the process runtime (the driver as a child process, the
               protocol's framing both ways), semantic mode.
Each is reported as a ratio of medians to the reference.  Measurements are taken in turns (one
of each per round), so that the machine's noise falls on all of them alike.

Needs node and the prepared parser (`bblfsh-lsp driver install javascript --runtime process`,
and `... typescript ...`).
Run: python bench/driver_javascript.py [--n 30] [--js FILE] [--ts FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from driver_runtime.drivers.javascript.driver import PARSER, JavaScriptDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.protocol import METHOD_PARSE, Mode, ParseRequest, converter
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime

REPO = Path(__file__).resolve().parent.parent
CONFORMANCE = REPO.parent / "shared" / "conformance"

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


def largest(language: str, extension: str) -> Path:
    files = [path for path in (CONFORMANCE / language).glob(f"*{extension}")
             if not path.name.startswith("_syntax_error")]
    if not files:
        sys.exit(f"no {language} fixtures in {CONFORMANCE / language}; give --js / --ts")
    return max(files, key=lambda path: path.stat().st_size)


def reference(driver: JavaScriptDriver, path: Path, runs: int) -> list[float]:
    out = subprocess.run(["node", "-e", TIMER, str(PARSER), str(driver.build / "node_modules"), str(path), str(runs)],
                         capture_output=True, text=True, check=True, timeout=600).stdout
    return json.loads(out)


async def measure(driver: JavaScriptDriver, path: Path, runs: int) -> None:
    text = path.read_text(encoding="utf-8")
    missing = driver.check_prepared()
    if missing:
        sys.exit(missing)
    spec = Registry.bundled().get(driver.manifest.language)
    assert spec is not None
    runtime = ProcessRuntime()
    instance = await runtime.start(spec)
    request = converter.unstructure(ParseRequest(content=text, filename=path.name, mode=Mode.SEMANTIC))
    samples: dict[str, list[float]] = {"native": [], "annotated": [], "semantic": [], "runtime": []}
    try:
        for _ in range(5):  # warm up: the pipes, Node's JIT, the caches
            driver.parse(ParseRequest(content=text, filename=path.name, mode=Mode.SEMANTIC))
            await instance.request(METHOD_PARSE, request, timeout=60)
        for _ in range(runs):
            for mode in (Mode.NATIVE, Mode.ANNOTATED, Mode.SEMANTIC):
                started = time.perf_counter()
                result = driver.parse(ParseRequest(content=text, filename=path.name, mode=mode))
                samples[mode.value].append(time.perf_counter() - started)
                assert result.uast is not None and not result.errors, result.errors
            started = time.perf_counter()
            answer = await instance.request(METHOD_PARSE, request, timeout=60)
            samples["runtime"].append(time.perf_counter() - started)
            assert answer.get("uast"), answer
    finally:
        await instance.stop()
        await runtime.close()
        driver.native.close()
    base = statistics.median(reference(driver, path, runs))
    print(f"{driver.manifest.language}: {path} ({len(text.encode()):,} bytes), {runs} runs each")
    print(f"{'what':<10} {'median ms':>10} {'ratio':>7}")
    print(f"{'reference':<10} {base * 1000:>10.2f} {1.0:>7.2f}   @babel/parser in Node.js, the parse alone")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<10} {median * 1000:>10.2f} {median / base:>7.2f}")
    print()


async def run(args: argparse.Namespace) -> None:
    # The drivers run in their own processes in production, where the SDK's serve() turns the
    # cyclic garbage collector off (UAST trees hold no cycles): the same here.
    import gc

    gc.disable()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    await measure(JavaScriptDriver(), Path(args.js) if args.js else largest("javascript", ".js"), args.n)
    await measure(TypeScriptDriver(), Path(args.ts) if args.ts else largest("typescript", ".ts"), args.n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30, help="measured runs of each (default 30)")
    parser.add_argument("--js", help="the JavaScript file to parse (default: the largest JavaScript fixture)")
    parser.add_argument("--ts", help="the TypeScript file to parse (default: the largest TypeScript fixture)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
