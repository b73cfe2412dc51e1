"""Protocol 1.3: a parse may ask for its tree as a node table, for its outline and for its folds,
which the driver makes in its own process.  Each part is exactly what the host would make from the tree;
a table the plan cannot read comes with its tree; a driver of an older protocol sends the tree,
and the host's answers are the same."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from conftest import faulty_spec

from bblfsh_lsp.documents import DocumentStore, ParsedDocument
from bblfsh_lsp.parsing import FileParse
from bblfsh_lsp.positions import TextIndex
from driver_runtime.pool import DriverPool
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk import node_table
from driver_runtime.sdk.documents import MAX_KEPT_RESULT_BYTES, KeptDocuments
from driver_runtime.sdk.folding import folds, folds_as_data
from driver_runtime.sdk.outline import outline, symbol_kinds, symbols_as_data
from driver_runtime.sdk.protocol import (
    METHOD_PARSE,
    PART_FOLDS,
    PART_OUTLINE,
    PART_TABLE,
    PART_UAST,
    EditRequest,
    Mode,
    ParseRequest,
    ParseResult,
    TextEdit,
    document_digest,
    request_frame,
)
from driver_runtime.sdk.structure import Structure
from driver_runtime.service import DriverService

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SOURCE = (EXAMPLES / "python" / "inventory" / "models.py").read_text(encoding="utf-8")


def _table_bytes(result: dict) -> bytes:
    return base64.b64decode(result["table"], validate=True)


def _expected(text: str, tree: dict, kinds: dict) -> tuple[bytes, list]:
    """What the host makes of a tree: its table's bytes and its outline's data."""
    data = text.encode("utf-8")
    index = TextIndex(text, "utf-16")
    table = node_table.build(tree, index.lines.starts, len(data))
    return table.encode(), symbols_as_data(outline(tree, index, kinds=kinds))


@pytest.fixture
async def python_pool():
    spec = Registry.bundled().get("python")
    assert spec is not None
    pool = DriverPool(ProcessRuntime(), spec)
    try:
        yield pool, symbol_kinds(spec.manifest.symbol_kinds)
    finally:
        await pool.close()


async def test_the_parts_are_what_the_host_makes_of_the_tree(python_pool):
    pool, kinds = python_pool
    whole = await pool.request(METHOD_PARSE, ParseRequest(content=SOURCE, filename="models.py"))
    assert "table" not in whole and "outline" not in whole  # the default: the tree alone
    table, symbols = _expected(SOURCE, whole["uast"], kinds)
    assert symbols, "the example has an outline"

    only = await pool.request(METHOD_PARSE, ParseRequest(content=SOURCE, filename="models.py",
                                                         parts=(PART_TABLE, PART_OUTLINE)))
    assert only.get("uast") is None  # not asked for, and the table is regular
    assert _table_bytes(only) == table
    assert only["outline"] == symbols

    both = await pool.request(METHOD_PARSE, ParseRequest(content=SOURCE, filename="models.py",
                                                         parts=(PART_UAST, PART_TABLE)))
    assert both["uast"] == whole["uast"] and _table_bytes(both) == table and "outline" not in both


async def test_an_edited_document_gets_the_parts_of_its_new_text(python_pool):
    pool, kinds = python_pool
    document = "file:///models.py"
    text = SOURCE
    await pool.parse_document(ParseRequest(content=text, filename="models.py", document=document))
    text = text.replace("class ", "class Renamed_", 1)
    edited = await pool.parse_document(ParseRequest(content=text, filename="models.py", document=document,
                                                    parts=(PART_TABLE, PART_OUTLINE)))
    fresh = await pool.request(METHOD_PARSE, ParseRequest(content=text, filename="models.py"))
    table, symbols = _expected(text, fresh["uast"], kinds)
    assert _table_bytes(edited) == table
    assert edited["outline"] == symbols
    assert any(symbol[0].startswith("Renamed_") for symbol in edited["outline"])


async def test_a_table_the_plan_cannot_read_comes_with_its_tree(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec(), fast_pool_settings)
    try:
        nested = await pool.request(METHOD_PARSE, ParseRequest(content="nested", language="faulty",
                                                               parts=(PART_TABLE,)))
        assert node_table.decode(_table_bytes(nested)).irregular
        assert nested["uast"]["Items"] == [[{"@type": "faulty:Item", "@pos": {"start": 0, "end": 6}}]]
        plain = await pool.request(METHOD_PARSE, ParseRequest(content="ok", language="faulty", parts=(PART_TABLE,)))
        assert not node_table.decode(_table_bytes(plain)).irregular and plain.get("uast") is None
    finally:
        await pool.close()


async def test_a_driver_of_protocol_1_2_sends_the_tree_whatever_the_parts(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec("--protocol=1.2"), fast_pool_settings)
    try:
        answer = await pool.request(METHOD_PARSE, ParseRequest(content="ok", language="faulty",
                                                               parts=(PART_TABLE, PART_OUTLINE)))
        assert answer["uast"]["@type"] == "faulty:File"
        assert "table" not in answer and "outline" not in answer
    finally:
        await pool.close()


def test_a_request_with_the_default_parts_is_the_1_2_request():
    """An older driver is never sent a field it does not know unless a caller asks for parts."""
    assert b"parts" not in request_frame(1, METHOD_PARSE, ParseRequest(content="x"))
    assert b'"parts":["table"]' in request_frame(1, METHOD_PARSE, ParseRequest(content="x", parts=(PART_TABLE,)))


@pytest.mark.parametrize("outline_data", [
    "symbols", [["f", 12, 0, 1, 0, 1]], [["f", 99, 0, 1, 0, 1, []]], [[1, 12, 0, 1, 0, 1, []]],
])
def test_an_outline_that_is_not_one_is_computed_again(outline_data):
    parsed = FileParse("x.py", "x = 1\n", ParseResult(language="python", outline=outline_data, table="@@@"))
    assert parsed.symbols() is None
    assert parsed.table() is None and parsed.table_data() is None


async def test_the_folds_are_what_the_host_makes_of_the_tree(python_pool):
    pool, kinds = python_pool
    whole = await pool.request(METHOD_PARSE, ParseRequest(content=SOURCE, filename="models.py"))
    index = TextIndex(SOURCE, "utf-16")
    structure = Structure(whole["uast"], len(index.data))
    expected = folds_as_data(folds(structure, outline(whole["uast"], index, structure, kinds), index))
    assert expected, "the example has folds"
    views = await pool.request(METHOD_PARSE, ParseRequest(content=SOURCE, filename="models.py",
                                                          parts=(PART_OUTLINE, PART_FOLDS)))
    assert views["folds"] == expected and views.get("uast") is None


class CountingDriver:
    """Parses nothing: counts the parses it is asked for (the subject is the kit's documents)."""

    def __init__(self) -> None:
        self.parses = 0

    def parse(self, request: ParseRequest) -> ParseResult:
        self.parses += 1
        return ParseResult(language="x", uast={"@type": "x:File", "parses": self.parses})


def test_the_same_text_asked_again_is_answered_from_the_last_parse():
    driver, documents = CountingDriver(), KeptDocuments()
    first = documents.parse(driver, ParseRequest(content="abc", document="d"))
    same = documents.edit(driver, EditRequest(document="d", edits=[TextEdit(3, 3, "")],
                                              digest=document_digest(b"abc")))
    assert same is first and driver.parses == 1
    native = documents.edit(driver, EditRequest(document="d", edits=[], digest=document_digest(b"abc"),
                                                mode=Mode.NATIVE))
    assert native is not first and driver.parses == 2  # another mode: parsed
    edited = documents.edit(driver, EditRequest(document="d", edits=[TextEdit(3, 3, "d")],
                                                digest=document_digest(b"abcd"), mode=Mode.NATIVE))
    assert edited.uast["parses"] == 3
    documents.close("d")
    again = documents.parse(driver, ParseRequest(content="abcd", document="d", mode=Mode.NATIVE))
    assert again.uast["parses"] == 4  # closed: nothing kept
    big = "x" * (MAX_KEPT_RESULT_BYTES + 1)
    documents.parse(driver, ParseRequest(content=big, document="b"))
    documents.edit(driver, EditRequest(document="b", edits=[], digest=document_digest(big.encode())))
    assert driver.parses == 6  # a large text's tree is not held between requests


class Recording:
    """The runtime's DriverService, and the parts each parse asked for."""

    def __init__(self, service: DriverService):
        self.service = service
        self.asked: list[tuple[str, ...]] = []

    async def parse(self, *args: object, parts: tuple[str, ...] = ("uast",), **options: object) -> ParseResult:
        self.asked.append(parts)
        return await self.service.parse(*args, parts=parts, **options)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.service, name)


async def test_an_open_document_s_views_come_without_its_tree_until_a_request_needs_it(service):
    parser = Recording(service)
    store = DocumentStore(parser)  # type: ignore[arg-type]
    uri = "file:///models.py"
    store.update(uri, 1, SOURCE, "models.py")
    parsed = await store.with_tree(uri)
    assert parsed.tree is None and parsed.parsed and parser.asked == [(PART_OUTLINE, PART_FOLDS)]
    local = TextIndex(SOURCE, "utf-16")
    whole = await service.parse(SOURCE, "models.py")
    structure = Structure(whole.uast, len(local.data))
    kinds = symbol_kinds(service.manifest("python").symbol_kinds)
    symbols = outline(whole.uast, local, structure, kinds)
    assert parsed.symbols == symbols and parsed.folds == folds(structure, symbols, local)
    full = await store.with_tree(uri, whole=True)
    assert full.tree == whole.uast and full.version == 1 and full.symbols == symbols
    assert parser.asked[-1] == (PART_UAST, PART_OUTLINE, PART_FOLDS)
    assert await store.with_tree(uri, whole=True) is full  # asked once per version
    assert len(parser.asked) == 2
    store.close(uri)


async def test_an_answer_asked_once_is_made_with_every_new_parse_and_is_that_version_s(service):
    """The editor asks the outline after each keystroke: once asked, it is made in the worker
    that prepares a new parse's views, and the request only reads it; it is the answer the
    maker gives for that very version, never an older one's."""
    from bblfsh_lsp.features import document_symbols

    made: list[int] = []

    def make(parsed: ParsedDocument) -> list[dict[str, object]]:
        made.append(parsed.version)
        return document_symbols(parsed)

    store = DocumentStore(service)
    uri = "file:///models.py"
    store.update(uri, 1, SOURCE, "models.py")
    first = await store.with_tree(uri)
    assert not first.answers  # nothing asked yet: nothing made
    assert await first.answer("outline", make) == document_symbols(first) and made == [1]
    store.answers["outline"] = make
    edited = SOURCE + "\ndef added():\n    pass\n"
    store.update(uri, 2, edited, "models.py")
    second = await store.with_tree(uri)
    assert made == [1, 2] and second.version == 2
    assert "added" in [symbol["name"] for symbol in second.answers["outline"]]
    assert await second.answer("outline", make) is second.answers["outline"] and made == [1, 2]  # read, not made

    def broken(parsed: ParsedDocument) -> None:
        raise RuntimeError("a bug in one answer")

    store.answers["broken"] = broken
    store.update(uri, 3, SOURCE, "models.py")
    third = await store.with_tree(uri)  # the parse and its other answers stand
    assert third.parsed and third.version == 3 and "outline" in third.answers and "broken" not in third.answers
    with pytest.raises(RuntimeError, match="a bug in one answer"):  # the request fails as it always did
        await third.answer("broken", broken)
    store.close(uri)
