"""The benchmarks (bench/) run and report, with a few runs each: every driver bench exits 0 and
prints, per file, a reference row and a row for each of what it measures (native, annotated,
semantic, runtime: median ms and ratio to the reference), all positive and finite; the language
server's bench and the runtimes' bench print their tables.

Nothing here asserts on a timing or a ratio's size: the machine is noisy, and these are smoke
tests of the benches, not benchmarks.  A driver bench needs its toolchain and the prepared
driver (`bblfsh-lsp driver install LANG --runtime process`): without them it skips, or fails
under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1; the runtimes' bench needs Docker, the Python driver's
image and runc as root (BBLFSH_LSP_REQUIRE_CONTAINERS=1); the workspace search bench needs
ast-grep (ast-grep-cli, in the test extra; BBLFSH_LSP_REQUIRE_TOOLCHAINS=1).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from conftest import PYTHON_IMAGE, REPO, SHARED, containers_unavailable, python_driver_image, toolchain_unavailable
from driver_checks import require_prepared, require_runs

from driver_runtime.drivers.cpp.driver import CppDriver
from driver_runtime.drivers.go.driver import GoDriver
from driver_runtime.drivers.java.driver import JavaDriver, java_binary
from driver_runtime.drivers.javascript.driver import JavaScriptDriver
from driver_runtime.drivers.php.driver import PhpDriver
from driver_runtime.drivers.ruby.driver import RubyDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.protocol import ParseRequest

BENCH = REPO / "bench"
CONFORMANCE = SHARED / "conformance"
RUNS = "3"
MEASURED = ("native", "annotated", "semantic", "runtime")
# A report row: what, median ms, ratio (and, on the reference row, what the reference is).
ROW = re.compile(r"^(?P<what>\S+)\s+(?P<ms>\S+)\s+(?P<ratio>\S+)(?:\s{3}.*)?$")


@attrs.frozen
class DriverBench:
    script: str
    drivers: tuple[Callable[[], NativeDriver], ...]
    commands: tuple[str, ...]
    fixtures: tuple[str, ...]  # the folders of ../shared/conformance it reads
    rows: tuple[str, ...] = MEASURED  # besides the reference, in each table
    tables: int = 1
    arguments: tuple[str, ...] = ()


DRIVER_BENCHES = [
    DriverBench("driver_go.py", (GoDriver,), ("go",), ("go",), rows=("go+json", *MEASURED)),
    DriverBench("driver_java.py", (JavaDriver,), (java_binary(), "javac"), ("java",), arguments=("--warmup", "3")),
    DriverBench("driver_javascript.py", (JavaScriptDriver, TypeScriptDriver), ("node",),
                ("javascript", "typescript"), tables=2),
    DriverBench("driver_php.py", (PhpDriver,), ("php",), ("php",), rows=("native", "semantic", "runtime")),
    DriverBench("driver_ruby.py", (RubyDriver,), ("ruby",), ("ruby",)),
    DriverBench("driver_cpp.py", (CppDriver,), (), ("cpp",)),
    # tree-sitter in this process: no toolchain, no runtime row until the registry chooses it
    DriverBench("driver_universal.py", (), (), ("python",), rows=("native", "annotated", "semantic")),
    # argparse.py edited one character at a time, through the universal driver in a local process
    DriverBench("universal_edits.py", (), (), (), rows=("edit", "edit+tree", "whole")),
]


def require_bench(bench: DriverBench) -> None:
    """Skip (or fail, where toolchains are required) without the bench's toolchain or prepared
    driver; skip without the conformance corpus."""
    for folder in bench.fixtures:
        if not (CONFORMANCE / folder).is_dir():
            pytest.skip(f"../shared (conformance corpus) is absent: no {CONFORMANCE / folder}")
    for make in bench.drivers:
        driver = make()
        try:
            require_prepared(driver, *bench.commands)
            if isinstance(driver, CppDriver):  # libclang is a library, not a command: try it
                require_runs(driver, ParseRequest(content="int x;\n", filename="probe.cpp"))
        finally:
            driver.native.close()


def run_bench(script: str, *arguments: str, timeout: float = 300) -> str:
    done = subprocess.run([sys.executable, str(BENCH / script), *arguments], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def positive(cell: str) -> float:
    value = float(cell)
    assert math.isfinite(value) and value > 0, cell
    return value


def report_tables(out: str) -> list[dict[str, tuple[float, float]]]:
    """The driver benches' tables: per table, each row's median ms and ratio."""
    tables: list[dict[str, tuple[float, float]]] = []
    for line in out.splitlines():
        if line.split() == ["what", "median", "ms", "ratio"]:
            tables.append({})
        elif tables and (match := ROW.match(line)):
            assert match["what"] not in tables[-1], line
            tables[-1][match["what"]] = (positive(match["ms"]), positive(match["ratio"]))
    return tables


@pytest.mark.parametrize("bench", DRIVER_BENCHES, ids=[bench.script for bench in DRIVER_BENCHES])
def test_driver_bench_reports_every_row(bench: DriverBench):
    require_bench(bench)
    out = run_bench(bench.script, "--n", RUNS, *bench.arguments)
    tables = report_tables(out)
    assert len(tables) == bench.tables, out
    for table in tables:
        assert list(table) == ["reference", *bench.rows], out
        assert table["reference"][1] == 1.0, out
    assert out.count(f"{RUNS} runs each") == bench.tables, out


def test_universal_first_outline_bench_reports():
    out = run_bench("universal_first_outline.py", "--n", "1")
    names = ("warm (reference)", "first language", "second language")
    rows = {name: line[len(name):].split() for line in out.splitlines() for name in names if line.startswith(name)}
    assert list(rows) == list(names), out
    for ms, ratio in rows.values():
        positive(ms)
        positive(ratio)


def test_lsp_symbols_bench_reports():
    out = run_bench("lsp_symbols.py", "--rounds", RUNS)
    rows = [line for line in out.splitlines() if line.startswith("  ")]
    assert [line.split("  ")[1].strip() for line in rows] == [
        "in-process ast.parse", "edit + documentSymbol", "documentSymbol (unchanged)"], out
    for line in rows:
        ms, ratio = re.findall(r"(\S+) ms\s+(\S+)x$", line)[0]
        positive(ms)
        positive(ratio)


def test_lsp_latency_bench_reports():
    # --quick: small files, one round; a JavaScript driver that is not prepared is a "skipped" row.
    out = run_bench("lsp_latency.py", "--quick")
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if cells and cells[0] in ("idle", "python-big", "query", "js-big"):
            rows[cells[0]] = cells[1:]
    assert list(rows) == ["idle", "python-big", "query", "js-big"], out
    for name, cells in rows.items():
        if name == "js-big" and cells[0] == "skipped:":
            continue
        assert int(cells[0]) > 0, out  # probes
        for cell in cells[1:6]:  # p50, p95, max, p95/idle, p95*
            positive(cell)
        if name != "idle":
            positive(cells[6])  # the heavy request's seconds
    assert re.search(r"^(PASS|FAIL): worst p95 while busy \S+ ms", out, re.MULTILINE), out


@pytest.fixture(scope="module")
def python_image() -> str:
    """The Python driver's image (the runtimes' bench default), built if missing, in a Docker
    engine that answers, with runc usable (the oci runtime)."""
    from driver_runtime.runtimes.docker import DockerRuntime
    from driver_runtime.runtimes.oci import OCIRuntime

    for availability in (DockerRuntime.probe(), OCIRuntime.probe()):
        if not availability.ok:
            containers_unavailable(availability.reason)
    import docker

    client = docker.from_env(timeout=900)
    try:
        python_driver_image(client)
    finally:
        client.close()
    return PYTHON_IMAGE


def test_runtimes_bench_reports(python_image: str, tmp_path: Path):
    # The oci runtime's bundle goes to a scratch store, not the installation's.
    out = run_bench("runtimes.py", "--n", RUNS, "--n-large", "1", "--cold", "1", "--image", python_image,
                    "--bundles", str(tmp_path / "bundles"))
    lines = out.splitlines()
    header = lines[0].split()
    assert header[0] == "runtime", out
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:5]}
    assert list(rows) == ["process", "docker", "oci"], out
    for name, cells in rows.items():
        # p50, p90 and cold start columns are positive; overheads are signed; memory may be "-".
        for column in (0, 1, 3, 4, 6, 7):
            positive(cells[column])
        for column in (2, 5):
            assert math.isfinite(float(cells[column])), out
        assert cells[8] == "-" or positive(cells[8]), out  # the driver's RSS
        if name != "process":
            assert cells[9] == "-" or positive(cells[9]), out  # its cgroup's memory
    assert any(line.startswith("docker: tiny p50 overhead") for line in lines), out
    assert any(line.startswith("oci: tiny p50 overhead") for line in lines), out


# bench/workspace_search.py: its groups and each one's rows, the reference first.
INDEXED = ["{}:warm", "{}:changed", "{}:index"]  # with the index: fresh, one file edited, its build
WORKSPACE_GROUPS = {
    "stdlib": ["ast-grep:kind", "ast-grep:pattern", "bblfsh-lsp", *(row.format("bblfsh-lsp") for row in INDEXED)],
    "isinstance": ["ast-grep:pattern", "bblfsh-lsp", *(row.format("bblfsh-lsp") for row in INDEXED)],
    "js": ["ast-grep:kind", "bblfsh-lsp:roles", *(row.format("bblfsh-lsp:roles") for row in INDEXED),
           "bblfsh-lsp:groups"],
    "small": ["ast-grep:kind", "bblfsh-lsp"],
}


def test_workspace_search_bench_reports():
    # ast-grep as the bench finds it: beside this Python (the venv's), else on PATH.  --quick: a
    # few stdlib modules and the checkout's JavaScript files, one run.  Without the JavaScript
    # driver prepared, the universal driver answers and the bench says so (no failure).
    if not (Path(sys.executable).parent / "ast-grep").is_file() and shutil.which("ast-grep") is None:
        toolchain_unavailable("ast-grep is not installed (ast-grep-cli, in the test extra)")
    out = run_bench("workspace_search.py", "--quick")
    tables: dict[str, dict[str, list[str]]] = {}
    group = None
    for line in out.splitlines():
        if match := re.match(r"^(\w+): .*: \d+ files?, ", line):
            group = match[1]
        elif line.split() == ["what", "median", "s", "ratio", "files", "matches"]:
            assert group is not None and group not in tables, out
            tables[group] = {}
        elif group in tables and line.startswith(("ast-grep", "bblfsh-lsp")):
            cells = line.split()
            assert cells[0] not in tables[group], line
            tables[group][cells[0]] = cells[1:5]
    assert {name: list(rows) for name, rows in tables.items()} == WORKSPACE_GROUPS, out
    for rows in tables.values():
        for median, ratio, files, matches in rows.values():
            positive(median)
            positive(ratio)
            assert int(files) > 0 and int(matches) > 0, out
        assert float(next(iter(rows.values()))[1]) == 1.0, out  # the reference's ratio
    # Equivalent queries found the same Python matches (the JavaScript ones are compared only
    # when the JavaScript driver answered).
    assert "bblfsh-lsp and ast-grep:kind: equal" in out and "bblfsh-lsp and ast-grep:pattern: equal" in out, out
    # The index answers as parsing does: fresh, and after an edit.
    assert out.count("bblfsh-lsp:warm and bblfsh-lsp: equal") == 2, out
    assert out.count("bblfsh-lsp:changed and bblfsh-lsp: equal") == 2, out


# bench/editor_path.py (issue 13's speed targets): a row per file, ours against the peer or the
# parser alone.  Each case needs its reference: a peer (scripts/setup-peers.sh; a failure, not a
# skip, under BBLFSH_LSP_REQUIRE_PEERS=1) or the language's toolchain and prepared driver.
EDITOR_PATH_ROW = re.compile(
    r"^(?P<row>[a-z]+-\w+)\s+(?P<bytes>\d+)\s+(?P<ours>(?:\S+\s+){4})(?P<reference>\S+)\s+(?P<theirs>(?:\S+\s+){4})"
    r"(?P<symbols_x>\S+)\s+(?P<folding_x>\S+)\s+(?P<target>\S+)\s+(?P<verdict>PASS|FAIL)$")


def require_peer(name: str) -> None:
    from test_outline_peers import agreement, peers_unavailable

    peer = agreement.PEERS[name]
    if peer.executable() is None:
        peers_unavailable(f"{peer.name} is not installed ({peer.command[0]}): run {peer.installed_by}")


def require_ruby_parser() -> None:
    require_prepared(RubyDriver(), "ruby").native.close()


@pytest.mark.parametrize(("row", "reference", "require"), [
    ("python-10k", "pyright", lambda: require_peer("pyright")),
    ("ruby-10k", "parser-alone", require_ruby_parser),
], ids=["pyright", "parser-alone"])
def test_editor_path_bench_reports(row: str, reference: str, require: Callable[[], None]):
    require()
    out = run_bench("editor_path.py", "--quick", "--only", row)
    found = [match for line in out.splitlines() if (match := EDITOR_PATH_ROW.match(line))]
    assert [match["row"] for match in found] == [row], out
    match = found[0]
    assert int(match["bytes"]) > 0 and match["reference"] == reference, out
    for cell in match["ours"].split():  # documentSymbol and foldingRange, p50 and p90
        positive(cell)
    theirs = match["theirs"].split()
    for cell in theirs[:2]:  # the reference's documentSymbol (or parse) p50 and p90; folds may be "-"
        positive(cell)
    for cell in theirs[2:]:
        assert cell == "-" or positive(cell), out
    positive(match["symbols_x"])
    positive(match["folding_x"])
    positive(match["target"])
    assert re.search(r"^targets: [01] PASS, [01] FAIL, 0 not measured$", out, re.MULTILINE), out


def test_cluster_bench_reports():
    """bench/cluster.py --quick: its four rows with positive seconds, and the two figures the issue
    asks for (no value asserted: a smoke test)."""
    out = run_bench("cluster.py", "--quick")
    rows = re.findall(r"^  (local|1 worker/1 core|2 workers/1 core|1 worker/all)\s+(\S+) s", out, re.MULTILINE)
    assert [name for name, _ in rows] == ["local", "1 worker/1 core", "2 workers/1 core", "1 worker/all"], out
    assert all(positive(seconds) for _, seconds in rows), out
    assert "two one-core workers over one:" in out and "a cluster run against a local run" in out, out
    assert "every row's output identical to the local run's" in out, out
