"""What the driver tests (tests/test_driver_*.py, tests/test_python_driver.py) check alike.

A plain module, imported by those tests as they import tests/conftest.py: trees and spans,
Babelfish's roles, conformance with Babelfish's fixtures through ../shared/tools/uast_score.py,
a driver through the process runtime and in a container, and the language server end to end.
What is particular to a language (its samples, its expected shapes, its thresholds) stays in
its test file.

A missing toolchain or container engine skips a test, or fails it under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1 / BBLFSH_LSP_REQUIRE_CONTAINERS=1 (conftest.toolchain_unavailable,
conftest.containers_unavailable).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import attrs
import pytest
import pytest_lsp
from conftest import SHARED, containers_unavailable, toolchain_unavailable
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from driver_runtime import images, uast
from driver_runtime.protocol import METHOD_PARSE, Manifest, Mode, ParseRequest, ParseResult, converter
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec, Instance, Runtime
from driver_runtime.runtimes.process import ProcessRuntime

Node = dict[str, Any]
D = TypeVar("D")

# The roles Babelfish's drivers use (all of them, from the conformance corpus).
BABELFISH_ROLES = set(
    "Add Alias And Annotation Anonymous ArgsList Argument Arithmetic Assert Assignment Base Binary "
    "Bitwise Block Body Boolean Break Byte Call Callee Case Catch Character Comment Condition Contains "
    "Continue Declaration Decrement Default Dereference Divide DoWhile Documentation Else Entry "
    "Enumeration Equal Expression File Finally For Function Goto GreaterThan GreaterThanOrEqual "
    "Identical Identifier If Import Incomplete Increment Initialization Instance Iterator Key Left "
    "LeftShift LessThan LessThanOrEqual List Literal Map Module Modulo Multiply Name Negative Noop Not "
    "Null Number Operator Or Package Pathname Positional Positive Postfix Primitive Qualified Receiver "
    "Regexp Relational Return Right RightShift Scope Set Statement String Substract Subtype Switch "
    "TakeAddress Then This Throw Try Tuple Type Unannotated Unary Unsigned Update Value Variable "
    "Visibility While World Xor".split()
)


# --- trees ---------------------------------------------------------------------------------------


def nodes(tree: Any) -> list[Node]:
    """Every object in the tree, parents before children."""
    return list(uast.walk(tree))


def of_type(tree: Any, node_type: str) -> list[Node]:
    """The tree's nodes of one @type, in order."""
    return [node for node in nodes(tree) if node.get("@type") == node_type]


def types_in(tree: Any) -> set[str]:
    """The @types in the tree ("" for objects without one)."""
    return {node.get("@type", "") for node in nodes(tree)}


def text_of(source: str, node: Node) -> str:
    """The text a node spans (its @pos are UTF-8 byte offsets); the node must have a span."""
    span = uast.span(node)
    assert span is not None, node
    return source.encode("utf-8")[span[0]:span[1]].decode("utf-8")


def assert_true_spans(source: str, tree: Any, *, whole: bool = False, every_offset: bool = False) -> None:
    """Every node's start and end inside the source's UTF-8 bytes, the start not after the end,
    and the span on character boundaries.

    whole: a node with positions has both a start and an end.
    every_offset: every named offset in @pos (go/ast's Lbrace, ...) is inside the source too.
    """
    data = source.encode("utf-8")
    for node in nodes(tree):
        pos = node.get("@pos") or {}
        if every_offset:
            for name, offset in pos.items():
                assert 0 <= offset <= len(data), (name, node)
        if whole and pos:
            assert pos.get("start") is not None and pos.get("end") is not None, node  # whole spans or none
        for offset in (pos.get("start"), pos.get("end")):
            assert offset is None or 0 <= offset <= len(data), node
        span = uast.span(node)
        if span is not None:
            assert span[0] <= span[1], node
            data[span[0]:span[1]].decode("utf-8")  # raises if a span cuts a character


def assert_names_spanned(source: str, tree: Any, kinds: Iterable[str] = ("uast:Identifier",), *,
                         unless: Callable[[Node], bool] = lambda node: False, where: Any = None) -> None:
    """Every positioned node of these kinds spans its name (its Name, else its @token), but the
    nodes `unless` excuses; `where` names the file in a failure."""
    kinds = set(kinds)
    for node in nodes(tree):
        if node.get("@type") in kinds and "@pos" in node and not unless(node):
            assert text_of(source, node) == node.get("Name", node.get("@token")), (where, node)


def assert_native(tree: Any) -> None:
    """A native-mode tree: the parser's own node types only, and no roles."""
    assert not any(kind.startswith("uast:") for kind in types_in(tree))
    assert not any("@role" in node for node in nodes(tree))


def assert_roles_added(native: Any, annotated: Any, *, every_node: bool = False, ordered: bool = False) -> None:
    """Annotated mode is native mode plus roles: the same node types, and every typed node (every
    object, with every_node) has roles, all of them Babelfish's (in sorted order, with ordered)."""
    assert types_in(annotated) == types_in(native)
    for node in nodes(annotated):
        if every_node or "@type" in node:
            roles = node.get("@role")
            assert roles and set(roles) <= BABELFISH_ROLES, node
            if ordered:
                assert list(roles) == sorted(roles), node


def assert_role_tables(tables: Iterable[Iterable[str]], *, ordered: bool = True) -> None:
    """A driver's role tables name Babelfish's roles only (each table sorted, with ordered)."""
    tables = [list(roles) for roles in tables]
    used = {role for roles in tables for role in roles}
    assert used <= BABELFISH_ROLES, used - BABELFISH_ROLES
    if ordered:
        assert all(roles == sorted(roles) for roles in tables)


def timed_parses(parse: Callable[[], ParseResult], runs: int = 3) -> tuple[list[ParseResult], list[float]]:
    """One parse to warm up, then `runs` timed ones: their results and seconds.  Compare the best
    of several runs to a bound: a busy machine slows one run, not the code."""
    parse()
    results, seconds = [], []
    for _ in range(runs):
        started = time.perf_counter()
        results.append(parse())
        seconds.append(time.perf_counter() - started)
    return results, seconds


# --- the driver, prepared ------------------------------------------------------------------------


def require_prepared(driver: D, *commands: str) -> D:
    """The driver, if the commands it runs are installed and its native parser is prepared;
    else a skip (a failure under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1)."""
    for command in commands:
        if shutil.which(command) is None:
            toolchain_unavailable(f"{command} is not installed (scripts/setup-toolchains.sh installs it)")
    missing = driver.check_prepared()  # type: ignore[attr-defined]
    if missing:
        toolchain_unavailable(missing)
    return driver


def require_runs(driver: D, probe: ParseRequest) -> D:
    """The driver, if it parses `probe` into a tree: prepared bindings can still fail to load
    their library (libclang), and one parse tells; else a skip (a failure under
    BBLFSH_LSP_REQUIRE_TOOLCHAINS=1)."""
    result = driver.parse(probe)  # type: ignore[attr-defined]
    if result.uast is None:
        toolchain_unavailable(f"the {driver.manifest.language} parser does not run here: "  # type: ignore[attr-defined]
                              f"{[error.message for error in result.errors]}")
    return driver


def driver_fixture(make: Callable[[], D], *commands: str) -> Any:
    """A module-scoped fixture: the driver `make` gives, prepared (require_prepared), its native
    parser closed after the module's tests.  `make` may skip by itself (toolchain_unavailable)."""

    @pytest.fixture(scope="module")
    def driver() -> Iterator[D]:
        made = require_prepared(make(), *commands)
        try:
            yield made
        finally:
            made.native.close()  # type: ignore[attr-defined]

    return driver


# --- conformance with Babelfish's fixtures -------------------------------------------------------

SCORER = SHARED / "tools" / "uast_score.py"


def conformance_fixtures(language: str) -> Path:
    """Babelfish's fixtures for a language (../shared/conformance/LANGUAGE)."""
    return SHARED / "conformance" / language


def needs_fixtures(fixtures: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not fixtures.is_dir(), reason="../shared (conformance corpus) is absent")


def needs_scorer(fixtures: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SCORER.exists() or not fixtures.is_dir(),
                              reason="../shared (conformance corpus) is absent")


def fixture_trees(fixtures: Path, extension: str, parse: Callable[[str], ParseResult]) -> Iterator[tuple[Path, str, Any]]:
    """(path, source, tree) for every fixture with this extension, in name order; the one that
    gives no tree must be the syntax-error fixture (_syntax_error.EXT)."""
    for path in sorted(fixtures.glob(f"*{extension}")):
        source = path.read_text(encoding="utf-8")
        result = parse(source)
        if result.uast is None:
            assert path.name == f"_syntax_error{extension}", (path.name, result.errors)
            continue
        yield path, source, result.uast


def clean_where_a_tree(parse: Callable[[str], ParseResult]) -> Callable[[str], ParseResult]:
    """`parse`, failing where a result has both a tree and errors (an error the parser recovered
    from): for fixture_trees where every fixture but the syntax error must parse cleanly."""

    def parse_cleanly(source: str) -> ParseResult:
        result = parse(source)
        assert result.uast is None or result.ok, (source[:80], result.errors)
        return result

    return parse_cleanly


def load_scorer() -> ModuleType:
    """../shared/tools/uast_score.py, as a module."""
    spec = importlib.util.spec_from_file_location("uast_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def conformance_row(driver: Any, fixtures: Path, language: str, worst: int = 10) -> dict[str, Any]:
    """The scorer's row (score_lang) for the fixtures, with `driver` parsing in this process where
    the scorer would run the CLI.  Skips without PyYAML, which the scorer needs."""
    pytest.importorskip("yaml")
    scorer = load_scorer()

    def run_in_process(_cmd: str, files: list[str]) -> dict[str, Any]:
        """The scorer's run_cmd, with this driver in process instead of the CLI."""
        out = {}
        for path in files:
            text = Path(path).read_text(encoding="utf-8")
            result = driver.parse(ParseRequest(content=text, filename=path, mode=Mode.SEMANTIC))
            tree = None
            if result.uast is not None:
                tree = uast.to_babelfish(result.uast, uast.LineStarts(text.encode("utf-8")))
            out[path] = {"path": path, "uast": tree, "errors": [e.message for e in result.errors]}
        return out

    scorer.run_cmd = run_in_process
    return scorer.score_lang("", str(fixtures), language, worst)


def assert_conformance(row: dict[str, Any], *, loose: float, strict: float, syntax_errors: str = "1/1") -> None:
    """Every fixture parsed, the syntax-error fixtures reported as such (`syntax_errors`, or "all"
    of however many there are), and loose and strict F1 at least these floors."""
    if syntax_errors == "all":
        reported, expected = row["syntax_errors_reported"].split("/")
        assert reported == expected, row
    else:
        assert row["syntax_errors_reported"] == syntax_errors, row
    assert row["parsed"] == row["files"], row
    assert row["loose_f1"] >= loose, row
    assert row["strict_f1"] >= strict, row


# --- the driver through the runtimes: process and docker -----------------------------------------


def bundled_spec(language: str, **changes: Any) -> DriverSpec:
    """The bundled driver's spec, with these fields changed (image=..., digest=...)."""
    spec = Registry.bundled().get(language)
    assert spec is not None, f"the {language} driver is not bundled"
    return attrs.evolve(spec, **changes)


def runtime_requests(language: str, samples: Sequence[tuple[str, str]],
                     fixtures: Iterable[Path] = ()) -> list[ParseRequest]:
    """Parse requests: each (filename, text) sample in every mode, then each fixture file in
    semantic mode."""
    requests = [ParseRequest(content=text, filename=name, language=language, mode=mode)
                for name, text in samples for mode in Mode]
    requests += [ParseRequest(content=path.read_text(encoding="utf-8"), filename=path.name, language=language)
                  for path in fixtures]
    return requests


def describe(request: Any) -> str:
    """A request, for a failure message: its file and mode."""
    if isinstance(request, ParseRequest):
        return f"{request.filename} ({Mode(request.mode).value})"
    return repr(request)[:80]


async def answers(instance: Instance, requests: Iterable[Any]) -> list[dict[str, Any]]:
    """The instance's answer to each parse request, in order."""
    return [await instance.request(METHOD_PARSE, request, timeout=60) for request in requests]


async def served(runtime: Runtime, spec: DriverSpec, requests: Sequence[Any]) -> tuple[Manifest, list[dict[str, Any]]]:
    """The driver started on `runtime`: its health, then its answers to the requests; the driver
    stopped and the runtime closed after."""
    instance = await runtime.start(spec)
    try:
        health = await instance.health()
        return health, await answers(instance, requests)
    finally:
        try:
            await instance.stop()
        finally:
            await runtime.close()


def assert_answers_as_in_process(driver: Any, requests: Sequence[ParseRequest], got: Sequence[Any]) -> None:
    """A runtime answered each request exactly as the driver parses it in this process."""
    assert len(got) == len(requests)
    for request, answer in zip(requests, got):
        assert answer == converter.unstructure(driver.parse(request)), describe(request)


@attrs.frozen
class DriverImage:
    """A driver image built from this working tree for a test: the engine's client, its tag, its id."""

    client: Any
    tag: str
    id: str
    spec: DriverSpec  # the bundled driver's spec, without the image


def driver_image_fixture(language: str, *, timeout: int = 900,
                         build_failed: Callable[[str], Any] = containers_unavailable) -> Any:
    """A module-scoped fixture: the language's driver image, built under a test tag, its
    containers and the tag removed after the module's tests.  Without an engine or the base
    image: containers_unavailable; a failed build: `build_failed` (containers_unavailable too,
    or pytest.fail where the build is what is tested)."""

    @pytest.fixture(scope="module")
    def image() -> Iterator[DriverImage]:
        from driver_runtime.runtimes.docker import DockerRuntime

        availability = DockerRuntime.probe()
        if not availability.ok:
            containers_unavailable(availability.reason)
        import docker

        client = docker.from_env(timeout=timeout)
        tag = f"bblfsh-lsp/driver-{language}:test-{os.getpid()}"
        spec = bundled_spec(language)
        try:
            try:
                client.images.get(images.BASE_IMAGE)
            except docker.errors.ImageNotFound:
                containers_unavailable(f"the base image {images.BASE_IMAGE} is missing (images/base/build.sh)")
            try:
                image_id = images.build(client, spec, tag=tag)
            except Exception as exc:
                build_failed(f"the {language} driver's image {tag} cannot be built: {exc}")
            yield DriverImage(client=client, tag=tag, id=image_id, spec=spec)
        finally:
            with contextlib.suppress(Exception):
                for container in client.api.containers(all=True, filters={"ancestor": tag}):
                    client.api.remove_container(container["Id"], force=True)
            try:
                with contextlib.suppress(docker.errors.ImageNotFound):
                    client.images.remove(tag, force=True)
            finally:
                client.close()

    return image


def assert_image_labels(image: DriverImage) -> None:
    """The image's labels describe the driver: its language and its symbol kinds."""
    manifest = images.manifest_from_labels(image.client.images.get(image.tag).labels)
    assert manifest is not None, image.tag
    assert manifest.language == image.spec.language
    assert manifest.symbol_kinds == image.spec.manifest.symbol_kinds


async def assert_docker_answers_as_process(image: DriverImage,
                                           requests: Sequence[Any]) -> tuple[Manifest, list[dict[str, Any]]]:
    """The driver in a container of the test image answers each request exactly as the driver
    served by the process runtime; gives the container's health and answers."""
    from driver_runtime.runtimes.docker import DockerRuntime

    _, expected = await served(ProcessRuntime(), image.spec, requests)
    health, got = await served(DockerRuntime(), attrs.evolve(image.spec, image=image.tag, digest=image.id), requests)
    assert health.language == image.spec.language
    assert len(got) == len(expected) == len(requests)
    for request, want, have in zip(requests, expected, got):
        assert have == want, f"{describe(request)}: docker differs from process"
    return health, got


# --- the language server end to end --------------------------------------------------------------

CLIENTS = ["visual-studio-code", "neovim"]  # utf-16 and utf-8 positions


@attrs.define
class RawResponse:
    """Keeps a custom method's result as JSON (pygls turns unknown results into namedtuples)."""

    id: int | str
    jsonrpc: str
    result: Any = None


def raw_results_for_custom_methods(client: LanguageClient) -> None:
    known = client.protocol.get_result_type
    client.protocol.get_result_type = lambda method: RawResponse if method.startswith("bblfsh/") else known(method)


def lsp_client_fixture(workspace_files: Mapping[str, str], ready: Callable[[], Any] | None = None,
                       options: Mapping[str, Any] | None = None) -> Any:
    """A pytest-lsp fixture: the language server (`bblfsh-lsp serve` over stdio) driven as each
    of CLIENTS drives it, in a new workspace folder holding `workspace_files` (relative path ->
    text), with `options` as its initializationOptions.  `ready` is called first: it skips
    (toolchain_unavailable) where the driver cannot run.  The client's workspace_path is the
    folder; bblfsh/* results come as JSON."""

    @pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "bblfsh_lsp", "serve"]),
                        params=CLIENTS)
    async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient,
                     tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
        if ready is not None:
            ready()
        workspace = tmp_path_factory.mktemp("workspace")
        for name, text in workspace_files.items():
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            (workspace / name).write_text(text, encoding="utf-8")
        lsp_client.workspace_path = workspace  # type: ignore[attr-defined]
        raw_results_for_custom_methods(lsp_client)
        await lsp_client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
            initialization_options=dict(options) if options is not None else None,
        ))
        yield
        await lsp_client.shutdown_session()

    return client


def utf8(client: LanguageClient) -> bool:
    """Whether the client negotiated UTF-8 positions (else they are UTF-16 units)."""
    encodings = client.capabilities.general.position_encodings if client.capabilities.general else None
    return bool(encodings) and encodings[0] == "utf-8"


def column(client: LanguageClient, line_text: str, prefix: str) -> int:
    """Where `prefix` ends on a line, in the units this client negotiated."""
    before = line_text[: len(prefix)]
    return len(before.encode("utf-8")) if utf8(client) else len(before.encode("utf-16-le")) // 2


async def open_document(client: LanguageClient, name: str, text: str, language: str) -> str:
    """Opens `name` (in the client's workspace) with this text; gives its URI."""
    uri = (client.workspace_path / name).as_uri()  # type: ignore[attr-defined]
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
    return uri


async def document_symbols(client: LanguageClient, uri: str) -> list[types.DocumentSymbol]:
    """The document's outline (textDocument/documentSymbol)."""
    return await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))


def symbol_tree(symbols: Iterable[Any] | None) -> list[tuple[str, Any, list]]:
    """An outline as (name, kind, children) tuples, nested."""
    return [(symbol.name, symbol.kind, symbol_tree(symbol.children)) for symbol in symbols or []]


async def folding_ranges(client: LanguageClient, uri: str) -> list[types.FoldingRange]:
    """The document's folding ranges (textDocument/foldingRange)."""
    return await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=uri)))


async def selection_chain(client: LanguageClient, uri: str, position: types.Position) -> list[types.Range]:
    """The selection ranges at a position (textDocument/selectionRange), innermost first."""
    ranges = await client.text_document_selection_range_async(types.SelectionRangeParams(
        text_document=types.TextDocumentIdentifier(uri=uri), positions=[position]))
    chain = []
    current = ranges[0]
    while current is not None:
        chain.append(current.range)
        current = current.parent
    return chain


async def structural_query(client: LanguageClient, query: str, uri: str | None = None) -> list[dict[str, Any]]:
    """The matches of a structural query (bblfsh/query): in one document, or the whole workspace."""
    params: dict[str, Any] = {"query": query}
    if uri is not None:
        params["textDocument"] = {"uri": uri}
    return await client.protocol.send_request_async("bblfsh/query", params)
