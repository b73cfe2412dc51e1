"""The outline's classes of code that issue 13 found wrong against the languages' own servers
(gopls, pyright, Eclipse JDT LS), each on the language's own driver and on the universal driver:
the outline of a real parse (process runtime), compared with what the peer lists.

Go, as gopls: an embedded field is named by its type's own name (`net.Conn` is Conn,
`*goobj.Reloc` is Reloc), in a struct and in an interface; the fields of a struct type written
in place belong to the field or variable it is the type of (`x struct{ y int }`: y under x), and
to nothing where no name declares it (`[]struct{...}`, a composite literal, a parameter); the
blank identifier `_` declares nothing (`var _ I = ...`, `func _()`), but a blank struct field
keeps its place in the struct.

Python, as pyright: an assignment in a block of a compound statement at module or class level
(if/elif/else, try/except/else/finally, for, while, with, match) declares a name there, as a
`def` there does; a name bound again (the other branch, or first by an import) is one symbol.

Java, as JDT LS: the members of an anonymous class (`new Runnable() {...}`) are no members of the
enclosing class nor of the method creating it: they are not listed (JDT LS lists them under a
symbol `new Runnable() {...}` that names nothing in the source); an enum constant's body is the
constant's, and its methods are methods under it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import toolchain_unavailable
from driver_checks import symbol_tree

from bblfsh_lsp.positions import TextIndex
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.outline import SymbolKind, outline, symbol_kinds
from driver_runtime.service import DriverService

DRIVERS = ("native", "universal")  # the language's own driver; the universal driver (tree-sitter)


class Outliner:
    """Parses with one kind of driver, on a loop of its own (the drivers stay up for the module)."""

    def __init__(self, driver: str):
        self.driver = driver
        self.loop = asyncio.new_event_loop()
        preferences = {"*": "universal"} if driver == "universal" else {}
        self.service = DriverService(ProcessRuntime(), Registry.bundled(), preferences=preferences)

    def tree(self, source: str, filename: str) -> list[tuple[str, SymbolKind, list]]:
        """The outline of `source` as (name, kind, children), nested; the file parses cleanly."""
        language = self.service.language_of(filename)
        if self.service.driver_for(language).universal != (self.driver == "universal"):
            toolchain_unavailable(f"the {language} driver's native parser is not prepared "
                                  f"(`bblfsh-lsp driver install {language} --runtime process`)")
        result = self.loop.run_until_complete(self.service.parse(source, filename))
        assert result.uast is not None and not result.errors, result.errors
        manifest = self.service.manifest(result.language)
        kinds = symbol_kinds(manifest.symbol_kinds) if manifest is not None else {}
        return symbol_tree(outline(result.uast, TextIndex(source, "utf-8"), kinds=kinds))

    def close(self) -> None:
        self.loop.run_until_complete(self.service.close())
        self.loop.close()


@pytest.fixture(scope="module", params=DRIVERS)
def outliner(request: pytest.FixtureRequest) -> Iterator[Outliner]:
    made = Outliner(request.param)
    try:
        yield made
    finally:
        made.close()


def names(tree: list[tuple[str, Any, list]]) -> list[Any]:
    """The tree's names, a symbol with children as (name, [children...])."""
    return [(name, names(children)) if children else name for name, _kind, children in tree]


# --- Go ------------------------------------------------------------------------------------------

GO_EMBEDDED = '''package p

import (
\t"io"
\t"net"
\t"sync"

\t"cmd/internal/goobj"
)

type conn struct {
\tnet.Conn
\t*goobj.Reloc
\tsync.Mutex
\t*bufioReader
\tList[int]
\t*Pair[int, string]
\tplain
\tname string
}

type closer interface {
\tio.Reader
\tStringer
\tClose() error
\t~int | ~string
}
'''


def test_go_embedded_fields_are_named_by_their_type(outliner: Outliner):
    tree = outliner.tree(GO_EMBEDDED, "embedded.go")
    assert [(name, kind) for name, kind, _ in tree] == [("conn", SymbolKind.Struct), ("closer", SymbolKind.Interface)]
    conn, closer = tree
    assert [(name, kind) for name, kind, _ in conn[2]] == [
        ("Conn", SymbolKind.Field), ("Reloc", SymbolKind.Field), ("Mutex", SymbolKind.Field),
        ("bufioReader", SymbolKind.Field), ("List", SymbolKind.Field), ("Pair", SymbolKind.Field),
        ("plain", SymbolKind.Field), ("name", SymbolKind.Field)]
    # A type set (`~int | ~string`) names no field.
    assert [(name, kind) for name, kind, _ in closer[2]] == [
        ("Reader", SymbolKind.Field), ("Stringer", SymbolKind.Field), ("Close", SymbolKind.Method)]


GO_IN_PLACE = '''package p

var settings struct {
\tdebug bool
\tlimits struct{ max, min int }
}

var table = []struct {
\tin, out string
}{{"a", "b"}}

var point = struct{ x, y int }{1, 2}

type server struct {
\topts struct {
\t\taddr string
\t\ttls  interface{ Cert() []byte }
\t}
\thandlers []struct{ path string }
\tnext     *struct{ hop int }
\tfn       func(struct{ arg int })
\tport     int
}

func run() {
\tvar local struct{ hidden int }
\t_ = local
}
'''


def test_go_fields_of_a_struct_written_in_place_are_its_fields_or_variables(outliner: Outliner):
    tree = outliner.tree(GO_IN_PLACE, "inplace.go")
    assert names(tree) == [
        ("settings", ["debug", ("limits", ["max", "min"])]),
        "table", "point",
        ("server", [("opts", ["addr", ("tls", ["Cert"])]), "handlers", "next", "fn", "port"]),
        "run"]
    settings, _table, _point, server, _run = tree
    assert settings[1] is SymbolKind.Variable and [kind for _, kind, _ in settings[2]] == [SymbolKind.Field] * 2
    tls = server[2][0][2][1]
    assert tls[2] == [("Cert", SymbolKind.Method, [])]


GO_BLANK = '''package p

import _ "embed"

var _ io.Reader = (*file)(nil)

var _, ok = pair()

var kept, _ = pair()

const _ = iota

type _ int

func _() {
\tvar x [1]struct{}
\t_ = x[0]
}

type padded struct {
\t_    [4]byte
\tsize int
}
'''


def test_go_blank_identifiers_declare_nothing(outliner: Outliner):
    tree = outliner.tree(GO_BLANK, "blank.go")
    # A blank struct field keeps its place in the struct's layout (gopls lists it too).
    assert names(tree) == ["ok", "kept", ("padded", ["_", "size"])]


# --- Python --------------------------------------------------------------------------------------

PYTHON_BLOCKS = '''import os
try:
    import bz2
    _BZ2_SUPPORTED = True
except ImportError as exc:
    _BZ2_SUPPORTED = False
    REASON = str(exc)
else:
    LEVEL = 9
finally:
    CHECKED = True

try:
    import pwd
except ImportError:
    pwd = None

if os.name == "nt":
    def sep():
        return "\\\\"
    ENCODING = "mbcs"
elif os.name == "posix":
    ENCODING: str = "utf-8"
else:
    ENCODING = None

for _name in ("a", "b"):
    LAST = _name
while False:
    NEVER = 1
with open(os.devnull) as _null:
    OPENED = True
match os.name:
    case "posix":
        POSIX = True


class Config:
    if os.name == "nt":
        PATH_SEP = ";"
    else:
        PATH_SEP = ":"
    try:
        HOME = os.environ["HOME"]
    except KeyError:
        HOME = None

    def load(self):
        if self:
            loaded = True
        return loaded


def main():
    if True:
        local = 1
    return local
'''


def test_python_assignments_in_module_and_class_blocks_are_listed(outliner: Outliner):
    tree = outliner.tree(PYTHON_BLOCKS, "blocks.py")
    assert names(tree) == [
        "_BZ2_SUPPORTED", "REASON", "LEVEL", "CHECKED", "sep", "ENCODING", "LAST", "NEVER", "OPENED", "POSIX",
        ("Config", ["PATH_SEP", "HOME", "load"]), "main"]
    by_name = {name: kind for name, kind, _ in tree}
    assert by_name["_BZ2_SUPPORTED"] is SymbolKind.Constant and by_name["sep"] is SymbolKind.Function
    config = tree[-2]
    assert [kind for _, kind, _ in config[2]] == [SymbolKind.Constant, SymbolKind.Constant, SymbolKind.Method]


# --- Java ----------------------------------------------------------------------------------------

JAVA_ANONYMOUS = '''package p;

import java.util.Comparator;

class Sorter {
    private final Runnable task = new Runnable() {
        int runs;
        public void run() { runs++; }
    };

    static final Comparator<String> BY_LENGTH = new Comparator<String>() {
        @Override
        public int compare(String a, String b) { return a.length() - b.length(); }
    };

    void start() {
        new Thread(new Runnable() {
            public void run() { }
        }).start();
        class Local {
            void help() { }
        }
    }

    enum Op {
        PLUS { int apply(int a, int b) { return a + b; } },
        MINUS;
        int apply(int a, int b) { return a - b; }
    }
}
'''


def test_java_members_of_anonymous_classes_are_not_members_of_the_enclosing_class(outliner: Outliner):
    tree = outliner.tree(JAVA_ANONYMOUS, "Sorter.java")
    assert names(tree) == [
        "p",
        ("Sorter", ["task", "BY_LENGTH", ("start", [("Local", ["help"])]),
                    ("Op", [("PLUS", ["apply"]), "MINUS", "apply"])])]
    op = tree[1][2][3]
    plus = op[2][0]
    assert plus[1] is SymbolKind.EnumMember and plus[2] == [("apply", SymbolKind.Method, [])]
