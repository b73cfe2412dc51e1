"""The Python driver, through real parses: the three modes, positions, comments, errors,
the Python 2 fallback, and conformance with Babelfish's fixtures (../shared/conformance)."""

from __future__ import annotations

import sys

import pytest
from driver_checks import (
    assert_conformance,
    assert_names_spanned,
    assert_native,
    assert_role_tables,
    assert_roles_added,
    assert_true_spans,
    conformance_fixtures,
    conformance_row,
    fixture_trees,
    needs_fixtures,
    needs_scorer,
    nodes,
    of_type,
    text_of,
    types_in,
)

from driver_runtime.drivers.python import annotation
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.protocol import Mode, ParseRequest, ParseResult

FIXTURES = conformance_fixtures("python")

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


# --- the three modes ---------------------------------------------------------------------------

def test_native_mode_is_the_parser_tree_with_positions_and_no_roles():
    result = parse(SAMPLE, Mode.NATIVE)
    assert result.ok and result.uast["@type"] == "python:Module"
    assert {"python:ClassDef", "python:FunctionDef", "python:AsyncFunctionDef", "python:Name"} <= types_in(result.uast)
    assert_native(result.uast)
    assert_true_spans(SAMPLE, result.uast)
    function = of_type(result.uast, "python:FunctionDef")[0]
    assert function["@token"] == "area"
    assert text_of(SAMPLE, function).startswith("def area(")


def test_annotated_mode_adds_babelfish_roles_and_nothing_else():
    native = parse(SAMPLE, Mode.NATIVE).uast
    annotated = parse(SAMPLE, Mode.ANNOTATED).uast
    assert_roles_added(native, annotated)
    cls = of_type(annotated, "python:ClassDef")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"]) and cls["@token"] == "Shape"


def test_role_table_uses_babelfish_role_names_only_sorted():
    assert_role_tables([*annotation.ROLES.values(), *annotation.CONSTANT_ROLES.values()])


def test_semantic_mode_shapes():
    result = parse(SAMPLE)
    assert result.ok
    tree = result.uast
    assert_true_spans(SAMPLE, tree)
    # functions: FunctionGroup -> Alias (Name) -> Function, spanning the name
    groups = of_type(tree, "uast:FunctionGroup")
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
    cls = of_type(tree, "python:ClassDef")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"]) and cls["@token"] == "Shape"
    assert text_of(SAMPLE, cls) == "Shape"
    # module-level assignment: Assignment role, the target an identifier
    assign = tree["body"][3]
    assert "Assignment" in assign["@role"] and assign["targets"][0]["Name"] == "CONSTANT"
    # names, strings, imports
    assert_names_spanned(SAMPLE, tree)
    strings = [n for n in of_type(tree, "uast:String") if "@pos" in n]
    assert "Module doc." in [s["Value"] for s in strings]
    group = tree["body"][1]
    assert group["@type"] == "uast:Group" and [i["@type"] for i in group["Nodes"]] == ["uast:RuntimeImport"] * 2
    relative = tree["body"][2]
    assert relative["@type"] == "uast:RuntimeImport"
    assert [n["Name"] for n in relative["Path"]["Names"]] == ["..", "..", "pkg", "mod"]
    assert relative["Names"][0]["@type"] == "uast:Alias"
    # no native Name, Str or FunctionDef is left (Babelfish's blacklist)
    assert not {"python:Name", "python:FunctionDef", "python:AsyncFunctionDef", "python:arg"} & types_in(tree)


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
        assert_true_spans(source, parse(source, mode).uast)
    tree = parse(source).uast
    by_value = {n.get("Value"): n for n in of_type(tree, "uast:String")}
    assert text_of(source, by_value["é𝓏"]) == '"é𝓏"'
    assert text_of(source, by_value["x"]) == '"x"'
    names = [(n["Name"], text_of(source, n)) for n in of_type(tree, "uast:Identifier") if "@pos" in n]
    # the parser NFKC-normalises names (𝓏 is z); the span is the name as written
    assert ("t", "t") in names and ("s", "s") in names and ("za", "𝓏a") in names and ("zb", "𝓏b") in names
    assert ("zg", "𝓏g") in names
    group = of_type(tree, "uast:FunctionGroup")[0]
    assert text_of(source, group) == "fé"
    cls = of_type(tree, "python:ClassDef")[0]
    assert text_of(source, cls) == "𝓏C"
    comment = of_type(tree, "uast:Comment")[0]
    assert text_of(source, comment) == "# café 𝓏" and comment["Text"] == "café 𝓏"


def test_byte_order_mark_shifts_offsets():
    source = "\ufeffx = 'é'  # c\n"
    tree = parse(source).uast
    assert_true_spans(source, tree)
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
    semantic = of_type(parse(source).uast, "uast:Comment")
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
    assert_true_spans(PYTHON2, tree)
    prints = of_type(tree, "python:Print")
    assert len(prints) == 5
    first = prints[0]
    assert first["@token"] == "print" and first["nl"] is False
    assert [v.get("Value", v.get("Name")) for v in first["values"]] == ["values:", "a"]
    assert prints[1]["dest"]["@type"] == "python:QualifiedIdentifier"
    assert prints[2]["values"] == []
    assert text_of(PYTHON2, prints[3]["values"][0]) == "a"
    exec_node = of_type(tree, "python:Exec")[0]
    assert exec_node["body"]["Value"] == "x = 1" and exec_node["globals"]["@type"] == "python:Call"
    compare = of_type(tree, "python:Compare")[0]
    assert compare["ops"][0]["@type"] == "python:NotEq"
    # Python 2 functions have no return annotation
    function_type = of_type(tree, "uast:FunctionType")[0]
    assert "Returns" not in function_type
    for mode in (Mode.NATIVE, Mode.ANNOTATED):
        assert "python:Print" in types_in(parse(PYTHON2, mode).uast)


def test_python2_names_true_false_none():
    tree = parse("print None\nx = True\n").uast
    assert [n["Name"] for n in of_type(tree, "uast:Identifier")] == ["None", "x", "True"]


def test_python2_except_raise_and_numbers():
    source = "try:\n    x = 0777 + 10L\nexcept (A, B), e:\n    raise E, 'm'\nexcept C:\n    raise\n"
    tree = parse(source).uast
    assert_true_spans(source, tree)
    numbers = of_type(tree, "python:Constant")
    assert [(n["@token"], text_of(source, n)) for n in numbers] == [(511, "0777"), (10, "10L")]
    handlers = of_type(tree, "python:ExceptHandler")
    assert [h["@token"] for h in handlers] == ["e", None]
    raises = of_type(tree, "python:Raise")
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
    assert "python:Print" not in types_in(tree) and "python:Exec" in types_in(tree)
    call = tree["body"][1]["value"]
    assert call["@type"] == "python:Call" and call["func"]["Name"] == "print"


def test_python3_file_with_print_calls_is_not_python2():
    tree = parse("print('a', end='')\n").uast
    assert "python:Print" not in types_in(tree) and "python:Call" in types_in(tree)


# --- conformance with Babelfish's fixtures -----------------------------------------------------

@needs_fixtures(FIXTURES)
@pytest.mark.parametrize("mode", list(Mode))
def test_fixture_positions_are_true_spans(mode: Mode):
    """On every fixture: spans inside the source, on character boundaries, and every positioned
    identifier spans its name."""
    for path, source, tree in fixture_trees(FIXTURES, ".py", lambda source: parse(source, mode)):
        assert_true_spans(source, tree)
        # Python 2's print and exec statements name an identifier without spanning it
        assert_names_spanned(source, tree, unless=lambda node: node["Name"] in ("print", "exec"), where=path.name)


@needs_scorer(FIXTURES)
def test_conformance_with_babelfish_fixtures():
    limit = sys.getrecursionlimit()
    row = conformance_row(PythonDriver(), FIXTURES, "python")
    assert sys.getrecursionlimit() == limit
    assert_conformance(row, loose=0.95, strict=0.85)  # strict 0.916 today
