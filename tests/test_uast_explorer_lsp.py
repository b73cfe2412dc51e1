"""The UAST explorer's requests end to end over stdio: `bblfsh/uastTree` (an open document's tree
in a mode, with ranges in the editor's positions) and `bblfsh/nodeQuery` ("Copy as query": an
XPath that finds the node, and a pattern where one applies), as the editors send them."""

from __future__ import annotations

from typing import Any

import pytest
from driver_checks import lsp_client_fixture, open_document
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

client = lsp_client_fixture({"lib.py": "def helper(x):\n    return isinstance(x, int)\n"})

SOURCE = "import os\n\n\ndef check(y):\n    return isinstance(y, str)\n"


def path_to(entry: dict[str, Any], kind: str, path: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    if entry["type"] == kind:
        return path
    for number, child in enumerate(entry["children"]):
        found = path_to(child, kind, (*path, number))
        if found is not None:
            return found
    return None


@pytest.mark.parametrize("mode", ["semantic", "native"])
async def test_the_tree_and_copy_as_query(client: LanguageClient, mode: str):
    uri = await open_document(client, "doc.py", SOURCE, "python")
    tree = await client.protocol.send_request_async("bblfsh/uastTree", {"textDocument": {"uri": uri}, "mode": mode})
    assert tree["language"] == "python" and tree["mode"] == mode and tree["truncated"] is False
    assert tree["version"] >= 0 and tree["root"]["type"] == "python:Module"
    call = path_to(tree["root"], "python:Call")
    assert call is not None
    entry = tree["root"]
    for number in call:
        entry = entry["children"][number]
    assert entry["range"] == {"start": {"line": 4, "character": 11}, "end": {"line": 4, "character": 29}}
    answer = await client.protocol.send_request_async("bblfsh/nodeQuery", {
        "textDocument": {"uri": uri}, "mode": mode, "path": list(call), "version": tree["version"]})
    callee = "uast:Identifier[@Name='isinstance']" if mode == "semantic" else "python:Name[@token='isinstance']"
    assert answer == {"xpath": f"//python:Call[func/{callee}]", "count": 1, "pattern": "isinstance($$$A)",
                      "language": "python"}
    # The query runs as the search box would run it: over the workspace it finds the other file's call too.
    found = await client.protocol.send_request_async("bblfsh/query", {"query": answer["xpath"]} if mode == "semantic"
                                                     else {"pattern": answer["pattern"]})
    assert len(found) == 2


async def test_bad_paths_and_stale_versions_are_clear_errors(client: LanguageClient):
    uri = await open_document(client, "doc.py", SOURCE, "python")
    tree = await client.protocol.send_request_async("bblfsh/uastTree", {"textDocument": {"uri": uri}})
    with pytest.raises(JsonRpcException, match="no such node"):
        await client.protocol.send_request_async("bblfsh/nodeQuery", {"textDocument": {"uri": uri}, "path": [99]})
    with pytest.raises(JsonRpcException, match="changed since its tree was shown"):
        await client.protocol.send_request_async("bblfsh/nodeQuery", {
            "textDocument": {"uri": uri}, "path": [0], "version": tree["version"] + 7})
    with pytest.raises(JsonRpcException, match="invalid params"):
        await client.protocol.send_request_async("bblfsh/nodeQuery", {"textDocument": {"uri": uri}, "path": ["x"]})
