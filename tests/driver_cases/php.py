"""The PHP driver (nikic/PHP-Parser in a php process) in the driver suite: its samples and what
they give in the three modes, byte positions on non-ASCII source, comments, syntax errors,
conformance with Babelfish's fixtures, the process and container runtimes (a failed image build
fails), and the language server end to end.

Tests that need php and the prepared parser (`bblfsh-lsp driver install php --runtime process`)
skip without them, and fail where BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from driver_checks import Checks, Document, DriverCase, Editor, conformance_fixtures, symbol_tree
from lsprotocol import types
from uast_checks import assert_names_spanned, assert_true_spans, nodes, of_type, text_of

from driver_runtime.drivers.php import annotation, normalization
from driver_runtime.drivers.php.driver import NATIVE, PhpDriver
from driver_runtime.sdk import uast
from driver_runtime.sdk.nodes import split_comment_tab
from driver_runtime.sdk.protocol import ParseRequest, ParseResult

FIXTURES = conformance_fixtures("php")

# Non-ASCII on purpose: é is 2 bytes / 1 utf-16 unit, 𝓏 is 4 bytes / 2 units; PHP names may
# hold any byte above 0x7f.
SAMPLE = '''<?php
// Café 𝓏 — a shop
namespace Shop\\Größe;

use App\\Contracts\\Repository, Psr\\Log\\LoggerInterface as Log;
use Psr\\Http\\{Request, Response as Answer};
require_once __DIR__ . '/bootstrap.php';
include 'fünf.php';

const VERSION = "1.0-é";
define('SHOP_NAME', 'Café 𝓏');

/**
 * Something with a price.
 */
interface Priced extends \\Countable
{
    public function price(): float;
}

final class Größe implements Priced
{
    public const TAX = 0.2;
    private static ?string $maß = null;

    public function __construct(private float $amount = 1.5, string &...$rest) {}

    public function price(): float { return $this->amount * (1 + self::TAX); }

    public function count(): int { return \\count([$this->maß, "x{$this->amount}y"]); }
}

function total(Priced ...$items): float
{
    $sum = 0.0; # running total
    foreach ($items as $item) { $sum += $item->price(); }
    return $sum;
}
'''


checks = Checks()


def assert_true_php_spans(source: str, tree: Any) -> None:
    """Every span inside the source, on character boundaries; every positioned identifier spans
    its name and every comment its text."""
    assert_true_spans(source, tree)
    assert_names_spanned(source, tree)
    for comment in of_type(tree, "uast:Comment"):
        if uast.span(comment) is not None:
            text = text_of(source, comment)
            assert text.startswith(("//", "#", "/*")) and comment["Text"].split("\n")[0] in text, comment


# --- the three modes ---------------------------------------------------------------------------

def native_mode_is_php_parsers_tree(tree: Any) -> None:
    all_nodes = nodes(tree)
    cls = of_type(tree, "php:Stmt_Class")[0]
    assert text_of(SAMPLE, cls).startswith("final class Größe implements Priced") and text_of(SAMPLE, cls).endswith("}")
    assert cls["name"]["@token"] == "Größe" and text_of(SAMPLE, cls["name"]) == "Größe"
    prop = of_type(tree, "php:Stmt_PropertyProperty")[0]
    assert prop["name"]["@token"] == "maß" and text_of(SAMPLE, prop) == "$maß = null"
    doc = of_type(tree, "php:Comment_Doc")[0]
    assert text_of(SAMPLE, doc) == doc["@token"] == "/**\n * Something with a price.\n */"
    # Every comment appears once, on the outermost node it precedes.
    comments = [node["@token"] for node in all_nodes if node.get("@type") in ("php:Comment", "php:Comment_Doc")]
    assert comments == ["// Café 𝓏 — a shop", doc["@token"], "# running total"]


def annotated_roles_leave_no_node_unannotated(annotated: Any) -> None:
    for node in nodes(annotated):
        assert node["@role"] != ["Unannotated"], node["@type"]
    cls = of_type(annotated, "php:Stmt_Class")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"])
    assign = of_type(annotated, "php:Expr_AssignOp_Plus")[0]
    assert "Left" in assign["var"]["@role"] and "Right" in assign["expr"]["@role"]


def role_tables() -> list[Any]:
    return list(annotation.ROLES.values()) + list(annotation.FIELD_ROLES.values())


@checks.add
def block_types_have_roles():
    assert set(normalization.BLOCK_TYPES) <= set(annotation.ROLES)


def semantic_functions_are_function_groups_and_methods_stay_native(tree: Any) -> None:
    [group] = of_type(tree, "uast:FunctionGroup")
    assert text_of(SAMPLE, group).startswith("function total(") and text_of(SAMPLE, group).endswith("}")
    alias = next(n for n in group["Nodes"] if n.get("@type") == "uast:Alias")
    assert alias["Name"]["Name"] == "total" and text_of(SAMPLE, alias["Name"]) == "total"
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    [argument] = function["Type"]["Arguments"]
    assert argument["@type"] == "uast:Argument" and argument["Variadic"] is True
    assert argument["Name"] == {"@type": "uast:Identifier", "@role": ["Identifier"], "Name": "items"}
    assert text_of(SAMPLE, argument) == "Priced ...$items" and argument["Type"]["Name"] == "Priced"
    [returns] = function["Type"]["Returns"]
    assert returns["@type"] == "uast:Argument" and returns["Type"]["Name"] == "float"
    # Methods: native, name as an identifier, parameters as arguments, body as a block.
    methods = of_type(tree, "php:Stmt_ClassMethod")
    assert [m["name"]["Name"] for m in methods] == ["price", "__construct", "price", "count"]
    constructor = methods[1]
    amount, rest = constructor["params"]
    assert amount["Init"]["@token"] == 1.5 and text_of(SAMPLE, amount) == "private float $amount = 1.5"
    assert rest["Variadic"] and rest["Type"]["@type"] == "php:ByRef" and rest["Type"]["Type"]["Name"] == "string"
    assert constructor["stmts"] == {"@type": "uast:Block", "@role": ["Block", "Scope"], "Statements": []}
    assert methods[0]["stmts"] == {"@type": "uast:Block", "@role": ["Block", "Scope"],
                                  "Statements": None}  # interface method: no body


@checks.add
def semantic_types_imports_names_strings_comments(parse):
    tree = parse(SAMPLE).uast
    namespace = tree["children"][0]
    assert namespace["@type"] == "php:Stmt_Namespace" and namespace["@token"] == "Shop\\Größe"
    assert namespace["name"]["@type"] == "uast:QualifiedIdentifier" and text_of(SAMPLE, namespace["name"]) == "Shop\\Größe"
    statements = namespace["stmts"]["Statements"]
    # use A\B, C as D: one RuntimeImport per name; group use: one for the group
    imports = [s for s in statements if s.get("@type") == "uast:RuntimeImport"]
    assert [uast.span(i) == uast.span(imports[0]) for i in imports[:2]] == [True, True]
    first, second, group = imports[:3]
    assert [n["Name"] for n in first["Path"]["Names"]] == ["App", "Contracts"]
    assert first["Names"][0]["Name"]["Name"] == "Repository" and first["Names"][0]["Node"]["Name"] == "Repository"
    assert second["Names"][0]["Name"]["Name"] == "Log" and second["Names"][0]["Node"]["Name"] == "LoggerInterface"
    assert text_of(SAMPLE, second["Names"][0]) == "Psr\\Log\\LoggerInterface as Log"
    assert text_of(SAMPLE, group["Path"]) == "Psr\\Http"
    assert [(a["Name"]["Name"], text_of(SAMPLE, a["Node"])) for a in group["Names"]] == [
        ("Request", "Request"), ("Answer", "Response")]
    once, again = of_type(tree, "uast:RuntimeImport")[3], of_type(tree, "uast:RuntimeReImport")[0]
    assert once["All"] and text_of(SAMPLE, once) == "require_once __DIR__ . '/bootstrap.php'"
    assert again["Path"] == {"@type": "uast:String", "@role": ["Expression", "Literal", "Primitive", "String"],
                             "@pos": again["Path"]["@pos"], "Format": "raw", "Value": "fünf.php"}
    # classes and interfaces: native, Declaration + Type, named by an identifier with its span
    cls = of_type(tree, "php:Stmt_Class")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"]) and text_of(SAMPLE, cls["name"]) == "Größe"
    assert cls["stmts"]["@type"] == "uast:Block"
    interface = of_type(tree, "php:Stmt_Interface")[0]
    assert interface["extends"][0]["@type"] == "php:Name_FullyQualified"  # as in Babelfish
    # variables: a positioned native node around a positionless name
    variable = next(n for n in of_type(tree, "php:Expr_Variable") if n["name"]["Name"] == "sum")
    assert variable["name"] == {"@type": "uast:Identifier", "@role": ["Identifier"], "Name": "sum"}
    assert text_of(SAMPLE, variable) == "$sum"
    strings = {n["Value"]: (n["Format"], text_of(SAMPLE, n)) for n in of_type(tree, "uast:String")}
    assert strings["1.0-é"] == ("", '"1.0-é"') and strings["Café 𝓏"] == ("raw", "'Café 𝓏'")
    assert strings["x"] == ("encapsed", "x") and strings["y"] == ("encapsed", "y")
    comments = of_type(tree, "uast:Comment")
    assert [(c["Text"], c["Block"], text_of(SAMPLE, c)) for c in comments] == [
        ("Café 𝓏 — a shop", False, "// Café 𝓏 — a shop"),
        ("Something with a price.", True, "/**\n * Something with a price.\n */"),
        ("running total", False, "# running total")]
    # define('NAME', ...) declares a constant: its name as the statement's target
    define = next(s for s in statements if s.get("target"))
    assert {"Assignment", "Declaration"} <= set(define["@role"]) and text_of(SAMPLE, define["target"]) == "SHOP_NAME"


@checks.add
def comment_text_follows_babelfish():
    assert split_comment_tab("/**\n * a\n *\n * b\n */", "/**", "*/") == ("\n * ", "a\n\n b", "\n ", " *")
    assert split_comment_tab("// x ", "//", "\n") == (" ", "x", " ", "")
    assert split_comment_tab("/* one\n   two */", "/*", "*/") == (" ", "one\ntwo", " ", "   ")


# --- errors and hostile input ------------------------------------------------------------------

SYNTAX_ERRORS = (DriverCase.SyntaxErrorAt(source='<?php\n$é = "ü";\nfunction f( {\n',
                                          before='<?php\n$é = "ü";\nfunction f( ', says="unexpected '{'", count=1),)


@checks.add
def recoverable_error_keeps_the_partial_tree(parse):
    source = "<?php\nclass A { function f() { $x = ; } }\nfunction g() {}\n"
    result = parse(source)
    assert result.errors and result.errors[0].start is not None and result.errors[0].start.line == 2
    assert [n["Nodes"][-1]["Name"]["Name"] for n in of_type(result.uast, "uast:FunctionGroup")] == ["g"]


HOSTILE = (
    "<?php " + "(" * 3000 + "1" + ")" * 3000 + ";",
    "<?php $a = " + " . ".join(["'x'"] * 3000) + ";",
    "<?php $x = \"\\xff\xfe\";",
    "<?php\n\0\x01 garbage ?>\xff<?php }}}",
    "",
    "just text, no php",
)


@checks.add
def native_program_answers_bad_requests_and_skips_blank_lines(driver):
    """Run alone: each line that is no request gets an answer, a blank line none.  (That the
    driver starts it again after it dies: the suite's native program test.)"""
    build = str(driver.build)
    command = [part.replace("{folder}", str(driver.folder)).replace("{build}", build) for part in NATIVE]
    process = subprocess.run(command, check=False, input=b'not json\n{"content": 5}\n\n{"content": "<?php f();"}\n',
                             capture_output=True, timeout=60)
    answers = process.stdout.decode().splitlines()
    assert process.returncode == 0 and len(answers) == 3
    assert "bad request" in answers[0] and "bad request" in answers[1] and '"Expr_FuncCall"' in answers[2]


@checks.add
def unprepared_driver_says_how_to_prepare(tmp_path, monkeypatch):
    monkeypatch.setenv("BBLFSH_LSP_DRIVER_BUILD", str(tmp_path / "nowhere"))
    result = PhpDriver().parse(ParseRequest(content="<?php f();"))
    assert result.uast is None and "driver install php --runtime process" in result.errors[0].message


def large_file() -> str:
    part = SAMPLE.split("namespace", 1)[1].split("\n", 1)[1].replace("Größe", "Big")
    return "<?php\n" + "".join(part.replace("Priced", f"Priced{i}").replace("total", f"total{i}") for i in range(140))


def large_file_has_every_function(result: ParseResult) -> None:
    assert result.ok and len(of_type(result.uast, "uast:FunctionGroup")) == 140


# --- the language server, end to end -------------------------------------------------------------

DOCUMENT = Document("shop.php", SAMPLE, "php")
LINES = DOCUMENT.lines


def line_of(text: str) -> int:
    return next(number for number, line in enumerate(LINES) if text in line)


@checks.add
async def lsp_outline_of_a_php_file(editor: Editor, uri: str):
    found = await editor.symbols(uri)
    kind = types.SymbolKind
    [namespace] = found
    assert (namespace.name, namespace.kind) == ("Shop\\Größe", kind.Namespace)
    assert symbol_tree(namespace.children)[:4] == [
        ("VERSION", kind.Constant, []),
        ("SHOP_NAME", kind.Constant, []),
        ("Priced", kind.Interface, [("price", kind.Method, [])]),
        ("Größe", kind.Class, [("TAX", kind.Constant, []), ("maß", kind.Property, []),
                               ("__construct", kind.Constructor, []), ("price", kind.Method, []),
                               ("count", kind.Method, [])]),
    ]
    assert namespace.children[4].name == "total"  # a function (see the report: namespaces as containers)
    # ranges: the whole definition, from its doc comment or first keyword; the name exactly
    interface, cls = namespace.children[2], namespace.children[3]
    assert interface.range.start == types.Position(line=line_of("/**"), character=0)
    assert interface.range.end == types.Position(line=line_of("public function price(): float;") + 1, character=1)
    assert cls.range.start == types.Position(line=line_of("final class"), character=0)
    assert cls.range.end == types.Position(line=line_of("return \\count(") + 1, character=1)
    name_line = LINES[line_of("final class")]
    assert cls.selection_range.start.character == editor.column(name_line, "final class ")
    assert cls.selection_range.end.character == editor.column(name_line, "final class Größe")
    prop = cls.children[1]
    prop_line = LINES[line_of("$maß")]
    assert prop.selection_range.start == types.Position(
        line=line_of("$maß"), character=editor.column(prop_line, "    private static ?string $"))
    assert prop.range.start.character == 4  # from "private"
    define = namespace.children[1]
    define_line = LINES[line_of("define(")]
    assert define.selection_range.start.character == editor.column(define_line, "define('")


@checks.add
async def lsp_structural_query(editor: Editor, uri: str):
    matches = await editor.query("//uast:FunctionGroup", uri)
    assert [(m["label"], m["range"]["start"]["line"]) for m in matches] == [("total", line_of("function total"))]
    methods = await editor.query("//php:Stmt_ClassMethod[name/uast:Identifier/@Name='price']", uri)
    assert [m["range"]["start"]["line"] for m in methods] == [line_of("price(): float;"), line_of("price(): float {")]


CASE = DriverCase(
    language="php", driver=PhpDriver, commands=("php",), filename="sample.php", sample=SAMPLE,
    spans=assert_true_php_spans,
    native=DriverCase.Native(
        root="php:Module",
        types={"php:Stmt_Namespace", "php:Stmt_Class", "php:Stmt_ClassMethod", "php:Stmt_Function", "php:Param",
               "php:Identifier", "php:Name", "php:Expr_Variable", "php:Comment", "php:Comment_Doc"},
        then=native_mode_is_php_parsers_tree),
    annotated=DriverCase.Annotated(every_node=True, ordered=True, then=annotated_roles_leave_no_node_unannotated),
    # some of PHP's tables are not in sorted order
    role_tables=DriverCase.RoleTables(tables=role_tables, ordered=False),
    # no native name, string, function or parameter is left
    semantic=DriverCase.Semantic(gone={"php:Name", "php:Identifier", "php:Scalar_String", "php:Stmt_Function",
                                       "php:Param", "php:Stmt_Use", "php:Expr_Include"},
                                 then=semantic_functions_are_function_groups_and_methods_stay_native),
    hostile=DriverCase.Hostile(sources=HOSTILE, alive="<?php f();", no_tree=False),
    syntax_errors=SYNTAX_ERRORS,
    native_program=DriverCase.NativeProgram(bad_requests=("this is not json", '{"content": 5}'), says="bad request"),
    fixtures=DriverCase.Fixtures(extension=".php", clean=True),
    conformance=DriverCase.Conformance(loose=0.95, strict=0.85),  # 0.989 and 0.893 today
    # warmed up first (the JIT)
    large_file=DriverCase.LargeFile(source=large_file, seconds=1.0, then=large_file_has_every_function),
    # the sample, then a file PHP-Parser cannot recover from
    served=DriverCase.Served(samples=(("sample.php", SAMPLE),),
                             broken=DriverCase.Broken(filename="x.php", source="<?php\nfunction (", line=2),
                             kinds={"Stmt_Class": "class"}, build_failed=pytest.fail),
    lsp=DriverCase.Lsp(
        files={"helpers.php": "<?php\nfunction helper(): string\n{\n    return 'é';\n}\n"}, document=DOCUMENT,
        functions=("total",), file_functions={"helpers.php": ("helper",)},
        folds=({(line_of("final class"), line_of("return \\count(") + 1)},  # the class
               {(line_of("function total"), len(LINES) - 2)},  # the function
               {(line_of("/**"), line_of("public function price(): float;") + 1)},  # the interface and its doc
               {(line_of("use App"), line_of("use Psr"))}),  # the imports
        selection=DriverCase.Selection(line=line_of("$sum += $item->price()"),
                                       cursor="    foreach ($items as $item) { $sum += $it",
                                       name=("    foreach ($items as $item) { $sum += ",
                                             "    foreach ($items as $item) { $sum += $item"),
                                       encloses=(line_of("function total"), 0)),
        # the syntax error published, and the outline of what parsed
        diagnosed=DriverCase.Diagnosed(
            document=Document("broken.php", "<?php\nclass Größe {\n    function ok() {}\n"
                                            "    function broken() { $x = ; }\n}\n", "php"),
            line=3, before="    function broken() { $x = ", says="unexpected ';'", count=1,
            outline=[("Größe", types.SymbolKind.Class, [("ok", types.SymbolKind.Method, []),
                                                        ("broken", types.SymbolKind.Method, [])])])),
    checks=checks,
)
