"""Benchmark: workspace/symbol from the index, per request: bblfsh_lsp.index.symbols.find_symbols
over the index of CPython's stdlib (the issue's target: <= 50 ms per request).

The tree is bench/workspace_search.py's: the stdlib's .py files without test/ and
site-packages/, copied once to the cache folder (--cache).  Its index is built once, by
`bblfsh-lsp --runtime process index`, into a scratch folder (BBLFSH_LSP_INDEX_DIR), or into
--index-dir, where it is kept for the next run (and refreshed, which is quick when nothing
changed).  The queries are drawn, with a fixed seed, from the index's own names, in shapes:

  exact      a name as it is                         parse_args
  prefix     a name's first 1 to 6 characters         pars
  initials   the first letters of 2 to 4 of its words gor (get_origin_route)
  words      starts of two of its words               parsea (parse_args)
  middle     3 to 5 characters from inside a name     rse_a
  scattered  3 to 5 of its characters, in order, apart pses
  short      one or two letters                       e, xe
  upper      a prefix or initials in capitals         PARS, GOR
  none       letters that match nothing               qjxzv
  empty      the empty query (the first `limit` symbols)

Every query is asked --rounds times (after one warm-up pass over them all), in this process on
one open index, as a server would: a request's wall time (perf_counter) and CPU time
(process_time, which the other processes of a busy machine do not inflate) are reported per
shape and over all, median, p95 and max, with the slowest queries.  The last line says PASS or
FAIL: p95 wall time <= the target.

Run: python bench/workspace_symbols.py [--queries-per-shape 40] [--rounds 3] [--limit 100]
     [--index-dir DIR] [--quick]
  --quick: a few stdlib modules, a few queries, one round (a smoke test, not a figure)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the checkout, after bench/

from workspace_search import QUICK_STDLIB, STDLIB, copy_files, stdlib_tree  # noqa: E402

from bblfsh_lsp.index.store import INDEX_DIR_ENV, IndexStore  # noqa: E402
from bblfsh_lsp.index.symbols import find_symbols, words  # noqa: E402

TARGET_MS = 50.0
SEED = 12
SHAPES = ("exact", "prefix", "initials", "words", "middle", "scattered", "short", "upper", "none", "empty")


def build_index(root: Path, index_dir: Path) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--runtime", "process", "index", str(root)],
                   check=True, env={**os.environ, INDEX_DIR_ENV: str(index_dir)}, stdout=subprocess.DEVNULL)
    print(f"index of {root} built or refreshed in {time.monotonic() - started:.1f} s", file=sys.stderr)


def queries(names: list[str], per_shape: int, rng: random.Random) -> dict[str, list[str]]:
    """Queries of each shape, drawn from the index's names."""
    worded = [name for name in names if len(words(name)) >= 2]
    long = [name for name in names if len(name) >= 6]
    makers: dict[str, Callable[[], str | None]] = {
        "exact": lambda: rng.choice(names),
        "prefix": lambda: (lambda name: name[:rng.randint(1, min(6, len(name)))])(rng.choice(names)),
        "initials": lambda: (lambda parts: "".join(
            part[0] for part in parts[:rng.randint(2, min(4, len(parts)))]).lower())(words(rng.choice(worded))),
        "words": lambda: (lambda parts: (parts[0][:rng.randint(1, 4)] + parts[1][:rng.randint(1, 3)]).lower())(
            words(rng.choice(worded))),
        "middle": lambda: (lambda name, size: name[(start := rng.randint(1, len(name) - size)):start + size])(
            rng.choice(long), rng.randint(3, 5)),
        "scattered": lambda: (lambda name: "".join(name[at] for at in sorted(
            rng.sample(range(len(name)), rng.randint(3, min(5, len(name)))))).lower())(rng.choice(long)),
        "short": lambda: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(1, 2))),
        "upper": lambda: (rng.choice(names)[:rng.randint(2, 5)] if rng.random() < 0.5 else "".join(
            part[0] for part in words(rng.choice(worded))[:3])).upper(),
        "none": lambda: "".join(rng.choice("qjxzv") for _ in range(rng.randint(4, 7))),
        "empty": lambda: "",
    }
    out: dict[str, list[str]] = {}
    for shape in SHAPES:
        count = 1 if shape == "empty" else per_shape
        drawn: list[str] = []
        while len(drawn) < count:
            query = makers[shape]()
            if query is not None and (query.strip() or shape == "empty"):
                drawn.append(query)
        out[shape] = drawn
    return out


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def row(label: str, wall: list[float], cpu: list[float]) -> str:
    return (f"{label:<10} {len(wall):>5} {statistics.median(wall):>8.1f} {percentile(wall, 0.95):>8.1f} "
            f"{max(wall):>8.1f} {statistics.median(cpu):>8.1f} {percentile(cpu, 0.95):>8.1f} {max(cpu):>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries-per-shape", type=int, default=40)
    parser.add_argument("--rounds", type=int, help="times each query is asked (default 3; 1 with --quick)")
    parser.add_argument("--limit", type=int, default=100, help="symbols per request (default 100)")
    parser.add_argument("--index-dir", type=Path, help="keep the index here (default: a scratch folder)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                        / "bblfsh-lsp-bench", help="where the tree is kept (default ~/.cache/bblfsh-lsp-bench)")
    parser.add_argument("--quick", action="store_true", help="a few stdlib modules and queries, one round")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    per_shape = 3 if args.quick else args.queries_per_shape
    with tempfile.TemporaryDirectory(prefix="bench-symbols-") as scratch:
        if args.quick:
            root = Path(scratch) / "stdlib"
            copy_files(STDLIB, [Path(name) for name in QUICK_STDLIB if (STDLIB / name).is_file()], root)
            what = "a few stdlib modules (--quick)"
        else:
            tree = stdlib_tree(args.cache)
            root, what = tree.path, tree.describe()
        index_dir = args.index_dir or Path(scratch) / "index"
        build_index(root, index_dir)
        os.environ[INDEX_DIR_ENV] = str(index_dir)
        store = IndexStore.open(str(root), create=False)
        assert store is not None, f"no index of {root} in {index_dir}"
        with store:
            symbols, files = store.db.execute("SELECT count(*), count(DISTINCT file) FROM symbols").fetchone()
            names = [name for (name,) in store.db.execute("SELECT DISTINCT name FROM symbols ORDER BY name")]
            drawn = queries(names, per_shape, random.Random(SEED))
            print(f"{what}: {files:,} files with symbols, {symbols:,} symbols, {len(names):,} names; "
                  f"limit {args.limit}, {rounds} round{'s' if rounds > 1 else ''}")
            every = [query for shape in SHAPES for query in drawn[shape]]
            for query in every:  # the warm-up: the page cache, the regular expressions' cache
                find_symbols(store, query, args.limit)
            wall: dict[str, list[float]] = {shape: [] for shape in SHAPES}
            cpu: dict[str, list[float]] = {shape: [] for shape in SHAPES}
            slowest: list[tuple[float, str, str, int]] = []
            for _ in range(rounds):
                for shape in SHAPES:
                    for query in drawn[shape]:
                        started, started_cpu = time.perf_counter(), time.process_time()
                        found = find_symbols(store, query, args.limit)
                        took = (time.perf_counter() - started) * 1000
                        wall[shape].append(took)
                        cpu[shape].append((time.process_time() - started_cpu) * 1000)
                        slowest.append((took, shape, query, len(found)))
    print()
    print(f"{'shape':<10} {'asked':>5} {'wall p50':>8} {'p95':>8} {'max':>8} {'cpu p50':>8} {'p95':>8} {'max':>8}"
          "  (ms)")
    for shape in SHAPES:
        print(row(shape, wall[shape], cpu[shape]))
    all_wall = [sample for shape in SHAPES for sample in wall[shape]]
    all_cpu = [sample for shape in SHAPES for sample in cpu[shape]]
    print(row("all", all_wall, all_cpu))
    print()
    print("slowest requests (wall ms, shape, query, symbols found):")
    for took, shape, query, found in sorted(slowest, reverse=True)[:8]:
        print(f"  {took:7.1f}  {shape:<9} {query!r} {found}")
    p95 = percentile(all_wall, 0.95)
    print(f"{'PASS' if p95 <= TARGET_MS else 'FAIL'}: p95 {p95:.1f} ms per request, median "
          f"{statistics.median(all_wall):.1f} ms (target <= {TARGET_MS:g} ms)")


if __name__ == "__main__":
    main()
