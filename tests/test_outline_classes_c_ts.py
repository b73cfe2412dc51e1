"""The outline of TypeScript, C and C++ where it differed from the language's own server
(tsserver, clangd) by a class of code (issue 13): one test per class, on the native drivers
(Babel for TypeScript, clang for C and C++) and, where the universal driver's table had the
same defect, on it too.

- TypeScript: the members of a type written in an annotation (`declare const m: { sep: string }`,
  a return type `{ entry: T }[]`, a type alias's `{ ... }`) are no symbols, as tsserver lists
  none; an interface's own members are.  A constructor's parameter properties
  (`constructor(private x: T)`) are fields of its class, listed after the constructor.
- C: `typedef enum { A, B } T;` and `typedef struct S { ... } S;` list the tag beside the typedef,
  at its own line (clangd: the tag, then the typedef at its name's line), never in it.
- C: `FT_EXPORT( FT_Error ) FT_New_Size(...)`, `PyAPI_FUNC(PyObject *) f(...)`: a macro call that
  gives a declaration its type declares the function (not a variable `FT_Error`); and a macro's
  line without `;` (`DECLARE_SOMETHING(x)`, `FT_BEGIN_HEADER`) swallows no declaration after it.
- C++: an alias whose template arguments include a value (`SmallVector<ArgRegPair, 1>`) is listed.

The drivers are the prepared native ones (a skip where a toolchain is missing, a failure under
BBLFSH_LSP_REQUIRE_TOOLCHAINS=1) and the universal driver in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from driver_checks import close_driver, require_prepared, require_runs

from bblfsh_lsp.positions import TextIndex
from driver_runtime.drivers.cpp.driver import CppDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.drivers.universal.driver import UniversalDriver
from driver_runtime.sdk.outline import Symbol, SymbolKind, outline, symbol_kinds
from driver_runtime.sdk.protocol import Mode, ParseRequest

K = SymbolKind
Tree = list[tuple[str, SymbolKind, list]]


@pytest.fixture(scope="module")
def typescript() -> Iterator[Any]:
    driver = require_prepared(TypeScriptDriver(), "node")
    yield driver
    close_driver(driver)


@pytest.fixture(scope="module")
def cpp() -> Iterator[Any]:
    driver = require_prepared(CppDriver())
    try:
        require_runs(driver, ParseRequest(content="int x;\n", filename="probe.cpp"))  # libclang loads
    except BaseException:
        close_driver(driver)
        raise
    yield driver
    close_driver(driver)


@pytest.fixture(scope="module")
def universal() -> UniversalDriver:
    return UniversalDriver()


def symbols(driver: Any, source: str, filename: str, language: str | None = None,
            clean: bool = True) -> list[Symbol]:
    """The outline the language server makes of `source` with this driver (and its symbol kinds);
    `clean`: the source is valid code, which must parse without a syntax error."""
    result = driver.parse(ParseRequest(content=source, filename=filename, mode=Mode.SEMANTIC, language=language))
    assert result.uast is not None, result.errors
    if clean:
        assert not result.errors, [(error.start.line if error.start else None, error.message)
                                   for error in result.errors]
    return outline(result.uast, TextIndex(source), kinds=symbol_kinds(driver.manifest.symbol_kinds))


def tree(found: list[Symbol]) -> Tree:
    return [(symbol.name, symbol.kind, tree(symbol.children)) for symbol in found]


def names(found: list[Symbol]) -> list[str]:
    """Every symbol's name, depth first."""
    return [symbol.name for top in found for symbol in top.walk()]


def name_line(source: str, symbol: Symbol) -> int:
    """The 1-based line of a symbol's name."""
    return source.encode()[:symbol.name_start].count(b"\n") + 1


def line_of(source: str, text: str) -> int:
    """The 1-based line where `text` first occurs."""
    return source[:source.index(text)].count("\n") + 1


# --- TypeScript ------------------------------------------------------------------------------------

TYPE_LITERALS = """\
declare const minimatch: {
  sep: string;
  filter(pattern: string): boolean;
};
export function parse(text: string): { entry: string; substitution: number }[] {
  return [];
}
let shapes: { wide: number } | { tall: number };
let later: Promise<{ settled: boolean }>;
function configure(options: { verbose: boolean }, done: (result: { code: number }) => void): void {}
export interface Item {
  name: string;
  nested: { deep: string };
  describe(prefix?: { text: string }): { described: string };
}
type Options = {
  width: number;
  height: { value: number };
};
class Box {
  size: { across: number } = { across: 1 };
  resize(to: { wanted: number }): { got: number } { return { got: to.wanted }; }
}
"""

# tsserver's outline of it (navtree): a type written in an annotation, an alias or a type
# argument has no members of its own; an interface's own members are listed.
TYPE_LITERALS_OUTLINE: Tree = [
    ("minimatch", K.Constant, []),
    ("parse", K.Function, []),
    ("shapes", K.Variable, []),
    ("later", K.Variable, []),
    ("configure", K.Function, []),
    ("Item", K.Interface, [("name", K.Property, []), ("nested", K.Property, []), ("describe", K.Method, [])]),
    ("Options", K.TypeParameter, []),
    ("Box", K.Class, [("size", K.Field, []), ("resize", K.Method, [])]),
]


def test_typescript_members_of_type_literals_are_no_symbols(typescript):
    assert tree(symbols(typescript, TYPE_LITERALS, "types.ts")) == TYPE_LITERALS_OUTLINE


def test_typescript_members_of_type_literals_are_no_symbols_in_the_universal_driver(universal):
    found = symbols(universal, TYPE_LITERALS, "types.ts", language="typescript")
    assert not {"sep", "filter", "entry", "substitution", "wide", "settled", "verbose", "code", "deep", "text",
                "described", "width", "height", "value", "across", "wanted", "got"} & set(names(found))
    item = next(symbol for symbol in found if symbol.name == "Item")
    assert [child.name for child in item.children] == ["name", "nested", "describe"]


PARAMETER_PROPERTIES = """\
export class Service<H> {
  private ready = false;
  constructor(private _handler: H, public readonly label: string = "x", protected count: number,
              readonly frozen: boolean, @Inject(Token) override token: Token, plain: number, { a, b }: Pair) {
    const local = plain;
  }
  handle(): void {}
}
class Other { constructor(public only: number) {} }
"""


def test_typescript_parameter_properties_are_fields_of_their_class(typescript):
    found = symbols(typescript, PARAMETER_PROPERTIES, "service.ts")
    assert tree(found) == [
        ("Service", K.Class, [
            ("ready", K.Field, []), ("constructor", K.Constructor, []),
            ("_handler", K.Field, []), ("label", K.Field, []), ("count", K.Field, []), ("frozen", K.Field, []),
            ("token", K.Field, []), ("handle", K.Method, [])]),
        ("Other", K.Class, [("constructor", K.Constructor, []), ("only", K.Field, [])]),
    ]
    data = PARAMETER_PROPERTIES.encode()
    for field in found[0].children[2:7]:  # each named at its name, not at a word of its decorator
        assert data[field.name_start:field.name_end].decode() == field.name
        assert data[field.start:field.end].decode().rstrip().endswith(field.name) or \
            field.name in data[field.start:field.end].decode()


# --- C ---------------------------------------------------------------------------------------------

TYPEDEFS = """\
typedef enum {
  RED,
  GREEN
} Color;

typedef struct Point {
  int x;
  int y;
} Point;

typedef struct FT_Size_Metrics_
{
  unsigned short x_ppem;
} FT_Size_Metrics;
"""


@pytest.mark.parametrize("which", ["native", "universal"])
def test_c_typedefs_list_their_tag_beside_them_at_their_own_lines(which, request):
    driver = request.getfixturevalue("cpp" if which == "native" else "universal")
    found = symbols(driver, TYPEDEFS, "shapes.c", language="cpp" if which == "universal" else None)
    # clangd's outline: the tag and its members beside the typedef (an anonymous enum's
    # enumerators at the top level, once its "(anonymous enum)" is set aside); nothing in a typedef
    assert sorted((name, kind) for name, kind, _ in tree(found)) == sorted([
        ("RED", K.EnumMember), ("GREEN", K.EnumMember), ("Color", K.Class),
        ("Point", K.Struct), ("Point", K.Class), ("FT_Size_Metrics_", K.Struct), ("FT_Size_Metrics", K.Class)])
    by_place = {(symbol.name, symbol.kind): symbol for symbol in found}
    assert [child.name for child in by_place["Point", K.Struct].children] == ["x", "y"]
    assert [child.name for child in by_place["FT_Size_Metrics_", K.Struct].children] == ["x_ppem"]
    assert not by_place["Color", K.Class].children and not by_place["Point", K.Class].children
    # each at the line of its name: the typedef at its name's, the tag at its own
    assert name_line(TYPEDEFS, by_place["Color", K.Class]) == line_of(TYPEDEFS, "} Color;")
    assert name_line(TYPEDEFS, by_place["Point", K.Class]) == line_of(TYPEDEFS, "} Point;")
    assert name_line(TYPEDEFS, by_place["Point", K.Struct]) == line_of(TYPEDEFS, "typedef struct Point")
    assert name_line(TYPEDEFS, by_place["FT_Size_Metrics", K.Class]) == line_of(TYPEDEFS, "} FT_Size_Metrics;")


EXPORTS_HEADER = """\
#ifndef FTSIZES_H_
#define FTSIZES_H_

#include <ft2build.h>

FT_BEGIN_HEADER

  /* Creates a new size object. */
  FT_EXPORT( FT_Error )
  FT_New_Size( FT_Face   face,
               FT_Size*  size );

  FT_EXPORT( FT_Error )
  FT_Done_Size( FT_Size  size );

  typedef struct  FT_Size_Metrics_
  {
    FT_UShort  x_ppem;
  } FT_Size_Metrics;

FT_END_HEADER

#endif /* FTSIZES_H_ */
"""

EXPORTS_SOURCE = """\
#include <Python.h>

PyAPI_FUNC(PyObject *) PyList_New(Py_ssize_t size);
PyAPI_FUNC(Py_hash_t) _Py_HashDouble(PyObject *, double);
PyAPI_DATA(int) Py_DebugFlag;

FT_EXPORT_DEF( FT_Error )
FT_Done_Size( FT_Size  size )
{
  return size == 0;
}
"""


@pytest.mark.parametrize("filename", ["ftsizes.h", "ftsizes.hpp"])
def test_c_a_macro_call_that_gives_the_type_declares_the_function(cpp, filename):
    """`FT_EXPORT( FT_Error ) FT_New_Size(...)` after `FT_BEGIN_HEADER`, as C and as C++."""
    found = symbols(cpp, EXPORTS_HEADER, filename)
    assert [(name, kind) for name, kind, _ in tree(found)] == [
        ("FT_New_Size", K.Function), ("FT_Done_Size", K.Function),
        ("FT_Size_Metrics_", K.Struct), ("FT_Size_Metrics", K.Class)]
    assert name_line(EXPORTS_HEADER, found[0]) == line_of(EXPORTS_HEADER, "FT_New_Size(")


@pytest.mark.parametrize("filename", ["module.c", "module.cpp"])
def test_c_export_macros_of_any_spelling_declare_functions_and_variables(cpp, filename):
    found = symbols(cpp, EXPORTS_SOURCE, filename)
    assert [(name, kind) for name, kind, _ in tree(found)] == [
        ("PyList_New", K.Function), ("_Py_HashDouble", K.Function), ("Py_DebugFlag", K.Variable),
        ("FT_Done_Size", K.Function)]


MACRO_LINES = """\
#include "something.h"

DECLARE_SOMETHING(x)

int after_macro(void);
static int counter = 0;
int last(int a) { return a + counter; }

struct Holder {
  int held;
};
DEFINE_TRAITS(Holder)
typedef int Count;
REGISTER_COUNTER(counter)
Count total;
"""


@pytest.mark.parametrize("filename", ["lines.c", "lines.cpp"])
def test_c_a_macro_line_without_semicolon_swallows_no_declaration(cpp, filename):
    found = symbols(cpp, MACRO_LINES, filename)
    assert [(name, kind) for name, kind, _ in tree(found)] == [
        ("after_macro", K.Function), ("counter", K.Variable), ("last", K.Function), ("Holder", K.Struct),
        ("Count", K.Class), ("total", K.Variable)]


def test_c_a_file_may_end_with_a_macro_alone_on_its_line(cpp):
    """(The shapes' reader once read past the last token there, and the file got no tree.)"""
    source = "FT_BEGIN_HEADER\nint f(void);\nFT_END_HEADER"
    assert [symbol.name for symbol in symbols(cpp, source, "end.h")] == ["f"]


def test_c_a_statement_macro_without_semicolon_in_a_body_is_still_an_error(cpp):
    """Inside a function a missing `;` after a call is a plausible mistake: reported, not read as
    a macro of the missing headers."""
    result = cpp.parse(ParseRequest(content="void f() {\n  LOG(1)\n  CHECK(2);\n}\n", filename="body.cpp"))
    assert result.errors and result.errors[0].start.line == 2


# --- C++ -------------------------------------------------------------------------------------------

VALUE_ARGUMENTS = """\
#include "llvm/ADT/SmallVector.h"
#include <array>
namespace llvm {
class MachineFunction {
public:
  struct ArgRegPair { int Reg; };
  using CallSiteInfo = SmallVector<ArgRegPair, 1>;
  using Plain = SmallVector<ArgRegPair>;
  template <unsigned N> using Sized = SmallVector<ArgRegPair, N>;
  typedef std::array<int, 4> Four;
  using Bytes = std::array<char, sizeof(int)>;
};
typedef signed char index_type;
using Solution = std::vector<index_type>;
}
"""


def test_cpp_an_alias_with_a_value_template_argument_is_listed(cpp):
    found = symbols(cpp, VALUE_ARGUMENTS, "machine.cpp")
    assert tree(found) == [("llvm", K.Namespace, [
        ("MachineFunction", K.Class, [
            ("ArgRegPair", K.Struct, [("Reg", K.Field, [])]),
            ("CallSiteInfo", K.Class, []), ("Plain", K.Class, []), ("Sized", K.Class, []),
            ("Four", K.Class, []), ("Bytes", K.Class, [])]),
        ("index_type", K.Class, []), ("Solution", K.Class, [])])]
