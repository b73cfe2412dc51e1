"""The language server: small handlers that hand the work to plain functions."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Hashable
from typing import Any

import attrs
import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcInvalidParams
from pygls.uris import to_fs_path

from bblfsh_lsp import __version__, driver_actions, driver_updates, features, uast_explorer
from bblfsh_lsp.camel_case import register_camel_case
from bblfsh_lsp.documents import AnswerMaker, DocumentModified, DocumentStore, ParsedDocument
from bblfsh_lsp.index.store import IndexStore
from bblfsh_lsp.interruptible import run_interruptible
from bblfsh_lsp.lsp_progress import LspProgress, report_on
from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query import QueryError, QueryTimeout
from bblfsh_lsp.rpc import HardenedLanguageServer
from bblfsh_lsp.settings import Settings
from bblfsh_lsp.workspace_index import WorkspaceIndex
from bblfsh_lsp.workspace_search import WorkspaceSearch
from driver_runtime.errors import DriverError, ManagerError, RuntimeNotAvailable, StateError
from driver_runtime.runtime_names import PROCESS
from driver_runtime.runtimes import choose
from driver_runtime.sdk import uast
from driver_runtime.sdk.protocol import Mode, ParseResult
from driver_runtime.service import NOTICE, DriverService

log = logging.getLogger(__name__)

QUERY_REQUEST = "bblfsh/query"
PARSE_REQUEST = "bblfsh/parse"
QUERY_COMMAND = "bblfsh.query"
STATUS_REQUEST = "bblfsh/status"
UAST_TREE_REQUEST = "bblfsh/uastTree"  # the UAST explorer's tree
NODE_QUERY_REQUEST = "bblfsh/nodeQuery"  # "Copy as query" on one of its nodes
REQUEST_FAILED = -32803  # LSP's RequestFailed
DRIVER_COMMAND = "bblfsh.driver.{verb}"


@attrs.frozen
class TextDocumentRef:
    uri: str


@attrs.frozen
class QueryParams:
    query: str = ""  # XPath; or, instead, a code pattern:
    text_document: TextDocumentRef | None = None
    pattern: str | None = None
    language: str | None = None  # the pattern's language (default: each document's)
    semantic: bool = False  # match semantic trees, across languages


@attrs.frozen
class ParseParams:
    text_document: TextDocumentRef
    mode: Mode = Mode.SEMANTIC


@attrs.frozen
class NodeQueryParams:
    text_document: TextDocumentRef
    path: list[int]  # child numbers from the root, as bblfsh/uastTree gave the tree
    mode: Mode = Mode.SEMANTIC
    version: int | None = None  # the version the tree was of: another is ContentModified


_params = cattrs.Converter()
register_camel_case(_params, TextDocumentRef, QueryParams, ParseParams, NodeQueryParams)


def plain(value: Any) -> Any:
    """JSON-like data from what pygls hands a custom method (namedtuples, for unknown methods)."""
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def structure_params(data: Any, cls: type) -> Any:
    data = plain(data)
    try:
        return _params.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        raise JsonRpcInvalidParams("invalid params: " + "; ".join(cattrs.transform_error(exc))) from None


class BblfshServer(HardenedLanguageServer):
    def __init__(self, settings: Settings | None = None):
        super().__init__("bblfsh-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = settings or Settings()
        self.service: DriverService | None = None
        self.documents: DocumentStore | None = None
        self.index: WorkspaceIndex | None = None
        self.updates: driver_updates.DriverUpdates | None = None
        self.runtime_note = ""

    # --- life cycle ----------------------------------------------------------------------------

    def start_services(self, options: Any) -> None:
        self.settings = self.settings.with_editor_options(options)
        self.service = self._open_service()
        self.service.watch_installs()
        negotiated = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        encoding = negotiated.value if isinstance(negotiated, types.PositionEncodingKind) else str(negotiated)
        self.documents = DocumentStore(self.service, encoding, self.settings.max_file_bytes, on_parsed=self.publish)

    def _open_service(self) -> DriverService:
        """A service on the runtime the settings ask for; local processes if it cannot run.

        Blocking: choosing probes the container engine and runc (seconds when one hangs), and
        the installed drivers are read from disk; so once running, call it in a thread."""
        try:
            choice = choose(self.settings.runtime, self.settings.isolation())
            self.runtime_note = f"drivers run on {choice.describe()}"
        except RuntimeNotAvailable as exc:
            choice = choose(PROCESS)
            self.runtime_note = f"{exc}; drivers run as local processes instead"
        log.info(self.runtime_note)
        return DriverService.for_choice(choice, self.settings.pool(), on_notice=self.notice,
                                        preferences=self.settings.driver_preferences())

    async def apply_settings(self, options: Any) -> None:
        """New settings from the editor; a new runtime means new drivers, and a fresh parse."""
        settings = self.settings.with_editor_options(options)
        if settings == self.settings:
            return
        # A new runtime, new confinement or another choice of drivers means new drivers; pool
        # limits apply to pools made from now on.
        restart = (settings.runtime != self.settings.runtime or settings.isolation() != self.settings.isolation()
                   or settings.driver_preferences() != self.settings.driver_preferences())
        self.settings = settings
        if self.updates is not None:
            self.updates.wake()
        if self.documents is not None:
            self.documents.max_bytes = settings.max_file_bytes
        if self.service is not None:
            self.service.settings = settings.pool()
        if restart and self.service is not None:
            service = await asyncio.to_thread(self._open_service)
            service.watch_installs()
            old, self.service = self.service, service
            self.notice(NOTICE, self.runtime_note)
            self.store.use(service)
            await old.close()

    async def start_index(self) -> None:
        """Index the workspace in the background (the workspaceIndex setting), and hear of the
        files that change so as to keep it current."""
        if not self.settings.workspace_index or self.service is None or self.index is not None:
            return
        roots = self.workspace_roots()
        if not roots:
            return
        arguments = ["--runtime", self.service.runtime.name]
        for language, choice in sorted(self.settings.drivers.items()):
            arguments += ["--driver", f"{language}={choice}"]
        self.index = WorkspaceIndex(roots, arguments, progress=lambda title: LspProgress.create(self, title),
                                    tell=lambda message: self.notice(logging.INFO, message))
        self.index.start()
        workspace = self.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched and watched.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern="**/*")])
            try:
                await self.client_register_capability_async(types.RegistrationParams(registrations=[
                    types.Registration(id="bblfsh-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                       register_options=options)]))
            except Exception as exc:  # saves still refresh the index
                log.info("the client would not watch files for us: %s", exc)

    def files_changed(self, paths: list[str] | None) -> None:
        if self.index is not None:
            self.index.changed(paths)

    def index_of(self, root: str) -> IndexStore | None:
        return self.index.store_for(root) if self.index is not None else None

    def start_updates(self) -> None:
        """Look for newer drivers in their registries (driverUpdates); updates go the editor's way."""
        self.updates = driver_updates.for_server(self, lambda language, source, quiet: run_driver_command(
            self, "update", [language, source] if source else [language], announce_failure=not quiet))
        self.updates.start()

    async def stop_services(self) -> None:
        if self.updates is not None:
            updates, self.updates = self.updates, None
            await updates.close()
        if self.index is not None:
            index, self.index = self.index, None
            await index.close()
        if self.service is not None:
            await self.service.close()

    def publish(self, parsed: ParsedDocument) -> None:
        if parsed.problem:
            log.warning("%s: %s", parsed.uri, parsed.problem)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=parsed.uri, version=parsed.version, diagnostics=features.diagnostics(parsed)))

    # --- helpers for handlers ----------------------------------------------------------------

    @property
    def store(self) -> DocumentStore:
        if self.documents is None:
            raise JsonRpcException("the server is not initialized", code=-32002)
        return self.documents

    async def parsed(self, uri: str, whole: bool = False) -> ParsedDocument | None:
        """The parse to answer from, or None when the document did not parse (a reason is
        logged); `whole`: with its tree, for a request that reads more than the outline and folds."""
        try:
            parsed = await self.store.with_tree(uri, whole)
        except DocumentModified:
            raise JsonRpcContentModified(f"{uri} changed") from None
        except KeyError:
            raise JsonRpcInvalidParams(f"{uri} is not open") from None
        return parsed if (parsed.tree is not None if whole else parsed.parsed) else None

    async def answer(self, parsed: ParsedDocument | None, key: Hashable, make: AnswerMaker) -> Any:
        """An answer made from the views of a document's parse ([] when it did not parse).  Once
        asked for, it is made with every new parse of every document, in the worker that
        prepares its views: the editor asks again after each keystroke."""
        if parsed is None:
            return []
        self.store.answers.setdefault(key, make)
        return await parsed.answer(key, make)

    def folding_options(self) -> tuple[bool, int | None]:
        """What the client says of the folds it takes: whole lines only; at most how many."""
        caps = self.client_capabilities.text_document
        folding = caps.folding_range if caps else None
        return bool(folding and folding.line_folding_only), folding.range_limit if folding else None

    def lsp_path(self, uri: str) -> str:
        return to_fs_path(uri) or uri

    def workspace_roots(self) -> list[str]:
        folders = [to_fs_path(folder.uri) for folder in self.workspace.folders.values()]
        roots = [folder for folder in folders if folder]
        if not roots and self.workspace.root_path:
            roots = [self.workspace.root_path]
        return roots

    def search(self, token: Any = None) -> WorkspaceSearch:
        assert self.service is not None
        progress = report_on(self, token, "Structural search")
        return WorkspaceSearch(self.store, self.service, self.workspace_roots(), progress, self.settings.query_timeout,
                               log=lambda message: self.notice(logging.INFO, message), index_of=self.index_of)

    def notice(self, level: int, message: str) -> None:
        """Tell the user about the drivers: important news as a message, the rest in the log."""
        log.log(level, message)
        if level >= NOTICE:
            kind = types.MessageType.Error if level >= logging.ERROR else (
                types.MessageType.Warning if level >= logging.WARNING else types.MessageType.Info)
            self.window_show_message(types.ShowMessageParams(type=kind, message=f"bblfsh-lsp: {message}"))
        else:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=message))


_HANDLERS: list[tuple[str, str, Any]] = []  # (kind, name, function), registered per server


def _feature(name: str) -> Any:
    def register(function: Any) -> Any:
        _HANDLERS.append(("feature", name, function))
        return function
    return register


def _command(name: str) -> Any:
    def register(function: Any) -> Any:
        _HANDLERS.append(("command", name, function))
        return function
    return register


@_feature(types.INITIALIZE)
def on_initialize(ls: BblfshServer, params: types.InitializeParams) -> None:
    ls.start_services(params.initialization_options)


@_feature(types.INITIALIZED)
async def on_initialized(ls: BblfshServer, _params: types.InitializedParams) -> None:
    ls.notice(NOTICE, ls.runtime_note)
    workspace = ls.client_capabilities.workspace
    if workspace and workspace.configuration:
        try:
            answer = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="bblfsh")]))
        except Exception as exc:  # a client without the section is not an error
            log.info("no bblfsh configuration from the client: %s", exc)
            answer = None
        if answer and isinstance(answer[0], dict):
            await ls.apply_settings(answer[0])
    await ls.start_index()
    ls.start_updates()


@_feature(types.TEXT_DOCUMENT_DID_SAVE)
def on_save(ls: BblfshServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.files_changed([ls.lsp_path(params.text_document.uri)])


@_feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def on_watched_files(ls: BblfshServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.files_changed([ls.lsp_path(change.uri) for change in params.changes])


@_feature(types.WORKSPACE_SYMBOL)
async def on_workspace_symbol(ls: BblfshServer, params: types.WorkspaceSymbolParams) -> list[dict[str, Any]]:
    if ls.index is None:
        return []
    return await asyncio.to_thread(ls.index.symbols, params.query, ls.store.encoding)


@_feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_configuration(ls: BblfshServer, params: types.DidChangeConfigurationParams) -> None:
    await ls.apply_settings(plain(params.settings))


@_feature(types.SHUTDOWN)
async def on_shutdown(ls: BblfshServer, _params: Any) -> None:
    await ls.stop_services()


@_feature(types.EXIT)
async def on_exit(ls: BblfshServer, _params: Any) -> None:
    """Also run when the client closes the connection (rpc.HardenedProtocol): no driver outlives us."""
    await ls.stop_services()


@_feature(types.TEXT_DOCUMENT_DID_OPEN)
def on_open(ls: BblfshServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.store.update(item.uri, item.version, item.text, ls.lsp_path(item.uri), item.language_id)


@_feature(types.TEXT_DOCUMENT_DID_CHANGE)
def on_change(ls: BblfshServer, params: types.DidChangeTextDocumentParams) -> None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    ls.store.update(document.uri, params.text_document.version, document.source, ls.lsp_path(document.uri))


@_feature(types.TEXT_DOCUMENT_DID_CLOSE)
def on_close(ls: BblfshServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.store.close(params.text_document.uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@_feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def on_document_symbol(ls: BblfshServer, params: types.DocumentSymbolParams) -> list[dict[str, Any]]:
    parsed = await ls.parsed(params.text_document.uri)
    return await ls.answer(parsed, "documentSymbol", features.document_symbols)


@_feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
async def on_folding_range(ls: BblfshServer, params: types.FoldingRangeParams) -> list[dict[str, Any]]:
    parsed = await ls.parsed(params.text_document.uri)
    line_folding_only, range_limit = ls.folding_options()
    return await ls.answer(parsed, ("foldingRange", line_folding_only, range_limit),
                           functools.partial(features.folding_ranges, line_folding_only=line_folding_only,
                                             range_limit=range_limit))


@_feature(types.TEXT_DOCUMENT_SELECTION_RANGE)
async def on_selection_range(ls: BblfshServer, params: types.SelectionRangeParams) -> list[dict[str, Any]]:
    parsed = await ls.parsed(params.text_document.uri, whole=True)
    if parsed is None:
        return []
    return await run_interruptible(features.as_json, features.selection_ranges, parsed, params.positions)


async def _snapshot(ls: BblfshServer, request: ParseParams | NodeQueryParams, tree: bool = True) -> ParsedDocument:
    """The parse of the document a request reads, in its mode: with a tree (or, `tree` false,
    with a result, which may hold syntax errors only); else the request fails, saying why."""
    uri = request.text_document.uri
    parsed = await ls.store.snapshot(uri, ls.lsp_path(uri), request.mode)
    if (parsed.tree if tree else parsed.result) is None:
        raise JsonRpcException(parsed.problem or f"cannot parse {uri}", code=REQUEST_FAILED)
    return parsed


@_feature(PARSE_REQUEST)
async def on_parse(ls: BblfshServer, params: Any) -> dict[str, Any]:
    parsed = await _snapshot(ls, structure_params(params, ParseParams), tree=False)
    assert parsed.result is not None
    return await run_interruptible(parse_answer, parsed.uri, parsed.index, parsed.result)


@_feature(UAST_TREE_REQUEST)
async def on_uast_tree(ls: BblfshServer, params: Any) -> dict[str, Any]:
    """{textDocument, mode} -> {uri, version, language, mode, root, nodes, truncated}: the explorer's tree."""
    request = structure_params(params, ParseParams)
    parsed = await _snapshot(ls, request)
    root, count, cut = await run_interruptible(uast_explorer.explorer_tree, parsed.tree, parsed.index)
    return {"uri": parsed.uri, "version": parsed.version, "language": parsed.language, "mode": request.mode.value,
            "root": root, "nodes": count, "truncated": cut}


@_feature(NODE_QUERY_REQUEST)
async def on_node_query(ls: BblfshServer, params: Any) -> dict[str, Any]:
    """{textDocument, mode, path, version?} -> {xpath, count, pattern, language}: "Copy as query"."""
    from bblfsh_lsp.query import node_query  # the XPath evaluator, imported when first needed

    request = structure_params(params, NodeQueryParams)
    uri = request.text_document.uri
    parsed = await _snapshot(ls, request)
    if request.version is not None and request.version != parsed.version:
        raise JsonRpcContentModified(f"{uri} changed since its tree was shown")
    try:
        node = uast_explorer.node_at(parsed.tree, request.path)
        found = await run_interruptible(node_query.xpath_for, parsed.tree, node, parsed.index)
    except (IndexError, QueryError) as exc:
        raise JsonRpcInvalidParams(f"no such node: {exc}") from None
    native = parsed if request.mode is Mode.NATIVE else await ls.store.snapshot(uri, ls.lsp_path(uri), Mode.NATIVE)
    pattern = None
    if native.tree is not None and native.version == parsed.version and ls.service is not None:
        pattern = await node_query.pattern_for(node, native.index, parsed.language, native.tree, ls.service)
    return {"xpath": found.xpath, "count": found.count, "pattern": pattern, "language": parsed.language}


def parse_answer(uri: str, index: TextIndex, result: ParseResult) -> dict[str, Any]:
    """What bblfsh/parse answers: the UAST in Babelfish's shape, positions expanded."""
    tree = uast.to_babelfish(result.uast, index.lines) if result.uast is not None else None
    errors = [{"message": error.message,
               "line": error.start.line if error.start else None,
               "col": error.start.col if error.start else None} for error in result.errors]
    return {"uri": uri, "language": result.language, "uast": tree, "errors": errors}


@_feature(STATUS_REQUEST)
async def on_status(ls: BblfshServer, params: Any) -> dict[str, Any]:
    """What editors show in a status bar: the runtime, and the driver of a document if given."""
    params = plain(params) or {}
    uri = (params.get("textDocument") or {}).get("uri") if isinstance(params, dict) else None
    return status(ls, uri)


def status(ls: BblfshServer, uri: str | None) -> dict[str, Any]:
    service = ls.service
    answer: dict[str, Any] = {"server": __version__, "runtime": service.runtime.name if service else None,
                              "note": ls.runtime_note, "index": ls.index.status() if ls.index is not None else []}
    if uri is None or service is None:
        return answer
    try:
        index = ls.store.text_index(uri)
        language = service.language_of(ls.lsp_path(uri), index.text[:256] if index else "",
                                       ls.store.language_id(uri))
    except DriverError as exc:
        answer["document"] = {"language": None, "problem": str(exc)}
        return answer
    try:
        choice = service.driver_for(language)
    except DriverError as exc:
        answer["document"] = {"language": language, "driver": None, "runtime": None, "image": None, "problem": str(exc)}
        return answer
    manifest = service.manifest(language)
    answer["document"] = {
        "language": language,
        "driver": manifest.version if manifest else None,
        "driverName": choice.spec.manifest.name,
        "why": choice.reason,
        "runtime": choice.runtime.name,
        "image": choice.spec.image,
        "problem": None,
    }
    return answer


async def _query(ls: BblfshServer, params: QueryParams, token: Any = None) -> list[dict[str, Any]]:
    uri = params.text_document.uri if params.text_document else None
    if (params.pattern is None) == (not params.query):
        raise JsonRpcInvalidParams(f"{QUERY_REQUEST} takes a query or a pattern")
    try:
        if params.pattern is not None:
            return await ls.search(token).run_pattern(params.pattern, params.language, params.semantic, uri)
        return await ls.search(token).run(params.query, uri)
    except QueryTimeout as exc:
        raise JsonRpcException(str(exc), code=REQUEST_FAILED) from None
    except QueryError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None


@_feature(QUERY_REQUEST)
async def on_query(ls: BblfshServer, params: Any) -> list[dict[str, Any]]:
    params = plain(params)
    token = params.get("workDoneToken") if isinstance(params, dict) else None
    return await _query(ls, structure_params(params, QueryParams), token)


@_command(QUERY_COMMAND)
async def on_query_command(ls: BblfshServer, *arguments: Any) -> list[dict[str, Any]]:
    """Arguments: [query] or [query, uri] or [{"query": ..., "textDocument": {"uri": ...}}]."""
    args = plain(list(arguments))
    if args and isinstance(args[0], dict):
        return await _query(ls, structure_params(args[0], QueryParams))
    if not args or not isinstance(args[0], str):
        raise JsonRpcInvalidParams(f"{QUERY_COMMAND} takes a query string and optionally a document URI")
    uri = args[1] if len(args) > 1 and isinstance(args[1], str) else None
    return await _query(ls, QueryParams(query=args[0], text_document=TextDocumentRef(uri) if uri else None))


def create_server(settings: Settings | None = None) -> BblfshServer:
    ls = BblfshServer(settings)
    for kind, name, function in _HANDLERS:
        (ls.feature if kind == "feature" else ls.command)(name)(function)
    return ls


async def run_driver_command(ls: BblfshServer, verb: str, arguments: list[Any], announce_failure: bool = True) -> Any:
    """One driver command from the editor, with $/progress; the server follows the change.
    ``announce_failure``: show a failure to the user (the updater tells its own, once)."""
    title = f"bblfsh: {verb} {' '.join(str(argument) for argument in arguments)}".strip()
    progress = await LspProgress.create(ls, title) if verb in driver_actions.CHANGING else None
    try:
        result = await driver_actions.run(verb, plain(list(arguments)), progress or (lambda *_: None))
    except driver_actions.DriverActionError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None
    except (ManagerError, StateError) as exc:
        ls.notice(logging.ERROR if announce_failure else logging.INFO, str(exc))
        raise JsonRpcException(str(exc), code=REQUEST_FAILED) from None
    finally:
        if progress is not None:
            progress.end(f"{verb} done")
    if verb in driver_actions.CHANGING and ls.service is not None:
        await ls.service.refresh()
    return result


def _driver_command(verb: str) -> Any:
    async def handler(ls: BblfshServer, *arguments: Any) -> Any:
        return await run_driver_command(ls, verb, list(arguments))

    handler.__name__ = f"on_driver_{verb}"
    return handler


for _verb in driver_actions.VERBS:
    _command(DRIVER_COMMAND.format(verb=_verb))(_driver_command(_verb))
