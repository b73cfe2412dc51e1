"""Benchmark: what the PHP driver adds to PHP-Parser's own parse time.

On the largest PHP fixture (../shared/conformance/php, or --file), median latency of:
  reference  - PHP-Parser called in-process by a tiny PHP timing script (the same php options
               as the driver: OPcache's JIT), the parse alone, after warm-up;
  native     - the driver (PhpDriver, NativeDriver in this process), native mode: the parse, the
               tree as JSON over a pipe, positions;
  semantic   - the same in semantic mode (plus the tables: roles and uast:* nodes);
  runtime    - a parse request through the process runtime (the driver as a child process, the
               protocol's framing both ways), semantic mode.
Each is reported as a ratio of medians to the reference.  Measurements are taken in turns
(one of each per round) so that the machine's noise falls on all alike.

Needs php and the prepared parser (`bblfsh-lsp driver install php --runtime process`).
Run: python bench/driver_php.py [--n 40] [--file FILE]
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

from driver_runtime.drivers.php.driver import PHP_OPTIONS, PhpDriver
from driver_runtime.protocol import METHOD_PARSE, Mode, ParseRequest, converter
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "conformance" / "php"

# PHP-Parser timed in its own runtime: argv = build folder, file, runs; prints the seconds of
# each run (after as many warm-up runs) as a JSON list.
TIMER = r"""<?php
require $argv[1] . '/PhpParser/autoload.php';
$code = file_get_contents($argv[2]);
$runs = (int) $argv[3];
$lexer = new PhpParser\Lexer\Emulative(['usedAttributes' => ['comments', 'startLine', 'endLine', 'startFilePos', 'endFilePos']]);
$parser = new PhpParser\Parser\Php7($lexer);
$samples = [];
for ($i = 0; $i < 2 * $runs; $i++) {
    $started = hrtime(true);
    $parser->parse($code, new PhpParser\ErrorHandler\Collecting());
    if ($i >= $runs) {
        $samples[] = (hrtime(true) - $started) / 1e9;
    }
}
echo json_encode($samples), "\n";
"""


def largest_fixture() -> Path:
    files = [path for path in FIXTURES.glob("*.php") if not path.name.startswith("_syntax_error")]
    if not files:
        sys.exit(f"no PHP fixtures in {FIXTURES}; give --file")
    return max(files, key=lambda path: path.stat().st_size)


def reference(driver: PhpDriver, path: Path, runs: int) -> list[float]:
    with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as script:
        script.write(TIMER)
    try:
        out = subprocess.run(["php", *PHP_OPTIONS, script.name, str(driver.build), str(path), str(runs)],
                             capture_output=True, text=True, check=True, timeout=600).stdout
    finally:
        Path(script.name).unlink()
    return json.loads(out)


async def run(args: argparse.Namespace) -> None:
    path = Path(args.file) if args.file else largest_fixture()
    text = path.read_text(encoding="utf-8")
    driver = PhpDriver()
    missing = driver.check_prepared()
    if missing:
        sys.exit(missing)
    spec = Registry.bundled().get("php")
    assert spec is not None
    runtime = ProcessRuntime()
    instance = await runtime.start(spec)
    request = converter.unstructure(ParseRequest(content=text, filename=path.name, mode=Mode.SEMANTIC))
    samples: dict[str, list[float]] = {"native": [], "semantic": [], "runtime": []}
    try:
        for _ in range(5):  # warm up: php's JIT, the pipes, the caches
            driver.parse(ParseRequest(content=text, mode=Mode.SEMANTIC))
            await instance.request(METHOD_PARSE, request, timeout=60)
        for _ in range(args.n):
            for mode in (Mode.NATIVE, Mode.SEMANTIC):
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
    base = statistics.median(reference(driver, path, args.n))
    print(f"file: {path} ({len(text.encode()):,} bytes), {args.n} runs each")
    print(f"{'what':<10} {'median ms':>10} {'ratio':>7}")
    print(f"{'reference':<10} {base * 1000:>10.2f} {1.0:>7.2f}   PHP-Parser in php, the parse alone")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<10} {median * 1000:>10.2f} {median / base:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="measured runs of each (default 40)")
    parser.add_argument("--file", help="the PHP file to parse (default: the largest PHP fixture)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
