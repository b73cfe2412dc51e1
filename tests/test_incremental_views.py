"""After an edit, the universal driver converts only what changed (drivers/universal/memo.py) and
the outline and folds are made from the last ones (sdk/views.py): whatever the edits, every
answer is what the same parse converted and viewed from scratch gives.

The oracle is the same driver without its memo, fed the same edits: tree-sitter's incremental
parse of a text with errors may recover differently from a parse of the whole text, which is
tree-sitter's business, not the memo's."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from driver_runtime.drivers.python.driver import PythonDriver
from driver_runtime.drivers.universal.driver import UniversalDriver
from driver_runtime.pool import byte_edit
from driver_runtime.sdk.documents import KeptDocuments
from driver_runtime.sdk.folding import folds, folds_as_data
from driver_runtime.sdk.outline import outline, symbol_kinds, symbols_as_data
from driver_runtime.sdk.protocol import PART_FOLDS, PART_OUTLINE, EditRequest, ParseRequest, TextEdit, document_digest
from driver_runtime.sdk.reuse import Moves, move, positions
from driver_runtime.sdk.serve import with_parts
from driver_runtime.sdk.structure import Structure
from driver_runtime.sdk.text import Text
from driver_runtime.sdk.uast import LineStarts

HERE = Path(__file__).resolve().parent
SAMPLES = sorted(path for path in (HERE / "universal_samples").rglob("*") if path.is_file())
CONFORMANCE = HERE.parent.parent / "shared" / "conformance"
INSERTS = ["x", "\n", " ", "(", "\n\n", "}", "'", "1", "{", "# c\n", "// c\n"]


class WithoutMemo(UniversalDriver):
    def _memo_for(self, *args: object) -> None:
        return None


def conformance_files() -> list[Path]:
    if not CONFORMANCE.is_dir():
        return []
    found = []
    for folder in sorted(CONFORMANCE.iterdir()):
        if folder.is_dir():
            sources = sorted(path for path in folder.iterdir() if path.is_file() and not path.name.endswith(".uast"))
            found += sources[:: max(1, len(sources) // 4)][:4]  # a few per language, spread
    return found


def _edit(rng: random.Random, data: bytes) -> TextEdit:
    """Typing: a character at the end of a line, something anywhere, or a piece cut out."""
    text = data.decode("utf-8", "surrogatepass")
    if rng.random() < 0.4:
        lines = text.splitlines(keepends=True) or [""]
        line = rng.randrange(len(lines))
        at = sum(len(item) for item in lines[:line]) + len(lines[line].rstrip("\r\n"))
        inserted = " "
    else:
        at = rng.randrange(len(text) + 1)
        inserted = rng.choice(INSERTS)
    start = len(text[:at].encode("utf-8", "surrogatepass"))
    if rng.random() < 0.25 and at < len(text):
        return TextEdit(start, len(text[:at + rng.randint(1, 30)].encode("utf-8", "surrogatepass")), "")
    return TextEdit(start, start, inserted)


def _views_from_scratch(tree: object, data: bytes, kinds: dict) -> tuple[list, list]:
    text = Text(data)
    structure = Structure(tree, len(data))  # type: ignore[arg-type]
    symbols = outline(tree, text, structure, kinds)  # type: ignore[arg-type]
    return symbols_as_data(symbols), folds_as_data(folds(structure, symbols, text))


def _follow(path: Path, edits: int, language: str | None = None, held: list[int] | None = None) -> int:
    """Edit a file `edits` times through a driver with its memo and one without; every version's
    tree and views must agree.  The number of top-level nodes the memo gave back as they were;
    `held` gets, per version, the number of regions of them its views held (sdk.views)."""
    driver, oracle = UniversalDriver(), WithoutMemo()
    kinds = symbol_kinds(driver.manifest.symbol_kinds)
    documents, oracle_documents = KeptDocuments(), KeptDocuments()
    data = path.read_bytes()
    language = language or path.parent.name  # the samples' and fixtures' folders are named so
    opened = ParseRequest(content=data.decode("utf-8"), filename=path.name, language=language, document="d")
    result = documents.parse(driver, opened)
    oracle_documents.parse(oracle, opened)
    rng = random.Random(path.name)
    reused = 0
    for _ in range(edits):
        edit = _edit(rng, data)
        data = data[:edit.start] + edit.text.encode("utf-8", "surrogatepass") + data[edit.end:]
        request = EditRequest(document="d", digest=document_digest(data), edits=[edit], filename=path.name,
                              language=language)
        before = result.uast
        result = documents.edit(driver, request)
        kept_views = documents.views("d", kinds)
        regions_before = dict(kept_views._regions) if kept_views is not None else {}
        views = with_parts(result, (PART_OUTLINE, PART_FOLDS), data, kinds, kept_views, driver.moves)
        if held is not None and kept_views is not None:
            held.append(sum(kept_views._regions.get(first) is region for first, region in regions_before.items()))
        driver.moves.settle()  # as the kit does once the answer is sent
        expected = oracle_documents.edit(oracle, request)
        assert json.dumps(result.uast, sort_keys=True) == json.dumps(expected.uast, sort_keys=True), \
            f"{path.name}: the tree after {edit} is not the one converted from scratch"
        if isinstance(expected.uast, dict):
            assert [views.outline, views.folds] == [*_views_from_scratch(expected.uast, data, kinds)], \
                f"{path.name}: the outline or folds after {edit} are not those made from scratch"
        if isinstance(before, dict) and isinstance(result.uast, dict):
            old = {id(child) for child in before.get("children") or () if isinstance(child, dict)}
            reused += sum(id(child) in old for child in result.uast.get("children") or () if isinstance(child, dict))
    return reused


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: f"{path.parent.name}-{path.name}")
def test_every_language_sample_after_edits(path: Path):
    _follow(path, 12)


@pytest.mark.parametrize("path", conformance_files(), ids=lambda path: f"{path.parent.name}-{path.name}")
def test_babelfish_fixtures_after_edits(path: Path):
    _follow(path, 8)


def test_the_memo_gives_back_what_did_not_change():
    """Not a memo that is never used: most top-level nodes of a large file come back as the
    objects they were, and so do the symbols of the statements before an edit."""
    source = Path(random.__file__)
    reused = _follow(source, 10, "python")
    assert reused > 10 * 15  # random.py has 66 top-level nodes, 27 of them of MIN_BYTES or more

    driver = UniversalDriver()
    kinds = symbol_kinds(driver.manifest.symbol_kinds)
    documents = KeptDocuments()
    data = source.read_bytes()
    documents.parse(driver, ParseRequest(content=data.decode(), filename="random.py", language="python", document="d"))
    views = documents.views("d", kinds)
    first = views.make(documents.parse(driver, ParseRequest(content=data.decode(), filename="random.py",
                                                            language="python", document="d")).uast, Text(data))[0]
    end = len(data)
    data += b"\nx = 1\n"
    result = documents.edit(driver, EditRequest(document="d", digest=document_digest(data),
                                                edits=[TextEdit(end, end, "\nx = 1\n")], language="python"))
    second = views.make(result.uast, Text(data), driver.moves)[0]
    assert [symbol.name for symbol in second[:-1]] == [symbol.name for symbol in first] and second[-1].name == "x"
    kept = {new.name for new, old in zip(second, first) if new is old}  # kept, not made again
    assert {"Random", "SystemRandom", "_test"} <= kept  # the classes and functions; small constants are made again


TOP_LEVEL = {  # per language: pieces of a file's top level, {n} numbered
    "go": ["// comment {n}\n", "// a longer comment about the next declaration, number {n}\n",
           "import \"fmt{n}\"\n", "var v{n} = {n}\n", "type T{n} struct {{\n\ta int\n\tb string\n}}\n",
           "func f{n}(x int) int {{\n\tif x > {n} {{\n\t\treturn x\n\t}}\n\treturn {n}\n}}\n"],
    "c": ["// comment {n}\n", "#include <h{n}.h>\n", "static int v{n} = {n};\n",
          "struct s{n} {{\n  int a;\n  char *b;\n}};\n",
          "int f{n}(int x) {{\n  if (x > {n}) {{\n    return x;\n  }}\n  return {n};\n}}\n"],
    "javascript": ["// comment {n}\n", "import a{n} from 'm{n}';\n", "const c{n} = {n};\n",
                   "function f{n}(x) {{\n  if (x > {n}) {{\n    return x;\n  }}\n  return {n};\n}}\n",
                   "class C{n} {{\n  m(a) {{\n    return a + {n};\n  }}\n}}\n",
                   "class B{n} {{\n" + "".join(f"  // member {i}\n  m{i}(a) {{{{\n    return a + {i};\n  }}}}\n"
                                              for i in range(12)) + "}}\n"],
    "python": ["# comment {n}\n", "import m{n}\n", "X{n} = {n}\n", "x = {n}\n",
               "def f{n}(x):\n    if x > {n}:\n        return x\n    return {n}\n",
               "class C{n}:\n    def m(self):\n        return {n}\n",
               "class B{n}:\n" + "".join(f"    # member {i}\n    def m{i}(self):\n        return {i}\n"
                                          for i in range(12))],
    "rust": ["// comment {n}\n", "use m{n}::x;\n", "const C{n}: i32 = {n};\n",
             "fn f{n}(x: i32) -> i32 {{\n    if x > {n} {{\n        return x;\n    }}\n    {n}\n}}\n",
             "struct S{n} {{\n    a: i32,\n}}\n"],
}


@pytest.mark.parametrize("language", sorted(TOP_LEVEL))
def test_files_of_many_top_level_nodes_after_edits(language: str, tmp_path: Path):
    """A file of hundreds of top-level declarations and comments, as Go's and C's are, and
    classes of many members: runs of them come back from the memo in one step and are held by the
    views as regions, and every version's tree and views are still those made from scratch."""
    rng = random.Random(language)
    pieces = TOP_LEVEL[language]
    path = tmp_path / f"many.{language}"
    path.write_text("".join(rng.choice(pieces).format(n=n) for n in range(300)))
    held: list[int] = []
    reused = _follow(path, 40, language, held)
    assert reused > 40 * 150  # most of the ~300 top-level nodes, version after version
    assert sum(held) > 40 * 3  # of about 9 regions of 32, most are held each time


def test_python_driver_statements_keep_their_views():
    """The Python driver gives back its unchanged statements (drivers/python/reuse.py): the
    views made from the last ones are those made from scratch."""
    driver = PythonDriver()
    kinds = symbol_kinds(driver.manifest.symbol_kinds)
    documents = KeptDocuments()
    data = Path(random.__file__).read_bytes()
    documents.parse(driver, ParseRequest(content=data.decode(), filename="random.py", document="d"))
    rng = random.Random(3)
    for _ in range(15):
        lines = data.splitlines(keepends=True)
        line = rng.randrange(len(lines))
        at = sum(len(item) for item in lines[:line]) + len(lines[line].rstrip(b"\n"))
        inserted = rng.choice([" ", "  # note", "\n", "\n\n"])
        data = data[:at] + inserted.encode() + data[at:]
        result = documents.edit(driver, EditRequest(document="d", digest=document_digest(data),
                                                    edits=[TextEdit(at, at, inserted)]))
        views = with_parts(result, (PART_OUTLINE, PART_FOLDS), data, kinds, documents.views("d", kinds))
        assert [views.outline, views.folds] == [*_views_from_scratch(result.uast, data, kinds)]


def test_moves_and_the_positions_of_a_kept_conversion():
    """A position in two places of a subtree (a transform shares it) is listed once, and so is one
    a kept conversion shares with one kept inside it that its tree does not hold (PowerShell's
    parameters, which its FunctionGroup's arguments are too); top-level moves wait for settle()."""
    from driver_runtime.drivers.universal.memo import Kept

    shared = {"@pos": {"start": 10, "end": 12}}
    first, second = {"@pos": {"start": 8, "end": 20}, "a": shared}, {"b": [shared], "@pos": {"start": 10, "end": 30}}
    assert len(positions([first, shared])) == 2
    key = ("", "", "", b"", False)
    outer, inner = Kept(key, first, 0), Kept(key, {"list": [shared], "@pos": {"start": 9}}, 0)
    outer.inner.append(inner)
    assert len(outer.places()) == 3  # first's, shared's, the inner node's own
    moves = Moves()
    moves.begin()
    moves.now(outer.places(), 5)
    moves.later(second, 2, lambda: [second["@pos"]])
    assert moves.delta(second) == 2 and second["@pos"]["start"] == 10  # not moved yet
    moves.settle()
    assert (first["@pos"]["start"], shared["@pos"]["start"], inner.node["@pos"], second["@pos"]["start"]) == \
        (13, 15, {"start": 14}, 12)
    move(positions([first]), -3)  # each once: shared is in first's subtree twice
    assert (first["@pos"]["start"], shared["@pos"]["start"]) == (10, 12)


def test_line_starts_after_an_edit_are_those_of_the_new_text():
    """LineStarts.edited finds again only the lines around an edit: "\r" and "\n" it brings
    together or parts, at its ends, are one line break or two as in the new text."""
    rng = random.Random(7)
    pieces = [b"a", b"\r", b"\n", b"\r\n", b" ", "é".encode()]
    for _ in range(5000):
        old = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        start = rng.randint(0, len(old))
        end = rng.randint(start, len(old))
        inserted = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        new = old[:start] + inserted + old[end:]
        assert LineStarts(old).edited(start, end, len(inserted), new).starts == LineStarts(new).starts
    text = Text(b"a\r\nb\nc")
    assert text.edited([TextEdit(2, 3, ""), TextEdit(0, 0, "x\r")]).lines.starts == LineStarts(b"x\ra\rb\nc").starts


def _objects_once(tree: object) -> bool:
    """No object is in the tree twice (a kept conversion taken twice would be)."""
    seen: set[int] = set()
    stack = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, (dict, list)):
            if id(value) in seen and not (isinstance(value, dict) and set(value) <= {"start", "end"}):
                return False
            seen.add(id(value))
            stack.extend(value.values() if isinstance(value, dict) else value)
    return True


def test_pasted_copies_and_undo_take_each_conversion_once():
    """A function pasted twice, the original cut, then the cut undone: the same texts come and
    go, and what the memo gives back is each time what converting from scratch gives, every
    object in the tree once."""
    source = Path(random.__file__)
    data = source.read_bytes()
    start = data.index(b"    def shuffle(")
    end = data.index(b"    def sample(")
    chunk = data[start:end]
    versions = [data[:end] + chunk + chunk + data[end:],  # pasted twice after itself
                data[:start] + data[end:end] + chunk + chunk + data[end:],  # the original cut
                data[:end] + chunk + chunk + data[end:],  # the cut undone
                data]  # and the pastes
    driver, oracle = UniversalDriver(), WithoutMemo()
    documents, oracle_documents = KeptDocuments(), KeptDocuments()
    opened = ParseRequest(content=data.decode(), filename="random.py", language="python", document="d")
    documents.parse(driver, opened)
    oracle_documents.parse(oracle, opened)
    before = data
    for version in versions:
        request = EditRequest(document="d", digest=document_digest(version), edits=[byte_edit(before, version)],
                              filename="random.py", language="python")
        result = documents.edit(driver, request)
        driver.moves.settle()
        expected = oracle_documents.edit(oracle, request)
        assert json.dumps(result.uast, sort_keys=True) == json.dumps(expected.uast, sort_keys=True)
        assert _objects_once(result.uast)
        before = version


def test_every_declaration_of_kept_children_is_about_a_transform():
    """LanguageTable.keeps_children says a table transform leaves its node's children as made:
    a type without one is no declaration but a typo, which would keep nothing."""
    from driver_runtime.drivers.universal.tables import table_for

    languages = sorted(path.stem for path in (HERE.parent / "driver_runtime" / "drivers" / "universal" / "languages")
                       .glob("*.py") if not path.stem.startswith("_"))
    declared = 0
    for language in languages:
        table = table_for(language)
        assert set(table.keeps_children) <= set(table.transforms), language
        declared += len(table.keeps_children)
    assert declared > 20
