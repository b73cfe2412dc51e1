"""The TypeScript driver in the driver suite: the JavaScript driver's engine (Babel's parser with
its TypeScript plugin, the same tables) under its own manifest.  Babelfish's TypeScript fixtures
have no semantic layer, so the TypeScript side is checked by parsing every fixture, by the shapes
of its declarations, by the outline and by the language server end to end; and the same answers
through the process runtime and a container runtime (the image's build context holds the
javascript folder too, which the manifest includes).

The native parser must be prepared (`bblfsh-lsp driver install typescript --runtime process`,
which needs node and npm): without it these tests skip, or fail under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from driver_checks import Checks, Document, DriverCase, Editor, conformance_fixtures, outline_symbols, symbol_tree
from lsprotocol import types
from lsprotocol.types import SymbolKind
from uast_checks import assert_names_spanned, assert_true_spans, nodes, of_type, text_of, types_in

from driver_cases import javascript
from driver_runtime.drivers.javascript.normalization import TABLES
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.sdk.protocol import Mode

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


checks = Checks()


@checks.add
def typescript_shares_the_javascript_tables():
    driver = TypeScriptDriver()
    assert driver.normalizer.tables is TABLES
    assert driver.manifest.language == "typescript" and driver.manifest.extensions == [".ts", ".tsx", ".mts", ".cts"]


def fixture_trees_are_typescript_with_names_spanned(path: Path, source: str, tree: Any, mode: Mode) -> None:
    """Babelfish's TypeScript fixtures all parse (but the syntax error), every positioned
    identifier spanning its name."""
    assert tree["@type"] == "typescript:File", path.name
    assert_names_spanned(source, tree, where=path.name)


def annotated_declarations_have_roles(tree: Any) -> None:
    roles = {node["@type"]: set(node["@role"]) for node in nodes(tree) if "@type" in node}
    assert {"Declaration", "Type"} <= roles["typescript:TSInterfaceDeclaration"]
    assert {"Declaration", "Enumeration"} <= roles["typescript:TSEnumDeclaration"]
    assert {"Declaration", "Module"} <= roles["typescript:TSModuleDeclaration"]
    assert {"Alias", "Declaration", "Type"} <= roles["typescript:TSTypeAliasDeclaration"]
    assert "Declaration" not in roles["typescript:TSTypeReference"]  # a use of a type declares nothing
    assert "Unannotated" not in set().union(*roles.values())


def semantic_declarations(tree: Any) -> None:
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


@checks.add
def dialect_follows_the_extension(parse):
    jsx = "const view = <Panel title=\"é\">{items.map((i: Item) => <Row key={i.id} />)}</Panel>;\n"
    assert parse(jsx, filename="view.tsx").ok
    assert not parse(jsx, filename="view.ts").ok  # in .ts, `<Panel` begins a type assertion
    assert parse("let n = <number>value;\n", filename="cast.mts").ok
    assert parse("let n = <number>value;\n", filename="").ok  # no extension: TypeScript
    assert parse("export = x;\n", filename="m.cts").ok


# after non-ASCII text, in bytes
SYNTAX_ERRORS = (DriverCase.SyntaxErrorAt(source='const é: string = "𝓏";\nfunction f(a: number {\n',
                                          before='const é: string = "𝓏";\nfunction f(a: number '),)


@checks.add
def outline_of_a_typescript_file(driver, parse):
    tree = parse(SAMPLE).uast
    found = outline_symbols(driver, SAMPLE, tree)
    assert symbol_tree(found) == [
        ("Item", SymbolKind.Interface, [("name", SymbolKind.Property, []), ("price", SymbolKind.Property, []),
                                        ("describe", SymbolKind.Method, [])]),
        ("Currency", SymbolKind.TypeParameter, []),
        ("Status", SymbolKind.Enum, [("Open", SymbolKind.EnumMember, []), ("Closed", SymbolKind.EnumMember, [])]),
        ("Shop", SymbolKind.Namespace, [("Internal", SymbolKind.Namespace, [("VERSION", SymbolKind.Constant, [])])]),
        ("legacy-shop", SymbolKind.Namespace, [("open", SymbolKind.Function, [])]),
        ("Store", SymbolKind.Class, [
            ("items", SymbolKind.Field, []), ("instances", SymbolKind.Field, []),
            # parameter properties are the class's fields, after their constructor (as tsserver)
            ("constructor", SymbolKind.Constructor, []), ("café", SymbolKind.Field, []),
            ("status", SymbolKind.Field, []), ("capacity", SymbolKind.Method, []),
            ("add", SymbolKind.Method, [])]),
        ("total", SymbolKind.Function, []), ("total", SymbolKind.Function, []),
        ("format", SymbolKind.Function, []), ("cache", SymbolKind.Variable, [])]
    data = SAMPLE.encode()
    store = found[5]
    assert data[store.start:store.end].decode().startswith("@sealed\nexport abstract class Store<T extends Item>")
    assert data[store.start:store.end].decode().endswith("}")


# --- the language server end to end --------------------------------------------------------------


DOCUMENT = Document("orders.ts", '''\
// Orders. Non-ASCII on purpose: é is 2 bytes and 1 UTF-16 unit, 𝓏 is 4 bytes and 2 units.
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
''', "typescript")
LINES = DOCUMENT.lines


line_of = DOCUMENT.line_of


def closing(header: str) -> int:
    """The line of the brace that closes the block opened on `header`'s line (same indentation)."""
    start = line_of(header)
    indent = LINES[start][: len(LINES[start]) - len(LINES[start].lstrip())]
    return line_of(indent + "}", after=start)


@checks.add
async def lsp_outline_of_a_typescript_file(editor: Editor, uri: str):
    found = await editor.symbols(uri)
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
        ("pending", SymbolKind.Field), ("constructor", SymbolKind.Constructor), ("name", SymbolKind.Field),
        ("push", SymbolKind.Method)]
    assert not summarize.children  # a local variable is not part of the outline
    # whole definitions, from the first word of their header line to their last character
    assert orders.range.start == types.Position(line=line_of("export namespace Orders"), character=0)
    assert orders.range.end == types.Position(line=closing("export namespace Orders"), character=1)
    assert queue.range.start == types.Position(line=line_of("  export class Queue"), character=2)
    assert queue.range.end == types.Position(line=closing("  export class Queue"), character=3)
    push = queue.children[3]
    assert (push.range.start.line, push.range.end.line) == (line_of("    push(order"), line_of("    push(order") + 4)
    assert push.selection_range.start == types.Position(line=line_of("    push(order"), character=4)
    assert by_id.range.start == types.Position(line=line_of("export const byId"), character=0)
    assert by_id.range.end.line == line_of("  orders.find(")
    prefix = orders.children[0]
    line = LINES[line_of("  export const prefix")]
    assert prefix.range.end.character == editor.column(line, '  export const prefix = "𝓏"')


CASE = DriverCase(
    language="typescript", driver=TypeScriptDriver, commands=("node",), filename="shop.ts", sample=SAMPLE,
    spans=functools.partial(assert_true_spans, every_offset=True),
    native=DriverCase.Native(
        root="typescript:File",
        types={"typescript:TSInterfaceDeclaration", "typescript:TSTypeAliasDeclaration",
               "typescript:TSEnumDeclaration", "typescript:TSModuleDeclaration", "typescript:TSDeclareFunction",
               "typescript:TSDeclareMethod", "typescript:TSParameterProperty", "typescript:TSTypeAssertion",
               "typescript:TSAsExpression", "typescript:TSNonNullExpression",
               "typescript:TSImportEqualsDeclaration", "typescript:Decorator"}),
    annotated=DriverCase.Annotated(then=annotated_declarations_have_roles),
    semantic=DriverCase.Semantic(then=semantic_declarations),
    # the JavaScript driver's engine: the same hostile input
    hostile=DriverCase.Hostile(sources=javascript.HOSTILE, alive="x = 1\n"),
    syntax_errors=SYNTAX_ERRORS,
    native_program=DriverCase.NativeProgram(bad_requests=("this is not json", '{"content": 5}'), says="bad request"),
    # parse's file name ends in .ts, as the fixtures' do: the extension is all parse.js reads of it
    fixtures=DriverCase.Fixtures(extension=".ts", clean=True, syntax_error_line=2,
                                 then=fixture_trees_are_typescript_with_names_spanned),
    # a .tsx sample too: the same driver, parsing JSX
    served=DriverCase.Served(samples=(("shop.ts", SAMPLE), ("view.tsx", "const v = <A b={1} />;\n")),
                             fixtures=tuple(sorted(FIXTURES.glob("*.ts"))[:12]),
                             kinds={"TSInterfaceDeclaration": "interface"}, image_timeout=1800),
    lsp=DriverCase.Lsp(
        files={"view.tsx": "export function View() { return <div>é</div>; }\n"}, document=DOCUMENT,
        functions=("summarize", "byId"), file_functions={"view.tsx": ("View",)},
        queries={"//typescript:ClassMethod": ("constructor", "push"),
                 "//typescript:TSInterfaceDeclaration | //typescript:TSEnumDeclaration": ("Order", "Priority"),
                 # the last: byId's return type
                 "//uast:Argument[Type//uast:Identifier[@Name='Order']]": ("orders", "orders", "")},
        folds=({(line_of("export interface Order"), line_of("export interface Order") + 4)},
               {(line_of("export namespace Orders"), closing("export namespace Orders"))},
               {(line_of("    push(order"), line_of("    push(order") + 4)},
               {(line_of("  return orders"), line_of('    .join("'))}),
        kind_folds={"imports": (line_of("import { Item"), line_of("import * as log"))},
        selection=DriverCase.Selection(line=line_of("      log.info("), cursor="      log.in",
                                       name=("      log.", "      log.info"),  # info
                                       encloses=(line_of("  export class Queue"), 2))),
    checks=checks,
)
