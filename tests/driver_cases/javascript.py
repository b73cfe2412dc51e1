"""The JavaScript driver (Babel's parser in a Node.js program) in the driver suite: its samples
and what they give in the three modes, positions on non-ASCII source, syntax errors, hostile
input, conformance with Babelfish's fixtures (../shared/conformance/javascript), the outline, the
language server end to end, and the same answers through the process runtime and a container
runtime.

The driver's native parser must be prepared (`bblfsh-lsp driver install javascript --runtime
process`, which needs node and npm): without it these tests skip, or fail under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from driver_checks import Checks, Document, DriverCase, Editor, conformance_fixtures, outline_symbols, symbol_tree
from lsprotocol import types
from lsprotocol.types import SymbolKind
from uast_checks import assert_names_spanned, assert_true_spans, nodes, of_type, text_of, types_in

from driver_runtime.drivers.javascript import annotation
from driver_runtime.drivers.javascript.driver import PARSER, JavaScriptDriver
from driver_runtime.sdk.protocol import Mode, ParseResult

FIXTURES = conformance_fixtures("javascript")

SAMPLE = '''// Prices: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2 units.
import React, { useState as useS } from "react";
import * as path from 'path';
import 'side-effect';

const 𝓏ero = "𝓏", café = 'é';
let count = 0;

/* A shape. */
export class Größe extends Base {
  #secret = 1;
  static sides = 4;
  constructor(width, height = 2, ...rest) {
    super(width);
    this.area = width * height;
  }
  get größe() { return this.#secret; }
  onClick = (event) => { count += 1; };
}

export async function* fé(a, { b, c } = {}) {
  yield a ?? b; // 𝓏 again
}

const arrow = (x) => x + 1;
const el = <Größe title="é">{café}</Größe>;
'''


def group_names(tree: Any) -> list[str | None]:
    return [(group["Nodes"][-1]["Name"] or {}).get("Name") for group in of_type(tree, "uast:FunctionGroup")]


checks = Checks()


# --- the three modes -----------------------------------------------------------------------------


def native_mode_is_babels_tree(tree: Any) -> None:
    # Babel's own shape: names and literals carry their value as the token, "loc" is gone
    assert all(text_of(SAMPLE, n) == n["@token"] for n in of_type(tree, "javascript:Identifier"))
    assert all("loc" not in n and "extra" not in n for n in nodes(tree))
    cls = tree["program"]["body"][5]["declaration"]
    assert cls["@type"] == "javascript:ClassDeclaration" and cls["id"]["@token"] == "Größe"
    assert text_of(SAMPLE, cls).startswith("class Größe") and text_of(SAMPLE, cls).endswith("}")
    # every comment in File.comments, and attached to nodes where Babel attaches them
    assert [text_of(SAMPLE, c) for c in tree["comments"]] == [
        "// Prices: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2 units.", "/* A shape. */", "// 𝓏 again"]
    assert tree["comments"][0]["@token"] == " Prices: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2 units."
    assert tree["program"]["body"][0]["leadingComments"] == [tree["comments"][0]]


@checks.add
def template_elements_keep_their_raw_text(parse):
    template = parse("t = `a${b}\\u00e9`;\n", Mode.NATIVE).uast
    assert [(e["@token"], e["raw"]) for e in of_type(template, "javascript:TemplateElement")] == [
        ("a", "a"), ("é", "\\u00e9")]


def annotated_roles_of_classes_operators_and_calls(annotated: Any) -> None:
    cls = of_type(annotated, "javascript:ClassDeclaration")[0]
    assert {"Declaration", "Statement", "Type"} <= set(cls["@role"])
    assert {"Name", "Type"} <= set(cls["id"]["@role"]) and {"Base", "Type"} <= set(cls["superClass"]["@role"])
    binary = of_type(annotated, "javascript:BinaryExpression")[0]  # width * height
    assert binary["operator"] == "*" and {"Arithmetic", "Binary", "Multiply", "Operator"} <= set(binary["@role"])
    assert {"Binary", "Left"} <= set(binary["left"]["@role"])
    update = of_type(annotated, "javascript:AssignmentExpression")
    assert {"Add", "Arithmetic", "Assignment"} <= set(update[1]["@role"])  # count += 1
    call = of_type(annotated, "javascript:CallExpression")[0]  # super(width)
    assert {"Call", "Callee"} <= set(call["callee"]["@role"])


def role_tables() -> list[Any]:
    tables = [*annotation.ROLES.values(), *annotation.FIELD_ROLES.values()]
    for base, by_operator in annotation.OPERATORS.values():
        tables += [base, *by_operator.values()]
    return tables


@checks.add
def type_annotations_declare_nothing():
    # a type annotation refers to a type: it declares nothing (else the outline would list it)
    assert not any("Declaration" in roles for kind, roles in annotation.ROLES.items() if kind.endswith("TypeAnnotation"))


def semantic_function_groups(tree: Any) -> None:
    assert group_names(tree) == ["onClick", "fé", "arrow"]  # not the methods: see the next test
    groups = {name: group for name, group in zip(group_names(tree), of_type(tree, "uast:FunctionGroup"))}
    # a function declaration: Babelfish's chain, spanning the declaration; `undefined` returned
    fe = groups["fé"]
    assert text_of(SAMPLE, fe).startswith("async function* fé(") and text_of(SAMPLE, fe).endswith("}")
    native, alias = fe["Nodes"]
    assert native["@type"] == "javascript:FunctionDeclaration" and native["async"] and native["generator"]
    assert "params" not in native and "body" not in native and "id" not in native
    assert alias["@type"] == "uast:Alias" and text_of(SAMPLE, alias["Name"]) == "fé"
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    arguments = function["Type"]["Arguments"]
    assert [a["@type"] for a in arguments] == ["uast:Argument"] * 2
    assert arguments[0]["Name"]["Name"] == "a" and "@pos" not in arguments[0]
    assert text_of(SAMPLE, arguments[1]) == "{ b, c } = {}"
    assert arguments[1]["Name"]["@type"] == "javascript:ObjectPattern"
    assert arguments[1]["Init"]["@type"] == "javascript:ObjectExpression"
    assert function["Type"]["Returns"] == [{
        "@type": "uast:Argument", "@role": ["Argument"], "Init": {"@type": "uast:Identifier", "@role": ["Identifier"],
                                                                   "Name": "undefined"}, "MapVariadic": False,
        "Name": None, "Receiver": False, "Type": None, "Variadic": False}]
    # function expressions bound to a name by a declaration (a const, a class field): groups too,
    # with no `undefined` returned (Babelfish made no group of them); the native node keeps the rest
    assert text_of(SAMPLE, groups["arrow"]) == "arrow = (x) => x + 1"
    assert groups["arrow"]["Nodes"][1]["Node"]["Body"]["@type"] == "javascript:BinaryExpression"
    assert groups["arrow"]["Nodes"][1]["Node"]["Type"]["Returns"] is None
    assert groups["arrow"]["Nodes"][0]["@type"] == "javascript:ArrowFunctionExpression"
    assert groups["onClick"]["Nodes"][0]["@type"] == "javascript:ArrowFunctionExpression"
    assert groups["onClick"]["Nodes"][0]["static"] is False
    assert [a["Name"]["Name"] for a in groups["onClick"]["Nodes"][1]["Node"]["Type"]["Arguments"]] == ["event"]
    # no native function declaration, bound function expression or name is left
    kept = [group["Nodes"][0] for group in groups.values()]
    left = {node["@type"] for node in nodes(tree) if "@type" in node and node not in kept}
    assert not {"javascript:FunctionDeclaration", "javascript:ArrowFunctionExpression", "javascript:Identifier",
                "javascript:StringLiteral", "javascript:BlockStatement"} & left


@checks.add
def semantic_methods_stay_native_as_in_babelfish(parse):
    """Babelfish's driver left a method Babel's node (no uast:Function chain): its key a name,
    its parameters names or native patterns, its body a block; a private name `#x` stays a
    PrivateName around the identifier `x`.  What names the method is its token."""
    tree = parse(SAMPLE).uast
    methods = of_type(tree, "javascript:ClassMethod")
    assert [(m["@token"], m["kind"], m["key"]["@type"]) for m in methods] == [
        ("constructor", "constructor", "uast:Identifier"), ("größe", "get", "uast:Identifier")]
    constructor = methods[0]
    assert {"Declaration", "Function"} <= set(constructor["@role"]) and constructor["static"] is False
    assert text_of(SAMPLE, constructor["key"]) == "constructor"
    assert [(p["@type"], text_of(SAMPLE, p)) for p in constructor["params"]] == [
        ("uast:Identifier", "width"), ("javascript:AssignmentPattern", "height = 2"),
        ("javascript:RestElement", "...rest")]
    assert constructor["body"]["@type"] == "uast:Block" and len(constructor["body"]["Statements"]) == 2
    assert not {"uast:Alias", "uast:Function", "uast:FunctionType", "uast:Argument"} & types_in(constructor)
    secret = of_type(tree, "javascript:ClassPrivateProperty")[0]
    assert secret["@token"] == "#secret" and secret["key"]["@type"] == "javascript:PrivateName"
    assert secret["key"]["@token"] == "#secret" and text_of(SAMPLE, secret["key"]) == "#secret"
    assert secret["key"]["id"]["Name"] == "secret" and text_of(SAMPLE, secret["key"]["id"]) == "secret"

    source = ("class K {\n  static #count() { return this.#n; }\n  [Symbol.iterator]() {}\n"
              "  'quoted name'(a) {}\n  42() {}\n  #handle = (e) => e;\n  [computed] = (x) => x;\n}\n"
              "const o = { m(q) { return q; }, get [k]() {} };\n")
    tree = parse(source).uast
    assert group_names(tree) == ["#handle"]  # a private field holding a function is a group too
    handle = of_type(tree, "uast:FunctionGroup")[0]["Nodes"][1]
    assert handle["Name"]["@type"] == "uast:Identifier" and text_of(source, handle["Name"]) == "#handle"
    members = of_type(tree, "javascript:ClassMethod") + of_type(tree, "javascript:ClassPrivateMethod")
    members = [m["@token"] for m in members]
    assert members == ["[Symbol.iterator]", "quoted name", "42", "#count"]
    private = of_type(tree, "javascript:ClassPrivateMethod")[0]
    assert private["static"] is True and private["key"]["id"]["Name"] == "count"
    reads = [n for n in of_type(tree, "javascript:PrivateName") if n is not private["key"]]
    assert [(n["@token"], n["id"]["Name"]) for n in reads] == [("#n", "n")]
    assert [p["@token"] for p in of_type(tree, "javascript:ClassProperty")] == ["[computed]"]
    object_methods = of_type(tree, "javascript:ObjectMethod")
    assert [(m["@token"], m["kind"]) for m in object_methods] == [("m", "method"), ("[k]", "get")]
    assert "uast:Function" not in types_in(of_type(tree, "javascript:ObjectMethod")[0])


@checks.add
def semantic_names_strings_comments_operators_and_imports(parse):
    tree = parse(SAMPLE).uast
    identifiers = [n for n in of_type(tree, "uast:Identifier") if "@pos" in n]
    assert all(text_of(SAMPLE, n) == n["Name"] for n in identifiers)
    assert {"𝓏ero", "café", "secret", "Größe", "title"} <= {n["Name"] for n in identifiers}  # JSX names too
    strings = [(n["Value"], n["Format"], text_of(SAMPLE, n)) for n in of_type(tree, "uast:String")]
    assert strings == [("react", "", '"react"'), ("path", "single", "'path'"),
                       ("side-effect", "single", "'side-effect'"), ("𝓏", "", '"𝓏"'), ("é", "single", "'é'"),
                       ("é", "", '"é"')]  # the last in JSX
    comments = of_type(tree, "uast:Comment")
    assert [(c["Text"], c["Block"], c["Prefix"], c["Suffix"]) for c in tree["comments"]] == [
        ("Prices: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2 units.", False, " ", ""),
        ("A shape.", True, " ", " "), ("𝓏 again", False, " ", "")]
    assert all(text_of(SAMPLE, c).startswith(("//", "/*")) for c in comments)
    operators = [n["@token"] for n in of_type(tree, "uast:Operator")]
    assert operators == ["=", "*", "+=", "??", "+"]
    assert "@pos" not in of_type(tree, "uast:Operator")[0]
    imports = tree["program"]["body"][:3]
    assert [i["@type"] for i in imports] == ["uast:Import"] * 3
    first, namespace, bare = imports
    assert first["All"] is False and first["Path"]["Value"] == "react"
    assert [(a["Name"]["Name"], a["Node"]["Name"]) for a in first["Names"]] == [("React", "."), ("useS", "useState")]
    assert text_of(SAMPLE, first["Names"][1]) == "useState as useS"
    assert namespace["All"] is True and namespace["Names"] == []
    assert namespace["Path"]["@type"] == "uast:Alias" and namespace["Path"]["Name"]["Name"] == "path"
    assert namespace["Path"]["Node"]["Value"] == "path"
    assert bare["Names"] is None and bare["Path"]["Value"] == "side-effect"
    assert text_of(SAMPLE, bare) == "import 'side-effect';"


@checks.add
def every_comment_appears_once_and_definitions_do_not_stretch_over_them(driver, parse):
    """Babel hangs a comment between two members on both (trailing the one, leading the other):
    native mode keeps that, semantic mode lists each comment once, in File.comments."""
    source = "class A {\n  a = 1; // note\n  /** Doc of m. */\n  m() {}\n  // last\n}\n"
    native = parse(source, Mode.NATIVE).uast
    member = native["program"]["body"][0]["body"]["body"][0]
    assert [c["@token"] for c in member["trailingComments"]] == [" note", "* Doc of m. "]
    tree = parse(source).uast
    assert [text_of(source, c) for c in of_type(tree, "uast:Comment")] == ["// note", "/** Doc of m. */", "// last"]
    found = outline_symbols(driver, source, tree)
    data = source.encode()
    assert [data[s.start:s.end].decode() for s in found[0].children] == ["a = 1;", "m() {}"]


@checks.add
def typed_names_span_the_name_and_keep_their_type(parse):
    """Flow (and TypeScript): Babel gives a typed name the span of its annotation too; the
    identifier spans the name, the annotation becomes the argument's type or stays beside it."""
    source = "// @flow\nfunction f(é: string, n?: ?number = 1): boolean { let 𝓏: T = n; return true }\n"
    tree = parse(source).uast
    group = of_type(tree, "uast:FunctionGroup")[0]
    arguments = group["Nodes"][1]["Node"]["Type"]["Arguments"]
    assert text_of(source, arguments[0]["Name"]) == "é"
    assert arguments[0]["Type"]["@type"] == "javascript:TypeAnnotation"
    assert text_of(source, arguments[0]["Type"]) == ": string"
    assert text_of(source, arguments[1]["Name"]) == "n" and arguments[1]["Name"]["optional"] is True
    assert text_of(source, arguments[1]["Type"]) == ": ?number" and arguments[1]["Init"]["@token"] == 1
    assert text_of(source, group["Nodes"][1]["Node"]["Type"]["Returns"][0]["Type"]) == ": boolean"
    local = of_type(tree, "javascript:VariableDeclarator")[0]["id"]
    assert local["Name"] == "𝓏" and text_of(source, local) == "𝓏"
    assert text_of(source, local["typeAnnotation"]) == ": T"


# --- positions and errors ------------------------------------------------------------------------


def jsx_spans_its_text(tree: Any) -> None:
    last = tree["program"]["body"][-1]  # const el = <Größe title="é">{café}</Größe>;
    assert text_of(SAMPLE, last) == 'const el = <Größe title="é">{café}</Größe>;'


@checks.add
def byte_order_mark_is_counted(parse):
    source = "\ufeff// 𝓏\nlet é = '𝓏';\n"
    tree = parse(source).uast
    spans = [(n["@type"], text_of(source, n)) for n in nodes(tree) if n.get("@type", "").startswith("uast:")]
    assert spans == [("uast:Identifier", "é"), ("uast:String", "'𝓏'"), ("uast:Comment", "// 𝓏")]


SYNTAX_ERRORS = (
    DriverCase.SyntaxErrorAt(source="function f(a, b) {\n    return = 1\n}\n", before="function f(a, b) {\n    return ",
                             message="Unexpected token", count=1),
    DriverCase.SyntaxErrorAt(source='const é = "𝓏" + ;\n', before='const é = "𝓏" + '),
)


@checks.add
def recoverable_errors_come_with_the_tree(parse):
    result = parse("let a = 1;\nlet a = 2;\n")
    assert result.uast is not None and len(result.errors) == 1
    assert "already been declared" in result.errors[0].message and result.errors[0].start.line == 2
    # sloppy scripts are scripts: no strict-mode error for `with` or legacy octals
    result = parse("with (Math) { x = 0777 + PI }\n")
    assert result.ok and result.uast["program"]["sourceType"] == "script"


HOSTILE = (
    "(" * 3000 + "1" + ")" * 3000,
    "x = " + "[" * 5000 + "]" * 5000,
    "f(" * 3000 + ")" * 3000,
    "let x = `${" * 2000 + "}`" * 2000,
    "function (",
    "\0\0\0",
)


@checks.add
def missing_semicolons_are_errors_with_the_tree_babel_recovers(parse):
    result = parse("not javascript at all")
    assert [(e.message, e.start.col) for e in result.errors] == [
        ("Missing semicolon.", 4), ("Missing semicolon.", 15), ("Missing semicolon.", 18)]
    assert [s["expression"]["Name"] for s in result.uast["program"]["body"]] == ["not", "javascript", "at", "all"]


@checks.add
def long_chains_parse(parse):
    """Generated code: a long `+` chain, a long member chain (the SDK's serve allows deep trees)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        for source in ("s = 'a'" + " + 'a'" * 300 + ";\n", "a" + ".b" * 300 + "();\n"):
            result = parse(source)
            assert result.ok, result.errors
    finally:
        sys.setrecursionlimit(limit)


@checks.add
def native_program_answers_every_line_before_it_exits(driver):
    """Answers larger than a pipe's buffer are written whole even when stdin closes at once."""
    big = "let a = [" + ", ".join(str(i) for i in range(20_000)) + "];\n"
    lines = "".join(json.dumps({"content": text, "filename": "a.js"}) + "\n" for text in (big, "x", big))
    done = subprocess.run(["node", str(PARSER), "javascript", str(driver.build / "node_modules")],
                          input=lines.encode(), capture_output=True, timeout=60, check=False)
    answers = [json.loads(line) for line in done.stdout.split(b"\n") if line]
    assert done.returncode == 0 and len(answers) == 3 and all(a["errors"] == [] for a in answers)


# --- the outline ---------------------------------------------------------------------------------


@checks.add
def outline_of_a_javascript_file(driver, parse):
    tree = parse(SAMPLE).uast
    found = outline_symbols(driver, SAMPLE, tree)
    assert symbol_tree(found) == [
        ("𝓏ero", SymbolKind.Constant, []), ("café", SymbolKind.Constant, []), ("count", SymbolKind.Variable, []),
        ("Größe", SymbolKind.Class, [
            ("#secret", SymbolKind.Field, []), ("sides", SymbolKind.Field, []),
            ("constructor", SymbolKind.Constructor, []), ("größe", SymbolKind.Method, []),
            ("onClick", SymbolKind.Method, [])]),
        ("fé", SymbolKind.Function, []), ("arrow", SymbolKind.Function, []), ("el", SymbolKind.Constant, [])]
    data = SAMPLE.encode()
    cls = found[3]
    assert data[cls.start:cls.end].decode().startswith("export class Größe extends Base {")
    assert data[cls.start:cls.end].decode().endswith("}")
    assert data[cls.name_start:cls.name_end].decode() == "Größe"
    fe = found[4]
    assert data[fe.start:fe.end].decode().startswith("export async function* fé(")
    assert data[fe.name_start:fe.name_end].decode() == "fé"


@checks.add
def outline_names_destructuring_and_anonymous_classes(driver, parse):
    source = ("const { a, b: [c], [k]: d = f(e), ...g } = obj;\nlet [h, , i = j, ...l] = arr;\n"
              "export default class extends Base { run() {} }\n"
              "const Named = class { go() {} };\nuse(class extends Other { m() {} });\n")
    tree = parse(source).uast
    found = outline_symbols(driver, source, tree)
    # A destructuring declaration declares each name it binds (not keys, defaults or computed keys).
    assert [(s.name, s.kind) for s in found] == [
        ("a", SymbolKind.Constant), ("c", SymbolKind.Constant), ("d", SymbolKind.Constant), ("g", SymbolKind.Constant),
        ("h", SymbolKind.Variable), ("i", SymbolKind.Variable), ("l", SymbolKind.Variable),
        ("default", SymbolKind.Class), ("Named", SymbolKind.Constant),
        ("Named", SymbolKind.Class), ("m", SymbolKind.Method)]  # a method, even of an anonymous class
    data = source.encode()
    assert all(data[s.name_start:s.name_end].decode() == s.name for s in found[:7])
    assert data[found[1].start:found[1].end].decode() == "const { a, b: [c], [k]: d = f(e), ...g } = obj"
    assert [c.name for c in found[7].children] == ["run"] and [c.name for c in found[9].children] == ["go"]


@checks.add
def outline_of_methods_named_by_their_keys(driver, parse):
    """Methods are native nodes that symbol_kinds makes methods: named by their key however it
    is written, their name's span exact, their own functions inside them and their locals not
    in the outline."""
    source = ("export class Shelf extends Base {\n"
              "  static #count() { return Shelf.#n; }\n"
              "  [Symbol.iterator]() { return this.items.values(); }\n"
              "  'quoted name'(a) {}\n"
              "  42() {}\n"
              "  #handle = (e) => { const inside = e; };\n"
              "  constructor(items) { super(); const local = items; this.items = local; }\n"
              "  get size() {\n"
              "    function count(list) { return list.length; }\n"
              "    return count(this.items);\n"
              "  }\n"
              "}\n")
    tree = parse(source).uast
    found = outline_symbols(driver, source, tree)
    data = source.encode()

    def shape(symbols):
        return [(s.name, s.kind, data[s.name_start:s.name_end].decode(), shape(s.children)) for s in symbols]

    assert shape(found) == [("Shelf", SymbolKind.Class, "Shelf", [
        ("#count", SymbolKind.Method, "#count", []),
        ("[Symbol.iterator]", SymbolKind.Method, "[Symbol.iterator]", []),
        ("quoted name", SymbolKind.Method, "quoted name", []),
        ("42", SymbolKind.Method, "42", []),
        ("#handle", SymbolKind.Method, "#handle", []),
        ("constructor", SymbolKind.Constructor, "constructor", []),
        ("size", SymbolKind.Method, "size", [("count", SymbolKind.Function, "count", [])])])]
    members = found[0].children
    assert data[members[0].start:members[0].end].decode() == "static #count() { return Shelf.#n; }"
    assert (members[0].name_start, members[5].name_start) == (data.index(b"#count"), data.index(b"constructor"))
    assert data[members[6].start:members[6].end].decode().startswith("get size() {")
    assert data[members[6].start:members[6].end].decode().endswith("}")


# --- conformance with Babelfish's fixtures -------------------------------------------------------


def fixture_names_and_strings_span_their_text(path: Path, source: str, tree: Any, mode: Mode) -> None:
    """Every positioned identifier spans its name and every string its literal."""
    assert_names_spanned(source, tree, where=path.name)
    for string in of_type(tree, "uast:String"):
        literal = text_of(source, string)
        assert literal[1:-1] == string["Value"] or "\\" in literal, (path.name, string)


def classes_are_exactly_babelfishs(row: dict[str, Any]) -> None:
    # classes and their methods, accessors, constructors, private names: exactly Babelfish's nodes
    by_name = {name: f1 for f1, name in row["worst"]}
    exact = ["class-body.js", "class-expression.js", "class-private-method.js", "class-private-property.js",
             "class-property.js", "super.js", "call-expression.js", "u2_class_accessors.js",
             "u2_class_constructor.js", "u2_class_extend.js", "u2_class_inherit.js", "u2_class_method_binding.js",
             "u2_class_method_tag.js", "u2_class_field_binding.js"]
    assert {name: by_name[name] for name in exact if by_name[name] < 1.0} == {}


def large_file() -> str:
    body = "".join(f"""
/** Item {i}: café. */
export class Item{i} extends Base {{
  constructor(name, price = {i}) {{
    super(name);
    this.price = price * 1.2;
  }}
  describe(prefix = "é") {{
    return `${{prefix}} ${{this.name}}: ${{this.price}}`;
  }}
}}
export const make{i} = (name) => new Item{i}(name, {i});
""" for i in range(400))
    return "import Base from './base.js';\n" + body


def large_file_has_every_class(result: ParseResult) -> None:
    assert result.ok and len(of_type(result.uast, "uast:FunctionGroup")) == 400
    assert len(of_type(result.uast, "javascript:ClassMethod")) == 800


# --- the language server end to end --------------------------------------------------------------


DOCUMENT = Document("shop.js", '''\
// A small shop. Non-ASCII on purpose: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2.
import { EventEmitter } from "events";
import * as path from "path";
import config, { currency as money } from "./config.js";

export const TAX_RATE = 0.2;
let counter = 0;

/** A cart of items. */
export class Cart extends EventEmitter {
  items = [];
  #secret = "𝓏";

  constructor(owner) {
    super();
    this.owner = owner;
  }

  add(item, quantity = 1) {
    this.items.push({ item, quantity });
    this.emit("added", item);
    return this;
  }

  get total() {
    return this.items.reduce(
      (sum, { item, quantity }) => sum + item.price * quantity,
      0,
    );
  }

  handleClick = (event) => {
    counter += 1;
  };
}

export function formatPrice(value, currency = money) {
  const rounded = Math.round(value * 100) / 100;
  function pad(text) {
    return text.padStart(8);
  }
  return pad(`${rounded} ${currency} café`);
}

const double = (x) => x * 2;
''', "javascript")
LINES = DOCUMENT.lines


line_of = DOCUMENT.line_of


@checks.add
async def lsp_outline_of_a_javascript_file(editor: Editor, uri: str):
    found = await editor.symbols(uri)
    assert [(s.name, s.kind) for s in found] == [
        ("TAX_RATE", SymbolKind.Constant), ("counter", SymbolKind.Variable), ("Cart", SymbolKind.Class),
        ("formatPrice", SymbolKind.Function), ("double", SymbolKind.Function)]
    cart, format_price = found[2], found[3]
    assert [(c.name, c.kind) for c in cart.children] == [
        ("items", SymbolKind.Field), ("#secret", SymbolKind.Field), ("constructor", SymbolKind.Constructor),
        ("add", SymbolKind.Method), ("total", SymbolKind.Method), ("handleClick", SymbolKind.Method)]
    assert [(c.name, c.kind) for c in format_price.children] == [("pad", SymbolKind.Function)]  # no locals
    # whole definitions: from the first word of the header (export, not the doc comment) to the end
    start = line_of("export class Cart")
    assert cart.range.start == types.Position(line=start, character=0)
    assert cart.range.end == types.Position(line=line_of("}"), character=1)
    assert cart.selection_range.start == types.Position(line=start, character=len("export class "))
    total = cart.children[4]
    assert total.range.start == types.Position(line=line_of("  get total()"), character=2)
    assert total.range.end == types.Position(line=line_of("  get total()") + 5, character=3)
    handle = cart.children[5]
    assert (handle.range.start.line, handle.range.end.line) == (line_of("  handleClick"), line_of("  handleClick") + 2)
    secret = cart.children[1]
    line = LINES[line_of("  #secret")]
    assert secret.selection_range.end.character == editor.column(line, "  #secret")
    double = found[4]
    assert double.range.start == types.Position(line=line_of("const double"), character=0)
    assert double.selection_range.start.character == len("const ")


@checks.add
async def lsp_structural_query(editor: Editor, uri: str):
    matches = await editor.query("//uast:FunctionGroup", uri)
    assert matches[1]["range"]["start"]["line"] == line_of("export function formatPrice")
    methods = await editor.query("//javascript:ClassMethod", uri)
    assert methods[0]["range"]["start"]["line"] == line_of("  constructor(owner)")
    classes = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="bblfsh.query", arguments=["//*[@role='Declaration' and @role='Type']", uri]))
    assert [m["label"] for m in classes] == ["Cart"]


CASE = DriverCase(
    language="javascript", driver=JavaScriptDriver, commands=("node",), filename="sample.js", sample=SAMPLE,
    spans=functools.partial(assert_true_spans, every_offset=True),
    native=DriverCase.Native(
        root="javascript:File",
        types={"javascript:Program", "javascript:ImportDeclaration", "javascript:ClassDeclaration",
               "javascript:ClassMethod", "javascript:ClassPrivateProperty", "javascript:FunctionDeclaration",
               "javascript:ArrowFunctionExpression", "javascript:JSXElement", "javascript:CommentLine",
               "javascript:CommentBlock", "javascript:Identifier", "javascript:StringLiteral"},
        then=native_mode_is_babels_tree),
    annotated=DriverCase.Annotated(then=annotated_roles_of_classes_operators_and_calls),
    role_tables=DriverCase.RoleTables(tables=role_tables),
    semantic=DriverCase.Semantic(then=semantic_function_groups),
    non_ascii=DriverCase.NonAscii(source=SAMPLE, then=jsx_spans_its_text),
    hostile=DriverCase.Hostile(sources=HOSTILE, alive="x = 1\n"),
    syntax_errors=SYNTAX_ERRORS,
    native_program=DriverCase.NativeProgram(bad_requests=("this is not json", '{"content": 5}'), says="bad request"),
    # parse's file name ends in .js, as the fixtures' do: the extension is all parse.js reads of it
    fixtures=DriverCase.Fixtures(extension=".js", clean=True, then=fixture_names_and_strings_span_their_text),
    # 0.962 and 0.943 today
    conformance=DriverCase.Conformance(loose=0.95, strict=0.93, worst=200, then=classes_are_exactly_babelfishs),
    large_file=DriverCase.LargeFile(source=large_file, seconds=1.0, then=large_file_has_every_class),
    served=DriverCase.Served(samples=(("sample.js", SAMPLE),), fixtures=tuple(sorted(FIXTURES.glob("*.js"))[:12]),
                             kinds={"VariableDeclarator": "variable"}, image_timeout=1800),
    lsp=DriverCase.Lsp(
        files={"util.mjs": "export function helper() { return 'é'; }\n"}, document=DOCUMENT,
        functions=("handleClick", "formatPrice", "pad", "double"), file_functions={"util.mjs": ("helper",)},
        queries={"//javascript:ClassMethod": ("constructor", "add", "total"),
                 "//uast:Import": ("events", "path", "./config.js")},
        folds=({(line_of("export class Cart"), line_of("}"))},
               {(line_of("  constructor(owner)"), line_of("  constructor(owner)") + 3)},
               {(line_of("    return this.items.reduce("), line_of("    return this.items.reduce(") + 3)}),
        kind_folds={"imports": (line_of("import { EventEmitter }"), line_of("import config"))},
        selection=DriverCase.Selection(line=line_of("  return pad("), cursor="  return pad(`${roun",
                                       name=("  return pad(`${", "  return pad(`${rounded"),  # rounded
                                       encloses=(line_of("export function formatPrice"), 0))),
    checks=checks,
)
