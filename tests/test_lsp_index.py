"""The language server's workspace index, end to end over stdio: built in the background from
`initialized`, kept current from saves and watched-file changes, answering workspace/symbol and
the structural query exactly as parsing does; two servers on one workspace."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from driver_checks import lsp_client_fixture
from lsprotocol import types
from pytest_lsp import LanguageClient

FILES = {
    "pkg/shapes.py": "class Circle:\n    def area(self):\n        return 3.14\n\n\ndef make_circle(r):\n"
                     "    return isinstance(r, int)\n",
    "pkg/util.py": "def parse_args(argv):\n    return argv\n\n\nMAX_SIZE = 10\n",
    "other.py": "import os\n\n\ndef helper():\n    return os.sep\n",
}

client = lsp_client_fixture(FILES, options={"workspaceIndex": True})


def write_files(folder: Path) -> None:
    for name, text in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


async def status(client: LanguageClient) -> dict[str, Any]:
    answer = await client.protocol.send_request_async("bblfsh/status", {})
    return answer.result if hasattr(answer, "result") else answer


async def ready(client: LanguageClient, timeout: float = 120) -> dict[str, Any]:
    """Waits until every folder's index is ready (not waiting, indexing or refreshing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = await status(client)
        states = [entry["state"] for entry in answer["index"]]
        assert "failed" not in states, answer
        if states and all(state == "ready" for state in states):
            return answer
        await asyncio.sleep(0.2)
    raise AssertionError(f"the index is not ready: {await status(client)}")


async def symbols(client: LanguageClient, query: str) -> list[Any]:
    return await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query)) or []


def names(found: list[Any]) -> list[str]:
    return [symbol.name for symbol in found]


async def query(client: LanguageClient, text: str) -> list[tuple[str, int, str]]:
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="bblfsh.query", arguments=[text]))
    return sorted((Path(item["uri"]).name, item["range"]["start"]["line"], item["label"]) for item in answer)


@pytest.mark.asyncio
async def test_workspace_symbols_from_files_never_opened(client: LanguageClient) -> None:
    await ready(client)
    found = await symbols(client, "make_circle")
    assert names(found)[:1] == ["make_circle"]
    location = found[0].location
    assert location.uri.endswith("pkg/shapes.py") and location.range.start.line == 5
    assert location.range.start.character == 4 and location.range.end.character == 15
    assert "area" in names(await symbols(client, "area")) and found[0].kind == types.SymbolKind.Function
    assert names(await symbols(client, "pargs"))[:1] == ["parse_args"]  # fuzzy: word starts


@pytest.mark.asyncio
async def test_saves_and_watched_changes_keep_it_current(client: LanguageClient) -> None:
    await ready(client)
    root = Path(client.workspace_path)  # type: ignore[attr-defined]
    (root / "pkg" / "util.py").write_text("def renamed_function(argv):\n    return argv\n", encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=(root / "pkg" / "util.py").as_uri())))
    (root / "other.py").unlink()
    (root / "added.py").write_text("def brand_new():\n    pass\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(root / "other.py").as_uri(), type=types.FileChangeType.Deleted),
        types.FileEvent(uri=(root / "added.py").as_uri(), type=types.FileChangeType.Created)]))
    await asyncio.sleep(0.1)
    await ready(client)
    assert names(await symbols(client, "renamed_function")) == ["renamed_function"]
    assert names(await symbols(client, "parse_args")) == []
    assert names(await symbols(client, "helper")) == []
    assert names(await symbols(client, "brand_new")) == ["brand_new"]
    assert ("added.py", 0, "brand_new") in await query(client, "//uast:FunctionGroup")


@pytest.mark.asyncio
async def test_query_answers_from_the_index(client: LanguageClient) -> None:
    await ready(client)
    assert await query(client, "//uast:FunctionGroup") == [
        ("other.py", 3, "helper"), ("shapes.py", 1, "area"), ("shapes.py", 5, "make_circle"),
        ("util.py", 0, "parse_args")]
    assert await query(client, "//python:Call[func/uast:Identifier[@Name='isinstance']]") == [("shapes.py", 6, "")]
    # Not planned: the full evaluator, on the files whose terms say they may match.
    assert await query(client, "//uast:FunctionGroup[.//python:Return/value/python:Constant]") == [
        ("shapes.py", 1, "area")]


@pytest.mark.asyncio
async def test_two_servers_on_one_workspace(tmp_path: Path) -> None:
    import os
    import sys

    from test_security import language_server

    write_files(tmp_path)
    command = [sys.executable, "-m", "bblfsh_lsp", "serve"]
    async with language_server(command, tmp_path, os.environ) as first, \
            language_server(command, tmp_path, os.environ) as second:
        answers = []
        for server in (first, second):
            await ready(server)
            answers.append((names(await symbols(server, "make_circle")), await query(server, "//uast:FunctionGroup")))
        assert answers[0] == answers[1] and answers[0][0] == ["make_circle"] and len(answers[0][1]) == 4
        (tmp_path / "added.py").write_text("def brand_new():\n    pass\n", encoding="utf-8")
        for server in (first, second):  # both told; one indexes, the other finds it being done
            server.text_document_did_save(types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=(tmp_path / "added.py").as_uri())))
        await asyncio.sleep(0.1)
        for server in (first, second):
            await ready(server)
        for server in (first, second):  # the indexer that found the other one at work waited for it
            assert names(await symbols(server, "brand_new")) == ["brand_new"]


@pytest.mark.asyncio
async def test_the_editor_s_index_is_built_here_whatever_scheduler_the_shell_names(tmp_path: Path) -> None:
    """`index` reads $BBLFSH_LSP_SCHEDULER as `query` and `parse` do; the server's background
    refresh does not: with an address that answers nothing, the index is still built."""
    import os
    import subprocess
    import sys

    from test_security import language_server

    write_files(tmp_path)
    nowhere = {**os.environ, "BBLFSH_LSP_SCHEDULER": "tcp://127.0.0.1:9"}
    cli = subprocess.run([sys.executable, "-m", "bblfsh_lsp", "index", str(tmp_path)], env=nowhere,
                         capture_output=True, text=True, timeout=120, check=False)
    assert cli.returncode == 2 and "cannot reach the Dask scheduler" in cli.stderr, cli.stderr
    async with language_server([sys.executable, "-m", "bblfsh_lsp", "serve"], tmp_path, nowhere) as server:
        await ready(server)
        assert names(await symbols(server, "make_circle")) == ["make_circle"]
