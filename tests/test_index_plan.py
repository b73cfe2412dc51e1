"""Query plans (bblfsh_lsp/index/plan.py) against the full evaluator.

A plan answers from a file's node table what `bblfsh_lsp.query.find` answers from its tree: the
same matches, sorted and deduplicated the same way, and the same value.  Checked on real trees
(every sample of tests/universal_samples, tests/data and examples/, parsed by the real drivers as
local processes), on hand-built trees with the view's corner cases (untyped objects, object
tokens, scalar lists, several roots...) and on seeded random trees; with every query of the test
suite that plans, and with a few hundred seeded random queries of the planned forms whose types,
fields, keys and values come from the trees themselves (so that many match).  Plans run on
tables read back from their bytes, as the index keeps them.  Requirements (the terms a file
must hold to match) are checked never to exclude a file the evaluator matches.
"""

from __future__ import annotations

import asyncio
import glob
import random
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
import zstandard

from bblfsh_lsp.index.plan import Plan, compile_plan, file_terms, requirements
from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query import Match, QueryError, compile_query, find
from driver_runtime.languages import LANGUAGES
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk import node_table
from driver_runtime.service import DriverService

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE_PREFIXES = tuple(language.name for language in LANGUAGES)
Answer = tuple[list[Match], Any]

BENCHMARK_QUERIES = [
    "//uast:FunctionGroup",
    "//python:Call[func/uast:Identifier[@Name='isinstance']]",
    "//*[@role='Function' and @role='Declaration']",
]

# Every query of tests/test_query.py, test_search_library.py, test_cli.py, test_lsp.py,
# test_views.py and the README (some are invalid or not planned: they still check requirements).
SUITE_QUERIES = [
    "(//uast:Identifier)[1]", "/*", "/..", "//*//*//*//*", "//*[1]", "//*[@*='x']",
    "//*[@*[name()='role']='Function' and @*[name()='role']='Declaration']",
    "//*[@role='Declaration' and @role='Function']", "//*[@role='Declaration' and @role='Type']",
    "//*[@role='Declaration' and not(@role='Function')]", "//*[@role='Function' and @role='Declaration']",
    "//*[@role='Function' and @role='Type']", "//*[@role='Function' and not(@role='Declaration')]",
    "//*[@role='Function' or @role='Type']", "//*[@start-col < 'x']", "//*[@start-col = 8][1]",
    "//*[@start-col=8]", "//*[@start-line=1 and @end-line=3]", "//*[boolean(@start-col = 8)]",
    "//*[local-name() = 'Identifier']", "//*[name() = 'uast:Identifier']", "//*[not(@role)]", "//*[text()='a']",
    "//A/@key", "//A[@key='val']", "//A[@keys or @key]", "//A[@keys='a']", "//A[@keys='b']", "//B", "//C",
    "//C | /A/key/text()", "//Ident", "//Ident[@role = 'Invalid']", "//Ident[@role = 'Name']",
    "//Ident[text() = 'A']", "//Identifier", "//d:X", "//go:File", "//map", "//nothing = false()",
    "//python:*[not(@role)]", "//python:Call", "//python:Call/@role = 'Call'", "//python:ClassDef",
    "//python:ClassDef | //uast:Identifier | //uast:Identifier/Name | //uast:Identifier/@Name",
    "//python:ClassDef[@token='Foo']", "//python:ClassDef[text()='Bar']", "//python:ClassDef[text()='Foo']",
    "//python:Constant[@token=42]", "//python:Constant[text()='42']", "//python:FunctionDef",
    "//python:FunctionDef[@role!='Function']", "//uast:Argument/Init[not(text()) and not(*)]/..",
    "//uast:Argument[@Init='']", "//uast:Argument[@N=3 and @F='2' and @G=0.5]",
    "//uast:Argument[@Variadic='false' and @Receiver='true']", "//uast:FunctionGroup",
    "//uast:FunctionGroup/Nodes/map[@async='false']", "//uast:Identifier", "//uast:Identifier/..",
    "//uast:Identifier/@Name", "//uast:Identifier/@Name != 5", "//uast:Identifier/@Name < 5",
    "//uast:Identifier/@Name = //Ident/text()", "//uast:Identifier/@Name = //uast:Identifier/Name",
    "//uast:Identifier/@Name = true()", "//uast:Identifier/@start-col = '8'", "//uast:Identifier/@start-col = 8",
    "//uast:Identifier/@start-col = 8.0", "//uast:Identifier/@start-col > //uast:Identifier/@start-offset",
    "//uast:Identifier/Name", "//uast:Identifier/Name/text()", "//uast:Identifier/Name[text() = 'Foo']/..",
    "//uast:Identifier/Name[text()='foo']/..", "//uast:Identifier[1]", "//uast:Identifier[@Name='Foo']",
    "//uast:Identifier[@Name='alpha']", "//uast:Identifier[@Name='b'][1]", "//uast:Identifier[@Name='foo']",
    "//uast:Identifier[@Name='nobody']", "//uast:Identifier[@Name='self']", "//uast:Identifier[@Name='x']",
    "//uast:Identifier[@Name='y']", "//uast:Identifier[@end-col]", "//uast:Identifier[@start-offset]",
    "//uast:Identifier[Name='bar']", "//uast:Identifier[last()]", "//uast:Identifier[not(@start-line)]",
    "//uast:Identifier[position() = 2]", "//uast:RuntimeImport", "//uast:String", "/@role", "/A",
    "/A/key/text() | //C", "/A/key[text() = 'other']", "/A/key[text() = 'val']", "/A/keys/text()", "/A/one",
    "/A/one/B", "/A/one/B | /A/one", "/A/one/B/..", "/A/sub", "/A/sub/C", "/text()",
    "/x:Node/token/uast:Identifier", "boolean(//*[@blah])", "boolean(//python:Call)", "boolean(//python:Lambda)",
    "boolean(//uast:RuntimeImport)", "boolean(/A)", "count((//uast:Identifier/ancestor-or-self::*)[1])",
    "count(//*)", "count(//*[@k = 2999]//uast:Identifier)", "count(//*[@role='Function'])",
    "count(//@role) div 2", "count(//python:BinOp[@role='Binary'])", "count(//python:Call)",
    "count(//python:ClassDef)", "count(//python:FunctionDef/@role)", "count(//uast:FunctionGroup)",
    "count(//uast:Identifier)", "count(//uast:Identifier/ancestor::*)",
    "count(//uast:Identifier/ancestor::python:Call)", "count(//uast:Identifier/following::k)", "count(/A/*)",
    "count(/A/@*)", "count(/A/@keys)", "count(/A/keys/text())", "count(/A/sub/*)",
    "count(/descendant::*[not(*)])", "count(/x:Node/grid/grid)", "d:X", "go:*", "go:File", "python:*",
    "python:Module", "uast:*", "uast:File", "(node-set)",
]

# More of the planned forms, and of what must not plan, on the trees below.
EXTRA_QUERIES = [
    "//uast:FunctionGroup//uast:Identifier", "//uast:FunctionGroup//uast:Identifier[@Name='self']",
    "//uast:FunctionGroup/Nodes/uast:Function//uast:Identifier", "//uast:FunctionGroup//Nodes/uast:Alias",
    "//*[.//uast:Identifier[@Name='self'] and @role='Function']", "count(//uast:Identifier[@Name='self'])",
    "//uast:Function/Type/uast:FunctionType/Arguments/uast:Argument", "//uast:Function/*/uast:FunctionType",
    "//uast:Function/*//uast:Identifier", "//uast:FunctionGroup[.//uast:Identifier[@Name='self']]",
    "//uast:FunctionGroup[not(.//uast:Identifier[@Name='self'])]", "//*/uast:Identifier", "//Name/uast:Identifier",
    "//uast:Identifier | //uast:String", "//uast:Block[*/uast:Return]", "//uast:Block[Stmts/uast:Return | */uast:If]",
    "//uast:Identifier[@Name != 'self']", "//uast:Identifier[@Name >= 'a']", "//uast:String[@Value = 1]",
    "/descendant-or-self::node()/child::uast:Identifier", "/descendant::uast:Alias[@role]",
    "//uast:FunctionGroup/descendant::uast:Identifier", "not(//uast:Import)", "boolean(//uast:Import)",
    "count(//uast:Identifier | //uast:Alias)", "count(//A/sub/*)", "//A[one/B]", "//A[sub/*]", "//A[one/uast:B]",
    "//A[uast:B]", "/A/one/B[@role]", "//uast:Identifier[not(@Name='x' or @Name='y')]", ".//uast:Identifier",
    "//python:Module/body//uast:Identifier", "//python:Module//body/uast:Identifier", "//x:Node[token/uast:Identifier]",
    "//*[@x = 7]", "//*[@x != 7]", "//*[@x < 7.5]", "//*[7 > @x]", "//*['1' = @flag]", "//*[@flag = 'true']",
    "//*[@none = '']", "//*[@nums = 2]", "//*[@nums = '2']", "//*[@role = 'Name' or @token = 'A']",
]

UNPLANNED = [
    "//uast:Identifier[1]", "//uast:Identifier[last()]", "//uast:Identifier/Name", "//uast:Identifier/@Name",
    "//uast:Identifier/..", "//uast:Identifier[text()='x']", "//uast:Identifier[@start-offset = 3]",
    "//*", "count(//*)", "//Name", "//map", "//*[not(@role='Function')]", "//*[.//uast:Identifier]",
    "//uast:Identifier/ancestor::uast:Block", "//uast:Identifier[Name='x']", "//uast:Identifier[@Name=1e3]",
    "//Name//uast:Identifier", "//uast:Block/Stmts", "//uast:Block/Stmts[uast:Return]/uast:Return",
    "string(//uast:Identifier)", "count(//uast:Identifier) > 1", "//*[@* = 'x']", "//uast:Identifier[@Name=$x]",
    "//uast:Identifier[contains(@Name, 'x')]", "(//uast:Identifier)[@Name='x']", "/", "//uast:Identifier[true()]",
    "//uast:Identifier[@Name = @Other]", "//uast:Identifier[-1 = @x]", "//uast:Identifier/self::uast:Identifier",
    "//Name/map", "//*/map", "//uast:Block//*", "//uast:Block/*", "//uast:Block[*]", "//uast:Block[Stmts]",
]


# --- the trees --------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class Document:
    name: str
    tree: Any
    index: TextIndex
    table: node_table.NodeTable  # read back from its bytes, as the index keeps it
    terms: frozenset[str]


def document(name: str, tree: Any, text: str) -> Document:
    index = TextIndex(text, "utf-8")
    table = node_table.build(tree, index.lines.starts, len(index.data))
    decoded = node_table.decode(table.encode())
    return Document(name, tree, index, decoded, frozenset(file_terms(table)))


def sample_paths() -> list[str]:
    samples = [path for path in glob.glob(str(ROOT / "tests/universal_samples/*/*"))
               if not path.endswith("expected.txt")]
    return sorted(samples) + sorted(glob.glob(str(ROOT / "tests/data/*.py"))) + sorted(
        glob.glob(str(ROOT / "examples/**/*.py"), recursive=True))


async def parse_samples() -> list[Document]:
    service = DriverService(ProcessRuntime(), Registry.bundled())
    try:
        documents = []
        for path in sample_paths():
            text = Path(path).read_text(encoding="utf-8")
            result = await service.parse(text, path)
            documents.append(document(Path(path).relative_to(ROOT).as_posix(), result.uast, text))
        return documents
    finally:
        await service.close()


def hand_built() -> list[Document]:
    """The view's corner cases, as tests/test_query.py builds them, and a few more."""
    def ident(name: str, start: int | None = None, end: int | None = None) -> dict[str, Any]:
        node: dict[str, Any] = {"@type": "uast:Identifier", "Name": name}
        if start is not None:
            node["@pos"] = {"start": start, "end": end}
        return node

    filter_tree = {"@type": "uast:File", "Nodes": [ident("Foo", 7, 11),
                                                   {"@type": "Ident", "@token": "A", "@role": ["Identifier", "Name"]}]}
    object_tree = {"@type": "A", "key": "val", "keys": ["a", "b"], "one": {"@type": "B"},
                   "sub": [{"@type": "C"}, {"@type": "d:X"}]}
    functions = {"@type": "python:Module", "@role": ["File", "Module"], "body": [
        {"@type": "python:FunctionDef", "@token": "f", "@role": ["Declaration", "Function"],
         "body": [ident("x", 0, 1), {"@type": "python:Call", "func": ident("isinstance", 2, 12), "args": []}]},
        {"@type": "python:ClassDef", "@token": "K", "@role": ["Declaration", "Type"]},
        {"@type": "python:Call", "@role": ["Call", "Expression", "Function"], "func": ident("isinstance")}]}
    keyword = {"@type": "x:Node", "@token": {"@type": "uast:Identifier", "Name": "if", "@pos": {"start": 3, "end": 5}},
               "grid": [{"@type": "x:Cell", "x": 7, "flag": True}, {"@type": "x:Cell", "x": 7.5, "flag": None}]}
    scalars = {"@type": "uast:File", "Nodes": [
        {"x": 1, "flag": False, "none": None, "nums": [1, 2.0, "3", None, True], "empty": [], "@role": "Name"},
        {"@type": "", "mixed": ["a", {"@type": "uast:String", "Value": "1"}, 2], "token": "t"},
        {"@type": "map", "@token": 7, "role": "Extra"}, {"@type": "Plain", "Name": {"@type": "uast:Identifier",
                                                                                   "Name": "y"}}]}
    roots = [ident("a", 0, 1), {"@type": "uast:Block", "Stmts": [{"@type": "uast:Return"}, ident("b")]}]
    text = "abcdefghi\n\nxyz\n"
    return [document(name, tree, text) for name, tree in (
        ("filter", filter_tree), ("object", object_tree), ("functions", functions), ("keyword", keyword),
        ("scalars", scalars), ("roots", roots))]


TYPES = ["uast:Identifier", "uast:FunctionGroup", "uast:Alias", "uast:Block", "python:Call", "python:Name", "go:File",
         "Plain", "map", "", ":Odd", "uast:"]
ROLES = ["Function", "Declaration", "Identifier", "Call", ""]
FIELDS = ["Name", "Nodes", "body", "func", "token", "role", "Value", "map", "Plain"]
SCALARS = ["x", "", "Function", "1", " 2 ", "3.5", 7, 0, True, False, None, 2.0, "abc", "NaN", -1.5]


def random_object(rng: random.Random, depth: int, size: int) -> dict[str, Any]:
    """A UAST-shaped object: every JSON kind in fields, lists of objects and of scalars, mixed
    lists, empty lists, object tokens, roles as a list or one string.  (Not: "@type" null, a
    "@role" that is an object, a "@pos" that is not one: node tables do not take those yet.)"""
    node: dict[str, Any] = {}
    node_type = rng.choice(TYPES + [None])
    if node_type is not None:
        node["@type"] = node_type
    if rng.random() < 0.5:
        node["@role"] = rng.sample(ROLES, rng.randint(0, 3)) if rng.random() < 0.9 else rng.choice(ROLES)
    if rng.random() < 0.3:
        token = rng.choice(SCALARS) if depth == 0 or rng.random() < 0.8 else random_object(rng, depth - 1, size)
        node["@token"] = token
    if rng.random() < 0.7:
        start = rng.randint(0, size)
        node["@pos"] = {key: value for key, value in (("start", start), ("end", rng.randint(start, size)))
                        if rng.random() < 0.9}
    for _ in range(rng.randint(0, 4)):
        field, kind = rng.choice(FIELDS), rng.random()
        if depth == 0 or kind < 0.3:
            node[field] = rng.choice(SCALARS)
        elif kind < 0.5:
            node[field] = random_object(rng, depth - 1, size)
        elif kind < 0.75:
            node[field] = [random_object(rng, depth - 1, size) for _ in range(rng.randint(0, 3))]
        elif kind < 0.9:
            node[field] = [rng.choice(SCALARS) for _ in range(rng.randint(0, 3))]
        else:
            node[field] = [rng.choice(SCALARS) if rng.random() < 0.5 else random_object(rng, depth - 1, size)
                           for _ in range(rng.randint(0, 3))]
    return node


def random_trees(count: int) -> list[Document]:
    rng = random.Random(20240611)
    documents = []
    for number in range(count):
        size = rng.randint(0, 30)
        text = "".join(rng.choice("ab\n") for _ in range(size))
        tree: Any = random_object(rng, 3, size)
        if rng.random() < 0.1:
            tree = [random_object(rng, 2, size) for _ in range(rng.randint(1, 3))]
        documents.append(document(f"random {number}", tree, text))
    return documents


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return asyncio.run(parse_samples()) + hand_built() + random_trees(16)


# --- the evaluator and the plan -----------------------------------------------------------------


@cache
def compiled(text: str) -> Any:
    try:
        return compile_query(text, LANGUAGE_PREFIXES)
    except QueryError:
        return None


_answers: dict[tuple[str, str], Answer | None] = {}


def evaluated(text: str, doc: Document) -> Answer | None:
    """What today's evaluator answers (None: the query fails on this tree)."""
    key = (text, doc.name)
    if key not in _answers:
        try:
            _answers[key] = find(compiled(text), doc.tree, doc.index)
        except QueryError:
            _answers[key] = None
    return _answers[key]


def disagreements(plan: Plan, docs: list[Document]) -> Iterator[str]:
    for doc in docs:
        expected = evaluated(plan.text, doc)
        got = plan.run(doc.table)
        if got is None:
            if not doc.table.irregular:  # an irregular table is left to the evaluator
                yield f"{plan.text!r} on {doc.name}: no answer from the plan"
        elif got != expected:
            yield f"{plan.text!r} on {doc.name}: plan {got!r}, evaluator {expected!r}"


def excluded(text: str, docs: list[Document]) -> Iterator[str]:
    """Files the evaluator matches that the query's requirement would leave out."""
    requirement = requirements(text)
    for doc in docs:
        if all(doc.terms & alternatives for alternatives in requirement):
            continue  # a file the requirement keeps: nothing to check
        answer = evaluated(text, doc)
        if answer is not None and answer[0]:
            yield f"{text!r} requires {requirement} and matches in {doc.name}"


def test_the_benchmark_queries_plan_and_agree(documents: list[Document]):
    for text in BENCHMARK_QUERIES + ["count(//uast:FunctionGroup)"]:
        plan = compile_plan(text)
        assert plan is not None, text
        assert list(disagreements(plan, documents)) == []
    found = sum(len(evaluated(text, doc)[0]) for text in BENCHMARK_QUERIES for doc in documents)  # type: ignore[index]
    assert found > 200  # they match, so agreeing means something


def test_the_test_suite_s_queries_that_plan_agree_with_the_evaluator(documents: list[Document]):
    planned = [plan for text in SUITE_QUERIES + EXTRA_QUERIES
               if compiled(text) is not None and (plan := compile_plan(text)) is not None]
    assert len(planned) > 100
    problems = [problem for plan in planned for problem in disagreements(plan, documents)]
    assert problems == []
    matching = [plan.text for plan in planned if any(
        (answer := evaluated(plan.text, doc)) and (answer[0] or answer[1]) for doc in documents)]
    assert len(matching) > 60


def test_requirements_never_exclude_a_file_the_evaluator_matches(documents: list[Document]):
    queries = [text for text in SUITE_QUERIES + EXTRA_QUERIES + UNPLANNED if compiled(text) is not None]
    assert [problem for text in queries for problem in excluded(text, documents)] == []
    narrowing = [text for text in queries if requirements(text)]
    assert len(narrowing) > 80


def test_a_value_query_requires_nothing():
    # Its value is printed for every file, a file without matches too (count 0, false).
    for text in ["count(//uast:FunctionGroup)", "boolean(//python:Call)", "not(//python:Call)",
                 "//python:Call/@role = 'Call'", "count(//uast:Identifier[@Name='x']) > 1", "-//uast:Identifier",
                 "string(//uast:Identifier[@Name='x'])"]:
        assert requirements(text) == [], text


def test_requirements_name_types_and_values():
    def terms(*groups: tuple[str, ...]) -> list[frozenset[str]]:
        return [frozenset(group) for group in groups]

    assert requirements("//python:Call[func/uast:Identifier[@Name='isinstance']]") == terms(
        ("t:python:Call",), ("t:uast:Identifier",), ("v:isinstance",))
    assert requirements("//*[@role='Function' and @role='Declaration']") == terms(("v:Function",), ("v:Declaration",))
    assert requirements("//uast:Identifier | //uast:String") == terms(("t:uast:Identifier", "t:uast:String"))
    assert requirements("//*[@role='Function' or @token='x']") == terms(("v:Function", "v:x"))
    assert requirements("//python:ClassDef[text()='Foo']") == terms(("t:python:ClassDef",), ("v:Foo",))
    assert requirements("(//uast:Identifier)[1]/..") == terms(("t:uast:Identifier",))
    # What a file's terms cannot tell: no narrowing.
    for text in ["//uast:Identifier[@Name='" + "x" * 65 + "']", "//*[@start-line='1']", "//*[Name='x']",
                 "//*[not(@role='Function')]", "//*[@role!='Function']", "//*[@x=3]", "//*[@*='x']",
                 "//uast:*", "//Name", "//uast:Identifier[@Name=$x]", "//uast:Identifier[", ""]:
        assert all(not term.startswith("v:") for group in requirements(text) for term in group), text
    assert requirements("//*[@role='Function' or not(@role='Type')]") == []


def test_unsupported_forms_have_no_plan():
    assert [text for text in UNPLANNED if compile_plan(text) is not None] == []


def test_invalid_queries_have_no_plan():
    for text in ["", "  ", "//", "//uast:Identifier[", "//a]", "//a:b:c", "//uast : Identifier", "//x[1e3]",
                 "//é", "//uast:Identifier[@Name='x'", "count(//a, //b)", "//a |", "@"]:
        assert compile_plan(text) is None, text


def test_a_plan_knows_its_query_its_requirement_and_its_prefixes():
    text = "//python:Call[func/uast:Identifier[@Name='isinstance']] | //go:CallExpr"
    plan = compile_plan(text)
    assert plan is not None
    assert plan.text == text
    assert plan.requires == requirements(text)
    assert plan.prefixes == {"python", "uast", "go"}


def test_an_irregular_table_has_no_answer():
    # An array nested in an array is one more element in the view: the table cannot show it.
    tree = {"@type": "uast:File", "Nodes": [[{"@type": "uast:Identifier", "Name": "x"}]]}
    doc = document("nested", tree, "x")
    assert doc.table.irregular
    plan = compile_plan("//uast:Identifier")
    assert plan is not None
    assert plan.run(doc.table) is None
    assert evaluated("//uast:Identifier", doc) == ([Match(0, 0, "uast:Identifier", "x")], None)


def _in_zlib_format(data: bytes) -> bytes:
    """A table's bytes as a driver built with the kit before zstd encoded them (format 5: the
    same parts, each compressed with zlib)."""
    size = int.from_bytes(data[:4], "little")
    header = orjson.loads(data[4:4 + size])
    segments, at = [], 4 + size
    for length in header["segments"]:
        segments.append(zlib.compress(zstandard.ZstdDecompressor().decompress(data[at:at + length]), 1))
        at += length
    header.update(format=node_table.ZLIB_FORMAT, segments=[len(segment) for segment in segments])
    encoded = orjson.dumps(header)
    return b"".join([len(encoded).to_bytes(4, "little"), encoded, *segments])


def test_a_table_in_the_zlib_format_reads_the_same(documents: list[Document]):
    # What a driver of an older kit sends (a registry's image) is read, not parsed again.
    doc = max(documents, key=lambda doc: len(doc.table))
    data = node_table.build(doc.tree, doc.index.lines.starts, len(doc.index.data)).encode()
    current, older = node_table.decode(data), node_table.decode(_in_zlib_format(data))
    assert len(current) > 100
    for name in node_table._INT_COLUMNS:
        assert getattr(older, name) == getattr(current, name), name
    assert older.strings.texts() == current.strings.texts()
    plan = compile_plan("//uast:Identifier")
    assert plan is not None and plan.run(older) == plan.run(current)
    damaged = bytearray(data)
    damaged[-3] ^= 0xFF
    with pytest.raises(node_table.TableError):
        node_table.decode(bytes(damaged)).line_starts  # the last column, decompressed when read


def test_counts_and_booleans_are_the_evaluator_s_values(documents: list[Document]):
    for text in ["count(//uast:Identifier)", "count(//uast:Identifier | //uast:Alias)", "count(//go:Nope)",
                 "boolean(//uast:Identifier[@Name='self'])", "not(//uast:FunctionGroup)"]:
        plan = compile_plan(text)
        assert plan is not None
        for doc in documents:
            answer = plan.run(doc.table)
            if doc.table.irregular:
                continue
            assert answer == evaluated(text, doc)
            assert answer is not None and type(answer[1]) is type(evaluated(text, doc)[1])  # type: ignore[index]


# --- random queries of the planned forms ---------------------------------------------------------


class QueryMaker:
    """Random queries of the planned forms, built from what the tables hold: most of them from
    a real node and one of its ancestors (so that they match), some from any names found."""

    def __init__(self, rng: random.Random, docs: list[Document]):
        self.rng = rng
        self.docs = [doc for doc in docs if len(doc.table) > 1 and not doc.table.irregular]
        tables = [doc.table for doc in self.docs]
        self.types = sorted({name for t in tables for n in t.types if _is_type((name := t.strings[n]))})
        self.origins: list[Document] = []
        self.fields = sorted({t.strings[n] for t in tables for n in t.fields if n >= 0 and _is_name(t.strings[n])})
        pairs = {(t.strings[k], t.strings[v]) for t in tables for k, v in zip(t.attr_keys, t.attr_values)}
        self.pairs = sorted((k, v) for k, v in pairs if _is_name(k) and not k.endswith(("-offset", "-line", "-col"))
                            and len(v) < 40 and not ("'" in v and '"' in v))

    def type_test(self, table: node_table.NodeTable, node: int) -> str:
        name = table.strings[table.types[node]]
        if _is_type(name):
            return name if self.rng.random() < 0.85 else name.partition(":")[0] + ":*"
        return self.rng.choice(self.types)

    def attribute(self, table: node_table.NodeTable, node: int) -> str:
        """A comparison that holds for the node (mostly), or for others."""
        own = [(table.strings[table.attr_keys[at]], table.strings[table.attr_values[at]])
               for at in range(len(table.attr_nodes)) if table.attr_nodes[at] == node]
        own = [(k, v) for k, v in own if (k, v) in self.pairs]
        key, value = self.rng.choice(own) if own and self.rng.random() < 0.85 else self.rng.choice(self.pairs)
        literal = f"'{value}'" if "'" not in value else f'"{value}"'
        form = self.rng.random()
        if form < 0.6:
            return f"@{key}={literal}"
        if form < 0.7:
            return f"@{key}!={literal}"
        if form < 0.8:
            return f"@{key}"
        if form < 0.9:
            return f"{literal}=@{key}"
        op = self.rng.choice(["<", "<=", ">", ">=", "=", "!="])
        return f"@{key}{op}{self.rng.choice(['0', '1', '2.5', '7', '100'])}"

    def predicate(self, table: node_table.NodeTable, node: int, depth: int = 2) -> str:
        form = self.rng.random()
        if depth and form < 0.15:
            return f"{self.predicate(table, node, depth - 1)} and {self.predicate(table, node, depth - 1)}"
        if depth and form < 0.25:
            return f"{self.predicate(table, node, depth - 1)} or {self.predicate(table, node, depth - 1)}"
        if depth and form < 0.35:
            return f"not({self.predicate(table, node, depth - 1)})"
        if depth and form < 0.55:
            below = [n for n in range(node + 1, table.lasts[node] + 1)]
            if below:
                return self.relative(table, node, self.rng.choice(below), depth - 1)
        return self.attribute(table, node)

    def predicates(self, table: node_table.NodeTable, node: int, depth: int = 2) -> str:
        return "".join(f"[{self.predicate(table, node, depth)}]" for _ in range(self.rng.choice([0, 0, 0, 1, 1, 2])))

    def link(self, table: node_table.NodeTable, top: int, node: int) -> str:
        """How to get from `top` to `node`, one of its descendants."""
        parent = table.parents[node]
        field = table.strings[table.fields[node]]
        choices = ["//"]
        if parent == top:
            choices += [f"/{field}/", "/*/"] if _is_name(field) else ["/*/"]
        if _is_name(field):
            choices.append(f"//{field}/")
            head = node
            while table.parents[head] != top:
                head = table.parents[head]
            head_field = table.strings[table.fields[head]]
            if _is_name(head_field):
                choices.append(f"/{head_field}//")
        return self.rng.choice(choices)

    def relative(self, table: node_table.NodeTable, top: int, node: int, depth: int) -> str:
        link = self.link(table, top, node)
        path = "." + link if link.startswith("//") else link[1:]  # .//T, .//f/T, f/T, */T, f//T
        return path + self.type_test(table, node) + self.predicates(table, node, depth)

    def path(self) -> str:
        doc = self.rng.choice(self.docs)
        self.origins.append(doc)
        table = doc.table
        node = self.rng.randrange(len(table))
        chain = [node]
        while table.parents[chain[-1]] != -1 and len(chain) < 4:
            chain.append(table.parents[chain[-1]])
        tops = sorted(self.rng.sample(chain[1:], min(len(chain) - 1, self.rng.choice([0, 1, 1, 2]))))  # outermost first
        first = tops[0] if tops else node
        if self.rng.random() < 0.1:
            text = f"//*[{self.attribute(table, first)}]"
        else:
            text = f"//{self.type_test(table, first)}{self.predicates(table, first)}"
        for top, below in zip(tops, [*tops[1:], node]):
            text += self.link(table, top, below) + self.type_test(table, below) + self.predicates(table, below)
        return text

    def query(self) -> tuple[str, list[Document]]:
        """A query, and the trees it was made from."""
        self.origins = []
        form = self.rng.random()
        if form < 0.7:
            text = self.path()
        elif form < 0.85:
            text = f"{self.path()} | {self.path()}"
        else:
            text = f"{self.rng.choice(['count', 'boolean', 'not'])}({self.path()})"
        return text, self.origins


def _is_type(text: str) -> bool:
    prefix, colon, local = text.partition(":")
    return bool(colon) and _is_name(prefix) and _is_name(local)


def _is_name(text: str) -> bool:
    return bool(text) and (text[0].isascii() and (text[0].isalpha() or text[0] == "_")) and all(
        char.isascii() and (char.isalnum() or char in "_.-") for char in text)


def test_random_queries_of_the_planned_forms_agree_with_the_evaluator(documents: list[Document]):
    rng = random.Random(1234)
    maker = QueryMaker(rng, documents)
    made = dict(maker.query() for _ in range(320))
    valid = [text for text in made if compiled(text) is not None]
    planned = [plan for text in valid if (plan := compile_plan(text)) is not None]
    assert len(valid) > 0.95 * len(made)
    assert len(planned) > 0.9 * len(valid), [text for text in valid if compile_plan(text) is None][:20]
    problems: list[str] = []
    matched = 0
    for plan in planned:
        # Each query on the trees it was made from and ten more: the evaluator is the slow side.
        sample = list(dict.fromkeys(made[plan.text] + rng.sample(documents, 10)))
        problems += disagreements(plan, sample)
        problems += excluded(plan.text, sample)
        matched += any((answer := evaluated(plan.text, doc)) and (answer[0] or answer[1]) for doc in sample)
    assert problems == []
    assert matched > 0.5 * len(planned)
