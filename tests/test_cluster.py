"""`query` and `parse` on a Dask cluster (bblfsh_lsp/cluster/): a real `dask scheduler` and two
`dask worker` processes on loopback, and a `--workers` LocalCluster, each run's output compared
line by line (and its stderr and exit status) with a local run of the same command on the
examples and on a generated tree; a worker killed with SIGKILL while it runs a task, the run's
output still identical."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

from bblfsh_lsp.cluster.batches import TASKS_PER_THREAD, batches

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


def test_a_pattern_says_it_does_not_run_on_a_cluster_yet(tree: Path):
    result = bblfsh("query", "--pattern", "--workers", "2", "g($X)", "generated", cwd=tree)
    assert result.returncode == 2 and "does not run on a cluster yet" in result.stderr


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
