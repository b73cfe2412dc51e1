"""A native driver reuses the normalised statements, class members and comments of a kept
document after an edit (sdk/native_reuse.py; the native programs of the JavaScript and
TypeScript drivers (parse.js), of the Go driver (main.go), of the C/C++ driver (clang_ast.py)
and the others send the unchanged ones as {"@kept": N}): whatever the edits, every answer is the
one a fresh parse of the same text gives, in every mode, and what did not change is not sent
again."""

from __future__ import annotations

import copy
import functools
import importlib.util
import itertools
import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from driver_checks import require_prepared

from driver_runtime.drivers.cpp.driver import CppDriver
from driver_runtime.drivers.go.driver import GoDriver
from driver_runtime.drivers.java.driver import JavaDriver
from driver_runtime.drivers.javascript.driver import JavaScriptDriver
from driver_runtime.drivers.php.driver import PhpDriver
from driver_runtime.drivers.ruby.driver import RubyDriver
from driver_runtime.drivers.typescript.driver import TypeScriptDriver
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.native_reuse import KEPT, ItemReuse
from driver_runtime.sdk.normalizer import native_objects
from driver_runtime.sdk.protocol import EditRequest, Mode, ParseRequest, TextEdit, document_digest

ROOT = Path(__file__).resolve().parent.parent


def _goroot() -> Path:
    try:
        return Path(subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        return Path("/nonexistent")


GO_SOURCES = [_goroot() / "src" / "net" / "http" / "response.go", _goroot() / "src" / "bufio" / "scan.go"]
JAVA_NATIVE = ROOT / "driver_runtime" / "drivers" / "java" / "native" / "src" / "bblfsh" / "java"
SOURCES = [*sorted((ROOT / "examples" / "go").rglob("*.go"))[:2], *GO_SOURCES,
    *sorted((ROOT / "examples" / "java").rglob("*.java"))[:1], JAVA_NATIVE / "Main.java", JAVA_NATIVE / "Kept.java",
    ROOT / "driver_runtime" / "drivers" / "ruby" / "native" / "parse.rb",
    ROOT / "driver_runtime" / "drivers" / "ruby" / "native" / "strings.rb",
    # PHP-Parser's own files, which the PHP driver's preparation puts in its build folder.
    PhpDriver().build / "PhpParser" / "Comment.php", PhpDriver().build / "PhpParser" / "Lexer.php",
    ROOT / "editors" / "vscode" / "src" / "search.ts",
    ROOT / "editors" / "vscode" / "src" / "extension.ts",
    ROOT / "driver_runtime" / "drivers" / "javascript" / "native" / "parse.js",
    ROOT / "tests" / "universal_samples" / "javascript" / "inventory.js",
    ROOT / "tests" / "data" / "kept_items.c", ROOT / "tests" / "data" / "kept_items.hpp",
    ROOT / "tests" / "universal_samples" / "cpp" / "geometry.cpp",
]
# What typing puts in: characters in a name, line breaks, comments beside a statement (hung on
# it by Babel: native and annotated modes show them), non-ASCII text (UTF-16 offsets), a
# statement, a directive, an unclosed brace or string (the rest reads otherwise).
INSERTS = {
    ".js": ["x", "\n", " ", "/* c */", "// é 𝓏\n", "let v = 1;\n", "'use strict';\n", "{", "`", "\n\n// end"],
    ".go": ["x", "\n", " ", "/* c */", "// é 𝓏\n", "var v = 1\n", "func g() {}\n", "{", "`", "\n\n// end"],
}
INSERTS[".ts"] = INSERTS[".js"]
# javac gives no tree for a text with any error: mostly what leaves Java valid (blanks, comments).
INSERTS[".php"] = ["x", "\n", " ", "/* c */", "// é 𝓏\n", "$v = 1;\n", "/** doc */\n", "{", "'", "\n\n// end\n"]
# Ruby: besides typing, what changes how a name reads elsewhere (an assignment makes it a local).
INSERTS[".rb"] = ["x", "\n", " ", "# é 𝓏\n", "x = 1\n", "def g; x; end\n", "private\n", "class B; end\n", "(",
                  "\n\n# end\n"]
# C and C++: besides typing, what reaches the declarations after it (a macro, a type name).
INSERTS[".c"] = ["x", "\n", " ", "/* c */", "// é 𝓏\n", "int v = 1;\n", "#define x 1\n", "typedef int x;\n", "{",
                 "}", "\"", "\n\n// end\n"]
INSERTS[".cpp"] = INSERTS[".hpp"] = INSERTS[".c"]
INSERTS[".java"] = ["x", "\n", " ", "/* c */", "/* é 𝓏 */", " /** doc */ ", "\n\n", "  ", "{", "\n\n// end\n"]

DRIVERS: dict[str, type[NativeDriver]] = {".js": JavaScriptDriver, ".ts": TypeScriptDriver, ".go": GoDriver,
                                          ".java": JavaDriver, ".php": PhpDriver, ".rb": RubyDriver,
                                          ".c": CppDriver, ".cpp": CppDriver, ".hpp": CppDriver}
COMMANDS = {".js": ["node"], ".ts": ["node"], ".go": [], ".java": ["java"], ".php": ["php"], ".rb": ["ruby"],
            ".c": [], ".cpp": [], ".hpp": []}


def _driver(path: Path) -> NativeDriver:
    if not path.exists():  # GOROOT's sources come with the go command, PHP-Parser's with its preparation
        require_prepared(GoDriver() if path.suffix == ".go" else DRIVERS[path.suffix](), *COMMANDS[path.suffix])
    return require_prepared(DRIVERS[path.suffix](), *COMMANDS[path.suffix])


def _edit(rng: random.Random, data: bytes, inserts: list[str]) -> TextEdit:
    """Typing somewhere: a few characters in, or a piece out, at a character boundary."""
    text = data.decode("utf-8")
    at = rng.randrange(len(text) + 1)
    start = len(text[:at].encode("utf-8"))
    if rng.random() < 0.3 and at < len(text):
        cut = len(text[at:at + rng.randint(1, 40)].encode("utf-8"))
        return TextEdit(start, start + cut, "")
    return TextEdit(start, start, rng.choice(inserts))


def _stubs(value: Any) -> int:
    """How many items an answer's tree sends as kept."""
    if isinstance(value, list):
        return sum(_stubs(item) for item in value)
    if isinstance(value, dict):
        return 1 if KEPT in value else sum(_stubs(item) for item in value.values())
    return 0


class _Counting:
    """Counts the items the native side answers kept (wraps the driver's NativeParser)."""

    def __init__(self, driver: NativeDriver):
        assert driver.reuse is not None
        self.kept = 0
        self._parse = driver.native.parse
        driver.native.parse = self.parse  # type: ignore[method-assign]

    def parse(self, content: str, filename: str = "", **fields: Any) -> dict[str, Any]:
        answer = self._parse(content, filename, **fields)
        self.kept += _stubs(answer.get("ast"))
        return answer


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.ANNOTATED, Mode.NATIVE])
@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_every_version_is_what_a_fresh_parse_gives(source: Path, mode: Mode):
    driver, documents, fresh = _driver(source), KeptDocuments(), DRIVERS[source.suffix]()
    counting = _Counting(driver)
    rng = random.Random(f"{source.name}-{mode.value}")
    original = source.read_bytes()
    data = original
    documents.parse(driver, ParseRequest(content=data.decode("utf-8"), filename=source.name, document="d",
                                         mode=mode))
    for round_ in range(40):
        # A few edits one after another, then back to the file as it was (a new series: Go's
        # parser gives no tree for a broken text, and the next parse then has nothing to reuse).
        edit = _edit(rng, original if round_ % 4 == 0 else data, INSERTS[source.suffix])
        base = original if round_ % 4 == 0 else data
        data = base[:edit.start] + edit.text.encode("utf-8") + base[edit.end:]
        if round_ % 4 == 0:
            answer = documents.parse(driver, ParseRequest(content=data.decode("utf-8"), filename=source.name,
                                                          document="d", mode=mode))
        else:
            answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(data),
                                                        filename=source.name, mode=mode))
        expected = fresh.parse(ParseRequest(content=data.decode("utf-8"), filename=source.name, mode=mode))
        assert answer.uast == expected.uast and answer.errors == expected.errors, f"after {edit}"
    assert counting.kept, "no statement was ever kept: the reuse was never tried"


def _kept_after(name: str, source: str, edited: str, mode: Mode = Mode.SEMANTIC) -> int:
    """Parse `source` as a kept document, then `edited`: the answer must be a fresh parse's.
    How many items the native side sent as kept."""
    driver, documents = _driver(Path(name)), KeptDocuments()
    counting = _Counting(driver)
    documents.parse(driver, ParseRequest(content=source, filename=name, document="d", mode=mode))
    answer = documents.parse(driver, ParseRequest(content=edited, filename=name, document="d", mode=mode))
    expected = DRIVERS[Path(name).suffix]().parse(ParseRequest(content=edited, filename=name, mode=mode))
    assert answer.uast == expected.uast
    return counting.kept


@pytest.mark.parametrize("name", ["a.js", "a.ts"])
def test_a_kept_document_is_kept_while_the_idle_parser_warms_up(name: str):
    """parse.js reads a sample of its own while it waits (warmUp): the document it keeps is still
    the one it reuses from after that."""
    source = "function f() { return 1; }\n\nfunction g() { return 2; }\n"
    driver, documents = _driver(Path(name)), KeptDocuments()
    counting = _Counting(driver)
    documents.parse(driver, ParseRequest(content=source, filename=name, document="d"))
    time.sleep(0.5)  # idle: the sample is read meanwhile, over and over
    edited = source.replace("return 2", "return 22")
    answer = documents.parse(driver, ParseRequest(content=edited, filename=name, document="d"))
    assert answer.uast == DRIVERS[Path(name).suffix]().parse(ParseRequest(content=edited, filename=name)).uast
    assert counting.kept == 1  # f


def test_a_parser_whose_input_closed_ends_without_warming_up():
    """A caller that is done closes parse.js's stdin: the program answers what it read and ends,
    instead of reading its sample 300 times (1.6 s of CPU here) for requests that cannot come."""
    driver = _driver(Path("a.js"))
    command = driver.native.command
    process = subprocess.Popen([shutil.which(command[0]) or command[0], *command[1:]], cwd=driver.native.cwd,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b'{"content": "let x = 1;", "filename": "a.js"}\n')
    process.stdin.close()
    answer = process.stdout.read()  # to its end: the program's
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert b'"ast"' in answer and process.returncode == 0
    # The CPU time of the whole process: its start and one parse, not the warm-up's rounds.
    cpu = usage.ru_utime + usage.ru_stime
    assert cpu < 1.0, f"{cpu:.2f} s of CPU"


CPP = ("int f() { return 1; }\n\nnamespace n {\nint g() { return 2; }\nint h() { return 3; }\n}\n\n"
       "int k() { return 4; }\n")


@pytest.mark.parametrize(("edited", "kept"), [
    # In a function's body: what is before it and after it (in its namespace and outside).
    (CPP.replace("return 2", "return 22"), 3),
    # A macro defined in a body reaches what follows: only what is before is kept.
    (CPP.replace("return 2;", "return 2;\n#define h x\n"), 1),
    # A brace left open is an error at the end, which changes how clang reads what it is in.
    (CPP.replace("return 2;", "return 2; {"), 0),
    # Outside any function: what is before.
    (CPP.replace("int h()", "long h()"), 2),
])
def test_cpp_keeps_what_an_edit_cannot_reach(edited: str, kept: int):
    assert _kept_after("a.cpp", CPP, edited) == kept


@functools.cache
def _clang_ast() -> tuple[ModuleType, ModuleType]:
    """The C/C++ driver's native program as a module of this process (its Parser, to count its
    clang parses; it puts its own folder on sys.path), and libclang's bindings, loaded once."""
    driver = _driver(Path("a.cpp"))
    spec = importlib.util.spec_from_file_location("clang_ast", driver.folder / "native" / "clang_ast.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, module.load_cindex(str(driver.build))


def test_cpp_an_item_placed_partly_outside_its_key_is_not_kept():
    """clang places some nodes nowhere (an unnamed parameter of libstdc++'s pair, at 0): the host
    moves a kept item's positions by as much as its key moved, so such an item is converted
    again each time."""
    clang_ast, _ = _clang_ast()
    data = b"int a;\nint b;\n"
    first = clang_ast.KeptItems(data, 1, b"", None, lambda last, start, end: False, [])
    assert first.number(0, [(0, 5), (7, 12)], 0, len(data)) == [-1, -1]
    first.check(0, 0, {"@type": "VarDecl", "@pos": {"start": 0, "end": 5}})
    first.check(0, 1, {"@type": "VarDecl", "@pos": {"start": 7, "end": 12},
                       "Parameter": {"@type": "ParmDecl", "@pos": {"start": 0, "end": 0}}})
    edited = data + b"// typed\n"
    second = clang_ast.KeptItems(edited, 2, b"", first, lambda last, start, end: False, [])
    assert second.number(0, [(0, 5), (7, 12)], 0, len(edited)) == [0, -1]


@pytest.mark.parametrize(("name", "old", "new", "once"), [
    ("kept_items.c", "Puts a value", "Puts one value", True),  # in a block comment
    ("kept_items.c", "first in the list.", "first in the list!", True),
    ("kept_items.hpp", "for the driver's", "for the drivers'", True),  # in a line comment
    ("kept_items.hpp", "}  // namespace v1", "}  // namespace v1, v2", True),  # at its end
    ("kept_items.c", "Puts a value", "Puts */ a value", False),  # closed before its end now
    ("kept_items.hpp", "C:\\counts there", "C:\\", False),  # a line splice, the line after in it
    ("kept_items.hpp", "for the driver's", "for the\ndriver's", False),  # a line break
    ("kept_items.c", "int largest(void)", "int largest2(void)", False),  # code
])
def test_a_comment_edit_reads_the_prelude_learned_before(name: str, old: str, new: str, once: bool,
                                                         monkeypatch: pytest.MonkeyPatch):
    """An edit inside a comment, which stays one comment on the same lines, is parsed once, with
    the prelude the learner's rounds gave the last text (they would give it again), in the last
    text's translation unit: the tree is a fresh parse's.  Any other edit is learned from
    nothing (these files need 2 rounds or more)."""
    clang_ast, cindex = _clang_ast()
    source = (ROOT / "tests" / "data" / name).read_text(encoding="utf-8")
    assert source.count(old) == 1
    edited = source.replace(old, new)
    expected = clang_ast.Parser(cindex).parse(edited, name)
    parser = clang_ast.Parser(cindex)
    parser.parse(source, name)
    parses: list[str] = []
    index_parse, reparse = parser.index.parse, cindex.TranslationUnit.reparse
    monkeypatch.setattr(parser.index, "parse", lambda *args, **kwargs: parses.append("parse") or index_parse(
        *args, **kwargs))
    monkeypatch.setattr(cindex.TranslationUnit, "reparse", lambda *args, **kwargs: parses.append("reparse") or reparse(
        *args, **kwargs))
    assert parser.parse(edited, name) == expected
    assert parses == ["reparse"] if once else len(parses) >= 2 and "reparse" not in parses


# A comment put beside a statement, which the parser hangs on it: Babel on the statements before
# and after it; go/ast on a spec it ends the line of (ValueSpec.Comment), past the declaration's end.
BESIDE = {
    "a.js": ("function f() { return 1; }\n\nfunction g() { return 2; }\n", "\n\nfunction g",
             "\n// about g\nfunction g"),
    "a.go": ("package p\n\nvar x int\n\nfunc f() {}\n", "var x int\n", "var x int // about x\n"),
}


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.NATIVE])
@pytest.mark.parametrize("name", list(BESIDE))
def test_a_comment_beside_a_statement_is_seen(name: str, mode: Mode):
    source, old, new = BESIDE[name]
    kept = _kept_after(name, source, source.replace(old, new), mode)
    if name.endswith(".js"):
        # Semantic mode drops the comments Babel hangs on statements: both are kept.  The native
        # tree shows the comment on f (trailing) and on g (leading): neither is.
        assert kept == (2 if mode is Mode.SEMANTIC else 0)


def _js_tree(lists: dict[tuple[str, str], list[Any]]) -> dict[str, Any]:
    members = {"@type": "ClassBody", "body": lists["ClassBody", "body"]}
    statements = [*lists["Program", "body"], {"@type": "ClassDeclaration", "id": None, "body": members}]
    return {"@type": "File", "program": {"@type": "Program", "body": statements}, "comments": lists["File", "comments"]}


def _java_tree(lists: dict[tuple[str, str], list[Any]]) -> dict[str, Any]:
    anonymous = {"@type": "AnonymousClassDeclaration", "bodyDeclarations": lists["AnonymousClassDeclaration",
                                                                                 "bodyDeclarations"]}
    types = [{"@type": kind, "bodyDeclarations": found, "modifiers": None, "name": None}
             for (kind, field), found in lists.items() if field == "bodyDeclarations" and kind != anonymous["@type"]]
    types[0]["superclassType"] = anonymous
    return {"@type": "CompilationUnit", "imports": None, "package": None,
            "types": [*lists["CompilationUnit", "types"], *types], "comments": lists["CompilationUnit", "comments"]}


# Each driver's tree around the lists it keeps, as its native side sends it.
CONTAINERS = {
    JavaScriptDriver: _js_tree,
    TypeScriptDriver: _js_tree,
    GoDriver: lambda lists: {"@type": "File", "Name": None, "Decls": lists["File", "Decls"], "Imports": None,
                             "Comments": lists["File", "Comments"]},
    JavaDriver: _java_tree,
    RubyDriver: lambda lists: {"@type": "file", "file": {"@type": "begin", "body": lists["begin", "body"]},
                               "comments": lists["file", "comments"]},
    PhpDriver: lambda lists: {"@type": "Module", "children": [
        *lists["Module", "children"],
        {"@type": "Stmt_Namespace", "name": None, "stmts": [
            *lists["Stmt_Namespace", "stmts"],
            *({"@type": kind, "name": None, "stmts": found} for (kind, field), found in lists.items()
              if kind not in ("Module", "Stmt_Namespace"))]}]},
}


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.ANNOTATED, Mode.NATIVE])
@pytest.mark.parametrize("kind", list(CONTAINERS), ids=lambda kind: kind.__name__)
def test_the_containers_of_kept_items_leave_them_as_they_are(kind: type[NativeDriver], mode: Mode):
    """A transform or child roles of a type around the kept lists would change a kept item a
    second time: whatever they do (PHP's put a class's statements in a block), they leave the
    items themselves alone, in the tree."""
    driver = kind()
    assert driver.reuse is not None
    lists = {list_kind: [{"@type": "uast:Identifier", "Name": f"a{n}", "@role": ["Identifier"],
                          "@pos": {"start": 0, "end": 1}},
                         {"@type": "uast:Comment", "Text": f"b{n}", "@pos": {"start": 2, "end": 5}}]
             for n, list_kind in enumerate(driver.reuse.kinds)}
    items = [item for found in lists.values() for item in found]
    before = copy.deepcopy(items)
    tree = CONTAINERS[kind]({list_kind: list(found) for list_kind, found in lists.items()})
    normalised = driver.normalizer.run(tree, b"a /**/", mode, done={id(item) for item in items})
    reached = {id(node) for node in native_objects(normalised)}  # a kept item may be in a new block
    assert all(id(item) in reached for item in items), "a kept item is not in the tree any more"
    assert items == before


def test_an_answer_that_names_what_is_not_held_is_parsed_again_whole():
    reuse = ItemReuse((("Program", "body"),))
    fields = reuse.fields(None, "semantic", True)
    tree = {"@type": "File", "program": {"@type": "Program", "body": [{KEPT: 0}]}}
    assert reuse.take(tree, {"kept": fields["keep"], "starts": [[0]]}, fields, "semantic", int) is None
    # Numbered past its starts: the two sides do not agree.
    fields = reuse.fields(None, "semantic", True)
    tree = {"@type": "File", "program": {"@type": "Program", "body": [{"@type": "EmptyStatement"}] * 2}}
    assert reuse.take(tree, {"kept": fields["keep"], "starts": [[0]]}, fields, "semantic", int) is None
    # An answer of a native program that does not know the fields: nothing kept, nothing held.
    tree = {"@type": "File", "program": {"@type": "Program", "body": [{"@type": "EmptyStatement"}]}}
    assert reuse.take(tree, {}, reuse.fields(None, "semantic", True), "semantic", int) is None
    assert reuse.token is None


def test_a_native_parser_restarted_between_edits_answers_whole(tmp_path: Path):
    source = (ROOT / "tests" / "universal_samples" / "javascript" / "inventory.js").read_text(encoding="utf-8")
    driver, documents = _driver(Path("a.js")), KeptDocuments()
    documents.parse(driver, ParseRequest(content=source, filename="a.js", document="d"))
    driver.native.close()  # its kept keys are gone; this side still holds the statements
    edited = source + "\nlet tail = 1;\n"
    answer = documents.parse(driver, ParseRequest(content=edited, filename="a.js", document="d"))
    assert answer.uast == JavaScriptDriver().parse(ParseRequest(content=edited, filename="a.js")).uast


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.NATIVE])
def test_the_members_around_the_one_typed_in_are_kept(mode: Mode):
    source = "class A {\n  m1() { return 1; }\n\n  m2() { return 2; }\n\n  m3() { return 3; }\n}\nlet b = 1;\n"
    # m1, m3 and the statement after the class
    assert _kept_after("a.js", source, source.replace("return 2", "return 22"), mode) == 3


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.NATIVE])
def test_members_of_a_class_inside_a_member_are_numbered_as_the_native_side_numbers_them(mode: Mode):
    """A list's items are numbered all at once, then walked: the members of a class in a method
    come after every member of the class around it."""
    source = ("class A {\n  m() {\n    return class B {\n      x() { return 1; }\n      y() { return 2; }\n    };\n"
              "  }\n  n() { return 3; }\n}\n")
    # n, x and y
    assert _kept_after("a.js", source, source.replace("  m() {\n", "  m() {\n    let q = 1;\n"), mode) == 3


def test_a_ruby_statement_is_kept_only_if_it_reads_the_same_wherever_it_is():
    """`x` is a local variable after `x = 1` and a method call without it: only what opens a
    scope of its own (a def, a class) is kept."""
    source = "x = 1\ndef f\n  y\nend\nx\n"
    assert _kept_after("a.rb", source, source.replace("x = 1\n", "")) == 1  # the def


@pytest.mark.parametrize("mode", [Mode.SEMANTIC, Mode.NATIVE])
def test_a_member_of_a_class_kept_whole_is_not_taken_again_for_its_twin(mode: Mode):
    """The same text in two places is the same key: a member that lay in a class kept whole
    this time is one subtree with that class, and cannot also stand for its twin elsewhere."""
    driver, documents, fresh = _driver(Path("a.js")), KeptDocuments(), JavaScriptDriver()
    texts = ["class A {\n  m() {}\n}\nclass B {\n  n() {}\n}\n",
             "class A {\n  m() {}\n}\nclass B {\n  n() {}\n  x\n}\n",  # B is new, and so is its x
             "class A {\n  x\n  m() {}\n}\nclass B {\n  n() {}\n  x\n}\n"]  # B is kept; A's x has the key of B's
    documents.parse(driver, ParseRequest(content=texts[0], filename="a.js", document="d", mode=mode))
    for before, after in itertools.pairwise(texts):
        edit = TextEdit(0, len(before.encode()), after)
        answer = documents.edit(driver, EditRequest(document="d", edits=[edit], digest=document_digest(after.encode()),
                                                    filename="a.js", mode=mode))
        expected = fresh.parse(ParseRequest(content=after, filename="a.js", mode=mode))
        assert answer.uast == expected.uast
