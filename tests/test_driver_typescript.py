"""The TypeScript driver: the JavaScript driver's engine (Babel's parser with its TypeScript
plugin, the same tables) under its own manifest.  Babelfish's TypeScript fixtures have no
semantic layer, so the TypeScript side is checked by parsing every fixture, by the shapes of
its declarations, by the outline and by the language server end to end; and the same answers
through the process runtime and a container runtime.

The native parser must be prepared (`bblfsh-lsp driver install typescript --runtime process`,
which needs node and npm): without it these tests skip, or fail under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.  The container test builds test images and removes them after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from driver_checks import (
    DriverImage,
    assert_answers_as_in_process,
    assert_docker_answers_as_process,
    assert_image_labels,
    assert_names_spanned,
    assert_native,
    assert_true_spans,
    bundled_spec,
    clean_where_a_tree,
    column,
    conformance_fixtures,
    document_symbols,
    driver_fixture,
    driver_image_fixture,
    fixture_trees,
    folding_ranges,
    lsp_client_fixture,
    needs_fixtures,
    nodes,
    of_type,
    open_document,
    require_prepared,
    runtime_requests,
    selection_chain,
    served,
    structural_query,
    symbol_tree,
    text_of,
    types_in,
)
from lsprotocol import types
from lsprotocol.types import SymbolKind
from pytest_lsp import LanguageClient

from bblfsh_lsp.outline import outline, symbol_kinds
from bblfsh_lsp.positions import TextIndex
from driver_runtime.drivers.javascript.normalization import TABLES
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.protocol import Mode, ParseRequest, ParseResult
from driver_runtime.runtimes.process import ProcessRuntime

FIXTURES = conformance_fixtures("typescript")

SAMPLE = '''// Types of the shop: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2 units.
import type { Request } from "express";
import fs = require("fs");

export interface Item<T = unknown> {
  readonly name: string;
  price?: number;
  describe(prefix?: string): T;
}

export type Currency = "EUR" | "USD" | "𝓏";

export enum Status {
  Open = "open",
  "Closed" = 2,
}

namespace Shop.Internal {
  export const VERSION: string = "1.0";
}

declare module "legacy-shop" {
  export function open(): void;
}

@sealed
export abstract class Store<T extends Item> implements Iterable<T> {
  private readonly items: T[] = [];
  static instances = 0;

  constructor(private readonly café: string, public status: Status = Status.Open) {}

  abstract capacity(): number;

  add(this: Store<T>, item: T): this {
    this.items.push(item as T);
    return this;
  }
}

export function total(items: Item[]): number;
export function total<T extends Item>(items: T[], tax = 0.2): number {
  return items.reduce((sum, item) => sum + (item.price ?? 0), 0) * (1 + tax)!;
}

export const format = (value: number, currency: Currency): string => `${value} ${currency}`;
let cache = <Map<string, Item>>new Map();
'''


def parse(driver: TypeScriptDriver, source: str, mode: Mode = Mode.SEMANTIC, filename: str = "shop.ts") -> ParseResult:
    return driver.parse(ParseRequest(content=source, filename=filename, mode=mode))


driver = driver_fixture(TypeScriptDriver, "node")


def test_typescript_shares_the_javascript_tables():
    driver = TypeScriptDriver()
    assert driver.normalizer.tables is TABLES
    assert driver.manifest.language == "typescript" and driver.manifest.extensions == [".ts", ".tsx", ".mts", ".cts"]


@needs_fixtures(FIXTURES)
@pytest.mark.parametrize("mode", list(Mode))
def test_every_fixture_parses_with_true_spans(driver: TypeScriptDriver, mode: Mode):
    """Babelfish's TypeScript fixtures all parse (but the syntax error), with every span inside
    the source and every positioned identifier spanning its name."""
    # parse's file name ends in .ts, as the fixtures' do: the extension is all parse.js reads of it
    parse_fixture = clean_where_a_tree(lambda source: parse(driver, source, mode))
    parsed = list(fixture_trees(FIXTURES, ".ts", parse_fixture))
    for path, source, tree in parsed:
        assert tree["@type"] == "typescript:File", path.name
        assert_true_spans(source, tree, every_offset=True)
        assert_names_spanned(source, tree, where=path.name)
    assert len(parsed) == len(list(FIXTURES.glob("*.ts"))) - 1  # the syntax error gave no tree
    syntax_error = parse(driver, (FIXTURES / "_syntax_error.ts").read_text(encoding="utf-8"), mode)
    assert syntax_error.uast is None and syntax_error.errors and syntax_error.errors[0].start.line == 2


def test_native_mode_is_babels_typescript_tree(driver: TypeScriptDriver):
    result = parse(driver, SAMPLE, Mode.NATIVE)
    assert result.ok
    found = types_in(result.uast)
    assert {"typescript:TSInterfaceDeclaration", "typescript:TSTypeAliasDeclaration", "typescript:TSEnumDeclaration",
            "typescript:TSModuleDeclaration", "typescript:TSDeclareFunction", "typescript:TSDeclareMethod",
            "typescript:TSParameterProperty", "typescript:TSTypeAssertion", "typescript:TSAsExpression",
            "typescript:TSNonNullExpression", "typescript:TSImportEqualsDeclaration", "typescript:Decorator"} <= found
    assert_native(result.uast)
    assert_true_spans(SAMPLE, result.uast, every_offset=True)


def test_annotated_declarations_have_roles(driver: TypeScriptDriver):
    tree = parse(driver, SAMPLE, Mode.ANNOTATED).uast
    roles = {node["@type"]: set(node["@role"]) for node in nodes(tree) if "@type" in node}
    assert {"Declaration", "Type"} <= roles["typescript:TSInterfaceDeclaration"]
    assert {"Declaration", "Enumeration"} <= roles["typescript:TSEnumDeclaration"]
    assert {"Declaration", "Module"} <= roles["typescript:TSModuleDeclaration"]
    assert {"Alias", "Declaration", "Type"} <= roles["typescript:TSTypeAliasDeclaration"]
    assert "Declaration" not in roles["typescript:TSTypeReference"]  # a use of a type declares nothing
    assert "Unannotated" not in set().union(*roles.values())


def test_semantic_declarations(driver: TypeScriptDriver):
    tree = parse(driver, SAMPLE).uast
    assert_true_spans(SAMPLE, tree, every_offset=True)
    tokens = {node["@type"].partition(":")[2]: node.get("@token") for node in nodes(tree)
              if node.get("@type", "").startswith("typescript:TS") and node.get("@token")}
    assert tokens["TSInterfaceDeclaration"] == "Item" and tokens["TSTypeAliasDeclaration"] == "Currency"
    assert tokens["TSEnumDeclaration"] == "Status"
    members = [member["@token"] for member in of_type(tree, "typescript:TSEnumMember")]
    assert members == ["Open", "Closed"]  # a member named by a string is named by its value
    modules = [module["@token"] for module in of_type(tree, "typescript:TSModuleDeclaration")]
    assert modules == ["Shop", "Internal", "legacy-shop"]
    groups = of_type(tree, "uast:FunctionGroup")
    names = [group["Nodes"][1]["Name"]["Name"] for group in groups]
    assert names == ["open", "total", "total", "format"]  # functions; methods stay native (below)
    declared = groups[0]  # `declare function open(): void`: no body, and the type it returns
    assert declared["Nodes"][0]["@type"] == "typescript:TSDeclareFunction"
    assert declared["Nodes"][1]["Node"]["Body"] is None
    assert text_of(SAMPLE, declared["Nodes"][1]["Node"]["Type"]["Returns"][0]["Type"]) == ": void"
    assert [group["Nodes"][0]["@type"] for group in groups[1:3]] == [  # an overload, then the implementation
        "typescript:TSDeclareFunction", "typescript:FunctionDeclaration"]
    implementation = groups[2]["Nodes"][1]["Node"]["Type"]
    assert [(a["Name"]["Name"], text_of(SAMPLE, a["Type"]) if a["Type"] else None)
            for a in implementation["Arguments"]] == [("items", ": T[]"), ("tax", None)]
    assert text_of(SAMPLE, groups[3]).startswith("format = (value: number, currency: Currency): string => `")
    # methods, as in Babelfish's JavaScript driver: the native node, named by its token
    methods = of_type(tree, "typescript:ClassMethod") + of_type(tree, "typescript:TSDeclareMethod")
    assert [(m["@token"], m["kind"], m["key"]["Name"]) for m in methods] == [
        ("constructor", "constructor", "constructor"), ("add", "method", "add"), ("capacity", "method", "capacity")]
    constructor, add, abstract = methods
    assert abstract["abstract"] is True and "body" not in abstract
    assert text_of(SAMPLE, abstract["returnType"]) == ": number"
    assert not {"uast:Alias", "uast:Function", "uast:Argument"} & types_in(methods)
    # parameters: a parameter property keeps its modifiers; names keep their types beside them
    properties = constructor["params"]
    assert [(p["@type"], p.get("accessibility"), p.get("readonly")) for p in properties] == [
        ("typescript:TSParameterProperty", "private", True), ("typescript:TSParameterProperty", "public", None)]
    assert text_of(SAMPLE, properties[0]) == "private readonly café: string"
    assert text_of(SAMPLE, properties[0]["parameter"]) == "café"
    assert text_of(SAMPLE, properties[0]["parameter"]["typeAnnotation"]) == ": string"
    assert properties[1]["parameter"]["right"]["@type"] == "typescript:MemberExpression"
    assert [(p["Name"], text_of(SAMPLE, p["typeAnnotation"])) for p in add["params"]] == [
        ("this", ": Store<T>"), ("item", ": T")]
    assert add["returnType"]["typeAnnotation"]["@type"] == "typescript:TSThisType"
    assert add["body"]["@type"] == "uast:Block"
    imports = [node for node in tree["program"]["body"] if node.get("@type") == "uast:Import"]
    assert len(imports) == 1 and imports[0]["importKind"] == "type"
    assert [a["Name"]["Name"] for a in imports[0]["Names"]] == ["Request"]


def test_dialect_follows_the_extension(driver: TypeScriptDriver):
    jsx = "const view = <Panel title=\"é\">{items.map((i: Item) => <Row key={i.id} />)}</Panel>;\n"
    assert parse(driver, jsx, filename="view.tsx").ok
    assert not parse(driver, jsx, filename="view.ts").ok  # in .ts, `<Panel` begins a type assertion
    assert parse(driver, "let n = <number>value;\n", filename="cast.mts").ok
    assert parse(driver, "let n = <number>value;\n", filename="").ok  # no extension: TypeScript
    assert parse(driver, "export = x;\n", filename="m.cts").ok


def test_syntax_error_after_non_ascii_text_is_in_bytes(driver: TypeScriptDriver):
    source = 'const é: string = "𝓏";\nfunction f(a: number {\n'
    result = parse(driver, source)
    assert result.uast is None
    error = result.errors[0]
    offset = source.index("{") + len("é𝓏".encode()) - len("é𝓏")
    assert error.start is not None and (error.start.offset, error.start.line) == (offset, 2)


def test_outline_of_a_typescript_file(driver: TypeScriptDriver):
    tree = parse(driver, SAMPLE).uast
    found = outline(tree, TextIndex(SAMPLE), kinds=symbol_kinds(driver.manifest.symbol_kinds))
    assert symbol_tree(found) == [
        ("Item", SymbolKind.Interface, [("name", SymbolKind.Property, []), ("price", SymbolKind.Property, []),
                                        ("describe", SymbolKind.Method, [])]),
        ("Currency", SymbolKind.TypeParameter, []),
        ("Status", SymbolKind.Enum, [("Open", SymbolKind.EnumMember, []), ("Closed", SymbolKind.EnumMember, [])]),
        ("Shop", SymbolKind.Namespace, [("Internal", SymbolKind.Namespace, [("VERSION", SymbolKind.Constant, [])])]),
        ("legacy-shop", SymbolKind.Namespace, [("open", SymbolKind.Function, [])]),
        ("Store", SymbolKind.Class, [
            ("items", SymbolKind.Field, []), ("instances", SymbolKind.Field, []),
            ("constructor", SymbolKind.Constructor, []), ("capacity", SymbolKind.Method, []),
            ("add", SymbolKind.Method, [])]),
        ("total", SymbolKind.Function, []), ("total", SymbolKind.Function, []),
        ("format", SymbolKind.Function, []), ("cache", SymbolKind.Variable, [])]
    data = SAMPLE.encode()
    store = found[5]
    assert data[store.start:store.end].decode().startswith("@sealed\nexport abstract class Store<T extends Item>")
    assert data[store.start:store.end].decode().endswith("}")


# --- the driver through the runtimes: process and docker -----------------------------------------


# a .tsx sample too: the same driver, parsing JSX
SAMPLES = [("shop.ts", SAMPLE), ("view.tsx", "const v = <A b={1} />;\n")]
REQUESTS = runtime_requests("typescript", SAMPLES, sorted(FIXTURES.glob("*.ts"))[:12])


async def test_process_runtime_serves_the_driver(driver: TypeScriptDriver):
    health, got = await served(ProcessRuntime(), bundled_spec("typescript"), REQUESTS)
    assert health.language == "typescript" and health.symbol_kinds["TSInterfaceDeclaration"] == "interface"
    assert_answers_as_in_process(driver, REQUESTS, got)
    assert got[0]["uast"]["@type"] == "typescript:File"


# the image's build context holds the javascript folder too, which the manifest includes
typescript_image = driver_image_fixture("typescript", timeout=1800)


@pytest.mark.usefixtures("driver")  # the process runtime's answers, to compare, need the native parser
async def test_docker_runtime_answers_as_the_process_runtime(typescript_image: DriverImage):
    assert_image_labels(typescript_image)
    _, got = await assert_docker_answers_as_process(typescript_image, REQUESTS)
    assert got[0]["uast"]["@type"] == "typescript:File" and got[0].get("errors", []) == []


# --- the language server end to end --------------------------------------------------------------


DOCUMENT = '''// Orders. Non-ASCII on purpose: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2 units.
import { Item, Status } from "./shop";
import * as log from "./log";

export interface Order {
  id: number;
  items: Item[];
  total(): number;
}

export type OrderId = Order["id"];

export enum Priority {
  Low,
  High = 10,
}

export namespace Orders {
  export const prefix = "𝓏";

  export class Queue<T extends Order> {
    private pending: T[] = [];

    constructor(readonly name: string) {}

    push(order: T): number {
      this.pending.push(order);
      log.info(`queued ${order.id} in ${this.name}`);
      return this.pending.length;
    }
  }
}

export function summarize(orders: Order[], status: Status = Status.Open): string {
  const count = orders.length;
  return orders
    .map((order) => `${order.id}: ${order.total()} €`)
    .join("\\n") + ` (${count}, ${status})`;
}

export const byId = (orders: Order[], id: OrderId): Order | undefined =>
  orders.find((order) => order.id === id);
'''
LINES = DOCUMENT.split("\n")


def line_of(text: str, after: int = 0) -> int:
    return next(number for number, line in enumerate(LINES) if number >= after and line.startswith(text))


def closing(header: str) -> int:
    """The line of the brace that closes the block opened on `header`'s line (same indentation)."""
    start = line_of(header)
    indent = LINES[start][: len(LINES[start]) - len(LINES[start].lstrip())]
    return line_of(indent + "}", after=start)


client = lsp_client_fixture({"view.tsx": "export function View() { return <div>é</div>; }\n"},
                            ready=lambda: require_prepared(TypeScriptDriver(), "node"))


async def open_orders(client: LanguageClient) -> str:
    return await open_document(client, "orders.ts", DOCUMENT, "typescript")


async def test_lsp_outline_of_a_typescript_file(client: LanguageClient):
    uri = await open_orders(client)
    found = await document_symbols(client, uri)
    assert [(s.name, s.kind) for s in found] == [
        ("Order", SymbolKind.Interface), ("OrderId", SymbolKind.TypeParameter), ("Priority", SymbolKind.Enum),
        ("Orders", SymbolKind.Namespace), ("summarize", SymbolKind.Function), ("byId", SymbolKind.Function)]
    order, _, priority, orders, summarize, by_id = found
    assert [(c.name, c.kind) for c in order.children] == [
        ("id", SymbolKind.Property), ("items", SymbolKind.Property), ("total", SymbolKind.Method)]
    assert [(c.name, c.kind) for c in priority.children] == [
        ("Low", SymbolKind.EnumMember), ("High", SymbolKind.EnumMember)]
    assert [(c.name, c.kind) for c in orders.children] == [("prefix", SymbolKind.Constant), ("Queue", SymbolKind.Class)]
    queue = orders.children[1]
    assert [(c.name, c.kind) for c in queue.children] == [
        ("pending", SymbolKind.Field), ("constructor", SymbolKind.Constructor), ("push", SymbolKind.Method)]
    assert not summarize.children  # a local variable is not part of the outline
    # whole definitions, from the first word of their header line to their last character
    assert orders.range.start == types.Position(line=line_of("export namespace Orders"), character=0)
    assert orders.range.end == types.Position(line=closing("export namespace Orders"), character=1)
    assert queue.range.start == types.Position(line=line_of("  export class Queue"), character=2)
    assert queue.range.end == types.Position(line=closing("  export class Queue"), character=3)
    push = queue.children[2]
    assert (push.range.start.line, push.range.end.line) == (line_of("    push(order"), line_of("    push(order") + 4)
    assert push.selection_range.start == types.Position(line=line_of("    push(order"), character=4)
    assert by_id.range.start == types.Position(line=line_of("export const byId"), character=0)
    assert by_id.range.end.line == line_of("  orders.find(")
    prefix = orders.children[0]
    line = LINES[line_of("  export const prefix")]
    assert prefix.range.end.character == column(client, line, '  export const prefix = "𝓏"')


async def test_lsp_folding_and_selection_ranges(client: LanguageClient):
    uri = await open_orders(client)
    folds = await folding_ranges(client, uri)
    spans = {(fold.start_line, fold.end_line) for fold in folds}
    assert (line_of("export interface Order"), line_of("export interface Order") + 4) in spans
    assert (line_of("export namespace Orders"), closing("export namespace Orders")) in spans
    assert (line_of("    push(order"), line_of("    push(order") + 4) in spans
    assert (line_of("  return orders"), line_of('    .join("')) in spans
    assert any(fold.kind == types.FoldingRangeKind.Imports and fold.start_line == line_of("import { Item")
               and fold.end_line == line_of("import * as log") for fold in folds)

    line = line_of("      log.info(")
    text = LINES[line]
    position = types.Position(line=line, character=column(client, text, "      log.in"))
    chain = await selection_chain(client, uri, position)
    assert chain[0].start.character == column(client, text, "      log.")  # info
    assert chain[0].end.character == column(client, text, "      log.info")
    assert any(r.start == types.Position(line=line_of("  export class Queue"), character=2) for r in chain)
    assert chain[-1].start == types.Position(line=0, character=0)


async def test_lsp_structural_query(client: LanguageClient):
    uri = await open_orders(client)
    matches = await structural_query(client, "//uast:FunctionGroup", uri)
    assert [m["label"] for m in matches] == ["summarize", "byId"]
    methods = await structural_query(client, "//typescript:ClassMethod", uri)
    assert [m["label"] for m in methods] == ["constructor", "push"]
    declared = await structural_query(
        client, "//typescript:TSInterfaceDeclaration | //typescript:TSEnumDeclaration", uri)
    assert [m["label"] for m in declared] == ["Order", "Priority"]
    typed = await structural_query(client, "//uast:Argument[Type//uast:Identifier[@Name='Order']]", uri)
    assert [m["label"] for m in typed] == ["orders", "orders", ""]  # the last: byId's return type
    everywhere = await structural_query(client, "//uast:FunctionGroup")
    assert {Path(m["uri"]).name for m in everywhere if m["label"] == "View"} == {"view.tsx"}
