"""The universal driver (driver_runtime/drivers/universal/): tree-sitter in Babelfish's shape.

Not yet in the registry (no manifest.json): it is called in-process and as a process of its own."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any

import pytest
from tree_sitter_language_pack import SupportedLanguage

from driver_runtime.drivers.universal import grammars
from driver_runtime.drivers.universal.driver import UniversalDriver
from driver_runtime.sdk.protocol import ParseRequest, ParseResult
from driver_runtime.sdk.uast import children, walk

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO / "driver_runtime" / "drivers" / "universal"
LAUNCH = REPO / "driver_runtime" / "sdk" / "launch.py"

Node = dict[str, Any]


@pytest.fixture(scope="module")
def driver() -> UniversalDriver:
    return UniversalDriver()


def parse(driver: UniversalDriver, language: str, source: str, mode: str = "native") -> ParseResult:
    return driver.parse(ParseRequest(content=source, language=language, mode=mode))


def of_type(tree: Any, kind: str) -> list[Node]:
    return [node for node in walk(tree) if node.get("@type") == kind]


def text(source: str, node: Node) -> str:
    return source.encode()[node["@pos"]["start"]:node["@pos"]["end"]].decode()


def assert_well_formed(tree: Node, source: str) -> None:
    """Every node has a prefixed type and a span inside its parent's; a leaf's token is its text;
    anything else's token (an operator) is in its text."""
    data = source.encode()
    stack = [(tree, 0, len(data))]
    while stack:
        node, low, high = stack.pop()
        start, end = node["@pos"]["start"], node["@pos"]["end"]
        assert low <= start <= end <= high, node["@type"]
        assert ":" in node["@type"]
        kids = list(children(node))
        if "@token" in node:
            if kids:
                assert node["@token"] in data[start:end].decode(), node
            else:
                assert node["@token"] == data[start:end].decode(), node
        stack.extend((kid, start, end) for kid in kids)


# --- every grammar, in a process of its own ----------------------------------------------------

GRAMMAR_SMOKE = textwrap.dedent("""
    import sys
    from driver_runtime.drivers.universal.driver import UniversalDriver
    from driver_runtime.sdk.protocol import ParseRequest
    from driver_runtime.drivers.universal import grammars
    driver = UniversalDriver()
    grammar = sys.argv[1]
    # A dialect's grammar (C, TSX) answers for its language's files with the dialect's extension.
    language, extensions = grammars.DIALECTS_OF.get(grammar, (grammar, ("",)))
    filename = "sample" + extensions[0]
    assert grammars.grammar_for(language, filename) == grammar
    for sample in ("x\\n", "x = 1 # one\\n// two\\nf(a, b) { return; }\\n", "\\x00\\u00e9)(}{\\n"):
        for mode in ("native", "semantic"):
            result = driver.parse(ParseRequest(content=sample, filename=filename, language=language, mode=mode))
            assert result.uast is not None and result.language == language, result
    print("ok")
""")


def test_every_grammar_of_the_pack_is_served_or_excluded_with_a_reason():
    pack = set(typing.get_args(SupportedLanguage))
    assert len(pack) >= 170
    assert set(grammars.GRAMMARS.values()) | set(grammars.DIALECTS_OF) | set(grammars.EXCLUDED) == pack
    assert not set(grammars.DIALECTS_OF) & set(grammars.LANGUAGES)
    assert all(grammars.EXCLUDED.values())
    assert set(grammars.BABELFISH) <= set(grammars.LANGUAGES)
    assert grammars.served_name("C#") == "csharp" and grammars.served_name("cobol") is None
    assert grammars.grammar_for("typescript", "app.tsx") == "tsx"
    assert grammars.grammar_for("typescript", "app.ts") == "typescript"


@pytest.mark.parametrize("grammar", sorted({*grammars.GRAMMARS.values(), *grammars.DIALECTS_OF}))
def test_every_grammar_parses_a_small_sample(grammar):
    """In a process of its own, with a timeout: a grammar that hangs or crashes must not take
    the test run with it (cobol hangs: grammars.EXCLUDED)."""
    run = subprocess.run([sys.executable, "-B", "-c", GRAMMAR_SMOKE, grammar],
                         capture_output=True, cwd=REPO, timeout=60, check=False)
    assert run.returncode == 0 and run.stdout.strip() == b"ok", run.stderr.decode(errors="replace")[-2000:]


# --- realistic samples --------------------------------------------------------------------------

RUST = """\
/// A point on the plane.
pub struct Point { x: f64, y: f64 }

impl Point {
    pub fn norm(&self) -> f64 {
        (self.x * self.x + self.y * self.y).sqrt()
    }
}
"""


def test_rust(driver):
    result = parse(driver, "rust", RUST)
    assert result.errors == [] and result.language == "rust"
    tree = result.uast
    assert_well_formed(tree, RUST)
    assert tree["@type"] == "rust:source_file"
    comment, struct, impl = tree["children"]
    assert comment["@type"] == "rust:line_comment" and comment["@token"] == "/// A point on the plane.\n"
    assert "children" not in comment  # a comment is a leaf, whatever parts its grammar gives it
    assert struct["name"] == {"@type": "rust:type_identifier", "@pos": {"start": 37, "end": 42}, "@token": "Point"}
    assert [text(RUST, field["name"]) for field in struct["body"]["children"]] == ["x", "y"]
    function = impl["body"]["children"][0]
    assert function["@type"] == "rust:function_item"
    assert function["name"]["@token"] == "norm"
    assert function["return_type"]["@token"] == "f64"
    assert function["children"][0]["@type"] == "rust:visibility_modifier"
    assert "@token" not in function  # "fn" and "->" are not operators
    plus = of_type(tree, "rust:binary_expression")[0]
    assert plus["operator"] == "+" and plus["left"]["operator"] == "*"
    assert text(RUST, plus) == "self.x * self.x + self.y * self.y"
    assert "@token" not in of_type(tree, "rust:arguments")[0]  # "()": delimiters only


KOTLIN = """\
package shop

// Prices in cents.
class Cart(val owner: String) {
    fun total(prices: List<Int>): Int = prices.sum()
}
"""


def test_kotlin(driver):
    result = parse(driver, "kotlin", KOTLIN)
    assert result.errors == []
    assert_well_formed(result.uast, KOTLIN)
    (cart,) = of_type(result.uast, "kotlin:class_declaration")
    assert cart["children"][0] == {"@type": "kotlin:type_identifier", "@pos": {"start": 40, "end": 44},
                                   "@token": "Cart"}
    (total,) = of_type(result.uast, "kotlin:function_declaration")
    assert total["children"][0]["@token"] == "total"
    assert text(KOTLIN, total) == "fun total(prices: List<Int>): Int = prices.sum()"
    assert [node["@token"] for node in of_type(result.uast, "kotlin:line_comment")] == ["// Prices in cents."]


CSHARP = """\
using System;

namespace Shop {
    /* A customer's basket. */
    public class Basket {
        public int Count(string item) { return item.Length; }
    }
}
"""


def test_csharp(driver):
    result = parse(driver, "csharp", CSHARP)
    assert result.errors == [] and result.language == "csharp"
    assert_well_formed(result.uast, CSHARP)
    assert result.uast["@type"] == "csharp:compilation_unit"
    (basket,) = of_type(result.uast, "csharp:class_declaration")
    assert basket["name"]["@token"] == "Basket"
    assert basket["children"][0] == {"@type": "csharp:modifier", "@pos": {"start": 67, "end": 73},
                                     "@token": "public"}
    (method,) = of_type(result.uast, "csharp:method_declaration")
    assert method["name"]["@token"] == "Count" and method["returns"]["@token"] == "int"
    (parameter,) = method["parameters"]["children"]
    assert (parameter["type"]["@token"], parameter["name"]["@token"]) == ("string", "item")
    assert of_type(result.uast, "csharp:comment")[0]["@token"] == "/* A customer's basket. */"
    # C# by an alias, as editors name it
    assert parse(driver, "C#", CSHARP).uast == result.uast


BASH = """\
#!/bin/bash
# greet everyone
greet() {
  echo "hello $1"
}
for name in ann bob; do greet "$name"; done
"""


def test_bash(driver):
    result = parse(driver, "bash", BASH)
    assert result.errors == []
    assert_well_formed(result.uast, BASH)
    assert [node["@token"] for node in of_type(result.uast, "bash:comment")] == ["#!/bin/bash", "# greet everyone"]
    (function,) = of_type(result.uast, "bash:function_definition")
    assert function["name"]["@token"] == "greet"
    (loop,) = of_type(result.uast, "bash:for_statement")
    assert loop["variable"]["@token"] == "name"
    assert [word["@token"] for word in loop["value"]] == ["ann", "bob"]  # a field with several: a list
    assert [node["@token"] for node in of_type(result.uast, "bash:variable_name")] == ["1", "name", "name"]


LUA = """\
-- a counter
local function counter(start)
  local n = start or 0
  return function() n = n + 1; return n end
end
"""


def test_lua(driver):
    result = parse(driver, "lua", LUA)
    assert result.errors == []
    assert_well_formed(result.uast, LUA)
    (comment,) = of_type(result.uast, "lua:comment")
    assert comment["@token"] == "-- a counter" and "content" not in comment
    (counter,) = of_type(result.uast, "lua:function_declaration")
    assert counter["name"]["@token"] == "counter"
    assert counter["parameters"]["name"]["@token"] == "start"
    default, increment = of_type(result.uast, "lua:binary_expression")
    assert default["@token"] == "or" and increment["@token"] == "+"  # operators in no field
    assert text(LUA, increment) == "n + 1"


GO = """\
package main

import "fmt"

// Add sums two numbers.
func Add(a, b int) int {
\treturn a + b
}

func main() { fmt.Println(Add(1, 2)) }
"""


def test_go(driver):
    result = parse(driver, "go", GO)
    assert result.errors == []
    assert_well_formed(result.uast, GO)
    add, main = of_type(result.uast, "go:function_declaration")
    assert add["name"]["@token"] == "Add" and main["name"]["@token"] == "main"
    (declaration,) = add["parameters"]["children"]
    assert [name["@token"] for name in declaration["name"]] == ["a", "b"]
    assert declaration["type"]["@token"] == "int" and add["result"]["@token"] == "int"
    (plus,) = of_type(result.uast, "go:binary_expression")
    assert plus["operator"] == "+" and plus["@pos"] == {"start": 86, "end": 91}
    assert of_type(result.uast, "go:comment")[0]["@token"] == "// Add sums two numbers."
    assert [node["@token"] for node in of_type(result.uast, "go:int_literal")] == ["1", "2"]


PYTHON = '''\
import os

# the home folder
def home(user: str) -> str:
    """Where a user lives."""
    return os.path.join("/home", user)
'''


def test_python(driver):
    result = parse(driver, "python", PYTHON)
    assert result.errors == []
    assert_well_formed(result.uast, PYTHON)
    assert result.uast["@type"] == "python:module"
    (function,) = of_type(result.uast, "python:function_definition")
    assert function["name"] == {"@type": "python:identifier", "@pos": {"start": 33, "end": 37}, "@token": "home"}
    assert text(PYTHON, function["return_type"]) == "str"
    assert [node["@token"] for node in of_type(result.uast, "python:string_content")] == [
        "Where a user lives.", "/home"]
    assert of_type(result.uast, "python:comment")[0]["@token"] == "# the home folder"


YAML = """\
# service settings
name: shop
ports:
  - 80
  - 443
debug: false
"""


def test_yaml(driver):
    result = parse(driver, "yaml", YAML)
    assert result.errors == []
    assert_well_formed(result.uast, YAML)
    pairs = of_type(result.uast, "yaml:block_mapping_pair")
    assert [text(YAML, pair["key"]) for pair in pairs] == ["name", "ports", "debug"]
    assert [node["@token"] for node in of_type(result.uast, "yaml:integer_scalar")] == ["80", "443"]
    assert of_type(result.uast, "yaml:boolean_scalar")[0]["@token"] == "false"


def test_non_ascii_positions_are_bytes(driver):
    source = "s = 'héllo'  # ünïcode\nt = 1\n"
    result = parse(driver, "python", source)
    assert_well_formed(result.uast, source)
    (comment,) = of_type(result.uast, "python:comment")
    assert comment["@token"] == "# ünïcode"
    start = len("s = 'héllo'  ".encode())
    assert start == 14 and comment["@pos"] == {"start": start, "end": start + len("# ünïcode".encode())}


# --- syntax errors ------------------------------------------------------------------------------

def test_a_syntax_error_is_reported_with_a_partial_tree(driver):
    source = "fn ok() {}\n\nfn broken() {\n    let x = (1 + ;\n}\n\nfn after() {}\n"
    result = parse(driver, "rust", source)
    assert result.errors, result
    assert {error.start.line for error in result.errors} == {4}
    error = result.errors[0]
    assert error.message.startswith("syntax error")
    assert source.encode()[error.start.offset:].startswith(b"= (1 +"[: error.end.offset - error.start.offset])
    names = [node["name"]["@token"] for node in of_type(result.uast, "rust:function_item")]
    assert names == ["ok", "broken", "after"]  # the tree is still there
    assert of_type(result.uast, "rust:ERROR")


def test_a_missing_token_is_reported(driver):
    result = parse(driver, "python", "def f(:\n    pass\n")
    assert [(error.message, error.start.line, error.start.col) for error in result.errors] == [
        ("syntax error: missing )", 1, 7)]
    assert result.uast is not None


def test_an_unknown_language_is_an_error_not_a_crash(driver):
    for language in ("cobol", "klingon", ""):
        result = parse(driver, language, "x\n")
        assert result.uast is None and "no grammar" in result.errors[0].message


def test_a_deep_tree_is_converted_without_recursion(driver):
    source = "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n"
    result = parse(driver, "python", source)
    assert result.uast is not None
    assert sum(1 for _ in of_type(result.uast, "python:parenthesized_expression")) == 3000


# --- generic rules: annotated and semantic modes ------------------------------------------------

def test_semantic_mode_has_generic_uast_nodes(driver):
    result = parse(driver, "rust", RUST, mode="semantic")
    tree = result.uast
    (comment,) = of_type(tree, "uast:Comment")
    assert (comment["Text"], comment["Prefix"], comment["Block"]) == ("A point on the plane.", " ", False)
    names = [node["Name"] for node in of_type(tree, "uast:Identifier")]
    assert names[:6] == ["Point", "x", "f64", "y", "f64", "norm"]  # rust.py: primitive types are names
    go = parse(driver, "go", GO, mode="semantic").uast
    # go.py: an import's path is an Identifier, as Babelfish's Go driver made it
    assert [node["Path"]["Name"] for node in of_type(go, "uast:Import")] == ["fmt"]
    python = parse(driver, "python", PYTHON, mode="semantic").uast
    assert [node["Value"] for node in of_type(python, "uast:String")] == ["Where a user lives.", "/home"]
    annotated = parse(driver, "python", PYTHON, mode="annotated").uast
    (comment,) = of_type(annotated, "python:comment")
    assert comment["@role"] == ["Comment", "Noop"]
    assert annotated["@role"] == ["File"]  # the root, whatever its grammar calls it


# --- over the protocol --------------------------------------------------------------------------

def test_the_driver_answers_over_the_protocol():
    requests = [
        {"id": 1, "method": "info"},
        {"id": 2, "method": "parse", "params": {"content": RUST, "filename": "point.rs", "language": "rust",
                                                "mode": "native"}},
        {"id": 3, "method": "parse", "params": {"content": "def f(:\n", "language": "python"}},
        {"id": 4, "method": "nonsense"},
    ]
    run = subprocess.run(
        [sys.executable, "-I", "-B", str(LAUNCH), "-m", "driver_runtime.drivers.universal"],
        input="".join(json.dumps(request) + "\n" for request in requests).encode(), capture_output=True,
        cwd=FOLDER, timeout=60, check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    info, rust, broken, unknown = (json.loads(line) for line in run.stdout.splitlines())
    assert info["result"]["name"] == "universal" and "tree-sitter" in info["result"]["parser"]
    assert rust["result"]["language"] == "rust" and not rust["result"].get("errors")
    assert rust["result"]["uast"] == parse(UniversalDriver(), "rust", RUST).uast
    assert broken["result"]["errors"][0]["start"]["line"] == 1 and broken["result"]["uast"]
    assert unknown["error"]["code"] == "unknown-method"


def test_a_grammar_that_loops_on_broken_input_is_given_up_and_the_driver_goes_on(driver):
    """tree-sitter-fsharp never returns on this unfinished member (and grows in memory): the
    parse is given up after the driver's time limit, with an error that says so."""
    looping = "type Order(id: int, customer: string) =\n    member this.Id = id\n    member thisine) =\n"
    result = parse(driver, "fsharp", looping)
    assert result.uast is None and "did not finish parsing" in result.errors[0].message
    assert parse(driver, "fsharp", "let x = 1\n").errors == []

