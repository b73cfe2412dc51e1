"""The C and C++ driver (clang through libclang 14) in the driver suite: its samples and what they
give in the three modes, byte positions after non-ASCII text, C and C++ dialects, code whose
headers are missing, syntax errors, conformance with Babelfish's fixtures, the process and docker
runtimes, and the language server end to end on realistic C++ and C files.

The driver needs Debian's libclang1-14 and its prepared bindings (`bblfsh-lsp driver install
cpp --runtime process`); without them these tests skip, or fail under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1.
"""

from __future__ import annotations

import functools
from typing import Any

from driver_checks import Checks, Document, DriverCase, Editor, conformance_fixtures, symbol_tree
from lsprotocol import types
from uast_checks import Node, assert_names_spanned, assert_true_spans, nodes, of_type, text_of

from driver_runtime.drivers.cpp import annotation
from driver_runtime.drivers.cpp.driver import CppDriver
from driver_runtime.sdk.protocol import ParseRequest

FIXTURES = conformance_fixtures("cpp")

# A realistic C++ file: its headers are not there, as when a file is opened alone.
SHAPES = '''// Shapes: non-ASCII on purpose (é is 2 bytes, 𝓏 is 4).
#include <vector>
#include <string>
#include "geometry/point.h"

namespace geo {

constexpr double PI = 3.14159;

enum class Color { Red, Green = 2, Blue };

using Name = std::string;

struct Point {
    double x, y;
};

/* A shape, with a name. */
class Shape {
public:
    Shape(const Name& name) : name_(name) {}
    virtual ~Shape() = default;
    virtual double area() const = 0;
    const Name& name() const { return name_; }
    static int count();
protected:
    Name name_;
};

template <typename T>
class Box : public Shape {
public:
    explicit Box(T side) : Shape("bôx"), side_(side) {}
    double area() const override { return side_ * side_; }
private:
    T side_;
};

int Shape::count() {
    return 0;
}

double total(const std::vector<Shape*>& shapes) {
    double sum = 0;
    for (const auto& s : shapes) {
        sum += s->area();
    }
    return sum;
}

}  // namespace geo

int main(int argc, char** argv) {
    geo::Box<int> box(3);
    std::string label = "café 𝓏";
    if (box.area() > 2 && argc > 1) {
        std::cout << label << std::endl;
    }
    return 0;
}
'''

LIST_C = '''/* A linked list in C: `new` and `class` are plain names here. */
#include <stdio.h>
#include <stdlib.h>

#define MAX_ITEMS 100

typedef struct node {
    int value;
    struct node *next;
} node_t;

static int total = 0;

enum mode { FAST, SLOW };

node_t *push(node_t *head, int new) {
    node_t *n = malloc(sizeof(node_t));
    n->value = new;
    n->next = head;
    total++;
    return n;
}

void print_list(const node_t *head) {
    for (const node_t *p = head; p != NULL; p = p->next) {
        printf("%d\\n", p->value);
    }
}
'''


checks = Checks()


def names(found: list[Node]) -> list[str]:
    return [node["Name"] for node in found]


# --- the three modes -----------------------------------------------------------------------------

def classes_and_operator_calls_span_their_text(tree: Any) -> None:
    shape = next(n for n in of_type(tree, "cpp:ClassDecl") if n["@token"] == "Shape")
    assert text_of(SHAPES, shape).startswith("class Shape {") and text_of(SHAPES, shape["Name"]) == "Shape"
    call = next(n for n in of_type(tree, "cpp:CXXOperatorCallExpr") if n["@token"] == "<<")
    assert text_of(SHAPES, call) == "std::cout << label << std::endl"


def templates_and_operators_have_their_roles(annotated: Any) -> None:
    box = next(n for n in of_type(annotated, "cpp:ClassTemplate"))
    assert {"Declaration", "Type"} <= set(box["@role"]) and box["@token"] == "Box"
    multiply = next(n for n in nodes(annotated) if n.get("@token") == "*" and "LHS" in n)
    assert {"Arithmetic", "Multiply", "Operator"} <= set(multiply["@role"])
    assert "Left" in multiply["LHS"]["@role"] and "Right" in multiply["RHS"]["@role"]


def role_tables() -> list[Any]:
    return [*annotation.ROLES.values(), *annotation.FIELD_ROLES.values(), *annotation.OPERATOR_ROLES.values(),
            *annotation.UNARY_ROLES.values()]


def semantic_functions_are_function_groups(tree: Any) -> None:
    groups = {uast_label(g): g for g in of_type(tree, "uast:FunctionGroup")}
    assert set(groups) == {"Shape", "~Shape", "name", "Box", "area", "Shape::count", "total", "main"}
    main = groups["main"]
    assert text_of(SHAPES, main).startswith("int main(int argc") and text_of(SHAPES, main).endswith("}")
    alias = next(n for n in main["Nodes"] if n["@type"] == "uast:Alias")
    function = alias["Node"]
    assert function["@type"] == "uast:Function" and function["Body"]["@type"] == "uast:Block"
    arguments = function["Type"]["Arguments"]
    assert [a["Name"]["Name"] for a in arguments] == ["argc", "argv"]
    assert [text_of(SHAPES, a["Name"]) for a in arguments] == ["argc", "argv"]
    assert function["Type"]["Returns"][0]["Type"] == {"@type": "uast:Identifier", "@role": ["Identifier"],
                                                      "Name": "int"}
    total = next(n for n in groups["total"]["Nodes"] if n["@type"] == "uast:Alias")["Node"]
    vector = total["Type"]["Arguments"][0]["Type"]
    assert vector["@type"] == "cpp:TypeLoc" and text_of(SHAPES, vector) == "const std::vector<Shape*>&"
    # a template's definition starts after its `template <...>` header, as in Babelfish's trees
    box = groups["area"]
    assert text_of(SHAPES, box).startswith("double area() const override")
    # the defaulted destructor is a definition without a body
    destructor = next(n for n in groups["~Shape"]["Nodes"] if n["@type"] == "uast:Alias")["Node"]
    assert destructor["Body"] is None
    # declarations without a body stay native, with their name
    declared = [n for n in of_type(tree, "cpp:CXXMethod") if n.get("Name")]
    assert {(n["Name"]["Name"], text_of(SHAPES, n["Name"])) for n in declared} == {("area", "area"), ("count", "count")}


def uast_label(group: Node) -> str:
    alias = next(n for n in group["Nodes"] if n.get("@type") == "uast:Alias")
    return alias["Name"]["Name"]


@checks.add
def semantic_names_strings_comments_and_includes(parse):
    tree = parse(SHAPES).uast
    qualified = [n for n in of_type(tree, "uast:QualifiedIdentifier")]
    assert {(text_of(SHAPES, q), tuple(names(q["Names"]))) for q in qualified} >= {
        ("std::cout", ("std", "cout")), ("std::endl", ("std", "endl")), ("std::string", ("std", "string"))}
    assert_names_spanned(SHAPES, tree)
    identifiers = [n for n in of_type(tree, "uast:Identifier") if "@pos" in n]
    assert {"side_", "shapes", "sum", "s", "label", "box", "argc", "name_", "Shape", "Point", "Red"} <= set(names(identifiers))
    strings = {n["Value"]: n for n in of_type(tree, "uast:String") if "@pos" in n}
    assert text_of(SHAPES, strings["café 𝓏"]) == '"café 𝓏"' and text_of(SHAPES, strings["bôx"]) == '"bôx"'
    comments = of_type(tree, "uast:Comment")
    assert [c["Text"] for c in comments] == ["Shapes: non-ASCII on purpose (é is 2 bytes, 𝓏 is 4).",
                                              "A shape, with a name.", "namespace geo"]
    assert [text_of(SHAPES, c) for c in comments][1] == "/* A shape, with a name. */"
    imports = of_type(tree, "uast:InlineImport")
    assert [i["Path"]["Value"] for i in imports] == ["vector", "string", "./geometry/point.h"]
    assert text_of(SHAPES, imports[2]) == '#include "geometry/point.h"'


@checks.add
def statements_that_use_missing_headers_are_kept(parse):
    source = ('#include "foo.h"\n#include <iostream>\n'
              'void Foo::bar(int a) { helper(a); if (ok(a)) std::cout << "x" << a; vector<int> v; v.push_back(a); }\n')
    tree = parse(source).uast
    group = of_type(tree, "uast:FunctionGroup")[0]
    assert uast_label(group) == "Foo::bar"
    found = {n["Name"] for n in of_type(tree, "uast:Identifier") if "@pos" in n}
    assert {"helper", "ok", "a", "v", "push_back", "vector"} <= found
    assert "x" in {n["Value"] for n in of_type(tree, "uast:String")}
    assert of_type(tree, "cpp:IfStmt") and not parse(source).errors


@checks.add
def c_files_are_parsed_as_c(parse):
    tree = parse(LIST_C, filename="list.c")
    assert not tree.errors, tree.errors
    groups = [uast_label(g) for g in of_type(tree.uast, "uast:FunctionGroup")]
    assert groups == ["push", "print_list"]
    arguments = next(n for n in of_type(tree.uast, "uast:FunctionType"))["Arguments"]
    assert [a["Name"]["Name"] for a in arguments] == ["head", "new"]
    # as C++, `new` is a keyword: the same text is an error there
    assert parse(LIST_C, filename="list.cpp").errors
    # a header is C++ when it says so, else C
    assert not parse("int class_count(int new);\n", filename="a.h").errors
    assert of_type(parse("namespace n { class A {}; }\n", filename="b.h").uast, "cpp:Namespace")


# --- positions -------------------------------------------------------------------------------------

NON_ASCII = 'const char* s = "é𝓏"; // café 𝓏\nint 𝓏x = 1;\nint f(int é) { return é + 𝓏x; }\n'


def strings_and_names_span_their_text(tree: Any) -> None:
    source = NON_ASCII
    string = of_type(tree, "uast:String")[0]
    assert string["Value"] == "é𝓏" and text_of(source, string) == '"é𝓏"'
    found = [(n["Name"], text_of(source, n)) for n in of_type(tree, "uast:Identifier") if "@pos" in n]
    assert ("𝓏x", "𝓏x") in found and ("é", "é") in found and found.count(("é", "é")) >= 2


# clang's partial tree comes along
SYNTAX_ERRORS = (DriverCase.SyntaxErrorAt(source='const char* é = "𝓏";\nint x = 1 +;\n',
                                          before='const char* é = "𝓏";\nint x = 1 +', message="expected expression",
                                          tree=True),)


# Broken code, its headers missing as usual: (file name, source, the line of the first error).
BROKEN = [
    ("brace.cpp", "#include <vector>\nint f(int x) {\n  if (x) {\n    return helper(x);\n}\n", 5),
    ("paren.cpp", '#include <cstdio>\nint f(int x) {\n  printf("%d", (x + 1);\n  return 0;\n}\n', 3),
    ("semicolon.cpp", "#include <string>\nvoid f() {\n  std::string s = name()\n  use(s);\n}\n", 3),
    ("semicolon.c", '#include <stdio.h>\nint main(void) {\n  int x = 1\n  printf("%d", x);\n  return 0;\n}\n', 3),
    ("type_semicolon.cpp", "void f() {\n  Widget w\n  w.show();\n}\n", 2),
    ("call_semicolon.cpp", "void f() {\n  foo(1)\n  bar(2);\n}\n", 2),
    ("macro_semicolon.cpp", "void f() {\n  LOG(1)\n  CHECK(2);\n}\n", 2),  # as a macro's call may look
    ("top_semicolon.cpp", "int MAX_SIZE = 3\nint other = 4;\n", 1),
    ("empty_init.cpp", "int main() {\n  int y = 2;\n  int x = ;\n  return x;\n}\n", 3),
    ("else.cpp", "void f(int x) {\n  g(x);\n  else { h(x); }\n}\n", 3),
    ("string.cpp", '#include <cstdio>\nvoid f() {\n  puts("abc);\n}\n', 3),
    ("comment.c", "int x;\n/* never closed\nint y;\n", 2),
    ("class.cpp", "class Foo {\n  int x;\n", 2),
    ("struct.cpp", "struct Foo {\n  int x;\n}\nint y;\n", 3),
    ("operand.cpp", "int f(int a, int b) {\n  return a b;\n}\n", 2),
    ("cast.cpp", "void f(void *p) {\n  int x = (int p;\n}\n", 2),
    ("for.c", "void f(int n) {\n  for (int i = 0; i < n i++) {}\n}\n", 2),
    # a real error among the shapes that the driver reads as macros of the missing headers
    ("catch_broken.cpp", '#include "catch.hpp"\nTEST_CASE("a", "[t]") {\n  int x = 1 +;\n}\n', 3),
    ("win_broken.cc", "static BOOL WINAPI handler(DWORD type) {\n  return (DWORD)type + ;\n}\n", 2),
]


@checks.each("filename, source, line", BROKEN, ids=[case[0] for case in BROKEN])
def syntax_errors_are_reported_at_their_line(parse, filename: str, source: str, line: int):
    errors = parse(source, filename=filename).errors
    assert errors, f"no error in {source!r}"
    assert errors[0].start.line == line, [(e.start.line, e.message) for e in errors]


# Valid code whose headers are missing: macros and types that only their uses show.
VALID = [
    ("catch.cpp", ('#include "catch.hpp"\nTEST_CASE("parses", "[tag]") {\n    SECTION("first") {\n'
                   '        REQUIRE(1 + 1 == 2);\n    }\n}\nTEST_CASE("again", "[tag]") {\n    int x = 2;\n}\n')),
    ("napi.cc", ('#include <napi.h>\nNapi::Object Init(Napi::Env env, Napi::Object exports) {\n'
                 '  exports.Set("x", Napi::Function::New(env, Method));\n  return exports;\n}\n'
                 "NODE_API_MODULE(addon, Init)\n")),
    ("win.cc", ("#include <windows.h>\nstatic BOOL WINAPI handler(DWORD type) {\n  return TRUE;\n}\n"
                "CALLBACK DWORD worker(LPVOID arg) {\n  return 0;\n}\ntypedef BOOL WINAPI Fn(HANDLE h);\n"
                "void run(HKEY key) {\n  PROCESS_INFORMATION pi{};\n  fd_set readfds;\n  char szBuffer[64];\n"
                "  DWORD size = sizeof(szBuffer);\n  RegQueryValueEx(key, L\"x\", 0, NULL, (LPBYTE)szBuffer, &size);\n"
                "  DWORD flags = static_cast<DWORD>(size);\n  auto p = (BYTE*)szBuffer;\n"
                "  auto q = reinterpret_cast<BOOL WINAPI(*)(HANDLE)>(proc);\n}\n")),
    ("spdlog.cpp", ("#include <spdlog/spdlog.h>\n"
                    "template class SPDLOG_API spdlog::sinks::basic_file_sink<std::mutex>;\n"
                    "class SPDLOG_API logger {\npublic:\n"
                    '  virtual const char *what() const WINPTY_NOEXCEPT override { return ""; }\n};\n')),
    ("templates.cpp", ("#include <vector>\n#include <mutex>\nvoid f(Node &node, const Key &key) {\n"
                       "  std::vector<char> buf(80);\n  std::lock_guard<std::mutex> lock(m);\n"
                       "  std::unique_ptr<wchar_t[]> p = std::make_unique<wchar_t[]>(n + 1);\n"
                       "  auto v = info[0].As<Napi::Number>().Int32Value();\n"
                       '  fscanf(f, "%" PRIu64 " %d\\n", &t, &d);\n'
                       "  if (logger_) spdlog::drop(logger_->name());\n}\n")),
    ("python.c", ("#include <Python.h>\ntypedef struct {\n    PyObject_HEAD\n    PyObject *attr;\n} Obj;\n"
                  "int main(int argc UNUSED, char **argv UNUSED) {\n  return (int)(size_t)argv;\n}\n")),
]


@checks.each("filename, source", VALID, ids=[case[0] for case in VALID])
def macros_and_types_of_missing_headers_are_no_syntax_errors(parse, filename: str, source: str):
    result = parse(source, filename=filename)
    assert not result.errors, [(e.start.line, e.start.col, e.message) for e in result.errors]
    assert_true_spans(source, result.uast, whole=True)


@checks.add
def a_macro_that_heads_a_function_keeps_its_body(parse):
    source = VALID[0][1]
    tree = parse(source, filename="catch.cpp").uast
    groups = of_type(tree, "uast:FunctionGroup")
    assert [uast_label(group) for group in groups] == ["TEST_CASE", "TEST_CASE"]
    assert text_of(source, groups[0]).startswith('TEST_CASE("parses", "[tag]") {')
    assert "x" in {n["Name"] for n in of_type(groups[1], "uast:Identifier") if "@pos" in n}
    assert of_type(groups[0], "cpp:CallExpr") or of_type(groups[0], "cpp:CXXOperatorCallExpr")  # REQUIRE(...)


HOSTILE = ("", "\0\0\0", "((((((((((", "}}}} class { int", "#include", "#if\n",
           "int x = " + "(" * 3000 + "1" + ")" * 3000 + ";\n",
           "template <class T> struct A { A<A<A<T>>> a; };\n", "'\\xff' \"\\q\"\n")


def large_file() -> str:
    unit = (FIXTURES / "bench_n_queens.cpp").read_text(encoding="utf-8") if FIXTURES.is_dir() else SHAPES
    body = unit.split("int main", 1)[0]
    copies = []
    for number in range(1 + 100_000 // len(body)):
        copies.append(body.replace("namespace", f"namespace n{number}_ns") if "namespace" in body else
                      f"namespace n{number} {{\n{body}\n}}\n")
    return "".join(copies)


# --- the language server end to end ------------------------------------------------------------------

DOCUMENT = Document("shapes.cpp", SHAPES, "cpp")
K = types.SymbolKind


def line_of(text: str, source: str = SHAPES, after: int = 0) -> int:
    """The 0-based number of the first line from `after` that starts with `text`."""
    lines = source.split("\n")
    return next(number for number in range(after, len(lines)) if lines[number].startswith(text))


SHAPE, TOTAL, MAIN = line_of("class Shape {"), line_of("double total("), line_of("int main(")
TOTAL_END = line_of("}", after=TOTAL + 4)


@checks.add
async def cpp_outline_names_kinds_nesting_and_ranges(editor: Editor, uri: str):
    found = await editor.symbols(uri)
    assert [(s.name, s.kind) for s in found] == [("geo", K.Namespace), ("main", K.Function)]
    geo = {s.name: s for s in found[0].children}
    assert [(s.name, s.kind) for s in found[0].children][:6] == [
        ("PI", K.Variable), ("Color", K.Enum), ("Name", K.Class), ("Point", K.Struct), ("Shape", K.Class),
        ("Box", K.Class)]
    assert symbol_tree(geo["Color"].children) == [("Red", K.EnumMember, []), ("Green", K.EnumMember, []),
                                               ("Blue", K.EnumMember, [])]
    assert [(s.name, s.kind) for s in geo["Shape"].children] == [
        ("Shape", K.Constructor), ("~Shape", K.Method), ("area", K.Method), ("name", K.Method),
        ("count", K.Method), ("name_", K.Field)]
    assert [(s.name, s.kind) for s in geo["Box"].children] == [
        ("Box", K.Constructor), ("area", K.Method), ("side_", K.Field)]
    assert [(s.name, s.kind) for s in geo["Point"].children] == [("x", K.Field), ("y", K.Field)]
    # out-of-line definitions stay where they are written, named as written
    assert "Shape::count" in geo and "total" in geo
    shape = geo["Shape"]
    start = line_of("class Shape {")
    assert shape.range.start == types.Position(line=start, character=0)
    assert shape.range.end == types.Position(line=line_of("};", after=start), character=1)
    assert shape.selection_range.start == types.Position(line=start, character=6)
    assert shape.selection_range.end == types.Position(line=start, character=11)
    box = geo["Box"]  # `template <...>` included
    assert (box.range.start.line, box.range.end.line) == (line_of("template <typename T>"),
                                                           line_of("};", after=line_of("class Box")))
    method = geo["Shape"].children[3]
    assert method.range.start == types.Position(line=line_of("    const Name& name() const"), character=4)
    main_symbol = found[1]
    assert main_symbol.range.start == types.Position(line=line_of("int main("), character=0)
    assert main_symbol.range.end == types.Position(line=len(SHAPES.split("\n")) - 2, character=1)


@checks.add
async def c_outline(editor: Editor):
    uri = await editor.open(Document("list.c", LIST_C, "c"))
    found = await editor.symbols(uri)
    top = [(s.name, s.kind) for s in found]
    assert top[:5] == [("node", K.Struct), ("node_t", K.Class), ("total", K.Variable), ("mode", K.Enum),
                       ("push", K.Function)]
    assert top[-1] == ("print_list", K.Function)
    assert [(s.name, s.kind) for s in found[0].children] == [("value", K.Field), ("next", K.Field)]
    push = found[4]
    assert (push.range.start.line, push.range.end.line) == (line_of("node_t *push", LIST_C),
                                                            line_of("}", LIST_C, line_of("node_t *push", LIST_C)))


@checks.add
async def strings_are_found_where_they_are(editor: Editor, uri: str):
    strings = await editor.query("//uast:String[@Value='bôx']", uri)
    line = "    explicit Box(T side) : Shape(\"bôx\"), side_(side) {}"
    assert [m["range"] for m in strings] == [{
        "start": {"line": line_of(line), "character": editor.column(line, "    explicit Box(T side) : Shape(")},
        "end": {"line": line_of(line), "character": editor.column(line, "    explicit Box(T side) : Shape(\"bôx\"")}}]


CASE = DriverCase(
    language="cpp", driver=CppDriver, filename="test.cpp", sample=SHAPES,
    # prepared bindings can still fail to load libclang: one parse tells
    probe=ParseRequest(content="int x;\n", filename="probe.cpp"),
    spans=functools.partial(assert_true_spans, whole=True),
    native=DriverCase.Native(
        root="cpp:TranslationUnit",
        types={"cpp:Namespace", "cpp:ClassDecl", "cpp:ClassTemplate", "cpp:CXXConstructor", "cpp:CXXMethod",
               "cpp:FunctionDecl", "cpp:DeclRefExpr", "cpp:CXXOperatorCallExpr", "cpp:Comment"},
        then=classes_and_operator_calls_span_their_text),
    annotated=DriverCase.Annotated(ordered=True, then=templates_and_operators_have_their_roles),
    role_tables=DriverCase.RoleTables(tables=role_tables, ordered=False),
    # no native name, string or function definition is left where a uast node stands for it
    semantic=DriverCase.Semantic(gone={"cpp:DeclarationName", "cpp:StringLiteral", "cpp:CompoundStmt", "cpp:Comment"},
                                 then=semantic_functions_are_function_groups),
    non_ascii=DriverCase.NonAscii(source=NON_ASCII, comments=(("// café 𝓏", "café 𝓏"),),
                                  then=strings_and_names_span_their_text),
    hostile=DriverCase.Hostile(sources=HOSTILE, alive="int ok;\n", no_tree=False),
    syntax_errors=SYNTAX_ERRORS,
    conformance=DriverCase.Conformance(loose=0.90, strict=0.80, syntax_errors="all"),  # 0.95 and 0.95 today
    large_file=DriverCase.LargeFile(source=large_file, seconds=1.5, runs=1),
    served=DriverCase.Served(samples=(("shapes.cpp", SHAPES), ("list.c", LIST_C)), image_timeout=1800,
                             broken=DriverCase.Broken(filename="broken.cpp", source="int main( {\n", line=1, tree=True)),
    lsp=DriverCase.Lsp(
        files={"list.c": LIST_C}, document=DOCUMENT,
        functions=("Shape", "~Shape", "name", "Box", "area", "Shape::count", "total", "main"),
        file_functions={"list.c": ("push", "print_list")},
        queries={"//cpp:ClassDecl | //cpp:ClassTemplate": ("Shape", "Box")},
        # a definition folds to its closing brace, or to the line before it
        folds=({(SHAPE, line_of("};", after=SHAPE) - 1), (SHAPE, line_of("};", after=SHAPE))},
               {(TOTAL, TOTAL_END), (TOTAL, TOTAL_END - 1)},
               {(MAIN, line_of("}", after=MAIN)), (MAIN, line_of("}", after=MAIN) - 1)}),
        kind_folds={"imports": (1, 3)},
        selection=DriverCase.Selection(line=line_of("        sum += s->area();"), cursor="        sum += s->a",
                                       name=("        sum += s->", "        sum += s->area"),
                                       encloses=(TOTAL, 0), encloses_end=TOTAL_END)),  # total()
    checks=checks,
)
