"""Benchmark: `query` on a Dask cluster (bblfsh_lsp/cluster/, issue 15) against a local run, on
CPython's standard library (bench/workspace_search.py's stdlib tree, copied once to --cache).

Each row is `bblfsh-lsp --runtime process query --json --timeout 0 --no-index QUERY TREE` run as
a whole process (the interpreter's start, the walk, the connection, every parse and match, the
printing), its output compared with the local run's (the same lines, in the same order):

  local             no cluster: the command's own driver pool (one instance per core);
  1 worker/1 core   --scheduler with one `dask worker` process pinned to core 0 (it and the
                    drivers it starts: sched_setaffinity is inherited), a one-core machine;
  2 workers/1 core  two workers, pinned to cores 0 and 1: two one-core machines;
  1 worker/all      one worker on the whole machine: the same parallelism as the local run, so
                    that the difference is what the cluster adds (the per-file overhead).

The scheduler and the workers run on loopback (no nanny, one thread each), started once per
cluster shape; a warm-up run per row first (the page cache; the workers' drivers, which stay
warm across runs: that is the point of the worker plugin), then --n runs in turns.  Reported: the
median seconds, the speed-up of two one-core workers over one, and the cluster's overhead per
file against the local run.  The local run starts its drivers each time, the warm workers do not:
a local run of one file is timed too, for what starting costs.

Run: python bench/cluster.py [--n 3] [--cache DIR] [--quick]
  --quick: 60 files of the tree, one run (a smoke test, not a figure)
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs
from workspace_search import bblfsh_command, compile_bytecode, stdlib_tree

QUERY = "//uast:FunctionGroup"
QUICK_FILES = 60


@attrs.frozen
class Row:
    name: str
    workers: tuple[set[int] | None, ...]  # one entry per worker: its cores (None: all); () for local


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A `dask scheduler` and workers on 127.0.0.1, each worker pinned to its cores."""

    def __init__(self, cores: tuple[set[int] | None, ...]):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        quiet = {**os.environ, "DASK_LOGGING__DISTRIBUTED": "error"}
        port = self.address.rsplit(":", 1)[1]
        self.processes = [subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", port,
             "--no-dashboard"], env=quiet, stderr=subprocess.DEVNULL)]
        for number, pinned in enumerate(cores):
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--name", f"w{number}",
                 "--nthreads", "1", "--no-nanny", "--no-dashboard"], env=quiet, cwd="/", stderr=subprocess.DEVNULL,
                preexec_fn=(lambda cores=pinned: os.sched_setaffinity(0, cores)) if pinned else None))
        import distributed

        with distributed.Client(self.address, timeout=60) as client:
            client.wait_for_workers(len(cores), timeout=120)

    def close(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def run(command: list[str]) -> tuple[float, bytes]:
    started = time.perf_counter()
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=3600, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"exited {done.returncode}: {subprocess.list2cmdline(command)}\n"
                 f"{done.stderr.decode('utf-8', 'replace')[-4000:]}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, help="measured runs of each row (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FILES} files, one run: a smoke test")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                        / "bblfsh-lsp-bench", help="where the tree is kept (default ~/.cache/bblfsh-lsp-bench)")
    args = parser.parse_args()
    runs = args.n or (1 if args.quick else 3)
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        sys.exit("this benchmark needs two cores at least")
    tree = stdlib_tree(args.cache)
    bblfsh = bblfsh_command("process", [])
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as scratch:
        paths = [str(tree.path)]
        files = tree.files
        if args.quick:  # a folder of the first files, by name
            chosen = sorted(path for path in tree.path.rglob("*.py"))[:QUICK_FILES]
            quick = Path(scratch) / "quick"
            for number, path in enumerate(chosen):
                (quick / f"{number:03d}_{path.name}").parent.mkdir(parents=True, exist_ok=True)
                (quick / f"{number:03d}_{path.name}").write_bytes(path.read_bytes())
            paths, files = [str(quick)], len(chosen)
        one = sorted(Path(paths[0]).rglob("*.py"))[0]
        rows = [Row("local", ()), Row("1 worker/1 core", ({cores[0]},)),
                Row("2 workers/1 core", ({cores[0]}, {cores[1]})), Row("1 worker/all", (None,))]
        clusters = {row.name: Cluster(row.workers) for row in rows if row.workers}
        try:
            compile_bytecode()
            query = [*bblfsh, "query", "--json", "--timeout", "0", "--no-index", QUERY]

            def command(row: Row, where: list[str]) -> list[str]:
                flag = ["--scheduler", clusters[row.name].address] if row.workers else []
                return [*query[:len(bblfsh) + 1], *flag, *query[len(bblfsh) + 1:], *where]

            expected = run(command(rows[0], paths))[1]
            for row in rows[1:]:  # the warm-up round: the workers start their drivers
                output = run(command(row, paths))[1]
                if output != expected:
                    sys.exit(f"{row.name}: the output differs from the local run's")
            samples: dict[str, list[float]] = {row.name: [] for row in rows}
            startup: list[float] = []
            for _ in range(runs):
                startup.append(run(command(rows[0], [str(one)]))[0])
                for row in rows:
                    seconds, output = run(command(row, paths))
                    if output != expected:
                        sys.exit(f"{row.name}: the output differs from the local run's")
                    samples[row.name].append(seconds)
        finally:
            for cluster in clusters.values():
                cluster.close()
    median = {name: statistics.median(values) for name, values in samples.items()}
    matches = len(expected.splitlines())
    print(f"query {QUERY} on a Dask cluster (loopback), whole process, {runs} runs in turns after a warm-up; "
          f"{len(cores)} cores; {tree.describe() if not args.quick else f'{files} files of it (--quick)'}; "
          f"{matches} matches, every row's output identical to the local run's")
    print()
    width = max(len(name) for name in median)
    for name, seconds in median.items():
        print(f"  {name:<{width}}  {seconds:7.2f} s  ({', '.join(f'{value:.2f}' for value in samples[name])})")
    print()
    speedup = median["1 worker/1 core"] / median["2 workers/1 core"]
    print(f"two one-core workers over one: {speedup:.2f}x")
    local, cluster = median["local"], median["1 worker/all"]
    print(f"a cluster run against a local run on the same cores: {100 * (cluster - local) / local:+.1f}% "
          f"({1000 * (cluster - local) / files:+.2f} ms per file); a local run of one file takes "
          f"{statistics.median(startup):.2f} s (the interpreter and the drivers' start, which warm workers skip)")

if __name__ == "__main__":
    main()
