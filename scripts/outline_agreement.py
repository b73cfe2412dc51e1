#!/usr/bin/env python3
"""How far our outline agrees with a language's own server, on any tree of real code.

    .venv/bin/python scripts/outline_agreement.py PEER PATH... [--max-files N] [--scores-only] [--json]

PEER is one of the servers `scripts/setup-peers.sh` installs: pyright, typescript-language-server,
gopls, clangd. Every file under PATH in the peer's languages is outlined twice: by bblfsh-lsp
(in-process, as `bblfsh-lsp symbols` does it, on the process runtime) and by the peer over LSP
stdio (textDocument/documentSymbol, hierarchical). A symbol is the key (name, line of its name,
name of its parent symbol, kind class); the report gives, per file and overall, the F1 of the keys
both sides have and, per file, the differences a person reads: symbols only we list, symbols only
the peer lists, and symbols both list with a different kind class.

Both outlines are brought to one form before they are compared, and the same way on both sides:
  - kinds are compared by class (type, callable, value, module), since servers differ on the
    finer kind of the same thing (a Go `type T int` is a Class to gopls; a TypeScript class
    field is a Property to tsserver and a Field to us);
  - a local is no outline symbol: a value (variable, constant, field) under a function or
    method is dropped with what it holds (pyright and tsserver list locals; we do not); what is
    a function is what either side says is one (tsserver's `const f = () => {...}` is a
    constant holding locals, ours a function);
  - names are as the peer would spell the declared name itself: gopls's `(*T).M` is `M` (and
    methods are at top level on both sides), clangd's `N::C::f` and `f<int>` are `f`;
  - what the peer lists that we have no symbol for by design is set aside, counted in the
    report but not compared: its symbols for what has no name (tsserver's `map() callback`,
    clangd's `(anonymous struct)`; their members are lifted to their parent), and pyright's
    instance attributes (`self.x = ...` in a method, listed as the class's).
Exit status: 0 when every file was compared, 1 when some could not be (the peer or our parser
failed on it), 2 on bad arguments or a peer that is not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import attrs

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PEERS_BIN = REPO / ".peers" / "node_modules" / ".bin"
TYPESCRIPT_LIB = REPO / ".peers" / "node_modules" / "typescript" / "lib"

# LSP's SymbolKind numbers by class (lsprotocol's names; 1-26).
KIND_CLASSES: dict[int, str] = {
    **dict.fromkeys((5, 10, 11, 19, 23, 26), "type"),  # Class Enum Interface Object Struct TypeParameter
    **dict.fromkeys((6, 9, 12, 25), "callable"),  # Method Constructor Function Operator
    **dict.fromkeys((7, 8, 13, 14, 15, 16, 17, 18, 20, 21, 22, 24), "value"),  # Property Field Variable ...
    **dict.fromkeys((1, 2, 3, 4), "module"),  # File Module Namespace Package
}
KIND_NAMES = {1: "File", 2: "Module", 3: "Namespace", 4: "Package", 5: "Class", 6: "Method", 7: "Property",
              8: "Field", 9: "Constructor", 10: "Enum", 11: "Interface", 12: "Function", 13: "Variable",
              14: "Constant", 15: "String", 16: "Number", 17: "Boolean", 18: "Array", 19: "Object", 20: "Key",
              21: "Null", 22: "EnumMember", 23: "Struct", 24: "Event", 25: "Operator", 26: "TypeParameter"}


# --- the peers -------------------------------------------------------------------------------------

def _same(name: str) -> str:
    return name


_GO_RECEIVER = re.compile(r"^\(\*?[^()]*\)\.")


def _gopls_name(name: str) -> str:
    """gopls names a method `(*T).M` or `(T).M`: the method's own name is M."""
    return _GO_RECEIVER.sub("", name)


def _without_template_arguments(name: str) -> str:
    out, depth = [], 0
    for char in name:
        depth += char == "<"
        if depth == 0:
            out.append(char)
        depth -= char == ">" and depth > 0
    return "".join(out)


def _clangd_name(name: str) -> str:
    """clangd qualifies out-of-line definitions (`N::C::f`) and spells specializations (`f<int>`):
    the declared name is the last unqualified part. `operator<` and `operator<<` keep their <."""
    if "operator" not in name:
        name = _without_template_arguments(name)
    head, _, tail = name.rpartition("::")
    return tail if head and tail else name


def _named(_name: str) -> bool:
    return False


def _tsserver_invented(name: str) -> bool:
    """tsserver's names for anonymous functions and classes: `<function>`, `<class>`, `map() callback`."""
    return (name.startswith("<") and name.endswith(">")) or name.endswith(" callback")


def _clangd_invented(name: str) -> bool:
    """clangd's `(anonymous struct)`, `(anonymous union)`, `(anonymous namespace)`."""
    return name.startswith("(anonymous")


@attrs.frozen
class Peer:
    """A language server to compare with: how to start it, which files it takes (extension ->
    LSP language id), and how it spells the name of what is declared."""

    name: str
    command: tuple[str, ...]
    languages: Mapping[str, str]
    initialization_options: Mapping[str, Any] = attrs.field(factory=dict)
    declared_name: Callable[[str], str] = _same
    # pyright lists a class's instance attributes (`self.x = ...` in its methods) as members of
    # the class, at their place in the method; our outline does not list them. They are set
    # aside (counted in the report, not compared).
    lists_instance_attributes: bool = False
    # The names a peer gives what has no name of its own (tsserver's `map() callback`,
    # `<function>`; clangd's `(anonymous struct)`): we list no symbol for those.
    invented_name: Callable[[str], bool] = _named
    settings: Mapping[str, Any] = attrs.field(factory=dict)  # workspace/configuration's answers, by section
    installed_by: str = "scripts/setup-peers.sh"

    def executable(self) -> str | None:
        first = self.command[0]
        return first if os.access(first, os.X_OK) else shutil.which(first)


_TS_LANGUAGES = {".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "typescriptreact",
                 ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascriptreact"}
_C_LANGUAGES = {".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp",
                ".hxx": "cpp"}

PEERS: dict[str, Peer] = {peer.name: peer for peer in (
    Peer("pyright", (str(PEERS_BIN / "pyright-langserver"), "--stdio"), {".py": "python", ".pyi": "python"},
         lists_instance_attributes=True,
         settings={"python.analysis": {"typeCheckingMode": "off", "diagnosticMode": "openFilesOnly"}}),
    Peer("typescript-language-server", (str(PEERS_BIN / "typescript-language-server"), "--stdio"), _TS_LANGUAGES,
         initialization_options={"tsserver": {"path": str(TYPESCRIPT_LIB / "tsserver.js")}},
         invented_name=_tsserver_invented),
    Peer("gopls", ("gopls",), {".go": "go"}, declared_name=_gopls_name),
    Peer("clangd", ("clangd", "--log=error"), _C_LANGUAGES, declared_name=_clangd_name,
         invented_name=_clangd_invented),
)}


# --- symbols in one form ---------------------------------------------------------------------------

@attrs.frozen(order=True)
class Key:
    """One symbol as compared: its name, the line of its name (1-based), its parent's name ("" at
    top level) and its kind class."""

    name: str
    line: int
    parent: str
    kind_class: str


@attrs.frozen
class Entry:
    key: Key
    kind: int  # the LSP kind, for the report


@attrs.frozen
class Node:
    """A symbol of either side before it is flattened."""

    name: str
    kind: int
    line: int  # of the name
    first: int  # the lines of the whole symbol
    last: int
    children: tuple[Node, ...] = ()


def _instance_attributes(nodes: Sequence[Node]) -> set[int]:
    """The members of a class that are declared inside one of its methods (their ids)."""
    bodies = [(node.first, node.last) for node in nodes if KIND_CLASSES.get(node.kind) == "callable"]
    return {id(node) for node in nodes if KIND_CLASSES.get(node.kind, "value") == "value" and any(
        first <= node.line <= last for first, last in bodies)}


def callables(symbols: Iterable[Node], declared_name: Callable[[str], str] = _same) -> set[tuple[str, int]]:
    """(name, line) of every callable symbol."""
    found: set[tuple[str, int]] = set()
    stack = list(symbols)
    while stack:
        node = stack.pop()
        if KIND_CLASSES.get(node.kind) == "callable":
            found.add((declared_name(node.name.strip()), node.line))
        stack.extend(node.children)
    return found


def flatten(symbols: Iterable[Node], peer: Peer | None = None, functions: AbstractSet[tuple[str, int]] = frozenset(),
            set_aside: list[Node] | None = None) -> list[Entry]:
    """One side's symbols as keys (the peer's, with its conventions; else ours).

    Locals are dropped: a value under a function, with what it holds. What is a function is
    what either side says is one (`functions`, from `callables` of both): tsserver calls
    `const f = () => {...}` a constant, and lists its locals under it. The peer's symbols for
    what has no name (an anonymous function or type) and a class's instance attributes (pyright)
    are put in `set_aside`, their children lifted to their parent."""
    declared_name = peer.declared_name if peer is not None else _same
    out: list[Entry] = []

    def walk(nodes: Sequence[Node], parent: str, in_callable: bool, in_type: bool = False) -> None:
        hoisted = _instance_attributes(nodes) if peer is not None and peer.lists_instance_attributes and in_type \
            else set()
        for node in nodes:
            kind_class = KIND_CLASSES.get(node.kind, "value")
            name = declared_name(node.name.strip())
            callable_ = kind_class == "callable" or (name, node.line) in functions
            if in_callable and kind_class == "value" and not callable_:
                continue
            if id(node) in hoisted or (peer is not None and peer.invented_name(name)):
                if set_aside is not None:
                    set_aside.append(node)
                if id(node) not in hoisted:  # an anonymous function's or type's members
                    walk(node.children, parent, in_callable or callable_, kind_class == "type")
                continue
            out.append(Entry(Key(name, node.line, parent, kind_class), node.kind))
            walk(node.children, name, in_callable or callable_, kind_class == "type")

    walk(list(symbols), "", False)
    return out


@attrs.frozen
class FileReport:
    path: str
    ours: int = 0
    theirs: int = 0
    matched: int = 0
    ours_only: tuple[Entry, ...] = ()
    peer_only: tuple[Entry, ...] = ()
    kind_differs: tuple[tuple[Entry, Entry], ...] = ()  # (ours, the peer's)
    set_aside: int = 0  # the peer's symbols for anonymous things and instance attributes, not compared
    problem: str | None = None

    @property
    def f1(self) -> float:
        total = self.ours + self.theirs
        return 1.0 if total == 0 else 2 * self.matched / total


def compare(path: str, ours: list[Entry], theirs: list[Entry], set_aside: int = 0) -> FileReport:
    ours_keys = collections.Counter(entry.key for entry in ours)
    their_keys = collections.Counter(entry.key for entry in theirs)
    both = ours_keys & their_keys
    left, right = ours_keys - both, their_keys - both

    def unmatched(entries: list[Entry], counts: collections.Counter[Key]) -> list[Entry]:
        remaining = collections.Counter(counts)
        found = []
        for entry in entries:
            if remaining[entry.key] > 0:
                remaining[entry.key] -= 1
                found.append(entry)
        return found

    ours_only, peer_only = unmatched(ours, left), unmatched(theirs, right)
    # The same symbol with another kind class is reported once, as such.
    by_place: dict[tuple[str, int, str], list[Entry]] = collections.defaultdict(list)
    for entry in peer_only:
        by_place[(entry.key.name, entry.key.line, entry.key.parent)].append(entry)
    differs, still_ours = [], []
    for entry in ours_only:
        candidates = by_place.get((entry.key.name, entry.key.line, entry.key.parent))
        if candidates:
            differs.append((entry, candidates.pop(0)))
        else:
            still_ours.append(entry)
    paired = {id(theirs_entry) for _, theirs_entry in differs}
    still_peer = [entry for entry in peer_only if id(entry) not in paired]
    return FileReport(path, ours=len(ours), theirs=len(theirs), matched=sum(both.values()),
                      ours_only=tuple(still_ours), peer_only=tuple(still_peer), kind_differs=tuple(differs),
                      set_aside=set_aside)


# --- our outline -----------------------------------------------------------------------------------

class OurOutline:
    """bblfsh-lsp's outline of files, in this process (the driver service of the process runtime)."""

    def __init__(self) -> None:
        from driver_runtime.registry import Registry
        from driver_runtime.runtimes.process import ProcessRuntime
        from driver_runtime.service import DriverService

        self.service = DriverService(ProcessRuntime(), Registry.bundled())

    async def symbols(self, path: str) -> list[Node]:
        from bblfsh_lsp.parsing import parse_file
        from bblfsh_lsp.positions import TextIndex
        from driver_runtime.sdk.outline import Symbol, outline, symbol_kinds

        parsed = await parse_file(self.service, path)
        tree = parsed.result.uast if parsed.result is not None else None
        if parsed.problem is not None or not isinstance(tree, dict) or parsed.text is None:
            raise RuntimeError(parsed.describe_errors() or f"{path}: no tree")
        index = TextIndex(parsed.text, "utf-8")
        manifest = self.service.manifest(parsed.language)
        kinds = symbol_kinds(manifest.symbol_kinds) if manifest is not None else {}

        def line(offset: int) -> int:
            return index.lines.line_col(offset)[0]

        def node(symbol: Symbol) -> Node:
            return Node(symbol.name, int(symbol.kind), line(symbol.name_start), line(symbol.start),
                        line(symbol.end), tuple(node(child) for child in symbol.children))

        return [node(symbol) for symbol in outline(tree, index, kinds=kinds)]

    async def close(self) -> None:
        await self.service.close()


# --- the peer's outline ----------------------------------------------------------------------------

class PeerOutline:
    """A peer language server over stdio, one for all the files (each opened, asked, closed)."""

    def __init__(self, peer: Peer, timeout: float):
        self.peer, self.timeout = peer, timeout
        self.root = tempfile.TemporaryDirectory(prefix="outline-agreement-")  # an empty workspace
        self.client: Any = None

    async def start(self) -> None:
        from lsprotocol import types
        from pygls.lsp.client import LanguageClient

        client = self.client = LanguageClient("outline-agreement", "1")
        for method in (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, types.WINDOW_LOG_MESSAGE,
                       types.WINDOW_SHOW_MESSAGE, "$/progress", "window/workDoneProgress/create",
                       "client/registerCapability", "$/typescriptVersion"):
            client.feature(method)(lambda _params: None)
        # The peer's own settings for what it asks (pyright: no type checking, which the outline
        # does not need), else its defaults (null).
        settings = self.peer.settings
        client.feature(types.WORKSPACE_CONFIGURATION)(
            lambda params: [settings.get(item.section or "") for item in params.items])
        await client.start_io(*self.peer.command)
        root = Path(self.root.name).as_uri()
        capabilities = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
            document_symbol=types.DocumentSymbolClientCapabilities(hierarchical_document_symbol_support=True)))
        await asyncio.wait_for(client.initialize_async(types.InitializeParams(
            capabilities=capabilities, root_uri=root, process_id=os.getpid(),
            workspace_folders=[types.WorkspaceFolder(uri=root, name="outline-agreement")],
            initialization_options=dict(self.peer.initialization_options) or None)), self.timeout)
        client.initialized(types.InitializedParams())

    async def symbols(self, path: str) -> list[Node]:
        from lsprotocol import types

        file = Path(path).resolve()
        uri = file.as_uri()
        text = file.read_text(encoding="utf-8")
        language = self.peer.languages[file.suffix]
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
        try:
            answer = await asyncio.wait_for(self.client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))), self.timeout)
        finally:
            self.client.text_document_did_close(types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=uri)))
        return _peer_nodes(answer or [])

    async def close(self) -> None:
        if self.client is not None:
            from pygls.exceptions import JsonRpcException

            # A peer that died or hangs is stopped below all the same.
            with contextlib.suppress(TimeoutError, OSError, RuntimeError, JsonRpcException):
                await asyncio.wait_for(self.client.shutdown_async(None), 10)
                self.client.exit(None)
            await self.client.stop()
        self.root.cleanup()


def _peer_nodes(answer: list[Any]) -> list[Node]:
    """DocumentSymbol trees as they are; flat SymbolInformation nested by containerName is not
    needed: every peer here answers hierarchically when asked to."""
    from lsprotocol import types

    def node(symbol: Any) -> Node:
        if isinstance(symbol, types.SymbolInformation):
            where = symbol.location.range
            return Node(symbol.name, int(symbol.kind), where.start.line + 1, where.start.line + 1, where.end.line + 1)
        return Node(symbol.name, int(symbol.kind), symbol.selection_range.start.line + 1,
                    symbol.range.start.line + 1, symbol.range.end.line + 1,
                    tuple(node(child) for child in symbol.children or ()))

    return [node(symbol) for symbol in answer]


# --- the run ---------------------------------------------------------------------------------------

SKIPPED_FOLDERS = frozenset((".git", ".hg", ".svn", "__pycache__", ".peers", ".venv"))


def files_of(paths: Sequence[str], extensions: Iterable[str]) -> Iterator[str]:
    """The files in the peer's languages: named ones as given, folders walked in sorted order."""
    wanted = frozenset(extensions)
    for path in paths:
        if os.path.isfile(path):
            if Path(path).suffix in wanted:
                yield path
            continue
        for folder, folders, names in os.walk(path):
            folders[:] = sorted(name for name in folders if name not in SKIPPED_FOLDERS)
            for name in sorted(names):
                full = os.path.join(folder, name)
                if Path(name).suffix in wanted and os.path.isfile(full) and not os.path.islink(full):
                    yield full


@attrs.frozen
class Report:
    peer: str
    files: tuple[FileReport, ...]

    @property
    def compared(self) -> list[FileReport]:
        return [report for report in self.files if report.problem is None]

    @property
    def f1(self) -> float:
        matched = sum(report.matched for report in self.compared)
        total = sum(report.ours + report.theirs for report in self.compared)
        return 1.0 if total == 0 else 2 * matched / total


async def run(peer: Peer, paths: Sequence[str], max_files: int | None = None, timeout: float = 120.0,
              on_file: Callable[[FileReport], None] | None = None) -> Report:
    """Compare every file; a file one side cannot outline is reported with its problem."""
    from pygls.exceptions import JsonRpcException

    files = list(files_of(paths, peer.languages))[:max_files]
    ours, theirs = OurOutline(), PeerOutline(peer, timeout)
    reports = []
    try:
        await theirs.start()
        for path in files:
            try:
                our_symbols = await ours.symbols(path)
                their_symbols = await theirs.symbols(path)
            except (OSError, UnicodeDecodeError, RuntimeError, TimeoutError, JsonRpcException) as exc:
                report = FileReport(path, problem=f"{type(exc).__name__}: {exc}"[:500])
            else:
                functions = callables(our_symbols) | callables(their_symbols, peer.declared_name)
                aside: list[Node] = []
                report = compare(path, flatten(our_symbols, functions=functions),
                                 flatten(their_symbols, peer, functions, aside), set_aside=len(aside))
            reports.append(report)
            if on_file is not None:
                on_file(report)
    finally:
        await theirs.close()
        await ours.close()
    return Report(peer.name, tuple(reports))


def _describe(entry: Entry) -> str:
    key = entry.key
    where = f" in {key.parent}" if key.parent else ""
    return f"{key.line}: {KIND_NAMES.get(entry.kind, entry.kind)} {key.name}{where}"


def describe_file(report: FileReport, scores_only: bool = False) -> list[str]:
    if report.problem is not None:
        return [f"{report.path}: not compared: {report.problem}"]
    aside = f"; set aside: {report.set_aside} of the peer's" if report.set_aside else ""
    counts = f"ours {report.ours}, peer {report.theirs}, both {report.matched}{aside}"
    lines = [f"{report.path}: F1 {report.f1:.3f} ({counts})"]
    if scores_only:
        return lines
    lines += [f"  ours only   {_describe(entry)}" for entry in report.ours_only]
    lines += [f"  peer only   {_describe(entry)}" for entry in report.peer_only]
    lines += [f"  kind differs {_describe(ours)} / peer: {KIND_NAMES.get(theirs.kind, theirs.kind)}"
              for ours, theirs in report.kind_differs]
    return lines


def as_data(report: Report) -> dict[str, Any]:
    def entry(item: Entry) -> dict[str, Any]:
        return {**attrs.asdict(item.key), "kind": KIND_NAMES.get(item.kind, item.kind)}

    return {"peer": report.peer, "f1": report.f1, "files": [
        {"path": file.path, "f1": file.f1, "ours": file.ours, "peer": file.theirs, "both": file.matched,
         "set_aside": file.set_aside, "problem": file.problem, "ours_only": [entry(item) for item in file.ours_only],
         "peer_only": [entry(item) for item in file.peer_only],
         "kind_differs": [{"ours": entry(ours), "peer": entry(theirs)} for ours, theirs in file.kind_differs]}
        for file in report.files]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("peer", choices=sorted(PEERS))
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--max-files", type=int, default=None, help="compare at most this many files")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for one answer of the peer")
    parser.add_argument("--scores-only", action="store_true", help="no differences, only the F1 of each file")
    parser.add_argument("--json", action="store_true", help="one JSON object with everything, at the end")
    args = parser.parse_args(argv)
    try:
        import pygls  # noqa: F401

        import bblfsh_lsp  # noqa: F401
    except ImportError as exc:
        print(f"{exc}: run this with the checkout's environment (.venv/bin/python {sys.argv[0]})",
              file=sys.stderr)
        return 2
    peer = PEERS[args.peer]
    if peer.executable() is None:
        print(f"{peer.name} is not installed ({peer.command[0]}): run {peer.installed_by}", file=sys.stderr)
        return 2

    def show(report: FileReport) -> None:
        if not args.json:
            print("\n".join(describe_file(report, args.scores_only)), flush=True)

    report = asyncio.run(run(peer, args.paths, args.max_files, args.timeout, on_file=show))
    if args.json:
        print(json.dumps(as_data(report), indent=1))
    else:
        compared = report.compared
        print(f"overall: F1 {report.f1:.3f} over {len(compared)} files "
              f"(ours {sum(r.ours for r in compared)}, peer {sum(r.theirs for r in compared)}, "
              f"both {sum(r.matched for r in compared)}); not compared: {len(report.files) - len(compared)}")
    return 0 if all(file.problem is None for file in report.files) else 1


if __name__ == "__main__":
    sys.exit(main())
