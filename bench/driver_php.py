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

from pathlib import Path

from common import Reference, bench_largest_fixture, script_samples

from driver_runtime.drivers.php.driver import PHP_OPTIONS, PhpDriver
from driver_runtime.sdk.protocol import Mode

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


def reference(driver: PhpDriver, path: Path, runs: int) -> Reference:
    samples = script_samples(["php", *PHP_OPTIONS], TIMER, ".php", [str(driver.build), str(path), str(runs)])
    return Reference(samples, "PHP-Parser in php, the parse alone")


def main() -> None:
    driver = PhpDriver()
    bench_largest_fixture(__doc__, driver, ".php", "PHP", 40, lambda path, runs: reference(driver, path, runs),
                          modes=(Mode.NATIVE, Mode.SEMANTIC))


if __name__ == "__main__":
    main()
