"""The language server on the docker runtime: drivers installed, updated blue/green under a
steady stream of requests, and a broken update refused, all while the server keeps serving.

Needs a Docker engine and the base image; skipped without them, failed under
BBLFSH_LSP_REQUIRE_CONTAINERS=1 (CI).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import engine_with_base_image
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from driver_runtime import images
from driver_runtime.registry import Registry, read_manifest
from driver_runtime.runtimes.base import DriverSpec

SOURCE = "class Box:\n    def open(self):\n        return 1\n"


@pytest.fixture(scope="module")
def engine():
    client = engine_with_base_image()
    yield client
    client.close()


def build_variant(client, tmp: Path, version: str, tag: str) -> Path:
    """A copy of the Python driver that reports another version, built and saved to a file."""
    folder = tmp / "python"
    shutil.copytree(Registry.bundled().get("python").folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    manifest_path = folder / "manifest.json"
    data = json.loads(manifest_path.read_text())
    data["version"] = version
    manifest_path.write_text(json.dumps(data))
    images.build(client, DriverSpec(manifest=read_manifest(manifest_path), folder=folder), tag=tag)
    saved = tmp / f"python-{version}.tar"
    with saved.open("wb") as out:
        for chunk in client.images.get(tag).save(named=True):
            out.write(chunk)
    return saved


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BBLFSH_LSP_DATA": str(data)}
    return subprocess.run([sys.executable, "-m", "bblfsh_lsp", *args], capture_output=True, text=True,
                          env=env, timeout=600)


class Editor:
    """A real LSP client on a server started with the docker runtime."""

    def __init__(self) -> None:
        self.client = LanguageClient("test", "1")
        self.messages: list[str] = []
        self.progress: list[str] = []
        self.client.feature(types.WINDOW_SHOW_MESSAGE)(lambda params: self.messages.append(params.message))
        self.client.feature(types.WINDOW_LOG_MESSAGE)(lambda _params: None)
        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(lambda _params: None)
        self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)(lambda _params: None)
        self.client.feature(types.PROGRESS)(lambda params: self.progress.append(params.value.get("kind")))

    async def start(self, data: Path) -> None:
        await self.client.start_io(sys.executable, "-m", "bblfsh_lsp", "--runtime", "docker", "serve",
                                   env={**__import__("os").environ, "BBLFSH_LSP_DATA": str(data)})
        await self.client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(
            window=types.WindowClientCapabilities(work_done_progress=True))))
        self.client.initialized(types.InitializedParams())

    async def symbols(self, uri: str) -> list[str]:
        found = await self.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        return [symbol.name for symbol in found]

    async def wait_for_message(self, needle: str, timeout: float = 60.0) -> str:
        async with asyncio.timeout(timeout):
            while True:
                for message in self.messages:
                    if needle in message:
                        return message
                await asyncio.sleep(0.1)

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def test_server_on_docker_updates_drivers_without_downtime(engine, tmp_path):
    data = tmp_path / "data"
    tag = f"bblfsh-lsp/driver-python:test-lsp-{__import__('os').getpid()}"
    installed = cli(data, "driver", "install", "python", "--runtime", "docker")
    assert installed.returncode == 0, installed.stderr
    v2 = build_variant(engine, tmp_path / "v2", "0.1.1-test", f"{tag}-v2")
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    (broken_dir / "Dockerfile").write_text(f"FROM {tag}-v2\nENTRYPOINT [\"/bin/false\"]\n")
    engine.images.build(path=str(broken_dir), tag=f"{tag}-broken", rm=True)
    broken = tmp_path / "broken.tar"
    with broken.open("wb") as out:
        for chunk in engine.images.get(f"{tag}-broken").save(named=True):
            out.write(chunk)

    editor = Editor()
    await editor.start(data)
    try:
        assert "docker runtime" in await editor.wait_for_message("drivers run on")
        uri = "file:///work/box.py"
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=SOURCE)))
        assert await editor.symbols(uri) == ["Box"]

        answered, failures = [], []
        stop = asyncio.Event()

        async def steady_stream() -> None:
            while not stop.is_set():
                try:
                    result = await editor.client.protocol.send_request_async(
                        "bblfsh/query", {"query": "//uast:FunctionGroup", "textDocument": {"uri": uri}})
                    answered.append(len(result))
                except Exception as exc:  # every request must be answered
                    failures.append(exc)

        streams = [asyncio.ensure_future(steady_stream()) for _ in range(2)]
        updated = await asyncio.to_thread(cli, data, "driver", "update", "python", "--from", str(v2))
        assert updated.returncode == 0, updated.stderr
        assert "0.1.1-test" in await editor.wait_for_message("without downtime")
        before_broken = len(answered)
        refused = await asyncio.to_thread(cli, data, "driver", "update", "python", "--from", str(broken))
        assert refused.returncode == 0, refused.stderr
        message = await editor.wait_for_message("was not started")
        assert "health check" in message and "rollback" in message
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*streams)
        assert failures == []
        assert len(answered) > before_broken > 0 and set(answered) == {1}
        assert await editor.symbols(uri) == ["Box"]

        listing = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="bblfsh.driver.list", arguments=[]))
        python = next(status for status in listing if status["language"] == "python")
        assert python["installed"]["image"].endswith("-broken") or python["installed"]["source"] == "file"

        rolled = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="bblfsh.driver.rollback", arguments=["python"]))
        assert rolled["current"]["version"] == "0.1.1-test"
    finally:
        await editor.stop()
        for suffix in ("-v2", "-broken"):
            try:
                engine.images.remove(f"{tag}{suffix}", force=True)
            except Exception:
                pass


async def test_driver_build_from_the_editor_reports_progress(engine, tmp_path):
    data = tmp_path / "data"
    editor = Editor()
    await editor.start(data)
    try:
        result = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="bblfsh.driver.build", arguments=["python"]))
        assert result["current"]["image"] == "bblfsh-lsp/driver-python:0.1.0"
        assert editor.progress[0] == "begin" and editor.progress[-1] == "end"
        assert "report" in editor.progress
        uri = "file:///work/after_build.py"
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=SOURCE)))
        assert await editor.symbols(uri) == ["Box"]
        assert not any("runs as a local process" in message for message in editor.messages)
    finally:
        await editor.stop()
