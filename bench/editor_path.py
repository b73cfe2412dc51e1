"""Benchmark: the editor path (issue 13, "Fast."): outline and folds after every keystroke,
bblfsh-lsp against the best single-language server of each language, measured in the same run.

Every server is a child process spoken to over LSP stdio by a minimal client (bench/lsp_stdio.py:
an answer's time is when its whole frame was read, before this side decodes it).  Ours is
`bblfsh-lsp --runtime process serve` (the languages' own drivers as local processes, prepared by
`bblfsh-lsp driver install LANG --runtime process`; which driver answered each language is
reported), with workspaceIndex off so that no index build competes.  The peers are the ones
scripts/setup-peers.sh installs, started and configured as scripts/outline_agreement.py does
(its PEERS table): pyright (type checking off, diagnostics of open files only),
typescript-language-server (with the typescript it installs), gopls and clangd (Debian's).
pyright and clangd 14 offer no foldingRange (clangd's preview, --folding-ranges, crashes on
libstdc++'s headers): there our folds are held to their documentSymbol.

For each file, on each server: the file is opened (didOpen, with a comment line added at its end:
`# edit here` or `// edit here`), documentSymbol is asked until it answers with symbols (pyright
and tsserver load and warm up first), then --warmup unmeasured rounds and --n measured rounds of:
a one-character edit at the end of the file (didChange, incremental: an `x` typed at the end of
that comment line, removed again the next round, so the text does not grow and stays valid in
every language) and at once documentSymbol; the time of a round is from the edit sent to the
answer read whole.  Then the same series with foldingRange (if the server offers it).  Between
rounds a --pause (0.1 s, typing speed) lets each server's background work after an edit
(diagnostics) run as it does while a user types.  Per file the servers run one after the other
(ours first, then the peer), each the only one busy; the document is closed afterwards.

For Java, Ruby and PHP no peer installs here: the reference is the parser alone in its own
runtime, as the driver benches measure it (bench/driver_java.py: javac's JavacTask.parse in a JVM
with the driver's options after warm-up; driver_ruby.py: Ripper.sexp; driver_php.py: PHP-Parser's
parse), on the same text.  Shown beside it, not compared: the round trip of the driver's own
long-lived native process (its request written, its answer read and decoded with orjson), i.e. the
parse plus the native tree's conversion and JSON, without the Python kit.

The files (each row is one; --only picks rows or languages):
  python-10k      the running Python's top-level stdlib module closest to 10 KB
  python-100k     CPython's argparse.py (~100 KB)
  python-1m       generated: the stdlib's top-level modules in name order, those without
                  `from __future__` imports, concatenated until 1 MiB (valid Python, checked)
  javascript-10k  semver's classes/semver.js            (editors/vscode/node_modules: setup-editors.sh)
  javascript-80k  vscode-languageclient's lib/common/client.js
  typescript-10k  editors/vscode/src/search.ts
  typescript-80k  @azure/msal-browser's src/cache/BrowserCacheManager.ts (or PlatformAuthInteractionClient.ts)
  go-10k, go-80k  GOROOT/src/net/http/response.go, transport.go (`go env GOROOT`); a go.mod at the root
  c-10k, c-80k    zlib's examples/fitblk.c (zlib1g-dev); libpng's examples/pngtest.c, else Go's
                  regexp/testdata/testregex.c, else zlib's gzlog.c; clangd gets -xc
  cpp-10k, cpp-80k  libstdc++'s bits/predefined_ops.h, bits/stl_tree.h (as .hpp); clangd gets -xc++ -std=c++17
  java-10k, java-80k  the Java driver's own Main.java and Converter.java
  ruby-10k, ruby-80k  Ruby's own delegate.rb (12 KB) and resolv.rb (76 KB) (rubylibdir)
  php-10k, php-80k    the PHP driver's prepared PHP-Parser files closest to 10 KB and 80 KB
Each file is copied to a scratch workspace (a folder per row, clangd's compile_flags.txt beside
it); nothing in it is run.

Reported per row: the file's bytes, ours documentSymbol and foldingRange p50 and p90 in ms, the
reference (the peer's documentSymbol and foldingRange, or the parser's parse), the ratios of the
medians (documentSymbol to the peer's documentSymbol; foldingRange to the peer's foldingRange
where the peer offers it, else to its documentSymbol; Python's are both to pyright's
documentSymbol, as the issue states), the target and PASS/FAIL (both ratios within it).  The
targets: <= 1.0x pyright (Python), <= 1.5x typescript-language-server (JavaScript, TypeScript),
<= 1.5x gopls (Go), <= 1.0x clangd (C, C++), <= 3x the parser alone (Java, Ruby, PHP).  A peer or
a file that is missing makes its row "skipped" with the reason; the exit status is 0 unless a
server failed (an error answer, no answer in time, an exit), then 1.  The machine's noise falls
on whichever server runs at the time: run it on a quiet machine, and more than once.

Run: .venv/bin/python bench/editor_path.py [--n 30] [--warmup 3] [--only python,go-80k] [--quick]
  --quick: 3 rounds after 1 warm-up round, a 0.05 s pause (a smoke test, not a figure)
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import importlib.util
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(1, str(REPO))  # the checkout, after bench/ (the driver benches are siblings)

from lsp_stdio import LspFailure, LspProcess  # noqa: E402

STDLIB = Path(os.__file__).parent
NODE_MODULES = REPO / "editors" / "vscode" / "node_modules"
GENERATED_SIZE = 1024 * 1024
READY_TIMEOUT = 900.0  # seconds for a server's first outline of a file (pyright's of 1 MB: ~20 s)
ANSWER_TIMEOUT = 300.0
OURS = {"bblfsh": {"workspaceIndex": False}}  # our settings section, as the editors send it
# What an editor says it can take, the same for every server: hierarchical outlines, folds by line.
CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": False},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True, "symbolKind": {"valueSet": list(range(1, 27))}},
        "foldingRange": {"lineFoldingOnly": True},
    },
    "workspace": {"configuration": True, "workspaceFolders": True},
}
COMMENTS = {"python": "#", "ruby": "#"}  # the edited comment line's opening; else //
PARSER = "parser"  # the reference of the languages without a peer


# --- the files -----------------------------------------------------------------------------------

@attrs.frozen
class Source:
    text: str
    name: str  # the file's name in the scratch workspace
    origin: str  # where it comes from, for the report


Finder = Callable[[], "Source | str"]  # the file, or why there is none


def _read(path: Path, name: str | None = None) -> Source:
    return Source(path.read_text(encoding="utf-8"), name or path.name, str(path))


def _first(*candidates: Path, name: Callable[[Path], str] | None = None) -> Source | str:
    for path in candidates:
        if path.is_file():
            return _read(path, name(path) if name else None)
    return "none of " + ", ".join(str(path) for path in candidates) + " exists"


def _closest(paths: Sequence[Path], size: int, where: str) -> Source | str:
    """The file closest to `size` bytes (ties: the first by name)."""
    if not paths:
        return f"no files in {where}"
    return _read(min(sorted(paths), key=lambda path: abs(path.stat().st_size - size)))


def _generated_python() -> Source | str:
    parts, total = [], 0
    for path in sorted(STDLIB.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "from __future__" in text:  # only valid at a module's top
            continue
        parts.append(f"# --- {path.name}\n{text.rstrip()}\n\n")
        total += len(parts[-1].encode())
        if total >= GENERATED_SIZE:
            break
    source = "".join(parts)
    ast.parse(source)  # valid Python, or the bench stops here
    return Source(source, "generated_1m.py", f"{len(parts)} stdlib modules of {STDLIB} concatenated")


def _goroot() -> Path | str:
    go = shutil.which("go")
    if go is None:
        return "the Go toolchain is not installed (scripts/setup-toolchains.sh)"
    done = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 else f"`go env GOROOT` failed: {done.stderr.strip()}"


def _go(name: str) -> Source | str:
    goroot = _goroot()
    return _first(goroot / "src" / "net" / "http" / name) if isinstance(goroot, Path) else goroot


def _libstdcxx(name: str) -> Source | str:
    versions = sorted(Path("/usr/include/c++").glob("*/bits"), key=lambda path: [
        int(part) if part.isdigit() else 0 for part in path.parent.name.split(".")])
    if not versions:
        return "libstdc++'s headers are not installed (/usr/include/c++/*/bits)"
    return _first(versions[-1] / name, name=lambda path: path.stem + ".hpp")


def _ruby(name: str) -> Source | str:
    ruby = shutil.which("ruby")
    if ruby is None:
        return "ruby is not installed"
    done = subprocess.run([ruby, "-e", 'print RbConfig::CONFIG["rubylibdir"]'], capture_output=True, text=True,
                          check=False)
    return _first(Path(done.stdout.strip()) / name)


def _php(size: int) -> Source | str:
    from driver_runtime.drivers.php.driver import PhpDriver

    folder = PhpDriver().build / "PhpParser"
    return _closest(list(folder.rglob("*.php")), size, f"{folder} (the PHP driver is not prepared?)")


def _java(name: str) -> Source | str:
    return _first(REPO / "driver_runtime" / "drivers" / "java" / "native" / "src" / "bblfsh" / "java" / name)


@attrs.frozen
class Subject:
    """One row: a file, its language (the LSP language id), its reference and target."""

    row: str
    language: str
    reference: str  # a peer's name (scripts/outline_agreement.py's PEERS), or PARSER
    target: float
    find: Finder
    # Python's foldingRange is held to pyright's documentSymbol (the words); elsewhere
    # folds are compared with the peer's folds when it offers them.
    folds_to_symbols: bool = False


ZLIB = Path("/usr/share/doc/zlib1g-dev/examples")
SUBJECTS = [
    Subject("python-10k", "python", "pyright", 1.0, lambda: _closest(list(STDLIB.glob("*.py")), 10_240, str(STDLIB)),
            folds_to_symbols=True),
    Subject("python-100k", "python", "pyright", 1.0, lambda: _first(STDLIB / "argparse.py"), folds_to_symbols=True),
    Subject("python-1m", "python", "pyright", 1.0, _generated_python, folds_to_symbols=True),
    Subject("javascript-10k", "javascript", "typescript-language-server", 1.5,
            lambda: _first(NODE_MODULES / "semver" / "classes" / "semver.js")),
    Subject("javascript-80k", "javascript", "typescript-language-server", 1.5,
            lambda: _first(NODE_MODULES / "vscode-languageclient" / "lib" / "common" / "client.js")),
    Subject("typescript-10k", "typescript", "typescript-language-server", 1.5,
            lambda: _first(REPO / "editors" / "vscode" / "src" / "search.ts")),
    Subject("typescript-80k", "typescript", "typescript-language-server", 1.5, lambda: _first(
        *(NODE_MODULES / "@azure" / "msal-browser" / "src" / part for part in (
            "cache/BrowserCacheManager.ts", "interaction_client/PlatformAuthInteractionClient.ts")))),
    Subject("go-10k", "go", "gopls", 1.5, lambda: _go("response.go")),
    Subject("go-80k", "go", "gopls", 1.5, lambda: _go("transport.go")),
    Subject("c-10k", "c", "clangd", 1.0, lambda: _first(ZLIB / "fitblk.c")),
    Subject("c-80k", "c", "clangd", 1.0, lambda: _first(
        Path("/usr/share/doc/libpng-dev/examples/pngtest.c"),
        *([goroot / "src" / "regexp" / "testdata" / "testregex.c"] if isinstance(goroot := _goroot(), Path) else []),
        ZLIB / "gzlog.c")),
    Subject("cpp-10k", "cpp", "clangd", 1.0, lambda: _libstdcxx("predefined_ops.h")),
    Subject("cpp-80k", "cpp", "clangd", 1.0, lambda: _libstdcxx("stl_tree.h")),
    Subject("java-10k", "java", PARSER, 3.0, lambda: _java("Main.java")),
    Subject("java-80k", "java", PARSER, 3.0, lambda: _java("Converter.java")),
    Subject("ruby-10k", "ruby", PARSER, 3.0, lambda: _ruby("delegate.rb")),
    Subject("ruby-80k", "ruby", PARSER, 3.0, lambda: _ruby("resolv.rb")),
    Subject("php-10k", "php", PARSER, 3.0, lambda: _php(10_240)),
    Subject("php-80k", "php", PARSER, 3.0, lambda: _php(81_920)),
]


def selected(only: str | None) -> list[Subject]:
    if not only:
        return list(SUBJECTS)
    wanted = [word.strip() for word in only.split(",") if word.strip()]
    known = {subject.row for subject in SUBJECTS} | {subject.language for subject in SUBJECTS}
    unknown = [word for word in wanted if word not in known]
    if unknown:
        sys.exit(f"--only: unknown rows or languages {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [subject for subject in SUBJECTS if subject.row in wanted or subject.language in wanted]


# --- one document, edited ------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Document:
    """A file open in one server: its text with the edited comment line at the end, and the
    one-character edits that toggle an `x` at that line's end."""

    def __init__(self, path: Path, source_text: str, language: str, full_sync: bool):
        body = source_text if source_text.endswith(("\n", "\r")) else source_text + "\n"
        comment = f"{COMMENTS.get(language, '//')} edit here"
        self.uri, self.language, self.full_sync = path.as_uri(), language, full_sync
        self.text = body + comment + "\n"
        self.line = len(_LINE_BREAK.findall(body))
        self.column = len(comment)  # ASCII: the same in UTF-16 units
        self.version = 1
        self.typed = False

    def change(self) -> list[dict[str, Any]]:
        """The next edit (and the text after it)."""
        start = {"line": self.line, "character": self.column}
        if self.typed:
            edit = {"range": {"start": start, "end": {"line": self.line, "character": self.column + 1}}, "text": ""}
        else:
            edit = {"range": {"start": start, "end": start}, "text": "x"}
        head, _, tail = self.text.rpartition(" edit here" + ("x" if self.typed else ""))
        self.text = head + " edit here" + ("" if self.typed else "x") + tail
        self.typed = not self.typed
        self.version += 1
        return [{"text": self.text}] if self.full_sync else [edit]


@attrs.define
class Measured:
    symbols: list[float] = attrs.field(factory=list)  # seconds
    folding: list[float] | None = None  # None: the server offers no foldingRange
    ready: float = 0.0  # seconds from didOpen to the first outline with symbols


def _full_sync(capabilities: dict[str, Any]) -> bool:
    sync = capabilities.get("textDocumentSync")
    kind = sync.get("change") if isinstance(sync, dict) else sync
    return kind == 1


async def _ready(server: LspProcess, document: Document) -> float:
    """Ask the outline until it lists symbols: the server has loaded, parsed and warmed up."""
    started = time.perf_counter()
    problem = "no symbols"
    while time.perf_counter() - started < READY_TIMEOUT:
        try:
            answer = await server.request("textDocument/documentSymbol", {"textDocument": {"uri": document.uri}},
                                          ANSWER_TIMEOUT)
            if answer.result:
                return answer.arrived - started
        except LspFailure as exc:
            if server.process.returncode is not None:
                raise
            problem = str(exc)  # e.g. tsserver's "No Project" while it loads
        await asyncio.sleep(0.2)
    raise LspFailure(f"{server.name}: no outline of {document.uri} in {READY_TIMEOUT:g} s ({problem})")


async def _series(server: LspProcess, document: Document, method: str, rounds: int, warmup: int,
                  pause: float) -> list[float]:
    samples = []
    for round_ in range(warmup + rounds):
        changes = document.change()
        started = time.perf_counter()
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": document.uri, "version": document.version}, "contentChanges": changes})
        answer = await server.request(method, {"textDocument": {"uri": document.uri}}, ANSWER_TIMEOUT)
        result = answer.result
        if not isinstance(result, list) or not result:
            raise LspFailure(f"{server.name}: {method} of {document.uri} answered {str(result)[:100]}")
        if round_ >= warmup:
            samples.append(answer.arrived - started)
        await asyncio.sleep(pause)
    return samples


async def measure(server: LspProcess, path: Path, source: Source, language: str, args: argparse.Namespace,
                  progress: str) -> Measured:
    document = Document(path, source.text, language, _full_sync(server.capabilities))
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": document.uri, "languageId": language, "version": document.version, "text": document.text}})
    try:
        measured = Measured(ready=await _ready(server, document))
        measured.symbols = await _series(server, document, "textDocument/documentSymbol", args.n, args.warmup,
                                         args.pause)
        if server.capabilities.get("foldingRangeProvider"):
            measured.folding = await _series(server, document, "textDocument/foldingRange", args.n, args.warmup,
                                             args.pause)
    finally:
        server.notify("textDocument/didClose", {"textDocument": {"uri": document.uri}})
    folds = f", foldingRange p50 {_ms(measured.folding)}" if measured.folding else ""
    print(f"  {progress}: ready in {measured.ready:.1f} s, documentSymbol p50 {_ms(measured.symbols)}{folds} ms",
          file=sys.stderr, flush=True)
    return measured


# --- the parser alone (Java, Ruby, PHP) ----------------------------------------------------------

def _sibling(name: str) -> ModuleType:
    """A driver bench (bench/NAME.py) as a module, for its reference."""
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


def parser_alone(language: str, path: Path, text: str, runs: int, warmup: int) -> tuple[list[float], list[float]]:
    """The parser alone in its own runtime (the driver bench's reference), and the round trip of
    the driver's native process: seconds of each run, for both."""
    if language == "java":
        from driver_runtime.drivers.java.driver import JavaDriver

        driver: Any = JavaDriver()
        samples = _sibling("driver_java").reference(path, max(warmup, 3) * 10, runs).samples  # the JIT
    elif language == "ruby":
        from driver_runtime.drivers.ruby.driver import RubyDriver

        driver = RubyDriver()
        samples = _sibling("driver_ruby").reference(path, runs).samples
    else:
        from driver_runtime.drivers.php.driver import PhpDriver

        driver = PhpDriver()
        samples = _sibling("driver_php").reference(driver, path, runs).samples
    missing = driver.check_prepared()
    if missing:
        raise LspFailure(missing)
    trips = []
    try:
        for run in range(max(warmup, 3) * (10 if language == "java" else 1) + runs):
            started = time.perf_counter()
            answer = driver.native.parse(text, path.name)
            if answer.get("ast") is None:
                raise LspFailure(f"the {language} native parser gave no tree: {str(answer.get('errors'))[:200]}")
            trips.append(time.perf_counter() - started)
    finally:
        driver.native.close()
    return samples, trips[-runs:]


# --- the run -------------------------------------------------------------------------------------

@attrs.define
class Row:
    subject: Subject
    size: int = 0
    origin: str = ""
    skipped: str = ""
    problem: str = ""
    driver: str = ""  # which of our drivers answered
    ours: Measured | None = None
    peer: Measured | None = None
    parser: list[float] | None = None  # the parser alone
    native: list[float] | None = None  # the native process's round trip (not compared)


def _our_command(runtime: str) -> list[str]:
    script = Path(sys.executable).parent / "bblfsh-lsp"
    launcher = [str(script)] if script.is_file() else [sys.executable, "-m", "bblfsh_lsp"]
    return [*launcher, "--runtime", runtime, "serve"]


def _our_drivers(languages: set[str], runtime: str) -> dict[str, str]:
    """Which of our drivers parses each language (`bblfsh-lsp languages --json`)."""
    command = [*_our_command(runtime)[:-1], "languages", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    answers = {}
    for line in done.stdout.splitlines():
        with contextlib.suppress(ValueError):
            fact = json.loads(line)
            answers[fact["language"]] = f"{fact['driver']} {fact['version']} on {fact['runtime']}"
    # C files are the C++ driver's (its manifest's alias "c")
    return {language: answers.get("cpp" if language == "c" else language, "unknown") for language in languages}


def _load_peers() -> dict[str, Any]:
    """scripts/outline_agreement.py's PEERS: how each peer is started and configured."""
    spec = importlib.util.spec_from_file_location("outline_agreement", REPO / "scripts" / "outline_agreement.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs classes find their module by name
    spec.loader.exec_module(module)
    return module.PEERS


def _prepare(root: Path, subject: Subject, source: Source) -> Path:
    """The file in its own folder of the scratch workspace, with what its peer needs beside it."""
    folder = root / subject.reference / subject.row
    folder.mkdir(parents=True)
    path = folder / source.name
    path.write_text(source.text, encoding="utf-8")
    if subject.reference == "clangd":
        flags = ["-xc", "-std=c11"] if subject.language == "c" else ["-xc++", "-std=c++17"]
        (folder / "compile_flags.txt").write_text("\n".join(flags) + "\n", encoding="utf-8")
    if subject.reference == "gopls" and not (root / "gopls" / "go.mod").exists():
        (root / "gopls" / "go.mod").write_text("module editorbench\n\ngo 1.19\n", encoding="utf-8")
    return path


async def run(subjects: list[Subject], args: argparse.Namespace) -> list[Row]:
    peers = _load_peers()
    rows = [Row(subject) for subject in subjects]
    with tempfile.TemporaryDirectory(prefix="editor-path-") as scratch:
        root = Path(scratch)
        paths: dict[str, Path] = {}
        sources: dict[str, Source] = {}
        for row in rows:
            found = row.subject.find()
            if isinstance(found, str):
                row.skipped = found
                continue
            sources[row.subject.row], row.origin = found, found.origin
            row.size = len(found.text.encode())
            paths[row.subject.row] = _prepare(root, row.subject, found)
        drivers = _our_drivers({row.subject.language for row in rows}, args.runtime)
        for row in rows:
            row.driver = drivers[row.subject.language]
        ours = await LspProcess.start("bblfsh-lsp", _our_command(args.runtime), settings=OURS,
                                      log=root / "bblfsh-lsp.log")
        try:
            await ours.initialize(root, CAPABILITIES, OURS["bblfsh"])
            for reference in dict.fromkeys(row.subject.reference for row in rows):
                group = [row for row in rows if row.subject.reference == reference and not row.skipped]
                if group:
                    await _group(ours, reference, peers.get(reference), group, paths, sources, root, args)
        finally:
            await ours.close()
    return rows


async def _start_peer(peer: Any, root: Path, log: Path) -> LspProcess:
    server = await LspProcess.start(peer.name, peer.command, settings=peer.settings, log=log, cwd=root)
    try:
        await server.initialize(root, CAPABILITIES, peer.initialization_options)
    except LspFailure:
        await server.close()
        raise
    return server


async def _group(ours: LspProcess, reference: str, peer: Any, rows: list[Row], paths: dict[str, Path],
                 sources: dict[str, Source], root: Path, args: argparse.Namespace) -> None:
    """The rows of one peer (or of the parser alone): per file, ours then the reference.  A peer
    that exits fails its row and is started again for the next one."""
    server: LspProcess | None = None
    missing = ""
    if peer is not None and peer.executable() is None:
        missing = f"{peer.name} is not installed ({peer.command[0]}): run {peer.installed_by}"
    try:
        for number, row in enumerate(rows):
            name = row.subject.row
            try:
                row.ours = await measure(ours, paths[name], sources[name], row.subject.language, args,
                                         f"{name} bblfsh-lsp")
                if missing:
                    row.skipped = missing
                elif peer is not None:
                    if server is None:
                        server = await _start_peer(peer, root / reference, root / f"{peer.name}-{number}.log")
                    row.peer = await measure(server, paths[name], sources[name], row.subject.language, args,
                                             f"{name} {reference}")
                else:
                    row.parser, row.native = await asyncio.to_thread(
                        parser_alone, row.subject.language, paths[name], sources[name].text, args.n, args.warmup)
            except (LspFailure, OSError, subprocess.CalledProcessError) as exc:
                row.problem = f"{type(exc).__name__}: {exc}"[:300]
                print(f"  {name}: {row.problem}", file=sys.stderr, flush=True)
                if ours.process.returncode is not None or ours.reader.done():
                    raise
                if server is not None and (server.process.returncode is not None or server.reader.done()):
                    await server.close()
                    server = None
    finally:
        if server is not None:
            await server.close()


# --- the report ----------------------------------------------------------------------------------

def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _ms(samples: Sequence[float] | None, fraction: float = 0.5) -> str:
    if not samples:
        return "-"
    value = statistics.median(samples) if fraction == 0.5 else percentile(samples, fraction)
    return f"{value * 1000:.1f}"


def _ratio(ours: Sequence[float] | None, reference: Sequence[float] | None) -> float | None:
    if not ours or not reference:
        return None
    return statistics.median(ours) / statistics.median(reference)


def verdict(row: Row) -> tuple[float | None, float | None, str]:
    """The ratios of the medians (documentSymbol, foldingRange) and PASS/FAIL."""
    ours, subject = row.ours, row.subject
    if ours is None:
        return None, None, "-"
    if row.parser is not None:
        reference_symbols = reference_folding = row.parser
    elif row.peer is not None:
        reference_symbols = row.peer.symbols
        reference_folding = row.peer.folding if row.peer.folding and not subject.folds_to_symbols else row.peer.symbols
    else:
        return None, None, "-"
    symbols, folding = _ratio(ours.symbols, reference_symbols), _ratio(ours.folding, reference_folding)
    if symbols is None or folding is None:
        return symbols, folding, "-"
    return symbols, folding, "PASS" if max(symbols, folding) <= subject.target else "FAIL"


HEADER = (f"{'row':<15} {'bytes':>8} {'sym p50':>8} {'p90':>7} {'fold p50':>8} {'p90':>7}  {'reference':<26} "
          f"{'sym p50':>8} {'p90':>7} {'fold p50':>8} {'p90':>7} {'sym x':>6} {'fold x':>6} {'target':>6}  verdict")


def report(rows: list[Row], args: argparse.Namespace) -> None:
    print(f"bblfsh-lsp (--runtime {args.runtime}) against each language's reference, after a one-character edit: "
          f"ms from the edit sent to the answer read, {args.n} rounds after {args.warmup} warm-up rounds, "
          f"{args.pause:g} s apart")
    print(HEADER)
    for row in rows:
        subject = row.subject
        head = f"{subject.row:<15} {row.size:>8}"
        if row.skipped and row.ours is None:
            print(f"{head} skipped: {row.skipped}")
            continue
        if row.problem and row.ours is None:
            print(f"{head} failed: {row.problem}")
            continue
        ours = row.ours
        assert ours is not None
        reference = "parser-alone" if subject.reference == PARSER else subject.reference
        if row.parser is not None:
            theirs = (row.parser, None)
        elif row.peer is not None:
            theirs = (row.peer.symbols, row.peer.folding)
        else:
            theirs = (None, None)
        symbols, folding, outcome = verdict(row)
        cells = [_ms(ours.symbols), _ms(ours.symbols, 0.9), _ms(ours.folding), _ms(ours.folding, 0.9)]
        their_cells = [_ms(theirs[0]), _ms(theirs[0], 0.9), _ms(theirs[1]), _ms(theirs[1], 0.9)]
        ratios = [f"{value:.2f}" if value is not None else "-" for value in (symbols, folding)]
        why = f"   ({row.skipped or row.problem})" if row.skipped or row.problem else ""
        print(f"{head} {cells[0]:>8} {cells[1]:>7} {cells[2]:>8} {cells[3]:>7}  {reference:<26} "
              f"{their_cells[0]:>8} {their_cells[1]:>7} {their_cells[2]:>8} {their_cells[3]:>7} {ratios[0]:>6} "
              f"{ratios[1]:>6} {subject.target:>6.1f}  {outcome}{why}")
    verdicts = [verdict(row)[2] for row in rows]
    print(f"targets: {verdicts.count('PASS')} PASS, {verdicts.count('FAIL')} FAIL, "
          f"{len(rows) - verdicts.count('PASS') - verdicts.count('FAIL')} not measured")
    print("files (our driver; seconds to the first outline, ours / the peer's):")
    for row in rows:
        if row.origin:
            ready = (f"{row.ours.ready:.2f}" if row.ours else "-") + " / " + (
                f"{row.peer.ready:.2f}" if row.peer else "-")
            print(f"  {row.subject.row}: {row.origin} ({row.driver}; ready {ready})")
    natives = [row for row in rows if row.native]
    if natives:
        print("the native process's round trip (request written, tree read and decoded; not compared), ms p50:")
        for row in natives:
            print(f"  {row.subject.row}: {_ms(row.native)} (parser alone {_ms(row.parser)}, ours documentSymbol "
                  f"{_ms(row.ours.symbols if row.ours else None)})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30, help="measured rounds of each series (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured rounds before each series (default 3)")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between rounds (default 0.1)")
    parser.add_argument("--only", help="rows or languages, comma-separated (default: every row)")
    parser.add_argument("--runtime", default="process", help="our drivers' runtime (default process)")
    parser.add_argument("--quick", action="store_true", help="3 rounds, 1 warm-up round, 0.05 s pause")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.warmup, args.pause = 3, 1, 0.05
    if args.n < 1 or args.warmup < 0 or args.pause < 0:
        parser.error("--n must be at least 1, --warmup and --pause not negative")
    rows = asyncio.run(run(selected(args.only), args))
    report(rows, args)
    return 1 if any(row.problem for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
