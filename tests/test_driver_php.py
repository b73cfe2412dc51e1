"""The PHP driver (nikic/PHP-Parser in a php process), through real parses: the three modes,
byte positions on non-ASCII source, comments, syntax errors, conformance with Babelfish's
fixtures, the process and container runtimes, and the language server end to end.

Tests that need php and the prepared parser (`bblfsh-lsp driver install php --runtime process`)
skip without them, and fail where BBLFSH_LSP_REQUIRE_TOOLCHAINS=1; the container test skips
without an engine or the base image, and fails where BBLFSH_LSP_REQUIRE_CONTAINERS=1.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from driver_checks import (
    DriverImage,
    assert_conformance,
    assert_docker_answers_as_process,
    assert_image_labels,
    assert_names_spanned,
    assert_native,
    assert_role_tables,
    assert_roles_added,
    assert_true_spans,
    bundled_spec,
    column,
    conformance_fixtures,
    conformance_row,
    document_symbols,
    driver_fixture,
    driver_image_fixture,
    folding_ranges,
    lsp_client_fixture,
    needs_fixtures,
    needs_scorer,
    nodes,
    of_type,
    open_document,
    require_prepared,
    selection_chain,
    served,
    structural_query,
    symbol_tree,
    text_of,
    timed_parses,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

from driver_runtime import uast
from driver_runtime.drivers.php import annotation, normalization
from driver_runtime.drivers.php.driver import NATIVE, PhpDriver
from driver_runtime.protocol import Manifest, Mode, ParseRequest, ParseResult
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.nodes import split_comment_tab

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


def prepared() -> PhpDriver:
    """The driver, or a skip (a failure under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1) without php or
    the prepared parser."""
    return require_prepared(PhpDriver(), "php")


driver = driver_fixture(PhpDriver, "php")


def parse(driver: PhpDriver, source: str, mode: Mode = Mode.SEMANTIC) -> ParseResult:
    return driver.parse(ParseRequest(content=source, filename="sample.php", mode=mode))


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

def test_native_mode_is_php_parsers_tree_with_byte_positions(driver):
    result = parse(driver, SAMPLE, Mode.NATIVE)
    assert result.ok and result.uast["@type"] == "php:Module"
    all_nodes = nodes(result.uast)
    found = {node.get("@type") for node in all_nodes}
    assert {"php:Stmt_Namespace", "php:Stmt_Class", "php:Stmt_ClassMethod", "php:Stmt_Function", "php:Param",
            "php:Identifier", "php:Name", "php:Expr_Variable", "php:Comment", "php:Comment_Doc"} <= found
    assert_native(result.uast)
    assert_true_php_spans(SAMPLE, result.uast)
    cls = of_type(result.uast, "php:Stmt_Class")[0]
    assert text_of(SAMPLE, cls).startswith("final class Größe implements Priced") and text_of(SAMPLE, cls).endswith("}")
    assert cls["name"]["@token"] == "Größe" and text_of(SAMPLE, cls["name"]) == "Größe"
    prop = of_type(result.uast, "php:Stmt_PropertyProperty")[0]
    assert prop["name"]["@token"] == "maß" and text_of(SAMPLE, prop) == "$maß = null"
    doc = of_type(result.uast, "php:Comment_Doc")[0]
    assert text_of(SAMPLE, doc) == doc["@token"] == "/**\n * Something with a price.\n */"
    # Every comment appears once, on the outermost node it precedes.
    comments = [node["@token"] for node in all_nodes if node.get("@type") in ("php:Comment", "php:Comment_Doc")]
    assert comments == ["// Café 𝓏 — a shop", doc["@token"], "# running total"]


def test_annotated_mode_adds_babelfish_roles_only(driver):
    native = parse(driver, SAMPLE, Mode.NATIVE).uast
    annotated = parse(driver, SAMPLE, Mode.ANNOTATED).uast
    assert_roles_added(native, annotated, every_node=True, ordered=True)
    for node in nodes(annotated):
        assert node["@role"] != ["Unannotated"], node["@type"]
    cls = of_type(annotated, "php:Stmt_Class")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"])
    assign = of_type(annotated, "php:Expr_AssignOp_Plus")[0]
    assert "Left" in assign["var"]["@role"] and "Right" in assign["expr"]["@role"]


def test_role_tables_use_babelfish_role_names_only():
    tables = list(annotation.ROLES.values()) + list(annotation.FIELD_ROLES.values())
    assert_role_tables(tables, ordered=False)  # some of PHP's tables are not in sorted order
    assert set(normalization.BLOCK_TYPES) <= set(annotation.ROLES)


def test_semantic_functions_are_function_groups_and_methods_stay_native(driver):
    tree = parse(driver, SAMPLE).uast
    assert_true_php_spans(SAMPLE, tree)
    [group] = of_type(tree, "uast:FunctionGroup")
    assert text_of(SAMPLE, group).startswith("function total(") and text_of(SAMPLE, group).endswith("}")
    alias = next(n for n in group["Nodes"] if n.get("@type") == "uast:Alias")
    assert alias["Name"]["Name"] == "total" and text_of(SAMPLE, alias["Name"]) == "total"
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    [argument] = function["Type"]["Arguments"]
    assert argument["@type"] == "uast:Argument" and argument["Variadic"] is True
    assert argument["Name"] == {"@type": "uast:Identifier", "Name": "items"}
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
    assert constructor["stmts"] == {"@type": "uast:Block", "Statements": []}
    assert methods[0]["stmts"] == {"@type": "uast:Block", "Statements": None}  # interface method: no body


def test_semantic_types_imports_names_strings_comments(driver):
    tree = parse(driver, SAMPLE).uast
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
    assert again["Path"] == {"@type": "uast:String", "@pos": again["Path"]["@pos"], "Format": "raw", "Value": "fünf.php"}
    # classes and interfaces: native, Declaration + Type, named by an identifier with its span
    cls = of_type(tree, "php:Stmt_Class")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"]) and text_of(SAMPLE, cls["name"]) == "Größe"
    assert cls["stmts"]["@type"] == "uast:Block"
    interface = of_type(tree, "php:Stmt_Interface")[0]
    assert interface["extends"][0]["@type"] == "php:Name_FullyQualified"  # as in Babelfish
    # variables: a positioned native node around a positionless name
    variable = next(n for n in of_type(tree, "php:Expr_Variable") if n["name"]["Name"] == "sum")
    assert variable["name"] == {"@type": "uast:Identifier", "Name": "sum"} and text_of(SAMPLE, variable) == "$sum"
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
    # no native name, string, function or parameter is left
    assert not {"php:Name", "php:Identifier", "php:Scalar_String", "php:Stmt_Function", "php:Param",
                "php:Stmt_Use", "php:Expr_Include"} & {n.get("@type") for n in nodes(tree)}


def test_comment_text_follows_babelfish():
    assert split_comment_tab("/**\n * a\n *\n * b\n */", "/**", "*/") == ("\n * ", "a\n\n b", "\n ", " *")
    assert split_comment_tab("// x ", "//", "\n") == (" ", "x", " ", "")
    assert split_comment_tab("/* one\n   two */", "/*", "*/") == (" ", "one\ntwo", " ", "   ")


# --- errors and hostile input ------------------------------------------------------------------

def test_syntax_error_is_an_error_with_a_byte_position(driver):
    source = '<?php\n$é = "ü";\nfunction f( {\n'
    result = parse(driver, source)
    assert result.uast is None and len(result.errors) == 1
    error = result.errors[0]
    assert "unexpected '{'" in error.message
    offset = len('<?php\n$é = "ü";\nfunction f( '.encode())
    assert error.start is not None and (error.start.offset, error.start.line, error.start.col) == (offset, 3, 13)


def test_recoverable_error_keeps_the_partial_tree(driver):
    source = "<?php\nclass A { function f() { $x = ; } }\nfunction g() {}\n"
    result = parse(driver, source)
    assert result.errors and result.errors[0].start is not None and result.errors[0].start.line == 2
    assert [n["Nodes"][-1]["Name"]["Name"] for n in of_type(result.uast, "uast:FunctionGroup")] == ["g"]


@pytest.mark.parametrize("source", [
    "<?php " + "(" * 3000 + "1" + ")" * 3000 + ";",
    "<?php $a = " + " . ".join(["'x'"] * 3000) + ";",
    "<?php $x = \"\\xff\xfe\";",
    "<?php\n\0\x01 garbage ?>\xff<?php }}}",
    "",
    "just text, no php",
])
@pytest.mark.parametrize("mode", list(Mode))
def test_hostile_input_is_an_answer_not_a_crash(driver, source: str, mode: Mode):
    result = parse(driver, source, mode)
    assert result.uast is not None or result.errors
    assert all(error.message for error in result.errors)
    assert parse(driver, "<?php f();").ok  # and the parser still serves


def test_native_program_survives_bad_requests_and_the_driver_survives_its_death(driver):
    build = str(driver.build)
    command = [part.replace("{folder}", str(driver.folder)).replace("{build}", build) for part in NATIVE]
    process = subprocess.run(command, check=False, input=b'not json\n{"content": 5}\n\n{"content": "<?php f();"}\n',
                             capture_output=True, timeout=60)
    answers = process.stdout.decode().splitlines()
    assert process.returncode == 0 and len(answers) == 3
    assert "bad request" in answers[0] and "bad request" in answers[1] and '"Expr_FuncCall"' in answers[2]
    # A native process that dies is reported once and started again for the next request.
    assert parse(driver, "<?php f();").ok
    process = driver.native._process
    assert process is not None
    process.kill()
    process.wait()
    assert parse(driver, "<?php g();").ok


def test_unprepared_driver_says_how_to_prepare(tmp_path, monkeypatch):
    monkeypatch.setenv("BBLFSH_LSP_DRIVER_BUILD", str(tmp_path / "nowhere"))
    result = PhpDriver().parse(ParseRequest(content="<?php f();"))
    assert result.uast is None and "driver install php --runtime process" in result.errors[0].message


def test_large_file_parses_well_under_a_second(driver):
    part = SAMPLE.split("namespace", 1)[1].split("\n", 1)[1].replace("Größe", "Big")
    source = "<?php\n" + "".join(part.replace("Priced", f"Priced{i}").replace("total", f"total{i}") for i in range(140))
    assert len(source.encode()) > 100_000
    results, times = timed_parses(lambda: parse(driver, source))  # warmed up first (the JIT)
    result = results[-1]
    assert result.ok and len(of_type(result.uast, "uast:FunctionGroup")) == 140
    assert min(times) < 1.0, times


# --- conformance with Babelfish's fixtures -----------------------------------------------------

@needs_fixtures(FIXTURES)
def test_fixture_spans_are_true(driver):
    for path in sorted(FIXTURES.glob("*.php")):
        source = path.read_text(encoding="utf-8")
        for mode in (Mode.NATIVE, Mode.SEMANTIC):
            result = parse(driver, source, mode)
            if path.name == "_syntax_error.php":
                assert result.errors and result.errors[0].start is not None
                continue
            assert result.ok, (path.name, result.errors)
            assert_true_php_spans(source, result.uast)


@needs_scorer(FIXTURES)
def test_conformance_with_babelfish_fixtures(driver):
    row = conformance_row(driver, FIXTURES, "php")
    assert_conformance(row, loose=0.95, strict=0.85)  # 0.989 and 0.893 today


# --- runtimes ----------------------------------------------------------------------------------

# The sample, then a file PHP-Parser cannot recover from.
RUNTIME_REQUESTS = [ParseRequest(content=SAMPLE, filename="sample.php", mode=Mode.SEMANTIC),
                    ParseRequest(content="<?php\nfunction (", filename="x.php")]


def assert_php_answers(manifest: Manifest, answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The driver said it is PHP's and reported the broken file's error; gives the sample's answer."""
    assert manifest.language == "php" and manifest.symbol_kinds["Stmt_Class"] == "class"
    answer, broken = answers
    assert broken.get("uast") is None and broken["errors"][0]["start"]["line"] == 2
    return answer


async def test_process_runtime_serves_the_driver():
    prepared()
    answer = assert_php_answers(*await served(ProcessRuntime(), bundled_spec("php"), RUNTIME_REQUESTS))
    assert answer["language"] == "php" and not answer.get("errors")
    assert answer["uast"]["children"][0]["@type"] == "php:Stmt_Namespace"


php_image = driver_image_fixture("php", build_failed=pytest.fail)


async def test_container_runtime_gives_the_same_answer_as_the_process_runtime(php_image: DriverImage):
    prepared()
    assert_image_labels(php_image)
    in_container = assert_php_answers(*await assert_docker_answers_as_process(php_image, RUNTIME_REQUESTS))
    assert of_type(in_container["uast"], "uast:FunctionGroup")


# --- the language server, end to end -------------------------------------------------------------

client = lsp_client_fixture({"helpers.php": "<?php\nfunction helper(): string\n{\n    return 'é';\n}\n"},
                            ready=prepared)


LINES = SAMPLE.split("\n")


def line_of(text: str) -> int:
    return next(number for number, line in enumerate(LINES) if text in line)


async def open_sample(client: LanguageClient) -> str:
    return await open_document(client, "shop.php", SAMPLE, "php")


async def test_lsp_outline_of_a_php_file(client: LanguageClient):
    uri = await open_sample(client)
    found = await document_symbols(client, uri)
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
    assert cls.selection_range.start.character == column(client, name_line, "final class ")
    assert cls.selection_range.end.character == column(client, name_line, "final class Größe")
    prop = cls.children[1]
    prop_line = LINES[line_of("$maß")]
    assert prop.selection_range.start == types.Position(
        line=line_of("$maß"), character=column(client, prop_line, "    private static ?string $"))
    assert prop.range.start.character == 4  # from "private"
    define = namespace.children[1]
    define_line = LINES[line_of("define(")]
    assert define.selection_range.start.character == column(client, define_line, "define('")


async def test_lsp_folding_and_selection_ranges(client: LanguageClient):
    uri = await open_sample(client)
    folds = await folding_ranges(client, uri)
    spans = {(fold.start_line, fold.end_line) for fold in folds}
    assert (line_of("final class"), line_of("return \\count(") + 1) in spans  # the class
    assert (line_of("function total"), len(LINES) - 2) in spans  # the function
    assert (line_of("/**"), line_of("public function price(): float;") + 1) in spans  # the interface and its doc
    assert (line_of("use App"), line_of("use Psr")) in spans  # the imports

    line = LINES[line_of("$sum += $item->price()")]
    position = types.Position(line=line_of("$sum += "), character=column(client, line, "    foreach ($items as $item) { $sum += $it"))
    chain = await selection_chain(client, uri, position)
    assert chain[0].start.character == column(client, line, "    foreach ($items as $item) { $sum += ")
    assert chain[0].end.character == column(client, line, "    foreach ($items as $item) { $sum += $item")
    assert any(r.start == types.Position(line=line_of("function total"), character=0) for r in chain)
    assert chain[-1].start == types.Position(line=0, character=0)


async def test_lsp_structural_query(client: LanguageClient):
    uri = await open_sample(client)
    matches = await structural_query(client, "//uast:FunctionGroup", uri)
    assert [(m["label"], m["range"]["start"]["line"]) for m in matches] == [("total", line_of("function total"))]
    methods = await structural_query(client, "//php:Stmt_ClassMethod[name/uast:Identifier/@Name='price']", uri)
    assert [m["range"]["start"]["line"] for m in methods] == [line_of("price(): float;"), line_of("price(): float {")]
    everywhere = await structural_query(client, "//uast:FunctionGroup")
    assert sorted(m["label"] for m in everywhere) == ["helper", "total"]


async def test_lsp_syntax_errors_are_published_with_the_partial_outline(client: LanguageClient):
    source = "<?php\nclass Größe {\n    function ok() {}\n    function broken() { $x = ; }\n}\n"
    uri = await open_document(client, "broken.php", source, "php")
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    [diagnostic] = client.diagnostics[uri]
    line = source.split("\n")[3]
    assert diagnostic.range.start == types.Position(line=3, character=column(client, line, "    function broken() { $x = "))
    assert diagnostic.severity == types.DiagnosticSeverity.Error and "unexpected ';'" in diagnostic.message
    found = await document_symbols(client, uri)
    assert symbol_tree(found) == [("Größe", types.SymbolKind.Class, [("ok", types.SymbolKind.Method, []),
                                                                 ("broken", types.SymbolKind.Method, [])])]
