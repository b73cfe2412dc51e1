"""Benchmark: what the universal driver adds to tree-sitter's own parse time.

On a source file (default: the largest Python fixture of ../shared/conformance, or --file with
--language), median latency of:
  reference  - tree-sitter's parse of the file alone (py-tree-sitter, the pack's grammar, a
               parser made once), in this process;
  native     - the universal driver (UniversalDriver in this process), native mode: the parse and
               the tree converted to Babelfish's shape;
  annotated  - the same plus the generic role rules;
  semantic   - the same plus the generic uast:* rules.
Reported as ratios of medians to the reference, measured in turns (one of each per round), so that
the machine's noise falls on all of them alike.  Through a runtime it is measured once the
registry chooses the driver.

Run: python bench/driver_universal.py [--n 40] [--file FILE --language LANG]
"""

from __future__ import annotations

import time

from common import ALL_MODES, Reference, arguments, largest_fixture, report

from driver_runtime.drivers.universal import grammars
from driver_runtime.drivers.universal.driver import UniversalDriver
from driver_runtime.sdk.protocol import ParseRequest


def main() -> None:
    parser = arguments(__doc__, 40, "the file to parse (default: the largest Python fixture)")
    parser.add_argument("--language", default="python", help="its language (default: python)")
    args = parser.parse_args()
    path = args.file or largest_fixture(args.language, ".py", "Python")
    text = path.read_text(encoding="utf-8")
    data = text.encode("utf-8")
    driver = UniversalDriver()
    grammar = grammars.grammar_for(grammars.served_name(args.language), path.name)
    if grammar is None:
        raise SystemExit(f"the universal driver has no grammar for {args.language!r}")
    tree_sitter = driver.parser(grammar)
    requests = {mode.value: ParseRequest(content=text, filename=path.name, language=args.language, mode=mode)
                for mode in ALL_MODES}
    for request in requests.values():  # warm-up: the grammar loaded, the normaliser's caches
        assert driver.parse(request).uast is not None
    reference: list[float] = []
    samples: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(args.n):
        started = time.perf_counter()
        tree_sitter.parse(data)
        reference.append(time.perf_counter() - started)
        for name, request in requests.items():
            started = time.perf_counter()
            driver.parse(request)
            samples[name].append(time.perf_counter() - started)
    report(args.language, path, text, args.n, Reference(reference, f"tree-sitter parse ({grammar} grammar)"), samples)


if __name__ == "__main__":
    main()
