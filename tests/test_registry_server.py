"""A running server that keeps its registry drivers current (driverUpdates): notify, apply, registry down.

A real language server over stdio on the docker runtime, a real registry on loopback (the one
tests/test_registry.py starts, with its version-bumped Python driver images), a real LSP client:

- notify: 0.1.1 is published while the server runs on 0.1.0 under a steady stream of edits and
  documentSymbol/parse requests; the client is asked (window/showMessageRequest, "Update python to
  0.1.1"), answers with the action, and the server updates blue/green and answers from 0.1.1, no
  request lost or failed;
- apply: the server updates on its own under a steady stream of edits and documentSymbol/parse
  requests, none lost or failed, and says so (window/showMessage);
- the registry down: a log line per check, no popup, the installed driver serves; the registry
  back, the question comes, once.

Needs the engine, the base image and docker-registry: skipped without them, failed under
BBLFSH_LSP_REQUIRE_CONTAINERS=1 (CI).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import test_registry
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from test_registry import LOCAL, LocalRegistry

from bblfsh_lsp.driver_updates import Failure, Proposal, decide, failure_kind, pinned
from driver_runtime.manager import DriverManager
from driver_runtime.registry_client import Offer, Outdated, RegistryClient, parse_reference
from driver_runtime.state import Install

# tests/test_registry.py's fixtures: the engine, the registry, the images of 0.1.0 and 0.1.1, a data folder per test.
client, registry, data = test_registry.client, test_registry.registry, test_registry.data
versions = test_registry.versions

INTERVAL = 1  # driverUpdateInterval: seconds; the first check comes after it


def source(name: str) -> str:
    return f"def {name}(who):\n    return f'hello {{who}}'\n"


def publish(registry: LocalRegistry, repository: str, version: str) -> str:
    """Publish the module's image of ``version`` as REGISTRY/REPOSITORY (its version, latest, protocol-1);
    the manifest digest it got."""
    published = DriverManager().publish("python", f"{registry.address}/{repository}", image=f"{LOCAL}-{version}")
    assert published.version == version and "latest" in published.tags
    return published.digest


def install_latest(registry: LocalRegistry, repository: str) -> None:
    installed = DriverManager().install("python", f"{registry.address}/{repository}:latest", runtime="docker").current
    assert (installed.version, installed.source) == ("0.1.0", "registry")


class Editor:
    """A real LSP client on `bblfsh-lsp --runtime docker serve`, with driverUpdates set."""

    def __init__(self, answer: Callable[[types.ShowMessageRequestParams], str | None]):
        self.client = LanguageClient("test", "1")
        self.messages: list[str] = []  # window/showMessage
        self.logs: list[str] = []  # window/logMessage
        self.questions: list[types.ShowMessageRequestParams] = []
        self.progress: list[str] = []
        self.answer = answer
        self.client.feature(types.WINDOW_SHOW_MESSAGE)(lambda params: self.messages.append(params.message))
        self.client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: self.logs.append(params.message))
        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda _params: None)
        self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)(lambda _params: None)
        self.client.feature(types.PROGRESS)(lambda params: self.progress.append(params.value.get("kind")))
        self.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)(lambda params: self._asked(params))
        self.uri = "file:///work/greet.py"
        self.version = 1

    def _asked(self, params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        self.questions.append(params)
        title = self.answer(params)
        return types.MessageActionItem(title=title) if title else None

    async def start(self, mode: str) -> None:
        await self.client.start_io(sys.executable, "-m", "bblfsh_lsp", "--runtime", "docker", "serve",
                                   env=dict(os.environ))
        try:
            await self.client.initialize_async(types.InitializeParams(
                capabilities=types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True)),
                initialization_options={"driverUpdates": mode, "driverUpdateInterval": INTERVAL,
                                        "workspaceIndex": False}))
        except RuntimeError as exc:  # the server exited: say why
            server = self.client._server  # noqa: SLF001 - its stderr, which pygls keeps
            stderr = (await server.stderr.read()).decode(errors="replace") if server and server.stderr else ""
            raise AssertionError(f"{exc}: {stderr[-3000:]}") from None
        self.client.initialized(types.InitializedParams())
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=self.uri, language_id="python", version=1, text=source("greet"))))

    def edit(self, name: str) -> None:
        self.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=source(name))]))

    async def symbols(self) -> list[str]:
        found = await self.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=self.uri)))
        return [symbol.name for symbol in found or []]

    async def parse(self) -> Any:
        return await self.client.protocol.send_request_async("bblfsh/parse", {"textDocument": {"uri": self.uri}})

    async def driver_version(self) -> str | None:
        status = await self.client.protocol.send_request_async("bblfsh/status", {"textDocument": {"uri": self.uri}})
        return status.document.driver

    async def wait_for(self, found: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
        async with asyncio.timeout(timeout):
            while not (value := found()):
                await asyncio.sleep(0.05)
        return value

    def message(self, needle: str) -> str | None:
        return next((message for message in self.messages if needle in message), None)

    async def steady_stream(self, stop: asyncio.Event, answered: list[tuple[float, str]], wrong: list[str]) -> None:
        """An edit, then documentSymbol (a fresh parse of it), every 20-50 ms, and a bblfsh/parse now
        and then, until `stop`: each answer's time in `answered`, each wrong or failed one in `wrong`."""
        step = 0
        while not stop.is_set():
            step += 1
            name = f"greet_{step}"
            self.edit(name)
            try:
                got = await self.symbols()
                if got != [name]:
                    wrong.append(f"{name}: {got}")
                if step % 5 == 0:
                    tree = await self.parse()
                    if tree.language != "python" or tree.uast is None or tree.errors:
                        wrong.append(f"{name}: parse answered {str(tree)[:200]}")
            except Exception as exc:  # every request must be answered
                wrong.append(f"{name}: {type(exc).__name__}: {exc}")
            answered.append((time.monotonic(), name))
            await asyncio.sleep(0.02 + (step % 4) * 0.01)


    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def assert_served_throughout(answered: list[tuple[float, str]], wrong: list[str], published: float,
                             done: float) -> None:
    """The stream ran before, during and after the update, every request answered right, with no
    gap longer than a request's."""
    assert wrong == []
    assert answered[0][0] < published and answered[-1][0] > done
    gaps = [later - earlier for (earlier, _), (later, _) in zip(answered, answered[1:], strict=False)]
    assert len(answered) > 50 and max(gaps) < 5.0, max(gaps)


async def test_notify_asks_and_the_chosen_action_updates(registry: LocalRegistry, versions: dict[str, str],
                                                         data: Path):
    repository = "bblfsh/driver-python-notify"
    first = publish(registry, repository, "0.1.0")
    await asyncio.to_thread(install_latest, registry, repository)
    editor = Editor(answer=lambda params: params.actions[0].title if params.actions else None)
    await editor.start("notify")
    try:
        assert await editor.symbols() == ["greet"]
        assert await editor.driver_version() == "0.1.0"
        await asyncio.sleep(INTERVAL * 2.5)  # checks that find nothing newer ask nothing
        assert editor.questions == []
        # The user keeps typing while the question comes, is answered, and the driver is swapped.
        answered: list[tuple[float, str]] = []
        wrong: list[str] = []
        stop = asyncio.Event()
        stream = asyncio.ensure_future(editor.steady_stream(stop, answered, wrong))
        await asyncio.sleep(1.0)
        second = await asyncio.to_thread(publish, registry, repository, "0.1.1")
        published = time.monotonic()
        (question,) = await editor.wait_for(lambda: editor.questions, 30)
        assert question.type == types.MessageType.Info
        assert question.message == (f"bblfsh-lsp: the python driver 0.1.1 is published in "
                                    f"{registry.address}/{repository} (0.1.0 is installed)")
        assert [action.title for action in question.actions] == ["Update python to 0.1.1"]
        swapped = await editor.wait_for(lambda: editor.message("without downtime"), 60)
        done = time.monotonic()
        await asyncio.sleep(1.0)
        stop.set()
        await stream
        assert_served_throughout(answered, wrong, published, done)
        assert "the python driver is now 0.1.1" in swapped
        assert await editor.driver_version() == "0.1.1"
        print(f"\nnotify: published -> answering from 0.1.1 in {done - published:.1f} s, "
              f"{len(answered)} edits answered")
        assert editor.progress[0] == "begin" and editor.progress[-1] == "end"  # the editor's update path
        editor.edit("greet_again")
        assert await editor.symbols() == ["greet_again"]
        # It followed the tag it was installed from (latest), by the digest that tag names now.
        entry = DriverManager().get("python")
        assert entry is not None and entry.previous is not None
        assert (entry.current.version, entry.current.origin, entry.current.digest) == (
            "0.1.1", f"{registry.address}/{repository}:latest", second)
        assert entry.previous.digest == first
        await asyncio.sleep(INTERVAL * 2.5)  # nothing newer any more: no second question
        assert len(editor.questions) == 1
        assert len([message for message in editor.messages if "without downtime" in message]) == 1
        assert not [message for message in editor.messages if "could not" in message or "error" in message]
    finally:
        await editor.stop()


async def test_apply_updates_under_a_steady_stream_of_requests(registry: LocalRegistry, versions: dict[str, str],
                                                               data: Path):
    repository = "bblfsh/driver-python-apply"
    publish(registry, repository, "0.1.0")
    await asyncio.to_thread(install_latest, registry, repository)
    editor = Editor(answer=lambda _params: None)
    await editor.start("apply")
    try:
        assert await editor.symbols() == ["greet"]
        answered: list[tuple[float, str]] = []  # (when, what) of every answer
        wrong: list[str] = []
        stop = asyncio.Event()
        stream = asyncio.ensure_future(editor.steady_stream(stop, answered, wrong))
        await asyncio.sleep(1.0)
        await asyncio.to_thread(publish, registry, repository, "0.1.1")
        published = time.monotonic()
        told = await editor.wait_for(lambda: editor.message("as driverUpdates is apply"), 60)
        swapped = await editor.wait_for(lambda: editor.message("without downtime"), 30)
        done = time.monotonic()
        await asyncio.sleep(1.0)
        stop.set()
        await stream
        print(f"\napply: published -> swapped in {done - published:.1f} s, {len(answered)} edits answered, "
              f"{len(answered) / (answered[-1][0] - answered[0][0]):.0f}/s")
        assert_served_throughout(answered, wrong, published, done)
        assert told == (f"bblfsh-lsp: updated the python driver from 0.1.0 to 0.1.1 "
                        f"({registry.address}/{repository}:latest), as driverUpdates is apply")
        assert "the python driver is now 0.1.1" in swapped
        assert await editor.driver_version() == "0.1.1"
        assert editor.questions == []
        assert sorted(message for message in editor.messages if "0.1.1" in message) == sorted([told, swapped])
        entry = DriverManager().get("python")
        assert entry is not None and entry.current.version == "0.1.1"
    finally:
        await editor.stop()


async def test_a_registry_down_is_a_log_line_and_the_driver_serves(registry: LocalRegistry,
                                                                   versions: dict[str, str], data: Path):
    repository = "bblfsh/driver-python-down"
    publish(registry, repository, "0.1.0")
    await asyncio.to_thread(install_latest, registry, repository)
    publish(registry, repository, "0.1.1")
    editor = Editor(answer=lambda _params: None)  # dismissed
    registry.stop()
    try:
        await editor.start("notify")
        started = time.monotonic()
        assert await editor.symbols() == ["greet"]
        down = f"cannot look for driver updates: cannot reach the registry {registry.address}: Connection refused"
        await editor.wait_for(lambda: [log for log in editor.logs if log.startswith(down)], 20)
        await asyncio.sleep(INTERVAL * 3)
        editor.edit("still_served")
        assert await editor.symbols() == ["still_served"]
        assert await editor.driver_version() == "0.1.0"
        told = [log for log in editor.logs if "cannot look for driver updates" in log]
        checks = (time.monotonic() - started) / INTERVAL + 1
        assert 2 <= len(told) <= checks and set(told) == {down + "; the installed driver keeps serving"}
        assert not [message for message in editor.messages if registry.address in message]  # no popup
        assert editor.questions == []
        # The registry back: the question comes, once; dismissed, it is not asked again.
        registry.start()
        (question,) = await editor.wait_for(lambda: editor.questions, 20)
        assert [action.title for action in question.actions] == ["Update python to 0.1.1"]
        await asyncio.sleep(INTERVAL * 2.5)
        assert len(editor.questions) == 1
        assert DriverManager().get("python").current.version == "0.1.0"
        reference = parse_reference(f"{registry.address}/{repository}:latest")
        assert RegistryClient().resolve(reference).manifest.version == "0.1.1"
    finally:
        if registry.process is None:
            registry.start()
        await editor.stop()


def test_what_a_look_decides_without_a_registry():
    """The plain functions: one line per registry and kind of failure; a moving tag follows, a version tag is pinned."""
    def install(language: str, origin: str) -> Install:
        return Install(language, language, "0.1.0", f"{origin}@sha256:{'0' * 64}", "sha256:1", "registry", origin)

    down = "cannot reach the registry 127.0.0.1:9: Connection refused"
    offer = Offer("0.1.1", "127.0.0.1:5000/bblfsh/driver-go:0.1.1", "sha256:" + "2" * 64, "1.3", True)
    results = [Outdated(install("python", "127.0.0.1:9/a:latest"), (), down),
               Outdated(install("java", "127.0.0.1:9/b:latest"), (), down),
               Outdated(install("ruby", "127.0.0.1:9/c:latest"), (), "the registry 127.0.0.1:9 did not answer "
                                                                     "within 15 s (GET ...)"),
               Outdated(install("go", "127.0.0.1:5000/bblfsh/driver-go:latest"), (offer,)),
               Outdated(install("php", "127.0.0.1:5000/bblfsh/driver-php:0.1.0"), ())]
    decided = decide(results, follows=lambda install, _offer: install.language == "go")
    assert decided == [Failure("127.0.0.1:9", "unreachable", down),
                       Failure("127.0.0.1:9", "slow", results[2].error),
                       Proposal("go", "0.1.0", offer, follows=True, pinned=False)]
    assert decided[2].source is None and decided[2].action == "Update go to 0.1.1"
    assert Proposal("go", "0.1.0", offer).source == offer.reference
    assert [failure_kind(text) for text in ("x refused access to y (401)", "z is not in the registry r (404 ...)",
                                            "the registry r failed to answer (500 ...)", "odd")] == [
        "denied", "missing", "failing", "other"]
    assert pinned("r:5000/a:0.1.0") and pinned(f"r:5000/a@sha256:{'3' * 64}") and not pinned("r:5000/a:latest")
    assert not pinned("r:5000/a:protocol-1")
