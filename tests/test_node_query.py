""""Copy as query" as a library (bblfsh_lsp/query/node_query.py) and the explorer's tree
(bblfsh_lsp/uast_explorer.py), through the real drivers of the process runtime: for every node of
real trees, in every mode and in several languages, the XPath made for it finds it when run; the
patterns made for nodes find them and the code like them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query.node_query import candidate_xpaths, literal, pattern_for, xpath_for
from bblfsh_lsp.query.pattern import compile_pattern, match
from bblfsh_lsp.query.xpath import run_query
from bblfsh_lsp.uast_explorer import children, explorer_tree, node_at
from driver_runtime.sdk.protocol import Mode
from driver_runtime.sdk.uast import span
from driver_runtime.service import DriverService

pytestmark = pytest.mark.asyncio(loop_scope="module")

SAMPLES = REPO / "tests" / "universal_samples"
CODE = '''import os


def f(x):
    return isinstance(x, int)


def g(y):
    if isinstance(y, str) or isinstance(y, bytes):
        return os.path.join(y, "it's")
    return None
'''


@pytest.fixture(scope="module")
def service(module_service: DriverService) -> DriverService:
    return module_service


def walk(node: dict[str, Any], path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], dict[str, Any]]]:
    yield path, node
    for number, (_, child) in enumerate(children(node)):
        yield from walk(child, (*path, number))


async def test_literals_quote_anything():
    assert literal("plain") == "'plain'"
    assert literal("it's") == '"it\'s"'
    assert literal("""a'b"c""") == """concat('a', "'", 'b"c')"""


def sample(name: str) -> tuple[str, str]:
    folder = SAMPLES / name
    files = sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("expected"))
    return name, files[0].read_text(encoding="utf-8")


CASES = [("python", CODE), sample("go"), sample("javascript"), sample("java"), sample("rust")]


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.NATIVE])
@pytest.mark.parametrize(("language", "code"), CASES, ids=[language for language, _ in CASES])
async def test_every_node_is_found_by_its_xpath(service: DriverService, language: str, code: str, mode: Mode):
    parsed = await service.parse(code, "", language=language, mode=mode)
    tree = parsed.uast
    assert isinstance(tree, dict), parsed.errors
    index = TextIndex(code, "utf-8")
    told = 0  # nodes whose XPath says more than their type
    nodes = list(walk(tree))
    for path, node in nodes:
        assert node_at(tree, list(path)) is node
        found = xpath_for(tree, node, index)
        result = run_query(found.xpath, tree, index.lines, {kind.partition(":")[0] for kind in [tree["@type"]]})
        assert any(item is node for item in result.nodes), (found.xpath, path)
        assert found.count == len(result.nodes) >= 1
        told += "[" in found.xpath and "@start-offset" not in found.xpath
    assert told >= len(nodes) // 3, f"only {told} of {len(nodes)} nodes got a telling query"


async def test_queries_name_what_a_node_is(service: DriverService):
    parsed = await service.parse(CODE, "", language="python", mode=Mode.SEMANTIC)
    tree = parsed.uast
    index = TextIndex(CODE, "utf-8")
    by_xpath = {xpath_for(tree, node, index).xpath: node for _, node in walk(tree)}
    # A function by its name, a call by what it calls, an identifier by its name, a string by its value.
    assert "//uast:FunctionGroup[Nodes/uast:Alias/Name/uast:Identifier[@Name='g']]" in by_xpath
    assert "//python:Call[func/uast:Identifier[@Name='isinstance']]" in by_xpath
    assert "//uast:Identifier[@Name='os']" in by_xpath
    assert """//uast:String[@Value="it's"]""" in by_xpath
    calls = xpath_for(tree, by_xpath["//python:Call[func/uast:Identifier[@Name='isinstance']]"], index)
    assert calls.count == 3  # "and others like it"
    # The plainest candidates are always there: the type, and the type at the node's start.
    call = by_xpath["//python:Call[func/uast:Identifier[@Name='isinstance']]"]
    assert candidate_xpaths(call)[-2] == "//python:Call"
    assert candidate_xpaths(call)[-1] == f"//python:Call[@start-offset={span(call)[0]}]"


async def test_patterns_find_the_node_and_the_code_like_it(service: DriverService):
    native = await service.parse(CODE, "", language="python", mode=Mode.NATIVE)
    semantic = await service.parse(CODE, "", language="python", mode=Mode.SEMANTIC)
    index = TextIndex(CODE, "utf-8")
    data = CODE.encode()

    def node_spanning(tree: dict[str, Any], text: str, kind: str) -> dict[str, Any]:
        start = CODE.index(text)
        for _, node in walk(tree):
            if node.get("@type") == kind and span(node) == (start, start + len(text)):
                return node
        raise AssertionError(f"no {kind} at {text!r}")

    for tree in (native.uast, semantic.uast):  # the node from either tree; the pattern runs on the native one
        call = node_spanning(tree, "isinstance(x, int)", "python:Call")
        pattern = await pattern_for(call, index, "python", native.uast, service)
        assert pattern == "isinstance($$$A)"  # what names it kept, the rest free
        compiled = await compile_pattern(pattern, "python", service, Mode.NATIVE)
        assert [data[m.start:m.end].decode() for m in match(compiled, native.uast, index)] == [
            "isinstance(x, int)", "isinstance(y, str)", "isinstance(y, bytes)"]
    joined = node_spanning(native.uast, 'os.path.join(y, "it\'s")', "python:Call")
    assert await pattern_for(joined, index, "python", native.uast, service) == "os.path.join($$$A)"
    module = native.uast
    assert await pattern_for(module, index, "python", native.uast, service) is None  # the file itself


async def test_the_explorer_tree_spans_and_ranges(service: DriverService):
    code = "def f(x):\n    return 'é' + x\n"
    parsed = await service.parse(code, "", language="python", mode=Mode.SEMANTIC)
    index = TextIndex(code, "utf-16")
    root, count, cut = explorer_tree(parsed.uast, index)
    assert not cut and count == sum(1 for _ in walk(parsed.uast))
    assert root["type"] == "python:Module" and root["range"]["start"]["line"] == 0
    group = root["children"][0]
    assert group["type"] == "uast:FunctionGroup" and group["label"] == "f" and group["field"] == "body"
    assert "Function" in group["roles"]

    def find(entry: dict[str, Any], kind: str) -> Iterator[dict[str, Any]]:
        if entry["type"] == kind:
            yield entry
        for child in entry["children"]:
            yield from find(child, kind)

    (string,) = find(root, "uast:String")
    assert string["properties"]["Value"] == "é"
    assert string["range"] == {"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 14}}
    (plus,) = find(root, "python:BinOp")
    assert plus["range"]["end"] == {"line": 1, "character": 18}  # utf-16 units after the é
    # A map (no @type) spans what it holds, or has no range when it holds nothing positioned.
    _, small, cut = explorer_tree(parsed.uast, index, max_nodes=3)
    assert (small, cut) == (3, True)
    with pytest.raises(IndexError):
        node_at(parsed.uast, [0, 99])


async def test_the_samples_exist():
    assert all(Path(SAMPLES / language).is_dir() for language, _ in CASES if language != "python")
