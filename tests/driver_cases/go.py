"""The Go driver (go/parser in a native program) in the driver suite: its samples and what they
give in the three modes, positions on non-ASCII and CRLF source, syntax errors, hostile input,
conformance with Babelfish's fixtures (../shared/conformance/go), the outline, the language
server end to end, and the same answers through the process runtime and a container runtime.

The driver's native parser must be prepared (`bblfsh-lsp driver install go --runtime process`,
which needs golang-go): without it these tests skip, or fail under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from driver_checks import Checks, Document, DriverCase, Editor, conformance_fixtures, outline_symbols, symbol_tree
from lsprotocol import types
from lsprotocol.types import SymbolKind
from uast_checks import assert_names_spanned, assert_true_spans, of_type, text_of

from driver_runtime.drivers.go import annotation
from driver_runtime.drivers.go.driver import GoDriver
from driver_runtime.sdk import literals
from driver_runtime.sdk.protocol import Mode, ParseResult

FIXTURES = conformance_fixtures("go")

SAMPLE = '''// Package shapes: non-ASCII on purpose (é is 2 bytes, 𝓏 is 4).
package shapes

import (
\t"fmt"
\tm "math"
\t_ "embed"
\t. "strings"
\t"github.com/acme/größe/v2"
)

// Pi, roughly.
const Pi, E = 3.14, 2.71

var café, 𝓏 int // two names

type Shape interface {
\tfmt.Stringer
\t// Area is the area.
\tArea() float64
}

type Größe struct {
\tW, H float64 `json:"w"`
}

/* Area of a rectangle. */
func (g *Größe) Area() (a float64) {
\ta = g.W * g.H
\tg.W += 1
\th := -a
\treturn m.Abs(h)
}

func Sum[T int | float64](xs ...T) T {
\tvar s T
\tfor _, x := range xs {
\t\tif x < 0 {
\t\t\tcontinue
\t\t}
\t\ts++
\t\ts = s + x
\t}
\treturn s
}

func raw() string { return `a\\n` + "b\\t\\x41\\u00e9" + 'c' }
'''

checks = Checks()


def in_import_path(tree: Any) -> set[int]:
    """ids of the identifiers that stand for an import path: they span the quoted literal, as in
    Babelfish (only the parts of a qualified path span their own text)."""
    found = set()
    for spec in of_type(tree, "uast:Import"):
        path = spec["Path"]
        if path["@type"] == "uast:Alias":
            path = path["Node"]
        found.add(id(path))
    return found


# --- the three modes -----------------------------------------------------------------------------


def native_mode_is_go_ast_with_byte_positions(tree: Any) -> None:
    # go/ast as it is: Doc and File.Comments share comment groups, File.Imports repeats the specs
    assert len(tree["Imports"]) == 5 and tree["Imports"][0] == tree["Decls"][0]["Specs"][0]
    idents = of_type(tree, "go:Ident")
    assert all(text_of(SAMPLE, n) == n["@token"] for n in idents)
    method = tree["Decls"][5]
    assert method["@type"] == "go:FuncDecl" and method["Name"]["@token"] == "Area"
    assert text_of(SAMPLE, method).startswith("func (g *Größe) Area()") and text_of(SAMPLE, method).endswith("}")
    body = method["Body"]
    assert body["@pos"]["Rbrace"] == body["@pos"]["end"] - 1  # named token positions, in bytes
    assign = body["List"][1]
    assert assign["Tok"] == "+=" and text_of(SAMPLE, assign) == "g.W += 1"
    literals = {n["@token"]: n["Kind"] for n in of_type(tree, "go:BasicLit")}
    assert literals["3.14"] == "FLOAT" and literals["'c'"] == "CHAR" and literals["`a\\n`"] == "STRING"


def annotated_roles_follow_tokens(annotated: Any) -> None:
    spec = of_type(annotated, "go:TypeSpec")[0]
    assert {"Declaration", "Type"} <= set(spec["@role"]) and spec["Name"]["@token"] == "Shape"
    roles = {n["Tok"]: set(n["@role"]) for n in of_type(annotated, "go:AssignStmt")}
    assert {"Assignment", "Operator", "Add"} <= roles["+="] and "Declaration" not in roles["="]
    assert "Declaration" in roles[":="]
    variables = [n for n in of_type(annotated, "go:ValueSpec") if "Variable" in n["@role"]]
    assert [n["Names"][0]["@token"] for n in variables] == ["café", "s"]  # var, not const
    literal = next(n for n in of_type(annotated, "go:BasicLit") if n["@token"] == "'c'")
    assert {"Character", "Literal"} <= set(literal["@role"])


@checks.add
def native_nodes_have_the_same_roles_in_annotated_and_semantic_mode(parse):
    """Roles that depend on a token are added by a walk in annotated mode and by the transforms
    in semantic mode: both give the same."""
    annotated = parse(SAMPLE, Mode.ANNOTATED).uast
    semantic = parse(SAMPLE).uast
    for native in ("go:ValueSpec", "go:BasicLit", "go:BranchStmt", "go:BinaryExpr", "go:UnaryExpr",
                   "go:AssignStmt", "go:IncDecStmt", "go:TypeSpec", "go:GenDecl", "go:CallExpr"):
        want = {tuple(n["@role"]) for n in of_type(annotated, native)
                if native != "go:BasicLit" or n["Kind"] != "STRING"}
        assert want and {tuple(n["@role"]) for n in of_type(semantic, native)} == want, native
    branch, = of_type(semantic, "go:BranchStmt")
    assert branch["@role"] == ["Continue", "Statement"]


def role_tables() -> list[Any]:
    tables = [*annotation.ROLES.values(), *annotation.FIELD_ROLES.values(), *annotation.OPERATOR_ROLES.values()]
    for by_token in [*annotation.TOKEN_ROLES.values(), *annotation.CHILD_TOKEN_ROLES.values()]:
        tables.extend(by_token.values())
    return tables


def semantic_functions_are_function_groups_with_receivers_and_arguments(tree: Any) -> None:
    groups = [g for g in of_type(tree, "uast:FunctionGroup") if g in tree["Decls"]]
    assert [g["Nodes"][1]["Name"]["Name"] for g in groups] == ["Area", "Sum", "raw"]
    assert text_of(SAMPLE, groups[0]).startswith("func (g *Größe) Area()")  # the declaration, no doc
    alias = groups[0]["Nodes"][1]
    assert groups[0]["Nodes"][0] is None and alias["@type"] == "uast:Alias" and "@pos" not in alias
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    signature = function["Type"]
    assert signature["@type"] == "uast:FunctionType"
    assert text_of(SAMPLE, signature) == "func (g *Größe) Area() (a float64)"
    receiver, = signature["Arguments"]
    assert receiver["Receiver"] is True and receiver["Name"]["Name"] == "g" and text_of(SAMPLE, receiver) == "g *Größe"
    result, = signature["Returns"]
    assert result["Name"]["Name"] == "a" and result["Type"]["Name"] == "float64" and not result["Receiver"]
    generic = groups[1]["Nodes"][1]["Node"]["Type"]
    assert [a["Name"]["Name"] for a in generic["TypeParams"]] == ["T"]
    variadic, = generic["Arguments"]
    assert variadic["Variadic"] is True and variadic["Type"]["Name"] == "T" and text_of(SAMPLE, variadic) == "xs ...T"
    assert groups[2]["Nodes"][1]["Node"]["Type"]["Arguments"] == []
    # an interface's methods are functions without a body; an embedded interface stays a field
    shape = tree["Decls"][3]["Specs"][0]
    methods = shape["Type"]["Methods"]["List"]
    assert methods[0]["@type"] == "go:Field" and methods[0]["Type"]["@type"] == "go:SelectorExpr"
    area = methods[1]
    assert area["@type"] == "uast:FunctionGroup" and text_of(SAMPLE, area) == "Area() float64"
    assert area["Nodes"][1]["Node"]["Body"] is None


@checks.add
def semantic_names_strings_operators_and_split_declarations(parse):
    tree = parse(SAMPLE).uast
    paths = in_import_path(tree)
    assert_names_spanned(SAMPLE, tree, unless=lambda node: id(node) in paths)
    assert {"Größe", "𝓏", "café", "float64"} <= {n["Name"] for n in of_type(tree, "uast:Identifier") if "@pos" in n}
    strings = {n["Value"]: text_of(SAMPLE, n) for n in of_type(tree, "uast:String")}
    assert strings["a\\n"] == "`a\\n`" and strings["b\tAé"] == '"b\\t\\x41\\u00e9"'
    assert strings['json:"w"'] == '`json:"w"`'
    operators = [n["@token"] for n in of_type(tree, "uast:Operator")]
    assert sorted(operators) == sorted(["=", "*", "+=", ":=", "-", "|", "<", "++", "=", "+", "+", "+"])
    assert all("@pos" not in n for n in of_type(tree, "uast:Operator"))
    # `const Pi, E = ...`, `var café, 𝓏 int`, `W, H float64`: one declaration per name
    specs = [s for decl in tree["Decls"] if decl["@type"] == "go:GenDecl" for s in decl["Specs"]]
    names = [s["Names"][0]["Name"] for s in specs if s["@type"] == "go:ValueSpec"]
    assert names == ["Pi", "E", "café", "𝓏"]
    assert [s["Values"][0]["@token"] for s in specs[5:7]] == ["3.14", "2.71"]
    fields = tree["Decls"][4]["Specs"][0]["Type"]["Fields"]["List"]
    assert [f["Names"][0]["Name"] for f in fields] == ["W", "H"]
    assert all(text_of(SAMPLE, f) == 'W, H float64 `json:"w"`' for f in fields)


@checks.add
def semantic_imports(parse):
    tree = parse(SAMPLE).uast
    imports = tree["Decls"][0]["Specs"]
    assert [i["@type"] for i in imports] == ["uast:Import"] * 5 and tree["Imports"] is None
    fmt, math, embed, strings, acme = imports
    assert fmt["Path"] == {"@type": "uast:Identifier", "@role": ["Identifier"], "@pos": fmt["@pos"],
                           "Name": "fmt"} and fmt["All"]
    assert text_of(SAMPLE, fmt["Path"]) == '"fmt"'
    assert math["Path"]["@type"] == "uast:Alias" and math["Path"]["Name"]["Name"] == "m"
    assert text_of(SAMPLE, math) == 'm "math"' and math["All"] is True
    assert embed["All"] is False and embed["Path"]["Name"] == "embed"
    assert strings["Target"]["Name"] == "." and text_of(SAMPLE, strings["Target"]) == "." and strings["All"] is True
    qualified = acme["Path"]
    assert qualified["@type"] == "uast:QualifiedIdentifier" and text_of(SAMPLE, qualified) == '"github.com/acme/größe/v2"'
    assert [(n["Name"], text_of(SAMPLE, n)) for n in qualified["Names"]] == [
        ("github.com", "github.com"), ("acme", "acme"), ("größe", "größe"), ("v2", "v2")]


@checks.add
def every_comment_appears_exactly_once(parse):
    expected = ["// Package shapes: non-ASCII on purpose (é is 2 bytes, 𝓏 is 4).", "// Pi, roughly.",
                "// two names", "// Area is the area.", "/* Area of a rectangle. */"]
    semantic = parse(SAMPLE).uast
    comments = of_type(semantic, "uast:Comment")
    assert [text_of(SAMPLE, c) for c in comments] == expected
    assert [c["Text"] for c in comments] == [e[2:-2 if e.startswith("/*") else None].strip() for e in expected]
    assert [c["Block"] for c in comments] == [False] * 4 + [True]
    assert comments[-1]["Prefix"] == " " and comments[-1]["Suffix"] == " "
    native = parse(SAMPLE, Mode.NATIVE).uast
    in_file = [c for group in native["Comments"] for c in group["List"]]
    assert [text_of(SAMPLE, c) for c in in_file] == expected


# --- positions -----------------------------------------------------------------------------------

NON_ASCII = 'package p\n\n// é𝓏\nvar s = "é𝓏" + `𝓏` // ü\n\nfunc fé(𝓏a int) string { return s }\n'


def names_and_strings_span_their_text(tree: Any) -> None:
    source = NON_ASCII
    assert [text_of(source, n) for n in of_type(tree, "uast:String")] == ['"é𝓏"', "`𝓏`"]
    assert sorted((n["Name"], text_of(source, n)) for n in of_type(tree, "uast:Identifier") if n["Name"] != "p") == \
        sorted([("s", "s"), ("fé", "fé"), ("𝓏a", "𝓏a"), ("int", "int"), ("string", "string"), ("s", "s")])


@checks.add
def carriage_returns_do_not_shift_comments_and_raw_strings(parse, spanned):
    """go/scanner drops CRs from comments and raw strings: their spans still end where they do."""
    source = "package p\r\n\r\n/* a\r\nb */\r\nvar s = `x\r\ny` // end\r\n\r\nvar t = 1\r\n"
    tree = spanned(source)
    assert [text_of(source, c) for c in of_type(tree, "uast:Comment")] == ["/* a\r\nb */", "// end"]
    string, = of_type(tree, "uast:String")
    assert string["Value"] == "x\ny" and text_of(source, string) == "`x\r\ny`"
    spec = tree["Decls"][0]["Specs"][0]
    assert text_of(source, spec) == "s = `x\r\ny`"
    native = parse(source, Mode.NATIVE).uast
    assert text_of(source, native["Comments"][0]) == "/* a\r\nb */"


@checks.add
def byte_order_mark_is_counted(parse):
    source = "\ufeffpackage p\n\nvar é = 1\n"
    tree = parse(source).uast
    assert [text_of(source, n) for n in of_type(tree, "uast:Identifier")] == ["p", "é"]
    error = parse("\ufeffpackage p\nfunc (\n").errors[0]
    assert error.start is not None and (error.start.line, error.start.offset) == (3, len("\ufeffpackage p\nfunc (\n".encode()))


# --- errors --------------------------------------------------------------------------------------


SYNTAX_ERRORS = (
    DriverCase.SyntaxErrorAt(source="package p\n\nfunc f(a int) int {\n\treturn = a\n}\n",
                             before="package p\n\nfunc f(a int) int {\n\treturn ",
                             message="expected operand, found '='"),
    # a //line directive does not move the error's position
    DriverCase.SyntaxErrorAt(source="package p\n\n//line other.go:100:5\nfunc f() {\n\treturn = 1\n}\n",
                             before="package p\n\n//line other.go:100:5\nfunc f() {\n\treturn "),
    # after non-ASCII text, in bytes; the first at the end, where an operand is missing
    DriverCase.SyntaxErrorAt(source='package p\nvar é = "𝓏" +\n', before='package p\nvar é = "𝓏" +\n'),
    DriverCase.SyntaxErrorAt(source='package p\nvar é, 𝓏 = )\n', before='package p\nvar é, 𝓏 = '),
)

HOSTILE = (
    "package p\nvar x = 1\n\0var y = 2\n",
    "package p\nvar x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "package p\nvar x = 1" + " + 1" * 5000 + "\n",
    "package p\nvar x = " + "-" * 5000 + "1\n",
    "package p\nvar x = a" + ".b" * 5000 + "\n",
    "package p\nfunc f() {" + "{" * 3000 + "}" * 3000 + "}\n",
    "not go at all",
    "",
)


@checks.add
def nesting_limit_error_says_where(parse):
    source = "package p\nvar x = 1" + " + 1" * 2000 + "\n"
    error = parse(source).errors[0]
    assert "nested too deeply" in error.message and error.start is not None and error.start.line == 2
    deep_but_fine = "package p\nvar x = 1" + " + 1" * 400 + "\n"
    assert parse(deep_but_fine).ok


# --- the outline ---------------------------------------------------------------------------------


@checks.add
def outline_of_a_go_file(driver, parse):
    tree = parse(SAMPLE).uast
    found = outline_symbols(driver, SAMPLE, tree)
    # A type's kind comes from its Type (symbol_kinds StructType/InterfaceType); a method is a
    # function with a receiver, listed at top level as gopls does.
    outlined = symbol_tree(found)
    assert [(name, kind) for name, kind, _ in outlined] == [
        ("Pi", SymbolKind.Constant), ("E", SymbolKind.Constant), ("café", SymbolKind.Variable),
        ("𝓏", SymbolKind.Variable), ("Shape", SymbolKind.Interface), ("Größe", SymbolKind.Struct),
        ("Area", SymbolKind.Method), ("Sum", SymbolKind.Function), ("raw", SymbolKind.Function)]
    # The embedded fmt.Stringer is a field named Stringer (as gopls lists it).
    assert outlined[4][2] == [("Stringer", SymbolKind.Field, []), ("Area", SymbolKind.Method, [])]
    assert outlined[5][2] == [("W", SymbolKind.Field, []), ("H", SymbolKind.Field, [])]
    assert outlined[7][2] == []  # a `var` in a function body is a local variable: not listed
    data = SAMPLE.encode()
    by_name = {s.name: s for s in found}
    assert data[by_name["Größe"].start:by_name["Größe"].end].decode().startswith("type Größe struct {")
    assert data[by_name["Größe"].start:by_name["Größe"].end].decode().endswith("}")
    area = by_name["Area"]
    assert data[area.start:area.end].decode().startswith("func (g *Größe) Area()")  # not the comment above
    assert data[area.name_start:area.name_end] == b"Area"
    assert data[by_name["𝓏"].name_start:by_name["𝓏"].name_end].decode() == "𝓏"


# --- conformance with Babelfish's fixtures -------------------------------------------------------


def fixture_names_and_strings_span_their_text(path: Path, source: str, tree: Any, mode: Mode) -> None:
    """Every positioned identifier spans its name (import paths span their literal) and every
    string its literal."""
    paths = in_import_path(tree)
    assert_names_spanned(source, tree, ("uast:Identifier", "go:Ident"),
                         unless=lambda node: id(node) in paths, where=path.name)
    for node in of_type(tree, "uast:String"):
        assert literals.go_unquote(text_of(source, node)) == node["Value"], (path.name, node)


def large_file() -> str:
    body = "".join(f"""
// F{i} adds.
func F{i}(a, b int, rest ...string) (int, error) {{
\tif a > b {{
\t\treturn a - b, fmt.Errorf("é %d", a)
\t}}
\tfor _, s := range rest {{
\t\ta += len(s) * {i}
\t}}
\treturn a + b, nil
}}
""" for i in range(540))
    return "package big\n\nimport \"fmt\"\n" + body


def large_file_has_every_function(result: ParseResult) -> None:
    assert result.ok and len(of_type(result.uast, "uast:FunctionGroup")) == 540


# --- the language server end to end --------------------------------------------------------------


DOCUMENT = Document("inventory.go", '''\
// Package inventory keeps items in stock. Non-ASCII on purpose: é is 2 bytes, 𝓏 is 4.
package inventory

import (
\t"errors"
\t"fmt"
\tstr "strings"
)

// ErrMissing is returned for unknown items.
var ErrMissing = errors.New("missing 𝓏")

const (
\tMaxItems = 100
\tcafé     = "é"
)

// Item is one thing in stock.
type Item struct {
\tName, Kind string
\tGröße      int `json:"größe"`
}

// Shelf stores items.
type Shelf interface {
\tPut(item Item) error
\tTake(name string) (Item, error)
}

type Store struct {
\titems map[string]Item
}

// New makes an empty store.
func New() *Store {
\treturn &Store{items: map[string]Item{}}
}

func (s *Store) Put(item Item) error {
\tif item.Name == "" {
\t\treturn fmt.Errorf("no name: %v", item)
\t}
\ts.items[str.ToLower(item.Name)] = item
\treturn nil
}

func (s *Store) Take(name string) (Item, error) {
\titem, ok := s.items[name]
\tif !ok {
\t\treturn Item{}, ErrMissing
\t}
\tdelete(s.items, name)
\treturn item, nil
}
''', "go")
LINES = DOCUMENT.lines


line_of = DOCUMENT.line_of


@checks.add
async def lsp_outline_of_a_go_file(editor: Editor, uri: str):
    found = await editor.symbols(uri)
    names = [(s.name, s.kind) for s in found]
    assert names[:3] == [("ErrMissing", SymbolKind.Variable), ("MaxItems", SymbolKind.Constant),
                         ("café", SymbolKind.Constant)]
    assert [name for name, _ in names[3:]] == ["Item", "Shelf", "Store", "New", "Put", "Take"]
    item, shelf, store = found[3:6]
    assert item.kind == SymbolKind.Struct and shelf.kind == SymbolKind.Interface
    assert [(c.name, c.kind) for c in item.children] == [
        ("Name", SymbolKind.Field), ("Kind", SymbolKind.Field), ("Größe", SymbolKind.Field)]
    assert [(c.name, c.kind) for c in shelf.children] == [("Put", SymbolKind.Method), ("Take", SymbolKind.Method)]
    assert [c.name for c in store.children] == ["items"]
    assert found[6].kind == SymbolKind.Function
    assert found[7].kind in (SymbolKind.Function, SymbolKind.Method)
    # whole definitions: from the keyword (not the doc comment) to the closing brace
    start = line_of("type Item struct")
    assert item.range.start == types.Position(line=start, character=0)
    assert item.range.end == types.Position(line=start + 3, character=1)
    put = found[7]
    assert put.range.start == types.Position(line=line_of("func (s *Store) Put"), character=0)
    assert put.range.end == types.Position(line=line_of("func (s *Store) Take") - 2, character=1)
    assert put.selection_range.start.character == len("func (s *Store) ")
    grosse = item.children[2]
    line = LINES[start + 2]
    assert grosse.selection_range.start == types.Position(line=start + 2, character=1)
    assert grosse.selection_range.end.character == editor.column(line, "\tGröße")
    cafe = found[2]
    assert cafe.selection_range.end.character == editor.column(LINES[line_of("\tcafé")], "\tcafé")


@checks.add
async def lsp_structural_query(editor: Editor, uri: str):
    imports = await editor.query("//uast:Import", uri)
    assert len(imports) == 3  # each once
    receivers = await editor.query("//uast:Argument[@Receiver='true']/Name", uri)
    assert len(receivers) == 2
    grosse = await editor.query("//uast:Identifier[@Name='Größe']", uri)
    line = line_of("\tGröße")
    assert [(m["range"]["start"]["line"], m["range"]["start"]["character"]) for m in grosse] == [(line, 1)]
    types_found = await editor.query("//*[@role='Declaration' and @role='Type']", uri)
    # one match per type declaration (the TypeSpec), none for the `type` keyword's group
    assert [(m["type"], m["range"]["start"]) for m in types_found] == [
        ("go:TypeSpec", {"line": line_of(f"type {name} "), "character": len("type ")})
        for name in ("Item", "Shelf", "Store")]


CASE = DriverCase(
    language="go", driver=GoDriver, filename="sample.go", sample=SAMPLE,
    spans=functools.partial(assert_true_spans, every_offset=True),
    native=DriverCase.Native(
        root="go:File",
        types={"go:FuncDecl", "go:GenDecl", "go:TypeSpec", "go:InterfaceType", "go:StructType", "go:Ident",
               "go:BasicLit", "go:CommentGroup", "go:Comment", "go:BinaryExpr", "go:RangeStmt", "go:Ellipsis",
               "go:ImportSpec", "go:FieldList", "go:Field"},
        then=native_mode_is_go_ast_with_byte_positions),
    annotated=DriverCase.Annotated(then=annotated_roles_follow_tokens),
    role_tables=DriverCase.RoleTables(tables=role_tables),
    # no native function, literal-string or identifier node is left
    semantic=DriverCase.Semantic(gone={"go:FuncDecl", "go:FuncType", "go:Ident", "go:BlockStmt", "go:Comment"},
                                 then=semantic_functions_are_function_groups_with_receivers_and_arguments),
    non_ascii=DriverCase.NonAscii(source=NON_ASCII, comments=(("// é𝓏", "é𝓏"), ("// ü", "ü")),
                                  function="func fé(𝓏a int) string { return s }",
                                  then=names_and_strings_span_their_text),
    hostile=DriverCase.Hostile(sources=HOSTILE, alive="package p\n"),
    syntax_errors=SYNTAX_ERRORS,
    native_program=DriverCase.NativeProgram(bad_requests=("this is not json", '{"content": 5}'), says="bad request"),
    fixtures=DriverCase.Fixtures(extension=".go", then=fixture_names_and_strings_span_their_text),
    # The task's floor is loose 0.90 / strict 0.80; 0.967 / 0.967 today (what is left: each comment
    # and import once, interface methods as functions).
    conformance=DriverCase.Conformance(loose=0.95, strict=0.95),
    # about 0.15 s on an idle machine
    large_file=DriverCase.LargeFile(source=large_file, seconds=1.0, then=large_file_has_every_function),
    served=DriverCase.Served(samples=(("sample.go", SAMPLE),),
                             fixtures=tuple(sorted(FIXTURES.glob("*.go"))[:12]) if FIXTURES.is_dir() else (),
                             kinds={"Field": "field"}, parser="go1."),
    lsp=DriverCase.Lsp(
        files={"util.go": "package inventory\n\nfunc helper() string { return \"é\" }\n"}, document=DOCUMENT,
        functions=("Put", "Take", "New", "Put", "Take"), file_functions={"util.go": ("helper",)},
        folds=({(line_of("type Item struct"), line_of("type Item struct") + 3)},
               {(line_of("func (s *Store) Put"), line_of("func (s *Store) Take") - 2)},
               {(line_of("\tif item.Name"), line_of("\tif item.Name") + 2)},
               {(line_of("const ("), line_of("const (") + 3)}),  # the last: a declaration group
        kind_folds={"imports": (line_of('\t"errors"'), line_of('\tstr "strings"'))},
        selection=DriverCase.Selection(line=line_of("\ts.items[str.ToLower"), cursor="\ts.items[str.To",
                                       name=("\ts.items[str.", "\ts.items[str.ToLower"),  # ToLower
                                       encloses=(line_of("func (s *Store) Put"), 0))),
    checks=checks,
)
