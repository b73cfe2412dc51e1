"""The Java driver (javac's parser in a JVM, its tree shaped like Eclipse JDT's) in the driver
suite: its samples and what they give in the three modes, byte positions after non-ASCII text,
comments and Javadoc, syntax errors, hostile input, conformance with Babelfish's fixtures
(../shared/conformance/java), the language server end to end, and the same answers from the
process runtime and a container (the image's first build takes minutes).

Tests that run the parser need a JVM and the prepared native parser (`bblfsh-lsp driver install
java --runtime process`); without them they skip, or fail under BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

from typing import Any

from driver_checks import Checks, Document, DriverCase, Editor, conformance_fixtures, utf8
from lsprotocol import types
from uast_checks import assert_names_spanned, assert_true_spans, of_type, text_of

from driver_runtime.drivers.java import annotation
from driver_runtime.drivers.java.driver import JavaDriver, java_binary
from driver_runtime.sdk import literals
from driver_runtime.sdk.nodes import split_comment_tab
from driver_runtime.sdk.protocol import ParseResult

FIXTURES = conformance_fixtures("java")

# A realistic file, non-ASCII on purpose: é is 2 bytes and 1 UTF-16 unit, 𝓏 4 bytes and 2 units.
SOURCE = '''/*
 * Inventory of a shop — café, naïve, 𝓏.
 */
package com.example.shop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import static java.util.Objects.requireNonNull;

/**
 * A shop's inventory (größe 𝓏).
 *
 * @param <T> the kind of item
 * @see java.util.List#add(Object)
 */
@SuppressWarnings("unchecked")
public class Inventory<T extends Item> implements Iterable<T> {
    /** The largest stock of one item. */
    public static final int MAX_STOCK = 1_000;
    private final List<T> items = new ArrayList<>(), returned = new ArrayList<>();
    private int count; // how many, «approximately»

    /** Creates an empty inventory. */
    public Inventory() {
        this(16);
    }

    Inventory(int capacity) {
        super();
        count = capacity > 0 ? 0 : -1;
    }

    /**
     * Adds an item.
     * @param item the item, not {@code null}
     * @return whether it was added
     */
    public boolean add(T item) {
        requireNonNull(item);
        if (items.size() >= MAX_STOCK) {
            return false;
        }
        items.add(item);
        count += 1;
        return true;
    }

    public int total(Map<String, Integer> prices, String... names) {
        int sum = 0;
        for (T item : items) {
            sum += prices.getOrDefault(item.name(), 0) * item.quantity();
        }
        return switch (count) {
            case 0 -> 0;
            default -> sum;
        };
    }

    /** Kinds of stock movement. */
    enum Movement {
        IN("in"), OUT("out");

        private final String code;

        Movement(String code) { this.code = code; }
    }

    interface Listener {
        void changed(Inventory<?> inventory, Movement movement);
    }

    record Entry(String name, int quantity) implements Item {
        Entry {
            if (quantity < 0) throw new IllegalArgumentException("négatif 𝓏");
        }
    }

    @interface Audited {
        String by() default "nobody";
    }
}

interface Item {
    String name();

    int quantity();
}
'''


checks = Checks()


def assert_java_spans(source: str, tree: Any) -> None:
    """Every span whole, inside the text, ordered, on character boundaries; every positioned
    identifier spans its name and every string its literal."""
    assert_true_spans(source, tree, whole=True)
    assert_names_spanned(source, tree, ("uast:Identifier", "java:SimpleName"))
    for node in of_type(tree, "uast:String"):
        if node.get("@pos"):
            assert text_of(source, node)[0] == '"', node


# --- the tables (no parser needed) ---------------------------------------------------------------


def role_tables() -> list[Any]:
    return [*annotation.ROLES.values(), *annotation.FIELD_ROLES.values(), *annotation.MODIFIER_ROLES.values(),
            *annotation.INFIX_ROLES.values(), *annotation.UNARY_ROLES.values(), *annotation.ASSIGN_ROLES.values(),
            *annotation.PRIMITIVE_ROLES.values(), *annotation.VISIBILITY_ROLES.values()]


@checks.each("body, value", [
    ("plain", "plain"),
    (r"b\nc", "b\nc"),
    (r"\0", "\0"),
    (r"\41", "!"),
    (r"\377x", "\u00ffx"),
    (r"\u1D306", "\u1d306"),
    (r"\uuu0041", "A"),
    (r"\\u0041", "\\u0041"),
    (r"\uD835\uDCCF", "𝓏"),
    (r"tab\tquote\"\'back\\", "tab\tquote\"'back\\"),
    (r"\s", " "),
])
def java_string_values(body: str, value: str):
    assert literals.java_unescape(body) == value


@checks.each("raw, opener, closer, parts", [
    ("// first comment", "//", "", (" ", "first comment", "", "")),
    ("/* block */", "/*", "*/", (" ", "block", " ", "")),
    ("/*\n* This is a multiline\n* block comment\n* end\n*/", "/*", "*/",
     ("\n* ", "This is a multiline\nblock comment\nend", "\n", "* ")),
    ("/**\n* one\n*   two\n* */", "/**", "*/", ("\n* ", "one\ntwo", "\n* ", "*   ")),
    ("/*\n* a\n*  b\n*  c\n*/", "/*", "*/", ("\n* ", "a\nb\nc", "\n", "*  ")),
])
def comment_parts_as_babelfish_split_them(raw: str, opener: str, closer: str, parts: tuple[str, ...]):
    assert split_comment_tab(raw, opener, closer) == parts


# --- the three modes -----------------------------------------------------------------------------


def native_mode_is_jdt_shaped(tree: Any) -> None:
    method = next(n for n in of_type(tree, "java:MethodDeclaration") if n["name"]["@token"] == "add")
    # JDT's span: a declaration starts at its Javadoc
    assert text_of(SOURCE, method).startswith("/**\n     * Adds an item.")
    assert text_of(SOURCE, method).endswith("return true;\n    }")
    assert [m["@token"] for m in method["modifiers"]] == ["public"]
    # int a, b: one declaration, two fragments
    field = next(n for n in of_type(tree, "java:FieldDeclaration") if len(n["fragments"]) == 2)
    assert [f["name"]["@token"] for f in field["fragments"]] == ["items", "returned"]
    # a + b + c is one InfixExpression with extended operands, as in JDT; -1 a prefix minus
    prefix = of_type(tree, "java:PrefixExpression")
    assert [(p["operator"], p["operand"]["@token"]) for p in prefix] == [("-", "1")]


def annotated_roles_of_types_modifiers_and_operators(annotated: Any) -> None:
    cls = of_type(annotated, "java:TypeDeclaration")[0]
    assert set(cls["@role"]) == {"Declaration", "Type", "Visibility", "World"}
    modifiers = {m["@token"]: m["@role"] for m in of_type(annotated, "java:Modifier")}
    assert modifiers["private"] == ["Instance", "Visibility"] and modifiers["static"] == ["Incomplete"]
    infix = next(n for n in of_type(annotated, "java:InfixExpression") if n["operator"] == ">=")
    assert {"GreaterThanOrEqual", "Relational", "Binary"} <= set(infix["@role"])


def semantic_mode_shapes(tree: Any) -> None:
    # methods and constructors: FunctionGroup -> Alias -> Function, spanning the declaration
    groups = of_type(tree, "uast:FunctionGroup")
    names = [uast_name(g) for g in groups]
    assert names[:5] == ["Inventory", "Inventory", "add", "total", "Movement"]
    add = groups[2]
    assert text_of(SOURCE, add).startswith("/**") and text_of(SOURCE, add).endswith("}")
    doc, modifiers, alias, rest = add["Nodes"]
    assert doc["@type"] == "uast:Group" and modifiers[0]["@token"] == "public"
    assert rest["@type"] == "java:MethodDeclarationRest" and rest["constructor"] == "false"
    assert alias["@type"] == "uast:Alias" and alias["Name"]["Name"] == "add"
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    (argument,) = function["Type"]["Arguments"]
    assert argument["@type"] == "uast:Argument" and text_of(SOURCE, argument) == "T item"
    assert function["Type"]["Returns"][0]["Type"]["@token"] == "boolean"
    total = groups[3]["Nodes"][2]["Node"]["Type"]["Arguments"]
    assert [(a["Name"]["Name"], a["Variadic"]) for a in total] == [("prices", False), ("names", True)]
    assert groups[0]["Nodes"][2]["Node"]["Type"]["Returns"] is None  # a constructor returns nothing
    # types stay native, named by a uast:Identifier
    cls = of_type(tree, "java:TypeDeclaration")[0]
    assert {"Declaration", "Type"} <= set(cls["@role"]) and cls["name"]["Name"] == "Inventory"
    # imports: Path + Names; static ones say so
    imports = tree["imports"]
    assert [(i["@type"], uast_label(i["Path"]), [n["Name"] for n in i["Names"]], i["Target"]["static"]) for i in imports] == [
        ("uast:Import", "java.util", ["ArrayList"], "false"), ("uast:Import", "java.util", ["List"], "false"),
        ("uast:Import", "java.util", ["Map"], "false"), ("uast:Import", "java.util.Objects", ["requireNonNull"], "true")]
    assert text_of(SOURCE, imports[3]) == "import static java.util.Objects.requireNonNull;"
    # names: System.out and a.b.c are qualified identifiers; strings are uast:String
    strings = {s["Value"] for s in of_type(tree, "uast:String")}
    assert {"unchecked", "négatif 𝓏", "in", "out", "nobody"} <= strings
    operators = {o["@token"] for o in of_type(tree, "uast:Operator")}
    assert {">=", "+=", ">", "*", "<", "-"} <= operators
    assert all("@pos" not in o for o in of_type(tree, "uast:Operator"))


def uast_name(group: dict[str, Any]) -> str:
    return next(n for n in group["Nodes"] if isinstance(n, dict) and n.get("@type") == "uast:Alias")["Name"]["Name"]


def uast_label(node: dict[str, Any]) -> str:
    return ".".join(n["Name"] for n in node["Names"]) if node["@type"] == "uast:QualifiedIdentifier" else node["Name"]


@checks.add
def comments_and_javadoc(parse):
    tree = parse(SOURCE).uast
    free = tree["comments"]
    assert [c["Text"] for c in free] == ["Inventory of a shop — café, naïve, 𝓏.", "how many, «approximately»"]
    assert [text_of(SOURCE, c)[:2] for c in free] == ["/*", "//"]
    assert free[0]["Block"] is True and free[1]["Block"] is False
    # the class's Javadoc: a group of the description and the tags
    doc = of_type(tree, "java:TypeDeclaration")[0]["javadoc"]
    assert doc["@type"] == "uast:Group" and text_of(SOURCE, doc).startswith("/**") and text_of(SOURCE, doc).endswith("*/")
    description, param, see = doc["Nodes"]
    assert description["@type"] == "uast:Group"
    assert [c["Text"] for c in description["Nodes"]] == ["A shop's inventory (größe 𝓏)."]
    assert text_of(SOURCE, description["Nodes"][0]) == "A shop's inventory (größe 𝓏)."
    assert param["@type"] == "java:TagElement" and param["tagName"] == "@param"
    assert [f.get("Name", f.get("Text")) for f in param["fragments"]] == ["<", "T", ">", "the kind of item"]
    reference = see["fragments"][0]
    assert reference["@type"] == "java:MethodRef" and reference["name"]["Name"] == "add"
    assert uast_label(reference["qualifier"]) == "java.util.List"
    assert text_of(SOURCE, reference) == "java.util.List#add(Object)"
    # an inline tag inside a block tag's text
    add = of_type(tree, "uast:FunctionGroup")[2]["Nodes"][0]
    param = add["Nodes"][1]
    assert param["fragments"][0]["Name"] == "item"
    inline = next(f for f in param["fragments"] if f.get("@type") == "java:TagElement")
    assert inline["tagName"] == "@code" and text_of(SOURCE, inline) == "{@code null}"


@checks.add
def string_concatenations_and_text_blocks(spanned):
    """javac folds "a" + "b" into one literal; JDT (and Babelfish) keep the concatenation."""
    source = 'class A { String s = "a" + "b" + c + 1, t = c + "x" + "y" + d, u = ("p" + "q");\n' \
             '  String v = """\n      hi "there"\n      """; }\n'
    tree = spanned(source)
    strings = sorted(of_type(tree, "uast:String"), key=lambda node: node["@pos"]["start"])
    assert [(s["Value"], text_of(source, s)) for s in strings] == [
        ("a", '"a"'), ("b", '"b"'), ("x", '"x"'), ("y", '"y"'), ("p", '"p"'), ("q", '"q"'),
        ('hi "there"\n', '"""\n      hi "there"\n      """')]
    first = of_type(tree, "java:InfixExpression")[0]
    assert [first["leftOperand"]["Value"], first["rightOperand"]["Value"]] == ["a", "b"]
    assert [n.get("Name", n.get("@token")) for n in first["extendedOperands"]] == ["c", "1"]
    assert len(of_type(tree, "uast:Operator")) == 3


# --- positions -----------------------------------------------------------------------------------


NON_ASCII = ('class Größe { String s = "é𝓏"; /* 𝓏 */ int 𝓏ahl = s.length(); // ü\n'
             '  void maß(int... wert) { String t = "x" + s + \'ü\'; } }\n')


def names_strings_comments_and_arguments_span_their_text(tree: Any) -> None:
    source = NON_ASCII
    names = [(n["Name"], text_of(source, n)) for n in of_type(tree, "uast:Identifier") if "@pos" in n]
    assert ("Größe", "Größe") in names and ("𝓏ahl", "𝓏ahl") in names and ("maß", "maß") in names
    assert ("wert", "wert") in names and ("length", "length") in names
    assert {text_of(source, s) for s in of_type(tree, "uast:String")} == {'"é𝓏"', '"x"'}
    assert [text_of(source, c) for c in tree["comments"]] == ["/* 𝓏 */", "// ü"]
    argument = of_type(tree, "uast:FunctionGroup")[0]["Nodes"][2]["Node"]["Type"]["Arguments"][0]
    assert text_of(source, argument) == "int... wert" and argument["Variadic"] is True


@checks.add
def byte_order_mark_and_empty_file(parse, spanned):
    source = "\ufeffclass A { String é = \"é\"; }"
    tree = spanned(source)
    assert text_of(source, tree["types"][0]["name"]) == "A"
    empty = parse("")
    assert empty.ok and empty.uast["@type"] == "java:CompilationUnit" and empty.uast["types"] is None


# --- errors --------------------------------------------------------------------------------------


SYNTAX_ERRORS = (
    DriverCase.SyntaxErrorAt(source="class Größe {\n    int f(int v) {\n        return = v;\n    }\n}\n",
                             before="class Größe {\n    int f(int v) {\n        return "),
    DriverCase.SyntaxErrorAt(source='class A { String s = "é𝓏" + ; }', before='class A { String s = "é𝓏" + '),
)


HOSTILE = (
    "class A { void f() { int x = " + "(" * 3000 + "1" + ")" * 3000 + "; } }",
    "class A { int x = " + "1 + " * 20000 + "1; }",
    "class A { String s = " + "a." * 5000 + "b; }",
    "class A { /* never closed ",
    "class A { String s = \"never closed; }",
    "class A { int x = 1; }\0",
    "}}}}{{{{",
    "\ud800 class A {}",
)


@checks.add
def deep_trees_are_encoded(parse):
    source = "class A { int x = " + " + ".join(f"v{i}" for i in range(5000)) + "; String s = " + "a." * 3000 + "b; }"
    result = parse(source)
    assert result.ok, result.errors
    infix = of_type(result.uast, "java:InfixExpression")
    assert len(infix) == 1 and len(infix[0]["extendedOperands"]) == 4998  # JDT's flat chain


def large_file() -> str:
    unit = SOURCE.split("interface Item")[0].replace("Inventory", "Inventory{n}").replace("public class", "class")
    source = "".join(unit.replace("{n}", str(i)).split("package com.example.shop;")[-1].split(
        "import static java.util.Objects.requireNonNull;")[-1] for i in range(60))
    return "import java.util.*;\n" + source


def large_file_parses_cleanly(result: ParseResult) -> None:
    assert result.ok, result.errors


# --- the language server, end to end -------------------------------------------------------------


DOCUMENT = Document("Inventory.java", SOURCE, "java")


def line_of(prefix: str) -> int:
    """The 0-based line where `prefix` starts in SOURCE."""
    return SOURCE[: SOURCE.index(prefix)].count("\n")


ADD = line_of("    public boolean add(T item)")


def flatten(symbols: list[types.DocumentSymbol], depth: int = 0) -> list[tuple[int, str, types.SymbolKind]]:
    out = []
    for symbol in symbols:
        out.append((depth, symbol.name, symbol.kind))
        out += flatten(symbol.children or [], depth + 1)
    return out


@checks.add
async def lsp_outline_of_a_java_file(editor: Editor, uri: str):
    found = await editor.symbols(uri)
    K = types.SymbolKind
    assert flatten(found) == [
        (0, "com.example.shop", K.Package),
        (0, "Inventory", K.Class),
        (1, "MAX_STOCK", K.Constant), (1, "items", K.Field), (1, "returned", K.Field), (1, "count", K.Field),
        (1, "Inventory", K.Constructor), (1, "Inventory", K.Constructor),
        (1, "add", K.Method), (1, "total", K.Method),
        (1, "Movement", K.Enum),
        (2, "IN", K.EnumMember), (2, "OUT", K.EnumMember), (2, "code", K.Field), (2, "Movement", K.Constructor),
        (1, "Listener", K.Interface), (2, "changed", K.Method),
        (1, "Entry", K.Struct), (2, "name", K.Field), (2, "quantity", K.Field), (2, "Entry", K.Constructor),
        (1, "Audited", K.Interface), (2, "by", K.Method),
        (0, "Item", K.Interface), (1, "name", K.Method), (1, "quantity", K.Method),
    ]
    cls = found[1]
    # the whole definition: from its Javadoc to its closing brace; the name exactly
    assert cls.range.start == types.Position(line=line_of("/**\n * A shop's"), character=0)
    assert cls.range.end == types.Position(line=line_of("interface Item") - 2, character=1)
    header = "public class Inventory<T extends Item> implements Iterable<T> {"
    assert cls.selection_range.start == types.Position(line=line_of(header), character=len("public class "))
    add = next(s for s in cls.children if s.name == "add")
    assert add.range.start.line == line_of("    /**\n     * Adds an item.")
    assert add.range.end.line == line_of("    public int total") - 2
    # positions in the client's encoding, after non-ASCII text on the line
    entry = next(s for s in cls.children if s.name == "Entry")
    constructor = entry.children[-1]
    text = '            if (quantity < 0) throw new IllegalArgumentException("négatif 𝓏");'
    assert constructor.range.end.line == line_of(text) + 1
    units = len(text.encode()) if utf8(editor.client) else len(text.encode("utf-16-le")) // 2
    assert editor.column(text, text) == units


@checks.add
async def lsp_structural_query(editor: Editor, uri: str):
    strings = await editor.query("//uast:String[@Value='négatif 𝓏']", uri)
    (match,) = strings
    text = '            if (quantity < 0) throw new IllegalArgumentException("négatif 𝓏");'
    before = '            if (quantity < 0) throw new IllegalArgumentException('
    assert match["range"]["start"] == {"line": line_of(text), "character": editor.column(text, before)}


# the fixtures the runtime tests send too
RUNTIME_FIXTURES = tuple(FIXTURES / name for name in ("hello_world.java", "javadoc.java", "unicode.java",
                                                      "u2_func_tagged.java", "_syntax_error.java")
                         if (FIXTURES / name).exists())

CASE = DriverCase(
    language="java", driver=JavaDriver, commands=(java_binary(),), filename="Test.java", sample=SOURCE,
    spans=assert_java_spans,
    native=DriverCase.Native(
        root="java:CompilationUnit",
        types={"java:TypeDeclaration", "java:MethodDeclaration", "java:SimpleName", "java:QualifiedName",
               "java:FieldDeclaration", "java:VariableDeclarationFragment", "java:EnumDeclaration",
               "java:EnumConstantDeclaration", "java:RecordDeclaration", "java:InterfaceDeclaration",
               "java:AnnotationTypeDeclaration", "java:SwitchExpression", "java:Javadoc", "java:TagElement",
               "java:TextElement", "java:LineComment", "java:BlockComment"},
        then=native_mode_is_jdt_shaped),
    annotated=DriverCase.Annotated(every_node=True, then=annotated_roles_of_types_modifiers_and_operators),
    role_tables=DriverCase.RoleTables(tables=role_tables),
    # no JDT name or literal is left native (Babelfish's blacklist)
    semantic=DriverCase.Semantic(gone={"java:SimpleName", "java:QualifiedName", "java:StringLiteral",
                                       "java:MethodDeclaration", "java:Block", "java:ImportDeclaration",
                                       "java:LineComment", "java:BlockComment"},
                                 then=semantic_mode_shapes),
    non_ascii=DriverCase.NonAscii(source=NON_ASCII, function="void maß(int... wert) { String t = \"x\" + s + 'ü'; }",
                                  then=names_strings_comments_and_arguments_span_their_text),
    # the same JVM keeps serving
    hostile=DriverCase.Hostile(sources=HOSTILE, alive="class Still { int alive; }", no_tree=False),
    syntax_errors=SYNTAX_ERRORS,
    native_program=DriverCase.NativeProgram(says="bad request"),
    fixtures=DriverCase.Fixtures(extension=".java"),
    conformance=DriverCase.Conformance(loose=0.90, strict=0.80),  # 1.000 today
    large_file=DriverCase.LargeFile(source=large_file, seconds=1.0, collector_off=True, then=large_file_parses_cleanly),
    served=DriverCase.Served(samples=(("Inventory.java", SOURCE),), fixtures=RUNTIME_FIXTURES,
                             broken=DriverCase.Broken(filename="B.java", source="class {", line=1),
                             kinds={"InterfaceDeclaration": "interface"}, image_timeout=1800),
    lsp=DriverCase.Lsp(
        files={"Other.java": "class Other {\n    void helper() {}\n}\n"}, document=DOCUMENT,
        functions=("Inventory", "Inventory", "add", "total", "Movement", "changed", "Entry", "name", "quantity"),
        file_functions={"Other.java": ("helper",)},
        # the class, with or without its Javadoc; `add`, with or without its Javadoc
        folds=({(line_of("public class Inventory"), line_of("interface Item") - 2),
                (line_of("/**\n * A shop's"), line_of("interface Item") - 2)},
               {(ADD, ADD + 8), (ADD - 5, ADD + 8)}),
        kind_folds={"imports": None, "comment": None},
        selection=DriverCase.Selection(line=line_of("        items.add(item);"), cursor="        items.a",
                                       name=("        items.", "        items.add"),
                                       encloses=(ADD - 5, 4), encloses_end=ADD + 8),  # the method, its Javadoc first
        diagnosed=DriverCase.Diagnosed(document=Document("Broken.java", "class Broken {\n    int f( {\n}\n", "java"),
                                       line=1)),
    checks=checks,
)
