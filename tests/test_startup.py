"""Start-up (issue 12): a command line run on a small file imports only what it needs, and starts
its driver early; what makes that so is checked here, never a time."""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, containers_unavailable

from driver_runtime import early, languages
from driver_runtime.runtimes import docker_engine
from driver_runtime.sdk.programs import isolated_python
from driver_runtime.service import DriverService

SMALL = ("import os\n\n\ndef alpha(path):\n    return os.path.exists(path)\n\n\n"
         "class Beta:\n    def gamma(self):\n        pass\n")

# What a plain local query has no use for: the container engine's SDK (and its ssh transport and
# HTTP stack), the language server's, the cluster's, the Parquet output's, the URL reader's,
# pygments' lexer table (only languages without a driver of their own need it), the index's
# database (there is no index here), XPath's evaluator (the index's plan answers this query)
# and YAML output's.
NOT_NEEDED = ("docker", "paramiko", "requests", "lsprotocol", "pygls", "dask", "distributed", "pyarrow", "fsspec",
              "pygments", "sqlite3", "elementpath", "yaml")

# Runs the command line's main() as the `bblfsh-lsp` script does, then writes the names of the
# modules it imported to the file named by $MODULES_OUT.
RUN_AND_LIST = ("import json, os, sys\n"
                "from bblfsh_lsp.cli import main\n"
                "status = main(sys.argv[1:])\n"
                "with open(os.environ['MODULES_OUT'], 'w') as out:\n"
                "    json.dump(sorted(sys.modules), out)\n"
                "sys.exit(status)\n")


def _query_modules(tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a `query` of one small file imported (it must find both functions)."""
    source = tmp_path / "small.py"
    source.write_text(SMALL, encoding="utf-8")
    listing = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *options, "query", "--json", "//uast:FunctionGroup", str(source)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**(os.environ if env is None else env), "MODULES_OUT": str(listing)})
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["label"] for line in result.stdout.splitlines()] == ["alpha", "gamma"]
    return set(json.loads(listing.read_text()))


def _top_level(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_a_plain_query_imports_only_what_it_needs(tmp_path: Path):
    modules = _query_modules(tmp_path, "--runtime", "process")
    assert "bblfsh_lsp.query.search" in modules and "driver_runtime.service" in modules  # the command ran
    assert _top_level(modules) & set(NOT_NEEDED) == set()
    assert "bblfsh_lsp.index.store" not in modules and "bblfsh_lsp.index.indexer" not in modules
    assert "driver_runtime.state" not in modules  # installed drivers: only for container runtimes


def test_the_auto_runtime_probes_the_default_engine_without_the_docker_sdk(tmp_path: Path):
    """Under `auto`, with nothing naming another engine, Docker is asked on its default socket
    directly: whether one answers there or not, the SDK is not imported (nor, where the python
    driver runs as a local process, anything else of the list)."""
    home = tmp_path / "home"
    home.mkdir()  # no Docker CLI configuration, no installed drivers
    env = {key: value for key, value in os.environ.items()
           if key not in (*docker_engine.ENGINE_VARIABLES, "XDG_DATA_HOME", "BBLFSH_LSP_DATA")}
    modules = _query_modules(tmp_path, "--runtime", "auto", env={**env, "HOME": str(home)})
    assert "driver_runtime.runtimes.docker" in modules  # the docker runtime was probed
    assert _top_level(modules) & set(NOT_NEEDED) == set()


async def test_start_early_launches_the_driver_that_the_parse_then_takes(service: DriverService, tmp_path: Path):
    source = tmp_path / "small.py"
    source.write_text(SMALL, encoding="utf-8")
    await service.start_early(str(source), SMALL.encode()[:256])
    pool = service.pool_of("python")
    assert pool is not None and pool.stats() == {"idle": 0, "busy": 0, "starting": 1}  # launched, not yet ready
    result = await service.parse(SMALL, str(source))
    assert result.language == "python" and not result.errors
    assert pool.size == 1  # the parse waited for that instance instead of starting another


async def test_start_early_starts_an_instance_per_file_up_to_the_maximum(service: DriverService, tmp_path: Path):
    paths = []
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(SMALL, encoding="utf-8")
        paths.append(str(tmp_path / name))
        await service.start_early(paths[-1])
    pool = service.pool_of("python")
    assert pool is not None and pool.settings.max_instances == 2
    assert pool.stats() == {"idle": 0, "busy": 0, "starting": 2}  # as the parses of the three files would
    results = await asyncio.gather(*(service.parse(SMALL, path) for path in paths))
    assert [result.language for result in results] == ["python"] * 3
    assert pool.size == 2


async def test_start_early_leaves_what_it_cannot_tell_to_the_parse(service: DriverService, tmp_path: Path):
    await service.start_early(str(tmp_path / "notes.unknown-extension"))
    await service.start_early(str(tmp_path / "a.py"), language="no-such-language")
    assert service.pools() == []


def test_detect_reads_no_lexer_table_for_a_language_with_its_own_driver():
    code = ("import sys\nfrom driver_runtime import languages\n"
            "print(languages.detect('setup.py'), languages.detect('x/main.go'), 'python' in languages.names(), "
            "'pygments' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stdout.split() == ["python", "go", "True", "False"], result.stderr


def test_detect_answers_as_the_table_does():
    """A language's own driver's file names and extensions are told from its manifest first:
    the table must say the same of every name it knows (and of names it does not)."""
    table = languages.TABLE

    def by_table(name: str) -> str | None:
        ext = os.path.splitext(name)[1].lower()
        return table.by_filename.get(name) or table.by_extension.get(ext) or languages._by_pattern(
            name, table.by_pattern)

    names = [*table.by_filename, *(f"file{ext}" for ext in table.by_extension), *(f"FILE{ext.upper()}" for ext in
             table.by_extension), "Makefile.am", "no-extension", "notes.unknown"]
    assert [languages.detect(name) for name in names] == [by_table(name) for name in names]
    assert languages.names() == {language.name for language in languages.LANGUAGES}


# --- the default engine, asked without the SDK -------------------------------------------------------


def test_the_default_engine_is_known_only_when_nothing_names_another(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    for variable in docker_engine.ENGINE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert docker_engine.default_engine_socket() == docker_engine.DEFAULT_SOCKET
    config = tmp_path / ".docker" / "config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"auths": {}, "currentContext": "default"}))
    assert docker_engine.default_engine_socket() == docker_engine.DEFAULT_SOCKET
    config.write_text("{not json")  # as the SDK: the default context
    assert docker_engine.default_engine_socket() == docker_engine.DEFAULT_SOCKET
    config.write_text(json.dumps({"currentContext": "desktop-linux"}))
    assert docker_engine.default_engine_socket() is None  # the SDK reads the context
    config.unlink()
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert docker_engine.default_engine_socket() is None


class _Engine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def fake_engine(tmp_path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    """An HTTP server on a unix socket answering /_ping as `answer` says (status, API version)."""
    answer: dict[str, object] = {"status": 200, "version": "1.41"}

    class Ping(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(int(answer["status"]) if self.path == "/_ping" else 404)
            if answer["version"]:
                self.send_header("Api-Version", str(answer["version"]))
            self.end_headers()
            self.wfile.write(b"OK")

        def address_string(self) -> str:  # a unix socket's client has no address
            return "local"

        def log_message(self, *args: object) -> None:
            pass

    path = str(tmp_path / "docker.sock")
    server = _Engine(path, Ping)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield path, answer
    finally:
        server.shutdown()
        server.server_close()


def test_an_engine_is_asked_its_api_version_by_a_ping(fake_engine: tuple[str, dict[str, object]], tmp_path: Path):
    path, answer = fake_engine
    assert docker_engine.local_engine_version(path, timeout=5) == "1.41"
    answer["version"] = "1.12"  # older than the SDK takes: the SDK says why
    assert docker_engine.local_engine_version(path, timeout=5) is None
    answer.update(status=500, version="1.41")
    assert docker_engine.local_engine_version(path, timeout=5) is None
    answer.update(status=200, version="")
    assert docker_engine.local_engine_version(path, timeout=5) is None
    with pytest.raises(OSError):
        docker_engine.local_engine_version(str(tmp_path / "nothing.sock"), timeout=5)


def test_the_api_version_is_the_one_the_sdk_negotiates():
    if not os.path.exists(docker_engine.DEFAULT_SOCKET):
        containers_unavailable(f"no Docker engine at {docker_engine.DEFAULT_SOCKET}")
    try:
        ours = docker_engine.local_engine_version(docker_engine.DEFAULT_SOCKET, timeout=5)
    except OSError as exc:
        containers_unavailable(f"no Docker engine answers at {docker_engine.DEFAULT_SOCKET}: {exc}")
    client = docker_engine.make_client(f"unix://{docker_engine.DEFAULT_SOCKET}", timeout=5)
    try:
        assert ours == client.api.api_version
    finally:
        client.close()


# --- the first file's driver, launched before the command line's imports ----------------------------------

LAUNCH = "import sys\nfrom bblfsh_lsp.launcher import main\nsys.exit(main())\n"


def _script(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The `bblfsh-lsp` script's entry point, with its cache folder in tmp_path."""
    return subprocess.run([sys.executable, "-c", LAUNCH, *arguments], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})


def test_the_script_launches_the_driver_the_last_run_chose_first_thing(tmp_path: Path):
    source = tmp_path / "small.py"
    source.write_text(SMALL, encoding="utf-8")
    arguments = ("--runtime", "process", "--log-level", "debug", "query", "--json", "//uast:FunctionGroup", str(source))
    took = "driver's process launched at start-up"
    first = _script(tmp_path, *arguments)
    assert first.returncode == 0 and took not in first.stderr, first.stderr
    hints = json.loads((tmp_path / "cache" / "bblfsh-lsp" / early.HINTS_NAME).read_text())
    assert [hint["command"][-1] for hint in hints.values()] == ["driver_runtime.drivers.python"]
    second = _script(tmp_path, *arguments)
    assert second.returncode == 0 and took in second.stderr, second.stderr
    assert second.stdout == first.stdout and [json.loads(line)["label"] for line in second.stdout.splitlines()] == \
        ["alpha", "gamma"]


def test_a_hint_that_names_another_program_is_never_run(tmp_path: Path):
    source = tmp_path / "small.py"
    source.write_text(SMALL, encoding="utf-8")
    arguments = ["--runtime", "process", "query", "--json", "//uast:FunctionGroup", str(source)]
    found = early.first_file(arguments)
    assert found is not None and found[0] == str(source)
    marker = tmp_path / "ran"
    hints = tmp_path / "cache" / "bblfsh-lsp" / early.HINTS_NAME
    hints.parent.mkdir(parents=True)
    hints.write_text(json.dumps({found[1]: {"command": ["/bin/sh", "-c", f"touch {marker}"], "cwd": str(REPO)}}))
    result = _script(tmp_path, *arguments)
    assert result.returncode == 0 and not marker.exists(), result.stderr
    python = isolated_python()
    refused = [
        ([*python, "-c", f"open({str(marker)!r}, 'w')"], str(REPO)),  # our interpreter, not on a driver
        ([*python, "-m", "http.server"], str(REPO)),  # a module that is no driver of ours
        ([*python, "-m", "driver_runtime.drivers.python"], str(tmp_path)),  # in a folder not ours
        ([*python, "-m", "driver_runtime.drivers.python"], f"{REPO}/../../{tmp_path.name}"),
        (["/bin/sh", *python[1:], "-m", "driver_runtime.drivers.python"], str(REPO)),
    ]
    assert [early._ours(command, cwd) for command, cwd in refused] == [False] * len(refused)
    assert early._ours([*python, "-m", "driver_runtime.drivers.python"], str(REPO / "driver_runtime"))


def test_what_launches_early_is_the_first_file_of_a_query_parse_or_symbols(tmp_path: Path):
    source = tmp_path / "a.py"
    source.write_text(SMALL, encoding="utf-8")
    (tmp_path / "script").write_text("#!/usr/bin/env python3\n")
    assert early.first_file(["query", "//x", str(source)])[0] == str(source)  # type: ignore[index]
    assert early.first_file(["--driver", "python=native", "symbols", str(source)])[0] == str(source)  # type: ignore[index]
    assert early.first_file(["--runtime", "process", "query", "//x", str(source)]) != \
        early.first_file(["--runtime", "docker", "query", "//x", str(source)])  # options are part of the key
    assert early.first_file(["index", str(source)]) is None
    assert early.first_file(["--version"]) is None
    assert early.first_file(["query", "//x", str(tmp_path / "script")]) is None  # a shebang needs the text
    assert early.first_file(["query", "//x", str(tmp_path / "missing.py")]) is None


# Ends through launcher.end_now with status 3, after an atexit handler and unflushed output,
# with an extra thread alive or not (argv[1]).
END_NOW = ("import atexit, sys, threading, time\n"
           "from bblfsh_lsp.launcher import end_now\n"
           "atexit.register(lambda: print('atexit ran', file=sys.stderr))\n"
           "sys.stdout.write('unflushed output')\n"
           "if sys.argv[1] == 'thread':\n"
           "    threading.Thread(target=time.sleep, args=(0.3,)).start()\n"
           "end_now(3)\n"
           "print(' and then the usual exit')\n")


def test_a_short_command_ends_at_once_after_what_exit_must_do():
    alone = subprocess.run([sys.executable, "-c", END_NOW, "alone"], capture_output=True, text=True, timeout=60)
    assert (alone.returncode, alone.stdout, alone.stderr) == (3, "unflushed output", "atexit ran\n")
    # Another thread's work is never cut short: the interpreter exits as usual, after it.
    threaded = subprocess.run([sys.executable, "-c", END_NOW, "thread"], capture_output=True, text=True, timeout=60)
    assert (threaded.returncode, threaded.stdout, threaded.stderr) == \
        (0, "unflushed output and then the usual exit\n", "atexit ran\n")


def test_short_commands_are_the_query_parse_and_symbols_command_lines():
    assert early.short_command(["--runtime", "process", "query", "//x", "a.py"]) == \
        ("query", ["--runtime", "process"], ["//x", "a.py"])
    assert early.short_command(["--log-level=debug", "parse", "-"]) == ("parse", ["--log-level=debug"], ["-"])
    assert early.short_command(["serve"]) is None
    assert early.short_command(["index", "."]) is None
    assert early.short_command(["--help"]) is None
