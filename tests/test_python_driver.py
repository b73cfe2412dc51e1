"""The Python driver, through real parses: the three modes, positions, comments, errors,
the Python 2 fallback, and conformance with Babelfish's fixtures (../shared/conformance)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from driver_runtime import uast
from driver_runtime.drivers.python import annotation
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.protocol import Mode, ParseRequest, ParseResult

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SCORER = SHARED / "tools" / "uast_score.py"
FIXTURES = SHARED / "conformance" / "python"

# The roles Babelfish's drivers use (all of them, from the conformance corpus).
BABELFISH_ROLES = set(
    "Add Alias And Annotation Anonymous ArgsList Argument Arithmetic Assert Assignment Base Binary "
    "Bitwise Block Body Boolean Break Byte Call Callee Case Catch Character Comment Condition Contains "
    "Continue Declaration Decrement Default Dereference Divide DoWhile Documentation Else Entry "
    "Enumeration Equal Expression File Finally For Function Goto GreaterThan GreaterThanOrEqual "
    "Identical Identifier If Import Incomplete Increment Initialization Instance Iterator Key Left "
    "LeftShift LessThan LessThanOrEqual List Literal Map Module Modulo Multiply Name Negative Noop Not "
    "Null Number Operator Or Package Pathname Positional Positive Postfix Primitive Qualified Receiver "
    "Regexp Relational Return Right RightShift Scope Set Statement String Substract Subtype Switch "
    "TakeAddress Then This Throw Try Tuple Type Unannotated Unary Unsigned Update Value Variable "
    "Visibility While World Xor".split()
)

SAMPLE = '''"""Module doc."""
import os, sys as system
from ..pkg.mod import name as alias, other

CONSTANT = 1  # same-line comment


# own-line comment
@decorator
class Shape(Base, metaclass=Meta):
    """A shape."""
    sides: int = 0

    def area(self, scale=1.0, *args, key=None, **options) -> float:
        # indented comment
        return self.width.real * scale if args else f"{key!r:>{scale}} and '#' not a comment"


async def main():
    global CONSTANT
    await os.path.join("a", "b")
    return [x async for x in y], lambda a, *b: a
'''

PYTHON2 = '''import sys
def show(a, *args, **kwargs):
    print "values:", a,
    print >>sys.stderr, "error"
    print
    print(a)
    exec "x = 1" in globals()
    if a <> 1: print a
'''


def parse(source: str, mode: Mode = Mode.SEMANTIC) -> ParseResult:
    return PythonDriver().parse(ParseRequest(content=source, mode=mode))


def nodes(tree: Any) -> list[dict[str, Any]]:
    return list(uast.walk(tree))


def types(tree: Any) -> set[str]:
    return {node.get("@type", "") for node in nodes(tree)}


def text_of(source: str, node: dict[str, Any]) -> str:
    span = uast.span(node)
    assert span is not None, node
    return source.encode("utf-8")[span[0]:span[1]].decode("utf-8")


def assert_positions_inside(source: str, tree: Any) -> None:
    size = len(source.encode("utf-8"))
    for node in nodes(tree):
        pos = node.get("@pos")
        if not pos:
            continue
        start, end = pos.get("start"), pos.get("end")
        assert start is None or 0 <= start <= size, node
        assert end is None or 0 <= end <= size, node
        if start is not None and end is not None:
            assert start <= end, node


# --- the three modes ---------------------------------------------------------------------------

def test_native_mode_is_the_parser_tree_with_positions_and_no_roles():
    result = parse(SAMPLE, Mode.NATIVE)
    assert result.ok and result.uast["@type"] == "python:Module"
    found = types(result.uast)
    assert {"python:ClassDef", "python:FunctionDef", "python:AsyncFunctionDef", "python:Name"} <= found
    assert not any(t.startswith("uast:") for t in found)
    assert not any("@role" in node for node in nodes(result.uast))
    assert_positions_inside(SAMPLE, result.uast)
    function = next(n for n in nodes(result.uast) if n.get("@type") == "python:FunctionDef")
    assert function["@token"] == "area"
    assert text_of(SAMPLE, function).startswith("def area(")


def test_annotated_mode_adds_babelfish_roles_and_nothing_else():
    native = parse(SAMPLE, Mode.NATIVE).uast
    annotated = parse(SAMPLE, Mode.ANNOTATED).uast
    assert types(annotated) == types(native)
    for node in nodes(annotated):
        if "@type" in node:
            roles = node.get("@role")
            assert roles, node
            assert set(roles) <= BABELFISH_ROLES, node
    cls = next(n for n in nodes(annotated) if n.get("@type") == "python:ClassDef")
    assert {"Declaration", "Type"} <= set(cls["@role"]) and cls["@token"] == "Shape"


def test_role_table_uses_babelfish_role_names_only_sorted():
    tables = list(annotation.ROLES.values()) + list(annotation.CONSTANT_ROLES.values())
    used = {role for roles in tables for role in roles}
    assert used <= BABELFISH_ROLES, used - BABELFISH_ROLES
    assert all(list(roles) == sorted(roles) for roles in tables)


def test_semantic_mode_shapes():
    result = parse(SAMPLE)
    assert result.ok
    tree = result.uast
    all_nodes = nodes(tree)
    assert_positions_inside(SAMPLE, tree)
    # functions: FunctionGroup -> Alias (Name) -> Function, spanning the name
    groups = [n for n in all_nodes if n.get("@type") == "uast:FunctionGroup"]
    assert [text_of(SAMPLE, g) for g in groups] == ["area", "main"]
    alias = groups[0]["Nodes"][1]
    assert alias["@type"] == "uast:Alias" and alias["Name"] == {"@type": "uast:Identifier", "Name": "area"}
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    arguments = function["Type"]["Arguments"]
    assert [a["Name"]["Name"] for a in arguments] == ["self", "scale", "args", "key", "options"]
    assert [text_of(SAMPLE, a) for a in arguments] == ["self", "scale", "args", "key", "options"]
    assert arguments[1]["Init"]["@token"] == 1.0 and arguments[2]["Variadic"] and arguments[4]["MapVariadic"]
    assert groups[0]["Nodes"][0] == {"async": False, "comments": {}, "decorators": []}
    assert groups[1]["Nodes"][0]["async"] is True
    # classes: native, Declaration + Type roles, the name as token, spanning the name
    cls = next(n for n in all_nodes if n.get("@type") == "python:ClassDef")
    assert {"Declaration", "Type"} <= set(cls["@role"]) and cls["@token"] == "Shape"
    assert text_of(SAMPLE, cls) == "Shape"
    # module-level assignment: Assignment role, the target an identifier
    assign = tree["body"][3]
    assert "Assignment" in assign["@role"] and assign["targets"][0]["Name"] == "CONSTANT"
    # names, strings, imports
    identifiers = [n for n in all_nodes if n.get("@type") == "uast:Identifier" and "@pos" in n]
    assert all(text_of(SAMPLE, n) == n["Name"] for n in identifiers)
    strings = [n for n in all_nodes if n.get("@type") == "uast:String" and "@pos" in n]
    assert "Module doc." in [s["Value"] for s in strings]
    group = tree["body"][1]
    assert group["@type"] == "uast:Group" and [i["@type"] for i in group["Nodes"]] == ["uast:RuntimeImport"] * 2
    relative = tree["body"][2]
    assert relative["@type"] == "uast:RuntimeImport"
    assert [n["Name"] for n in relative["Path"]["Names"]] == ["..", "..", "pkg", "mod"]
    assert relative["Names"][0]["@type"] == "uast:Alias"
    # no native Name, Str or FunctionDef is left (Babelfish's blacklist)
    assert not {"python:Name", "python:FunctionDef", "python:AsyncFunctionDef", "python:arg"} & types(tree)


def test_attribute_chains_are_qualified_identifiers_with_exact_spans():
    source = "a.b.c.d = obj.method()\n"
    tree = parse(source).uast
    chain = tree["body"][0]["targets"][0]
    assert chain["@type"] == "python:QualifiedIdentifier"
    assert [text_of(source, n) for n in chain["identifiers"]] == ["a", "b", "c", "d"]


# --- positions ---------------------------------------------------------------------------------

def test_positions_are_utf8_byte_offsets_after_non_ascii_text():
    source = 's = "é𝓏"  # café 𝓏\nt = s + "x"\ndef fé(𝓏a: int): return 𝓏a.𝓏b\nclass 𝓏C:\n    global 𝓏g\n'
    for mode in Mode:
        assert_positions_inside(source, parse(source, mode).uast)
    tree = parse(source).uast
    by_value = {n.get("Value"): n for n in nodes(tree) if n.get("@type") == "uast:String"}
    assert text_of(source, by_value["é𝓏"]) == '"é𝓏"'
    assert text_of(source, by_value["x"]) == '"x"'
    names = [(n["Name"], text_of(source, n)) for n in nodes(tree) if n.get("@type") == "uast:Identifier" and "@pos" in n]
    # the parser NFKC-normalises names (𝓏 is z); the span is the name as written
    assert ("t", "t") in names and ("s", "s") in names and ("za", "𝓏a") in names and ("zb", "𝓏b") in names
    assert ("zg", "𝓏g") in names
    group = next(n for n in nodes(tree) if n.get("@type") == "uast:FunctionGroup")
    assert text_of(source, group) == "fé"
    cls = next(n for n in nodes(tree) if n.get("@type") == "python:ClassDef")
    assert text_of(source, cls) == "𝓏C"
    comment = next(n for n in nodes(tree) if n.get("@type") == "uast:Comment")
    assert text_of(source, comment) == "# café 𝓏" and comment["Text"] == "café 𝓏"


def test_byte_order_mark_shifts_offsets():
    source = "\ufeffx = 'é'  # c\n"
    tree = parse(source).uast
    assert_positions_inside(source, tree)
    spans = {n["@type"]: text_of(source, n) for n in nodes(tree) if n.get("@type", "").startswith("uast:")}
    assert spans == {"uast:Identifier": "x", "uast:String": "'é'", "uast:Comment": "# c"}
    error = parse("\ufeffx = (\n").errors[0]
    assert error.start is not None and (error.start.offset, error.start.line, error.start.col) == (7, 1, 8)


# --- comments ----------------------------------------------------------------------------------

def test_every_comment_appears_exactly_once():
    source = (
        "#!/usr/bin/env python\n"
        "# -*- coding: utf-8 -*-\n"
        "x = 1  # same line\n"
        "s = '# not a comment' + \"\"\"# nor this\n# nor that\"\"\"\n"
        "def f():\n"
        "    # indented\n"
        "    return (1,  # inside brackets\n"
        "            f'{x}#')  # after an f-string\n"
        "# last"
    )
    expected = ["#!/usr/bin/env python", "# -*- coding: utf-8 -*-", "# same line", "# indented",
                "# inside brackets", "# after an f-string", "# last"]
    for mode in Mode:
        tree = parse(source, mode).uast
        found = [n for n in nodes(tree) if n.get("@type") in ("uast:Comment", "python:Comment")]
        assert [text_of(source, n) for n in found] == expected
    semantic = [n for n in nodes(parse(source).uast) if n.get("@type") == "uast:Comment"]
    assert [n["Text"] for n in semantic] == [e[1:].strip() for e in expected]


# --- errors ------------------------------------------------------------------------------------

def test_syntax_error_is_an_error_with_line_and_column():
    result = parse("def f(a, b):\n    = b\n    return 1\n")
    assert result.uast is None and len(result.errors) == 1
    error = result.errors[0]
    assert error.start is not None and error.start.line == 2 and error.start.col >= 1
    assert error.start.offset == len("def f(a, b):\n") + error.start.col - 1


def test_syntax_error_position_after_non_ascii_text_is_in_bytes():
    source = "é = 'ü' + ü(\n"
    error = parse(source).errors[0]
    assert error.start is not None
    offset = len("é = 'ü' + ü".encode())  # the unclosed "("
    assert (error.start.offset, error.start.line, error.start.col) == (offset, 1, offset + 1)
    assert error.end is None or error.end.offset >= error.start.offset


@pytest.mark.parametrize("source", [
    "x = 1\n\0y = 2\n",
    "(" * 1000 + ")" * 1000,
    "1" + "+1" * 5000,
    "-" * 5000 + "1",
    "a" + ".b" * 5000,
    "x = " + "not " * 5000 + "y",
])
@pytest.mark.parametrize("mode", list(Mode))
def test_hostile_input_is_an_error_not_a_crash(source: str, mode: Mode):
    result = parse(source, mode)
    assert result.errors and result.uast is None
    assert all(error.message for error in result.errors)


def test_nul_byte_error_says_where():
    error = parse("x = 1\n\0y = 2\n").errors[0]
    assert error.start is not None and (error.start.line, error.start.col) == (2, 1)


# --- Python 2 ----------------------------------------------------------------------------------

def test_python2_print_and_exec_statements_are_parsed():
    result = parse(PYTHON2)
    assert result.ok, result.errors
    tree = result.uast
    assert_positions_inside(PYTHON2, tree)
    prints = [n for n in nodes(tree) if n.get("@type") == "python:Print"]
    assert len(prints) == 5
    first = prints[0]
    assert first["@token"] == "print" and first["nl"] is False
    assert [v.get("Value", v.get("Name")) for v in first["values"]] == ["values:", "a"]
    assert prints[1]["dest"]["@type"] == "python:QualifiedIdentifier"
    assert prints[2]["values"] == []
    assert text_of(PYTHON2, prints[3]["values"][0]) == "a"
    exec_node = next(n for n in nodes(tree) if n.get("@type") == "python:Exec")
    assert exec_node["body"]["Value"] == "x = 1" and exec_node["globals"]["@type"] == "python:Call"
    compare = next(n for n in nodes(tree) if n.get("@type") == "python:Compare")
    assert compare["ops"][0]["@type"] == "python:NotEq"
    # Python 2 functions have no return annotation
    function_type = next(n for n in nodes(tree) if n.get("@type") == "uast:FunctionType")
    assert "Returns" not in function_type
    for mode in (Mode.NATIVE, Mode.ANNOTATED):
        assert "python:Print" in types(parse(PYTHON2, mode).uast)


def test_python2_names_true_false_none():
    tree = parse("print None\nx = True\n").uast
    assert [n["Name"] for n in nodes(tree) if n.get("@type") == "uast:Identifier"] == ["None", "x", "True"]


def test_python2_except_raise_and_numbers():
    source = "try:\n    x = 0777 + 10L\nexcept (A, B), e:\n    raise E, 'm'\nexcept C:\n    raise\n"
    tree = parse(source).uast
    assert_positions_inside(source, tree)
    numbers = [n for n in nodes(tree) if n.get("@type") == "python:Constant"]
    assert [(n["@token"], text_of(source, n)) for n in numbers] == [(511, "0777"), (10, "10L")]
    handlers = [n for n in nodes(tree) if n.get("@type") == "python:ExceptHandler"]
    assert [h["@token"] for h in handlers] == ["e", None]
    raises = [n for n in nodes(tree) if n.get("@type") == "python:Raise"]
    assert raises[0]["type"]["Name"] == "E" and raises[0]["inst"]["Value"] == "m"
    assert raises[1] == {**raises[1], "type": None, "inst": None, "tback": None}


def test_other_python2_syntax_is_a_clear_error():
    result = parse("print 'a'\nx = `a`\n")
    assert result.uast is None
    error = result.errors[0]
    assert "Python 2" in error.message and error.start is not None and error.start.line == 2


def test_python3_typo_is_not_taken_for_python2():
    result = parse("x = 1a\n")
    assert result.uast is None and "Python 2" not in result.errors[0].message


def test_python2_with_print_function_keeps_print_a_function():
    source = "from __future__ import print_function\nprint ('a', file=f)\nexec 'x = 1'\n"
    tree = parse(source).uast
    assert "python:Print" not in types(tree) and "python:Exec" in types(tree)
    call = tree["body"][1]["value"]
    assert call["@type"] == "python:Call" and call["func"]["Name"] == "print"


def test_python3_file_with_print_calls_is_not_python2():
    tree = parse("print('a', end='')\n").uast
    assert "python:Print" not in types(tree) and "python:Call" in types(tree)


# --- conformance with Babelfish's fixtures -----------------------------------------------------

@pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared (conformance corpus) is absent")
@pytest.mark.parametrize("mode", list(Mode))
def test_fixture_positions_are_true_spans(mode: Mode):
    """On every fixture: spans inside the source, on character boundaries, and every positioned
    identifier spans its name."""
    for path in sorted(FIXTURES.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        result = parse(source, mode)
        if result.uast is None:
            assert path.name == "_syntax_error.py", result.errors
            continue
        assert_positions_inside(source, result.uast)
        data = source.encode("utf-8")
        for node in nodes(result.uast):
            span = uast.span(node)
            if span is None:
                continue
            data[span[0]:span[1]].decode("utf-8")  # raises if a span cuts a character
            if node.get("@type") == "uast:Identifier" and node["Name"] not in ("print", "exec"):
                assert text_of(source, node) == node["Name"], (path.name, node)


@pytest.mark.skipif(not SCORER.exists() or not FIXTURES.is_dir(), reason="../shared (conformance corpus) is absent")
def test_conformance_with_babelfish_fixtures():
    pytest.importorskip("yaml")
    spec = importlib.util.spec_from_file_location("uast_score", SCORER)
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    driver = PythonDriver()

    def run_in_process(_cmd: str, files: list[str]) -> dict[str, Any]:
        """The scorer's run_cmd, with this driver in process instead of the CLI."""
        out = {}
        for path in files:
            text = Path(path).read_text(encoding="utf-8")
            result = driver.parse(ParseRequest(content=text, filename=path, mode=Mode.SEMANTIC))
            tree = None
            if result.uast is not None:
                tree = uast.to_babelfish(result.uast, uast.LineStarts(text.encode("utf-8")))
            out[path] = {"path": path, "uast": tree, "errors": [e.message for e in result.errors]}
        return out

    scorer.run_cmd = run_in_process
    limit = sys.getrecursionlimit()
    row = scorer.score_lang("", str(FIXTURES), "python", 10)
    assert sys.getrecursionlimit() == limit
    assert row["syntax_errors_reported"] == "1/1"
    assert row["parsed"] == row["files"]
    assert row["loose_f1"] >= 0.95, row
    assert row["strict_f1"] >= 0.85, row  # 0.916 today
