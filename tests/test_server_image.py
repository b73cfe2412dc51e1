"""The server itself in a container (`bblfsh-lsp serve --tcp`), starting its drivers as sibling
containers through the mounted Docker socket — no Docker-in-Docker.

Needs a Docker engine and the base image; skipped without them, failed under
BBLFSH_LSP_REQUIRE_CONTAINERS=1 (CI).
"""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest
from conftest import REPO, engine_with_base_image, free_port
from lsprotocol import types
from pygls.lsp.client import LanguageClient

SERVER_IMAGE = f"bblfsh-lsp/server:test-{os.getpid()}"


@pytest.fixture(scope="module")
def engine():
    client = engine_with_base_image()
    built = subprocess.run(["docker", "build", "-q", "-f", "images/server/Dockerfile", "-t", SERVER_IMAGE, "."],
                           cwd=REPO, capture_output=True, text=True, env={**os.environ, "DOCKER_BUILDKIT": "0"},
                           timeout=900)
    assert built.returncode == 0, built.stderr[-2000:]
    yield client
    client.images.remove(SERVER_IMAGE, force=True)
    client.close()


async def test_server_container_runs_drivers_as_siblings(engine):
    port = free_port()
    # The documented line (README), with a test image and port:
    server = engine.containers.run(
        SERVER_IMAGE, detach=True, ports={"7777/tcp": ("127.0.0.1", port)},
        volumes={"/var/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"}},
        labels={"org.bblfsh-lsp.test": "server-image"},
    )
    client = LanguageClient("test", "1")
    for method in (types.WINDOW_SHOW_MESSAGE, types.WINDOW_LOG_MESSAGE, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS):
        client.feature(method)(lambda _params: None)
    try:
        installed = server.exec_run(["bblfsh-lsp", "driver", "install", "python"])
        assert installed.exit_code == 0, installed.output.decode()[-2000:]
        # Docker's port forwarding accepts a connection before the server listens (and then drops
        # it): wait until the server listens, inside its container.  Read from /proc, not by
        # connecting: the server serves its first client only.
        listening = ("import sys; sys.exit(not any(line.split()[1].endswith(':%04X' % 7777) and line.split()[3] == '0A'"
                     " for line in open('/proc/net/tcp').readlines()[1:]))")
        for attempt in range(150):
            if server.exec_run(["python3", "-c", listening]).exit_code == 0:
                break
            if attempt == 149:
                raise AssertionError("the server container does not listen:\n" + server.logs().decode()[-2000:])
            await asyncio.sleep(0.2)
        for attempt in range(100):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                if attempt == 99:
                    raise AssertionError("the server container does not listen:\n" + server.logs().decode()[-2000:])
                await asyncio.sleep(0.2)
        await asyncio.wait_for(client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities())), 60)
        client.initialized(types.InitializedParams())
        uri = "file:///project/shapes.py"
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1,
            text="class Circle:\n    def area(self):\n        return 3.14\n")))
        found = await asyncio.wait_for(client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))), 60)
        assert [symbol.name for symbol in found] == ["Circle"]
        siblings = engine.containers.list(filters={"label": "org.bblfsh-lsp.language=python"})
        assert siblings, "the driver should run as a container beside the server's"
        inspect = siblings[0].attrs["HostConfig"]
        assert inspect["NetworkMode"] == "none" and inspect["ReadonlyRootfs"] is True
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
        server.stop(timeout=5)
        server.remove(force=True)
        for leftover in engine.containers.list(all=True, filters={"label": "org.bblfsh-lsp.language=python"}):
            if leftover.attrs["Config"]["Labels"].get("org.bblfsh-lsp.owner", "").startswith(server.id[:12]):
                leftover.remove(force=True)
