"""`query` and `parse` on a Dask cluster (bblfsh_lsp/cluster/): a real `dask scheduler` and two
`dask worker` processes on loopback, and a `--workers` LocalCluster, each run's output compared
line by line (and its stderr and exit status) with a local run of the same command on the
examples and on a generated tree; a worker killed with SIGKILL while it runs a task, the run's
output still identical."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

from bblfsh_lsp.cluster.batches import TASKS_PER_THREAD, batches
from driver_runtime.sdk.protocol import document_digest

distributed = pytest.importorskip("distributed")  # the `cluster` extra (in `test`: CI has it)

FUNCTIONS = "//uast:FunctionGroup"
IDENTIFIERS = "//uast:Identifier"


def bblfsh(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={**os.environ, **(env or {})})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples, 200 small generated Python files, one with a syntax error and one that is
    not UTF-8 (a problem named on stderr)."""
    root = tmp_path_factory.mktemp("cluster")
    shutil.copytree(REPO / "examples", root / "examples")
    for number in range(200):
        folder = root / "generated" / f"pkg{number // 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "".join(f"def f{number}_{k}(x{k}):\n    return g(x{k}) + {k}\n\n\n" for k in range(number % 5 + 1))
        (folder / f"mod{number:03d}.py").write_text(f"import os\n\n\n{body}class C{number}:\n    pass\n")
    (root / "generated" / "broken.py").write_text("def broken(:\n    pass\n")
    (root / "generated" / "latin1.py").write_bytes(b"# caf\xe9\ndef latin():\n    pass\n")
    return root


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1; its address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {**os.environ, "DASK_LOGGING__DISTRIBUTED": "error"}
    processes = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                   "--port", str(port), "--no-dashboard",
                                   "--dashboard-address", "127.0.0.1:0"], env=quiet, stderr=subprocess.DEVNULL)]
    try:
        for name in ("one", "two"):
            processes.append(start_worker(address, name, quiet))
        wait_for_workers(address, 2)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def start_worker(address: str, name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # No nanny: a worker killed stays dead, its tasks go to the others.  Started outside the
    # tree: workers are sent absolute paths.
    return subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--name", name,
                             "--nthreads", "1", "--no-nanny", "--no-dashboard"], env=env, cwd="/",
                            stderr=subprocess.DEVNULL)


def wait_for_workers(address: str, count: int) -> None:
    with distributed.Client(address, timeout=30) as client:
        client.wait_for_workers(count, timeout=60)


def same_as_local(tree: Path, *args: str, **cluster: str) -> subprocess.CompletedProcess[str]:
    """Run `args` locally and on the cluster; the same stdout, stderr and status."""
    flag = ["--scheduler", cluster["scheduler"]] if "scheduler" in cluster else ["--workers", cluster["workers"]]
    command, rest = args[0], list(args[1:])
    local = bblfsh(command, *rest, cwd=tree)
    remote = bblfsh(command, *flag, *rest, cwd=tree)
    assert remote.stdout.splitlines() == local.stdout.splitlines()
    assert remote.stderr.splitlines() == local.stderr.splitlines()
    assert remote.returncode == local.returncode
    return local


def test_batches_keep_the_order_and_split_by_bytes():
    sizes = [10, 10, 10, 500, 10, 10]
    groups = batches([str(n) for n in range(6)], sizes, threads=1, limit=30)
    assert [i for group in groups for i in group] == list(range(6))
    assert groups == [[0, 1, 2], [3], [4, 5]]  # a file over the budget is a batch of its own
    many = batches(["x"] * 100, [1] * 100, threads=2)
    assert len(many) >= 2 * TASKS_PER_THREAD  # small trees still spread over the workers


@pytest.mark.parametrize("options", [[], ["--json"], ["-C", "1"], ["--nodes"], ["--summary"]])
def test_query_on_a_scheduler_prints_what_a_local_run_prints(tree: Path, scheduler: str, options: list[str]):
    local = same_as_local(tree, "query", *options, "--no-index", IDENTIFIERS, "examples", "generated",
                          scheduler=scheduler)
    assert local.returncode == 0 and len(local.stdout.splitlines()) > 400
    assert "latin1.py" in local.stderr  # problems too, at the same place


def test_the_scheduler_from_the_environment(tree: Path, scheduler: str):
    local = bblfsh("query", "--no-index", FUNCTIONS, "generated", cwd=tree)
    remote = bblfsh("query", FUNCTIONS, "generated", cwd=tree, env={"BBLFSH_LSP_SCHEDULER": scheduler})
    assert remote.stdout == local.stdout and remote.returncode == local.returncode == 0
    assert len(local.stdout.splitlines()) == sum(n % 5 + 1 for n in range(200))


def test_nothing_found_and_a_named_unreadable_file_keep_their_status(tree: Path, scheduler: str):
    assert same_as_local(tree, "query", "--no-index", "//uast:Nothing", "generated/pkg00",
                         scheduler=scheduler).returncode == 1
    # broken.py has no tree: a failure, as locally
    assert same_as_local(tree, "query", "--no-index", "//uast:Nothing", "generated",
                         scheduler=scheduler).returncode == 2
    assert same_as_local(tree, "query", "--no-index", FUNCTIONS, "generated/latin1.py", "generated/pkg00",
                         scheduler=scheduler).returncode == 2


def test_parse_jsonl_on_a_scheduler(tree: Path, scheduler: str):
    files = [str(path.relative_to(tree)) for path in sorted((tree / "examples").rglob("*.py"))]
    files += ["generated/broken.py", "generated/pkg01/mod020.py"]
    local = same_as_local(tree, "parse", "--format", "jsonl", *files, scheduler=scheduler)
    assert len(local.stdout.splitlines()) == len(files) and local.returncode == 1  # broken.py's errors
    assert bblfsh("parse", "--scheduler", scheduler, *files, cwd=tree).returncode == 2  # json: one document


def test_a_local_cluster_of_two_processes(tree: Path):
    same_as_local(tree, "query", "--no-index", FUNCTIONS, "examples", "generated", workers="2")


@pytest.mark.parametrize("options", [[], ["--json"], ["--lang", "python", "--format", "$PATH:$LINE $X"],
                                     ["--semantic", "--lang", "python"]])
def test_a_pattern_on_a_scheduler_prints_what_a_local_run_prints(tree: Path, scheduler: str, options: list[str]):
    local = same_as_local(tree, "query", "--pattern", *options, "g($X)", "examples", "generated", scheduler=scheduler)
    assert local.returncode == 0 and len(local.stdout.splitlines()) >= sum(n % 5 + 1 for n in range(200))


def test_a_pattern_no_language_reads_keeps_its_closing_lines(tree: Path, scheduler: str):
    """What the workers learn of the pattern's languages (here: none reads it) is said as locally."""
    local = same_as_local(tree, "query", "--pattern", "--verbose", "def (", "examples", "generated/pkg00",
                          scheduler=scheduler)
    assert "bblfsh-lsp: skipped " in local.stderr


def test_ctrl_c_cancels_the_clusters_work(scheduler: str):
    """SIGINT while tasks run: exit status 130, and the scheduler is left with no task."""
    stdlib = os.path.dirname(os.__file__)  # a tree far longer to search than the test waits
    with distributed.Client(scheduler, timeout=30) as observer:
        run = subprocess.Popen([sys.executable, "-m", "bblfsh_lsp", "query", "--scheduler", scheduler, IDENTIFIERS,
                                stdlib], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(observer.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert run.poll() is None, run.stderr.read() if run.stderr else ""
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=60)
        assert run.returncode == 130, stderr
        # A lambda: cloudpickle sends it by value (the scheduler cannot import this module).
        tasks = lambda: observer.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))  # noqa: E731
        deadline = time.monotonic() + 10
        while tasks() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tasks() == 0


def test_a_worker_killed_mid_run_changes_nothing(tree: Path, scheduler: str):
    """A third worker joins and is killed (SIGKILL) while it runs a task: the scheduler reruns
    its tasks on the others and the output is the local run's."""
    local = bblfsh("query", "--no-index", IDENTIFIERS, "examples", "generated", cwd=tree)
    victim = start_worker(scheduler, "victim", {**os.environ, "DASK_LOGGING__DISTRIBUTED": "error"})
    try:
        wait_for_workers(scheduler, 3)
        with distributed.Client(scheduler, timeout=30) as observer:
            address = next(a for a, info in observer.scheduler_info()["workers"].items() if info["name"] == "victim")
            run = subprocess.Popen([sys.executable, "-m", "bblfsh_lsp", "query", "--scheduler", scheduler,
                                    IDENTIFIERS, "examples", "generated"], cwd=tree, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 60
            while not observer.processing().get(address) and time.monotonic() < deadline and run.poll() is None:
                time.sleep(0.01)
            assert observer.processing().get(address), "the victim never got a task: the test proves nothing"
            os.kill(victim.pid, signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=90)
    finally:
        victim.kill()
        victim.wait()
    assert stdout.splitlines() == local.stdout.splitlines()
    assert stderr.splitlines() == local.stderr.splitlines()
    assert run.returncode == local.returncode == 0


def test_a_scheduler_that_is_not_an_address_is_a_clear_error(tree: Path):
    result = bblfsh("query", "--scheduler", "nowhere", FUNCTIONS, "generated", cwd=tree)
    assert result.returncode == 2
    assert result.stderr.strip() == ("bblfsh-lsp: cannot reach the Dask scheduler at 'nowhere': missing port number "
                                     "in address 'nowhere'")


# --- parse --output FILE.parquet ----------------------------------------------------------------

def parse_files_of(tree: Path) -> list[str]:
    files = [str(path.relative_to(tree)) for path in sorted((tree / "examples").rglob("*.py"))]
    files += [str(path.relative_to(tree)) for path in sorted((tree / "examples").rglob("*.go"))]
    return files + ["generated/broken.py", "generated/latin1.py", "generated/pkg01/mod020.py", "generated/none.py"]


@pytest.mark.parametrize("where", ["local", "scheduler", "workers"])
def test_parse_output_parquet_holds_what_jsonl_prints(tree: Path, scheduler: str, tmp_path: Path, where: str):
    """One row per file, in order: the same path, language, tree and errors as `parse --format
    jsonl`'s line, the digest of the file's bytes; the same stderr and exit status."""
    pq = pytest.importorskip("pyarrow.parquet")
    files = parse_files_of(tree)
    jsonl = bblfsh("parse", "--format", "jsonl", *files, cwd=tree)
    flag = {"local": [], "scheduler": ["--scheduler", scheduler], "workers": ["--workers", "2"]}[where]
    output = tmp_path / "uast.parquet"
    result = bblfsh("parse", *flag, "--output", str(output), *files, cwd=tree)
    assert (result.returncode, result.stderr.splitlines()) == (jsonl.returncode, jsonl.stderr.splitlines())
    assert result.returncode == 1 and result.stdout == ""
    assert not (tmp_path / "uast.parquet.partial").exists()
    table = pq.read_table(output)
    assert table.schema.names == ["path", "language", "digest", "uast", "errors"]
    rows = table.to_pylist()
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [row["path"] for row in rows] == [record["path"] for record in records] == files
    for row, record in zip(rows, records, strict=True):
        assert row["language"] == record["language"]
        assert (json.loads(row["uast"]) if row["uast"] is not None else None) == record["uast"]
        assert json.loads(row["errors"]) == record["errors"]
        readable = row["path"] not in ("generated/latin1.py", "generated/none.py")
        assert row["digest"] == (document_digest((tree / row["path"]).read_bytes()) if readable else None)
    assert sum(row["uast"] is not None for row in rows) == len(files) - 3  # latin1, none: unread; broken: no tree
    assert any(row["language"] == "go" and row["uast"] for row in rows)


def test_parse_output_that_cannot_be_written_is_a_clear_error(tree: Path, tmp_path: Path):
    result = bblfsh("parse", "--output", str(tmp_path / "no" / "such" / "out.parquet"), "generated/pkg00", cwd=tree)
    assert result.returncode == 2 and result.stderr.startswith("bblfsh-lsp: cannot write ")
    assert not (tmp_path / "no").exists()


# --- fsspec URLs ---------------------------------------------------------------------------------

def as_url(text: str, tree: Path, folder: str) -> str:
    """A run's output on plain paths, with each `folder/...` path (at the start of a line, or a
    JSON string's) spelled as a file:// URL."""
    return "\n".join((line.replace(f"{folder}/", f"file://{tree}/{folder}/", 1) if line.startswith(f"{folder}/")
                      else line).replace(f'"{folder}/', f'"file://{tree}/{folder}/') for line in text.splitlines())


@pytest.mark.parametrize("options", [["--json"], []])
def test_file_urls_are_walked_and_read_like_plain_paths(tree: Path, scheduler: str, options: list[str]):
    """A folder given as a file:// URL: listed through fsspec, its files read by the workers (and
    by a local run): the output of the plain path, the paths spelled as URLs."""
    plain = bblfsh("query", "--no-index", *options, FUNCTIONS, "generated", cwd=tree)
    url = f"file://{tree}/generated"
    local = bblfsh("query", *options, FUNCTIONS, url, cwd="/")
    remote = bblfsh("query", "--scheduler", scheduler, *options, FUNCTIONS, url, cwd="/")
    for part in ("stdout", "stderr"):
        expected = as_url(getattr(plain, part), tree, "generated").splitlines()
        assert getattr(local, part).splitlines() == getattr(remote, part).splitlines() == expected
    assert local.returncode == remote.returncode == plain.returncode == 0
    assert len(plain.stdout.splitlines()) == sum(n % 5 + 1 for n in range(200))


def test_parse_reads_file_urls(tree: Path, scheduler: str):
    files = ["generated/broken.py", "generated/pkg01/mod020.py", "generated/latin1.py"]
    plain = bblfsh("parse", "--format", "jsonl", *files, cwd=tree)
    urls = [f"file://{tree}/{name}" for name in files]
    local = bblfsh("parse", "--format", "jsonl", *urls, cwd="/")
    remote = bblfsh("parse", "--scheduler", scheduler, "--format", "jsonl", *urls, cwd="/")
    assert local.stdout == remote.stdout
    assert local.stdout.splitlines() == as_url(plain.stdout, tree, "generated").splitlines()
    expected = as_url(plain.stderr, tree, "generated").splitlines()
    assert local.stderr.splitlines() == remote.stderr.splitlines() == expected
    assert local.returncode == remote.returncode == plain.returncode == 1


def test_memory_urls_are_read_by_the_workers_not_the_client(tree: Path, scheduler: str):
    """Files that exist only in the workers' memory:// file systems: the client cannot read them,
    so the answers prove that the workers did (the client sends their names, nothing else)."""
    sources = {f"/bblfsh-memory/{name}": (tree / "generated" / "pkg00" / name).read_bytes()
               for name in ("mod000.py", "mod001.py", "mod004.py")}
    with distributed.Client(scheduler, timeout=30) as observer:
        # A lambda: sent by value (the workers cannot import this module).
        observer.run(lambda files: __import__("fsspec").filesystem("memory").pipe(files), sources)
    names = sorted(sources)
    plain = bblfsh("query", "--no-index", "--json", FUNCTIONS, *(f"generated/pkg00/{name.rsplit('/', 1)[1]}"
                                                                 for name in names), cwd=tree)
    remote = bblfsh("query", "--scheduler", scheduler, "--json", FUNCTIONS, *(f"memory://{name}" for name in names),
                    cwd=tree)
    expected = [line.replace('"generated/pkg00/', '"memory:///bblfsh-memory/') for line in plain.stdout.splitlines()]
    assert remote.stdout.splitlines() == expected and len(expected) == 1 + 2 + 5
    assert remote.returncode == 0, remote.stderr
    # ...and a local run, which has no such files, says so for each
    local = bblfsh("query", "--json", FUNCTIONS, f"memory://{names[0]}", cwd=tree)
    assert local.returncode == 2 and local.stdout == ""
    assert local.stderr.strip() == f"memory://{names[0]}: cannot read (No such file or directory)"


def test_a_url_of_an_unknown_kind_is_a_clear_error(tree: Path):
    result = bblfsh("query", FUNCTIONS, "nosuchscheme://bucket/src", cwd=tree)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("nosuchscheme://bucket/src: cannot open (")


# --- index on the cluster ------------------------------------------------------------------------

def index_rows(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the one index under `folder`, ids replaced by paths."""
    (database,) = folder.glob("*.sqlite")
    with sqlite3.connect(database) as db:
        path_of = dict(db.execute("SELECT id, path FROM files"))
        term_of = dict(db.execute("SELECT id, text FROM terms"))
        files = sorted(db.execute("SELECT path, size, mtime_ns, digest, language, driver, problem, nodes FROM files"))
        postings = sorted((term_of[term], path_of[file])
                          for term, file in db.execute("SELECT term, file FROM postings"))
        symbols = sorted((path_of[row[0]], *row[1:]) for row in db.execute("SELECT * FROM symbols"))
    return {"files": files, "postings": postings, "symbols": symbols}


def test_an_index_built_on_the_cluster_is_the_local_one(tree: Path, scheduler: str, tmp_path: Path):
    """`index --scheduler`: the workers parse, the client writes: the same rows as a local
    `index`, which then finds nothing to redo, and `query` answers from it exactly alike."""
    local_env = {"BBLFSH_LSP_INDEX_DIR": str(tmp_path / "local")}
    cluster_env = {"BBLFSH_LSP_INDEX_DIR": str(tmp_path / "cluster")}
    built = bblfsh("index", "generated", cwd=tree, env=local_env)
    remote = bblfsh("index", "--scheduler", scheduler, "generated", cwd=tree, env=cluster_env)
    assert built.returncode == remote.returncode == 0, remote.stderr
    assert "202 files" in remote.stdout and "202 parsed" in remote.stdout
    assert index_rows(tmp_path / "cluster") == index_rows(tmp_path / "local")
    # Locally, over each index: the same files found fresh (latin1.py, unreadable, has no row)
    counts = [bblfsh("index", "generated", cwd=tree, env=env).stdout.split(": ", 1)[1].split(";")[0]
              for env in (cluster_env, local_env)]
    assert counts[0] == counts[1] == "1 parsed, 201 unchanged, 0 removed"
    for query in (FUNCTIONS, IDENTIFIERS, "count(//uast:Identifier)"):
        local = bblfsh("query", query, "generated", cwd=tree, env=local_env)
        clustered = bblfsh("query", query, "generated", cwd=tree, env=cluster_env)
        assert (clustered.stdout, clustered.stderr, clustered.returncode) == \
               (local.stdout, local.stderr, local.returncode)
        assert local.stdout == bblfsh("query", "--no-index", query, "generated", cwd=tree).stdout
