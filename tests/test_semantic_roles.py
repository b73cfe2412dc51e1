"""Roles in semantic mode (issue 14): a uast:* node keeps the roles of the native node it
replaces and has those of its concept (kit.nodes.CONCEPT_ROLES), so that a role query answers
the same constructs in every language: functions are Function + Declaration, the call is Call,
identifiers are Identifier.  Babelfish left uast:* nodes without roles, and
`//*[@role='Function' and @role='Declaration']` found Python's classes but not its functions.

The same small program in every language with a driver of its own and in a few that the
universal driver parses, each parsed by a real driver (process runtime); then the invariant
(every uast:* node has its concept's roles) over the universal driver's samples, and the rule
itself on a toy table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import toolchain_unavailable

from bblfsh_lsp.query import compile_query
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.nodes import CONCEPT_ROLES
from driver_runtime.sdk.normalizer import Context, Normalizer, Tables
from driver_runtime.sdk.protocol import Mode
from driver_runtime.sdk.uast import LineStarts
from driver_runtime.service import DriverService

HERE = Path(__file__).resolve().parent

Node = dict[str, Any]

# Two functions, `helper` and `add`, and one call, `helper(a)`, in each language (the file
# name tells the language).  Java and C# need a class around them.
SAMPLES: dict[str, str] = {
    "sample.py": "def helper(x):\n    return x\n\n\ndef add(a, b):\n    return helper(a) + b\n",
    "sample.js": "function helper(x) { return x; }\nfunction add(a, b) { return helper(a) + b; }\n",
    "sample.ts": ("function helper(x: number): number { return x; }\n"
                  "function add(a: number, b: number): number { return helper(a) + b; }\n"),
    "sample.go": ("package sample\n\nfunc helper(x int) int { return x }\n\n"
                  "func add(a int, b int) int { return helper(a) + b }\n"),
    "Sample.java": ("class Sample {\n    static int helper(int x) { return x; }\n"
                    "    static int add(int a, int b) { return helper(a) + b; }\n}\n"),
    "sample.rb": "def helper(x)\n  x\nend\n\ndef add(a, b)\n  helper(a) + b\nend\n",
    "sample.php": "<?php\nfunction helper($x) { return $x; }\nfunction add($a, $b) { return helper($a) + $b; }\n",
    "sample.cpp": "int helper(int x) { return x; }\nint add(int a, int b) { return helper(a) + b; }\n",
    # the universal driver's
    "Sample.cs": ("class Sample {\n    static int helper(int x) { return x; }\n"
                  "    static int add(int a, int b) { return helper(a) + b; }\n}\n"),
    "sample.kt": "fun helper(x: Int): Int { return x }\nfun add(a: Int, b: Int): Int { return helper(a) + b }\n",
    "sample.rs": "fn helper(x: i32) -> i32 { x }\nfn add(a: i32, b: i32) -> i32 { helper(a) + b }\n",
    "sample.lua": "function helper(x) return x end\nfunction add(a, b) return helper(a) + b end\n",
}
NATIVE_DRIVERS = frozenset(("sample.py", "sample.js", "sample.ts", "sample.go", "Sample.java", "sample.rb",
                            "sample.php", "sample.cpp"))

FUNCTIONS = "//*[@role='Function' and @role='Declaration']"
# A call's parts carry the Call role too, with their place (Babelfish's Callee, Argument,
# Receiver): the call itself is the Call that is none of them.
CALLS = "//*[@role='Call' and not(@role='Callee' or @role='Argument' or @role='Receiver')]"
IDENTIFIERS = "//*[@role='Identifier']"


class Parser:
    """Real drivers on the process runtime, on a loop of their own (up for the module)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.service = DriverService(ProcessRuntime(), Registry.bundled())

    def parse(self, source: str, filename: str, native: bool) -> Node:
        language = self.service.language_of(filename)
        if native and self.service.driver_for(language).universal:
            toolchain_unavailable(f"the {language} driver's native parser is not prepared "
                                  f"(`bblfsh-lsp driver install {language} --runtime process`)")
        result = self.loop.run_until_complete(self.service.parse(source, filename, mode=Mode.SEMANTIC))
        assert isinstance(result.uast, dict) and not result.errors, result.errors
        return result.uast

    def close(self) -> None:
        self.loop.run_until_complete(self.service.close())
        self.loop.close()


@pytest.fixture(scope="module")
def parser() -> Iterator[Parser]:
    made = Parser()
    try:
        yield made
    finally:
        made.close()


def query(text: str, tree: Node, source: str) -> list[Node]:
    result = compile_query(text).run(tree, LineStarts(source.encode()))
    assert result.is_node_set
    return result.nodes


def spelled(node: Node, source: str) -> str:
    pos = node["@pos"]
    return source.encode()[pos["start"]:pos["end"]].decode()


def function_name(node: Node) -> str | None:
    for member in node.get("Nodes") or ():
        if isinstance(member, dict) and member.get("@type") == "uast:Alias":
            return member["Name"]["Name"]
    return None


def uast_nodes(tree: Any) -> Iterator[Node]:
    stack = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            kind = value.get("@type")
            if isinstance(kind, str) and kind.startswith("uast:") and kind not in ("uast:Positions", "uast:Position"):
                yield value
            stack.extend(child for key, child in value.items() if key != "@pos")


def without_concept_roles(tree: Any) -> list[tuple[str, list[str]]]:
    """The uast:* nodes that lack a role of their concept."""
    return [(node["@type"], node.get("@role") or []) for node in uast_nodes(tree)
            if not set(CONCEPT_ROLES.get(node["@type"], ())) <= set(node.get("@role") or ())]


@pytest.mark.parametrize("filename", sorted(SAMPLES))
def test_one_role_query_answers_the_same_constructs_in_every_language(parser: Parser, filename: str):
    source = SAMPLES[filename]
    tree = parser.parse(source, filename, native=filename in NATIVE_DRIVERS)

    functions = query(FUNCTIONS, tree, source)
    assert [node["@type"] for node in functions] == ["uast:FunctionGroup"] * 2
    assert [function_name(node) for node in functions] == ["helper", "add"]

    # by the code they span: C++'s tree (CDT's, as Babelfish's) holds a return's value twice
    calls = {(node["@pos"]["start"], spelled(node, source).replace("$", "")) for node in query(CALLS, tree, source)}
    assert [text for _start, text in calls] == ["helper(a)"]

    identifiers = query(IDENTIFIERS, tree, source)
    every = query("//uast:Identifier", tree, source)
    assert every and all(any(node is found for found in identifiers) for node in every)
    assert {"helper", "add", "a", "b", "x"} <= {node.get("Name", "").lstrip("$") for node in identifiers}
    assert without_concept_roles(tree) == []


UNIVERSAL_SAMPLES = sorted(path for path in (HERE / "universal_samples").glob("*/*") if path.name != "expected.txt")


@pytest.mark.parametrize("path", UNIVERSAL_SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_uast_node_has_its_concepts_roles(parser: Parser, path: Path):
    """Wherever a table's transform puts a uast:* node (a name given to an array's objects, a
    doc comment moved into a function), it has its concept's roles."""
    source = path.read_text(encoding="utf-8")
    tree = parser.parse(source, str(path), native=False)
    assert any(True for _ in uast_nodes(tree))
    assert without_concept_roles(tree) == []


# --- the rule, on a toy table -------------------------------------------------------------------

def _function(node: Node, context: Context) -> Node:
    from driver_runtime.sdk import nodes
    return nodes.function_group(node["name"], nodes.function(nodes.function_type([]), node.get("body")),
                                node.get("@pos"))


def _name(node: Node, context: Context) -> Node:
    from driver_runtime.sdk import nodes
    return nodes.identifier(node["@token"], node.get("@pos"))


TOY = Tables(
    roles={"Def": ("Declaration", "Function", "Identifier", "Statement"), "Name": ("Expression", "Identifier"),
           "Call": ("Call", "Expression"), "Wrapper": ("Expression",)},
    field_roles={("Call", "callee"): ("Call", "Callee")},
    transforms={"Def": _function, "Name": _name, "Wrapper": lambda node, context: node["inner"]},
)


def toy_tree() -> Node:
    call = {"@type": "Call", "callee": {"@type": "Name", "@token": "f"},
            "args": [{"@type": "Wrapper", "inner": {"@type": "Name", "@token": "x"}}]}
    return {"@type": "File", "body": [{"@type": "Def", "name": {"@type": "Name", "@token": "g"}, "body": [call]}]}


def test_a_uast_node_keeps_the_replaced_nodes_roles_and_has_its_concepts():
    tree = Normalizer("toy", TOY).run(toy_tree(), b"", Mode.SEMANTIC)
    group = tree["body"][0]
    # the def's roles, but not Identifier: its name is an Identifier of its own
    assert group["@type"] == "uast:FunctionGroup" and group["@role"] == ["Declaration", "Function", "Statement"]
    alias = group["Nodes"][0]
    assert "@role" not in alias and alias["Name"]["@role"] == ["Expression", "Identifier"]
    function = alias["Node"]
    assert function["@role"] == ["Function"] and function["Type"]["@role"] == ["Function", "Type"]
    call = function["Body"][0]
    assert call["@role"] == ["Call", "Expression"]  # native nodes: as in annotated mode
    assert call["callee"]["@role"] == ["Call", "Callee", "Expression", "Identifier"]  # type and place
    # a child put in its wrapper's place has the wrapper's roles too (Unannotated is no role)
    assert call["args"][0]["@role"] == ["Expression", "Identifier"]


def test_annotated_and_native_modes_are_unchanged():
    annotated = Normalizer("toy", TOY).run(toy_tree(), b"", Mode.ANNOTATED)
    assert annotated["body"][0]["@type"] == "toy:Def"
    assert annotated["body"][0]["name"]["@role"] == ["Expression", "Identifier"]
    native = Normalizer("toy", TOY).run(toy_tree(), b"", Mode.NATIVE)
    assert "@role" not in native["body"][0]["name"]
