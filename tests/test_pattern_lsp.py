"""`bblfsh/query` with a code pattern, end to end over stdio: `{pattern, language?, semantic?}`
beside `{query}`, on a document and on the workspace, with captures in each result."""

from __future__ import annotations

from pathlib import Path

import pytest
from driver_checks import lsp_client_fixture, open_document
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

client = lsp_client_fixture({
    "lib.py": "def helper(x):\n    return isinstance(x, int)\n",
    "util.js": "function helper(x) { return check(x) }\n",
    "README.md": "# notes\n",
})

SOURCE = "import os\n\nif isinstance(os.sep, str) and isinstance(1, (int, float)):\n    pass\n"


async def test_a_pattern_on_a_document_gives_matches_with_captures(client: LanguageClient):
    uri = await open_document(client, "doc.py", SOURCE, "python")
    matches = await client.protocol.send_request_async(
        "bblfsh/query", {"pattern": "isinstance($X, $T)", "textDocument": {"uri": uri}})
    assert [(m["type"], m["captures"]["X"]["text"], m["captures"]["T"]["text"]) for m in matches] == [
        ("python:Call", "os.sep", "str"), ("python:Call", "1", "(int, float)")]
    first = matches[0]
    assert first["range"] == {"start": {"line": 2, "character": 3}, "end": {"line": 2, "character": 26}}
    assert first["captures"]["X"]["range"] == {"start": {"line": 2, "character": 14},
                                               "end": {"line": 2, "character": 20}}


async def test_a_pattern_on_the_workspace_in_its_language_and_across_languages(client: LanguageClient):
    await open_document(client, "doc.py", SOURCE, "python")
    python = await client.protocol.send_request_async(
        "bblfsh/query", {"pattern": "isinstance($X, $T)", "language": "python"})
    assert sorted((Path(m["uri"]).name, m["captures"]["X"]["text"]) for m in python) == [
        ("doc.py", "1"), ("doc.py", "os.sep"), ("lib.py", "x")]
    functions = await client.protocol.send_request_async(
        "bblfsh/query", {"pattern": "def helper($X):\n    $$$", "language": "python", "semantic": True})
    assert sorted(Path(m["uri"]).name for m in functions) == ["lib.py", "util.js"]


async def test_a_bad_pattern_is_a_clear_error(client: LanguageClient):
    uri = await open_document(client, "doc.py", SOURCE, "python")
    with pytest.raises(JsonRpcException, match="does not parse as python: 1:4"):
        await client.protocol.send_request_async("bblfsh/query", {"pattern": "foo(", "textDocument": {"uri": uri}})
    with pytest.raises(JsonRpcException, match="a query or a pattern"):
        await client.protocol.send_request_async("bblfsh/query", {"query": "//x", "pattern": "foo()"})
    # The server keeps serving.
    assert await client.protocol.send_request_async(
        "bblfsh/query", {"pattern": "foo()", "textDocument": {"uri": uri}}) == []
