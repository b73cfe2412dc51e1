"""The Python driver (CPython's own ast, in this process) in the driver suite: its samples and
what they give in the three modes, positions, comments, errors, the Python 2 fallback, and
conformance with Babelfish's fixtures (../shared/conformance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driver_checks import Checks, DriverCase
from uast_checks import assert_names_spanned, assert_true_spans, nodes, of_type, text_of, types_in

from driver_runtime.drivers.python import annotation
from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.sdk.protocol import Mode

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


checks = Checks()


# --- the three modes ---------------------------------------------------------------------------

def functions_are_named_by_their_token(tree: Any) -> None:
    function = of_type(tree, "python:FunctionDef")[0]
    assert function["@token"] == "area"
    assert text_of(SAMPLE, function).startswith("def area(")


def classes_are_type_declarations(annotated: Any) -> None:
    cls = of_type(annotated, "python:ClassDef")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"]) and cls["@token"] == "Shape"


def role_tables() -> list[Any]:
    return [*annotation.ROLES.values(), *annotation.CONSTANT_ROLES.values()]


def semantic_mode_shapes(tree: Any) -> None:
    # functions: FunctionGroup -> Alias (Name) -> Function, spanning the name
    groups = of_type(tree, "uast:FunctionGroup")
    assert [text_of(SAMPLE, g) for g in groups] == ["area", "main"]
    alias = groups[0]["Nodes"][1]
    assert alias["@type"] == "uast:Alias"
    assert alias["Name"] == {"@type": "uast:Identifier", "@role": ["Identifier"], "Name": "area"}
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


@checks.add
def attribute_chains_are_qualified_identifiers_with_exact_spans(parse):
    source = "a.b.c.d = obj.method()\n"
    tree = parse(source).uast
    chain = tree["body"][0]["targets"][0]
    assert chain["@type"] == "python:QualifiedIdentifier"
    assert [text_of(source, n) for n in chain["identifiers"]] == ["a", "b", "c", "d"]


# --- positions ---------------------------------------------------------------------------------

NON_ASCII = 's = "é𝓏"  # café 𝓏\nt = s + "x"\ndef fé(𝓏a: int): return 𝓏a.𝓏b\nclass 𝓏C:\n    global 𝓏g\n'


def strings_names_and_classes_span_their_text(tree: Any) -> None:
    source = NON_ASCII
    by_value = {n.get("Value"): n for n in of_type(tree, "uast:String")}
    assert text_of(source, by_value["é𝓏"]) == '"é𝓏"'
    assert text_of(source, by_value["x"]) == '"x"'
    names = [(n["Name"], text_of(source, n)) for n in of_type(tree, "uast:Identifier") if "@pos" in n]
    # the parser NFKC-normalises names (𝓏 is z); the span is the name as written
    assert ("t", "t") in names and ("s", "s") in names and ("za", "𝓏a") in names and ("zb", "𝓏b") in names
    assert ("zg", "𝓏g") in names
    cls = of_type(tree, "python:ClassDef")[0]
    assert text_of(source, cls) == "𝓏C"


@checks.add
def byte_order_mark_shifts_offsets(parse, spanned):
    source = "\ufeffx = 'é'  # c\n"
    tree = spanned(source)
    spans = {n["@type"]: text_of(source, n) for n in nodes(tree) if n.get("@type", "").startswith("uast:")}
    assert spans == {"uast:Identifier": "x", "uast:String": "'é'", "uast:Comment": "# c"}
    error = parse("\ufeffx = (\n").errors[0]
    assert error.start is not None and (error.start.offset, error.start.line, error.start.col) == (7, 1, 8)


# --- comments ----------------------------------------------------------------------------------

@checks.add
def every_comment_appears_exactly_once(parse):
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

SYNTAX_ERRORS = (
    DriverCase.SyntaxErrorAt(source="def f(a, b):\n    = b\n    return 1\n", before="def f(a, b):\n    ", count=1),
    # after non-ASCII text, in bytes: at the unclosed "("
    DriverCase.SyntaxErrorAt(source="é = 'ü' + ü(\n", before="é = 'ü' + ü"),
    # a NUL byte: where it is
    DriverCase.SyntaxErrorAt(source="x = 1\n\0y = 2\n", before="x = 1\n"),
)


HOSTILE = (
    "x = 1\n\0y = 2\n",
    "(" * 1000 + ")" * 1000,
    "1" + "+1" * 5000,
    "-" * 5000 + "1",
    "a" + ".b" * 5000,
    "x = " + "not " * 5000 + "y",
)


# --- Python 2 ----------------------------------------------------------------------------------

@checks.add
def python2_print_and_exec_statements_are_parsed(parse):
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


@checks.add
def python2_names_true_false_none(parse):
    tree = parse("print None\nx = True\n").uast
    assert [n["Name"] for n in of_type(tree, "uast:Identifier")] == ["None", "x", "True"]


@checks.add
def python2_except_raise_and_numbers(spanned):
    source = "try:\n    x = 0777 + 10L\nexcept (A, B), e:\n    raise E, 'm'\nexcept C:\n    raise\n"
    tree = spanned(source)
    numbers = of_type(tree, "python:Constant")
    assert [(n["@token"], text_of(source, n)) for n in numbers] == [(511, "0777"), (10, "10L")]
    handlers = of_type(tree, "python:ExceptHandler")
    assert [h["@token"] for h in handlers] == ["e", None]
    raises = of_type(tree, "python:Raise")
    assert raises[0]["type"]["Name"] == "E" and raises[0]["inst"]["Value"] == "m"
    assert raises[1] == {**raises[1], "type": None, "inst": None, "tback": None}


@checks.add
def other_python2_syntax_is_a_clear_error(parse):
    result = parse("print 'a'\nx = `a`\n")
    assert result.uast is None
    error = result.errors[0]
    assert "Python 2" in error.message and error.start is not None and error.start.line == 2


@checks.add
def python3_typo_is_not_taken_for_python2(parse):
    result = parse("x = 1a\n")
    assert result.uast is None and "Python 2" not in result.errors[0].message


@checks.add
def python2_with_print_function_keeps_print_a_function(parse):
    source = "from __future__ import print_function\nprint ('a', file=f)\nexec 'x = 1'\n"
    tree = parse(source).uast
    assert "python:Print" not in types_in(tree) and "python:Exec" in types_in(tree)
    call = tree["body"][1]["value"]
    assert call["@type"] == "python:Call" and call["func"]["Name"] == "print"


@checks.add
def python3_file_with_print_calls_is_not_python2(parse):
    tree = parse("print('a', end='')\n").uast
    assert "python:Print" not in types_in(tree) and "python:Call" in types_in(tree)


# --- conformance with Babelfish's fixtures -----------------------------------------------------


def fixture_names_span_their_text(path: Path, source: str, tree: Any, mode: Mode) -> None:
    """Every positioned identifier spans its name."""
    # Python 2's print and exec statements name an identifier without spanning it
    assert_names_spanned(source, tree, unless=lambda node: node["Name"] in ("print", "exec"), where=path.name)


CASE = DriverCase(
    language="python", driver=PythonDriver, filename="", sample=SAMPLE,
    native=DriverCase.Native(root="python:Module",
                             types={"python:ClassDef", "python:FunctionDef", "python:AsyncFunctionDef", "python:Name"},
                             then=functions_are_named_by_their_token),
    annotated=DriverCase.Annotated(then=classes_are_type_declarations),
    role_tables=DriverCase.RoleTables(tables=role_tables),
    # no native Name, Str or FunctionDef is left (Babelfish's blacklist)
    semantic=DriverCase.Semantic(gone={"python:Name", "python:FunctionDef", "python:AsyncFunctionDef", "python:arg"},
                                 then=semantic_mode_shapes),
    non_ascii=DriverCase.NonAscii(source=NON_ASCII, comments=(("# café 𝓏", "café 𝓏"),), function="fé",
                                  then=strings_names_and_classes_span_their_text),
    hostile=DriverCase.Hostile(sources=HOSTILE, alive="x = 1\n"),
    syntax_errors=SYNTAX_ERRORS,
    fixtures=DriverCase.Fixtures(extension=".py", then=fixture_names_span_their_text),
    conformance=DriverCase.Conformance(loose=0.95, strict=0.85),  # strict 0.916 today
    checks=checks,
)
