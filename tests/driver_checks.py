"""What the driver tests check alike: the helpers of the driver suite (tests/test_drivers.py),
and the declarations each driver fills in there (tests/driver_cases/LANGUAGE.py).

A plain module, imported by the tests as they import tests/conftest.py: trees and spans,
Babelfish's roles, conformance with Babelfish's fixtures through ../shared/tools/uast_score.py,
a driver through the process runtime and in a container, and the language server end to end.
What is particular to a language (its samples, its expected shapes, its thresholds, its own
tests) is its DriverCase.

A missing toolchain or container engine skips a test, or fails it under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1 / BBLFSH_LSP_REQUIRE_CONTAINERS=1 (conftest.toolchain_unavailable,
conftest.containers_unavailable).
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
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
from uast_checks import assert_true_spans

from bblfsh_lsp.positions import TextIndex
from driver_runtime import images
from driver_runtime.registry import Registry
from driver_runtime.runtimes.base import DriverSpec, Instance, Runtime
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk import uast
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.outline import outline, symbol_kinds
from driver_runtime.sdk.protocol import METHOD_PARSE, Manifest, Mode, ParseRequest, ParseResult, converter

D = TypeVar("D")


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


@contextlib.contextmanager
def built_driver_image(language: str, *, timeout: int = 900,
                       build_failed: Callable[[str], Any] = containers_unavailable) -> Iterator[DriverImage]:
    """The language's driver image, built from this working tree under a test tag; its
    containers and the tag removed after.  Without an engine or the base image:
    containers_unavailable; a failed build: `build_failed` (containers_unavailable too, or
    pytest.fail where the build is what is tested)."""
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
    return _lsp_client_fixture(lambda request: (workspace_files, ready, options))


def case_lsp_client_fixture() -> Any:
    """lsp_client_fixture for the driver suite: the workspace of the test's `case` (its
    Lsp.files), ready where its driver is prepared."""

    def setup(request: pytest.FixtureRequest) -> tuple[Mapping[str, str], Callable[[], Any], None]:
        case: DriverCase = request.getfixturevalue("case")
        assert case.lsp is not None, f"the {case.language} driver declares no language server tests"
        return case.lsp.files, case.prepared, None

    return _lsp_client_fixture(setup)


def _lsp_client_fixture(setup: Callable[[pytest.FixtureRequest], tuple[Mapping[str, str], Callable[[], Any] | None,
                                                                        Mapping[str, Any] | None]]) -> Any:
    """The pytest-lsp fixture both of the above make: `setup` gives the workspace files, the
    readiness check and the options for the test that asks."""

    @pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "bblfsh_lsp", "serve"]),
                        params=CLIENTS)
    async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient,
                     tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
        workspace_files, ready, options = setup(request)
        if ready is not None:
            ready()
        workspace = tmp_path_factory.mktemp("workspace")
        for name, text in workspace_files.items():
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            (workspace / name).write_text(text, encoding="utf-8")
        lsp_client.workspace_path = workspace  # type: ignore[attr-defined]
        raw_results_for_custom_methods(lsp_client)

        @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def registered(_params: Any) -> None:  # as the editors answer the server's ask to watch files
            return None

        # The workspace index (a background process per server) only where a test asks for it:
        # the other tests are about other things, and CI's two cores are shared.
        await lsp_client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
            initialization_options={"workspaceIndex": False, **(options or {})},
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


@attrs.frozen
class Document:
    """A file the language server tests open: its name in the workspace, its text, its LSP
    language id."""

    name: str
    text: str
    language: str

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def line_of(self, prefix: str, after: int = 0) -> int:
        """The 0-based number of the first line from `after` that starts with `prefix`."""
        lines = self.lines
        return next(number for number in range(after, len(lines)) if lines[number].startswith(prefix))


@attrs.frozen
class Editor:
    """The language server as an editor drives it (a pytest-lsp client, with one of CLIENTS'
    capabilities): what the language server tests ask, positions in the units it negotiated."""

    client: LanguageClient

    async def open(self, document: Document) -> str:
        """Opens the document in the client's workspace; gives its URI."""
        return await open_document(self.client, document.name, document.text, document.language)

    def column(self, line_text: str, prefix: str) -> int:
        return column(self.client, line_text, prefix)

    async def symbols(self, uri: str) -> list[types.DocumentSymbol]:
        return await document_symbols(self.client, uri)

    async def folds(self, uri: str) -> list[types.FoldingRange]:
        return await folding_ranges(self.client, uri)

    async def selection(self, uri: str, position: types.Position) -> list[types.Range]:
        return await selection_chain(self.client, uri, position)

    async def query(self, query: str, uri: str | None = None) -> list[dict[str, Any]]:
        return await structural_query(self.client, query, uri)

    async def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """The diagnostics the server publishes for the document, once it has."""
        await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return self.client.diagnostics[uri]


def outline_symbols(driver: Any, source: str, tree: Any) -> list[Any]:
    """The outline the language server makes of a tree of `source` (driver_runtime.sdk.outline), with
    the driver's symbol kinds."""
    return outline(tree, TextIndex(source), kinds=symbol_kinds(driver.manifest.symbol_kinds))


# --- a driver in the suite (tests/test_drivers.py) -----------------------------------------------


@attrs.frozen(eq=False)
class Check:
    """One of a driver's own tests: `test` called with each of `arguments` (one test each, named
    by `ids`), and with what its other parameters name: `parse` (the driver's parse, as
    DriverCase.parser gives it), `spanned` (the tree it gives, its spans checked), `driver`,
    `editor` (the language server in the case's workspace, as each of CLIENTS drives it) and
    `uri` (its Lsp.document's, opened there), or any pytest fixture (tmp_path, ...)."""

    test: Callable[..., Any]
    arguments: tuple[Mapping[str, Any], ...] = ({},)
    ids: tuple[str, ...] = ("",)
    marks: tuple[Any, ...] = ()

    @property
    def name(self) -> str:
        return self.test.__name__

    @property
    def uses_editor(self) -> bool:
        return "editor" in inspect.signature(self.test).parameters

    def call(self, request: pytest.FixtureRequest, arguments: Mapping[str, Any], **given: Any) -> Any:
        """Calls the test with these arguments, what of `given` it names, and the fixtures it names."""
        names = [name for name in inspect.signature(self.test).parameters if name not in arguments]
        return self.test(**arguments, **{name: given[name] if name in given else request.getfixturevalue(name)
                                         for name in names})


class Checks(list[Check]):
    """A driver's own tests, in the order written: `@checks.add` (or `@checks.add(marks=...)`)
    registers a test run once, `@checks.each("a, b", [(1, 2), ...], ids=...)` one run per
    values, as pytest.mark.parametrize."""

    def add(self, test: Callable[..., Any] | None = None, *, marks: Sequence[Any] = ()) -> Any:
        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            self.append(Check(function, marks=tuple(marks)))
            return function

        return register(test) if test is not None else register

    def each(self, argnames: str, argvalues: Sequence[Any], *, ids: Sequence[str] | None = None,
             marks: Sequence[Any] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        names = [name.strip() for name in argnames.split(",")]

        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            arguments = tuple(dict(zip(names, values if len(names) > 1 else (values,), strict=True))
                              for values in argvalues)
            self.append(Check(function, arguments, tuple(ids or (str(number) for number in range(len(arguments)))),
                              tuple(marks)))
            return function

        return register


TreeCheck = Callable[[Any], None]


@attrs.frozen(kw_only=True, eq=False)
class DriverCase:
    """A driver in the suite: how to make it here (its class, the commands it runs, a probe parse
    that must give a tree, where preparing is not enough), the file name its parses get by
    default, a realistic `sample`, what true spans are for its trees (`spans`: assert_true_spans,
    or a stricter check of its own), what each shared test needs (the records below, None where
    the test does not apply) and its own tests (`checks`).  A record's `then` is the driver's own
    expectations on what the shared test made (a tree, a row), past what every driver gives."""

    @attrs.frozen(kw_only=True)
    class Native:
        """The sample in native mode: the parser's own tree, rooted at `root` (as in every mode),
        holding at least the node types `types`, without roles."""

        root: str
        types: frozenset[str] = attrs.field(converter=frozenset)
        then: TreeCheck | None = None

    @attrs.frozen(kw_only=True)
    class Annotated:
        """The sample in annotated mode: native mode plus Babelfish's roles (assert_roles_added:
        on every object with `every_node`, each node's roles sorted with `ordered`)."""

        every_node: bool = False
        ordered: bool = False
        then: TreeCheck | None = None

    @attrs.frozen(kw_only=True)
    class RoleTables:
        """The driver's role tables (what `tables` gives): Babelfish's roles only, each table
        sorted with `ordered`."""

        tables: Callable[[], Iterable[Iterable[str]]]
        ordered: bool = True

    @attrs.frozen(kw_only=True)
    class Semantic:
        """The sample in semantic mode: none of the native types `gone` is left (Babelfish's
        blacklist: what a uast:* node stands for)."""

        gone: frozenset[str] = attrs.field(converter=frozenset, factory=frozenset)
        then: TreeCheck | None = None

    @attrs.frozen(kw_only=True)
    class NonAscii:
        """A source with 2- and 4-byte characters before what it names: parsed cleanly with true
        spans in every mode; in semantic mode its uast:Comments are `comments` (the text each
        spans, its Text), and its first uast:FunctionGroup spans `function`, where given; `then`
        on its semantic tree."""

        source: str
        comments: tuple[tuple[str, str], ...] | None = None
        function: str | None = None
        then: TreeCheck | None = None

    @attrs.frozen(kw_only=True)
    class Hostile:
        """Inputs that must get an answer, not a crash, in every mode: errors with a message (and
        no tree, with `no_tree`; else a tree or errors); the driver still parses `alive` after."""

        sources: tuple[str, ...]
        alive: str
        no_tree: bool = True

    @attrs.frozen(kw_only=True)
    class NativeProgram:
        """Lines that are no parse request, written to a NativeDriver's native program: each gets
        an answer without a tree, its message holding `says`."""

        bad_requests: tuple[str, ...] = ("this is not json",)
        says: str = ""

    @attrs.frozen(kw_only=True)
    class Fixtures:
        """Babelfish's fixtures of the language (../shared/conformance/LANGUAGE/*EXTENSION) in
        every mode: each gives a tree with true spans (and no error, with `clean`), but the
        syntax-error fixture, which gives an error with a position (no tree, and the error on
        `syntax_error_line`, where that is given); `then` on each (path, source, tree, mode)."""

        extension: str
        clean: bool = False
        syntax_error_line: int | None = None
        then: Callable[[Path, str, Any, Mode], None] | None = None

    @attrs.frozen(kw_only=True)
    class Conformance:
        """The scorer's row on the fixtures (conformance_row, `worst` files listed): loose and
        strict F1 at least these floors, the syntax errors reported (assert_conformance); `then`
        on the row."""

        loose: float
        strict: float
        syntax_errors: str = "1/1"
        worst: int = 10
        then: Callable[[dict[str, Any]], None] | None = None

    @attrs.frozen(kw_only=True)
    class LargeFile:
        """A file of more than 100 KB that `source` makes: each of `runs` timed parses gives a tree
        (`then` on each result), the fastest in under `seconds`.  `collector_off`: timed as in a
        driver process, where the SDK's serve() turns off the cyclic garbage collector."""

        source: Callable[[], str]
        seconds: float
        runs: int = 3
        collector_off: bool = False
        then: Callable[[ParseResult], None] | None = None

    @attrs.frozen(kw_only=True)
    class SyntaxErrorAt:
        """A source with a syntax error (parsed as `filename`, else the case's file name): its
        first error starts where `before` (the source's text before it) ends, in UTF-8 bytes
        (offset, line, column), has the message `message` (or one holding `says`), and comes
        with a partial tree (`tree` True), without one (False) or either (None); `count` errors,
        where given.  The driver still parses after it."""

        source: str
        before: str
        message: str | None = None
        says: str = ""
        count: int | None = None
        tree: bool | None = False
        filename: str | None = None

    @attrs.frozen(kw_only=True)
    class Broken:
        """A file with a syntax error the parser does not get past: in every mode its first error
        is on `line`, and it has no tree (unless `tree`: a partial one comes along)."""

        filename: str
        source: str
        line: int
        tree: bool = False

    @attrs.frozen(kw_only=True)
    class Served:
        """What the runtime tests send the driver, through the process runtime and in a
        container: each sample in every mode, then each fixture file in semantic mode, then
        `broken` in every mode.  The health names the language, at least the symbol kinds `kinds`
        and a parser that starts with `parser`.  The image: built within `image_timeout` seconds,
        or `build_failed`."""

        samples: tuple[tuple[str, str], ...]
        fixtures: tuple[Path, ...] = ()
        broken: DriverCase.Broken | None = None
        kinds: Mapping[str, str] = attrs.field(factory=dict)
        parser: str = ""
        image_timeout: int = 900
        build_failed: Callable[[str], Any] = containers_unavailable

        def requests(self, language: str) -> list[ParseRequest]:
            requests = runtime_requests(language, self.samples, self.fixtures)
            if self.broken is not None:
                requests += [ParseRequest(content=self.broken.source, filename=self.broken.filename,
                                          language=language, mode=mode) for mode in Mode]
            return requests

    @attrs.frozen(kw_only=True)
    class Selection:
        """The selection ranges at a cursor on the document's `line` (0-based), after the line's
        text `cursor`: the innermost is the name between the line's texts `name` (before its
        start, before its end); one of them starts at `encloses` (line, character) and, where
        `encloses_end` is given, ends on that line; the outermost starts where the file does."""

        line: int
        cursor: str
        name: tuple[str, str]
        encloses: tuple[int, int]
        encloses_end: int | None = None

    @attrs.frozen(kw_only=True)
    class Diagnosed:
        """A broken document opened in the workspace: its diagnostics are errors, the first on
        `line` (after the line's text `before`, where given; its message holding `says`), `count`
        of them where given; the outline still has `outline` (symbol_tree), where given."""

        document: Document
        line: int
        before: str | None = None
        says: str = ""
        count: int | None = None
        outline: list[Any] | None = None

    @attrs.frozen(kw_only=True)
    class Lsp:
        """The language server end to end: a workspace holding `files`, where `document` is
        opened.  A structural query for uast:FunctionGroup there finds `functions` (their labels,
        in order), and over the workspace those and each file's `file_functions`; each of
        `queries` there finds its matches' labels, in order; each of
        `folds` (lines: (start, end) pairs of which one) is a folding range, and so is one of
        each kind in `kind_folds` (its lines, or None for any); `selection`: its selection
        ranges; `diagnosed`: a broken document's diagnostics."""

        files: Mapping[str, str]
        document: Document
        functions: tuple[str, ...]
        file_functions: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
        queries: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
        folds: tuple[frozenset[tuple[int, int]], ...] = attrs.field(default=(), converter=lambda folds: tuple(
            frozenset(alternatives) for alternatives in folds))
        kind_folds: Mapping[str, tuple[int, int] | None] = attrs.field(factory=dict)
        selection: DriverCase.Selection | None = None
        diagnosed: DriverCase.Diagnosed | None = None

    language: str
    driver: Callable[[], Any]
    commands: tuple[str, ...] = ()
    probe: ParseRequest | None = None
    filename: str
    sample: str
    spans: Callable[[str, Any], None] = assert_true_spans
    native: Native
    annotated: Annotated | None = None
    role_tables: RoleTables | None = None
    semantic: Semantic = Semantic()
    non_ascii: NonAscii | None = None
    hostile: Hostile
    syntax_errors: tuple[SyntaxErrorAt, ...] = ()
    native_program: NativeProgram = NativeProgram()
    fixtures: Fixtures | None = None
    conformance: Conformance | None = None
    large_file: LargeFile | None = None
    served: Served | None = None
    lsp: Lsp | None = None
    checks: Checks = attrs.field(factory=Checks)

    @property
    def fixtures_folder(self) -> Path:
        return conformance_fixtures(self.language)

    def prepared(self) -> Any:
        """A new driver, if its commands are installed and it is prepared (require_prepared);
        else a skip (a failure under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1)."""
        driver = self.driver()
        if isinstance(driver, NativeDriver):
            require_prepared(driver, *self.commands)
        return driver

    def parser(self, driver: Any) -> Callable[..., ParseResult]:
        """parse(source, mode=SEMANTIC, filename=None): the driver's result for a source, with the
        case's file name unless another is given."""

        def parse(source: str, mode: Mode = Mode.SEMANTIC, filename: str | None = None) -> ParseResult:
            return driver.parse(ParseRequest(content=source, filename=self.filename if filename is None else filename,
                                             mode=mode))

        return parse


class PreparedDrivers:
    """The suite's drivers in this process, one per language, made on first use (a skip where one
    is not prepared or, with a probe, does not run), their native programs closed at the end."""

    def __init__(self) -> None:
        self._drivers: dict[str, Any] = {}

    def get(self, case: DriverCase) -> Any:
        if case.language not in self._drivers:
            driver = case.prepared()
            if case.probe is not None:
                try:
                    require_runs(driver, case.probe)
                except BaseException:
                    close_driver(driver)
                    raise
            self._drivers[case.language] = driver
        return self._drivers[case.language]

    def close(self) -> None:
        for driver in self._drivers.values():
            close_driver(driver)
        self._drivers.clear()


def close_driver(driver: Any) -> None:
    """Stops a NativeDriver's native program (other drivers hold no process)."""
    if isinstance(driver, NativeDriver):
        driver.native.close()
