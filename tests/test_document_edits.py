"""Protocol 1.2: a driver keeps the documents an editor has open and is sent their edits, not
their whole texts; the universal driver re-parses incrementally from its previous tree.  Every
answer is the one a whole-text parse gives."""

from __future__ import annotations

import random
from typing import Any

import pytest
from conftest import faulty_spec

from driver_runtime.drivers.universal.driver import UniversalDriver
from driver_runtime.pool import DriverPool, byte_edit
from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.documents import KeptDocuments, UnknownDocument
from driver_runtime.sdk.protocol import (
    METHOD_CLOSE,
    EditRequest,
    Mode,
    ParseRequest,
    TextEdit,
    apply_edits,
    converter,
    document_digest,
    speaks_documents,
)

RUST = """\
use std::fmt;

pub struct Point { x: f64, y: f64 }

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y) // é 𝓏
    }
}

fn main() {
    let p = Point { x: 1.0, y: 2.0 };
    println!("{}", p);
}
"""

PYTHON = """\
import os


class Shelf:
    '''Books, é 𝓏.'''

    def add(self, book, *, at=None):
        return [book, at]


def main(argv):
    shelf = Shelf()
    for name in argv:
        shelf.add(name)
"""


def random_edit(rng: random.Random, text: str) -> str:
    """The text after one edit an editor could make: typing, deleting, pasting, undoing a line."""
    start = rng.randrange(len(text) + 1)
    end = min(len(text), start + rng.choice((0, 0, 1, 3, 12)))
    inserted = rng.choice(("", "x", " ", "\n", "(", "}", "é", "𝓏", "fn g() {}\n", "def g():\n    pass\n", "'", "\"", "#"))
    return text[:start] + inserted + text[end:]


def test_byte_edit_is_the_one_edit_between_two_texts():
    rng = random.Random(7)
    text = PYTHON
    for _ in range(2000):
        new = random_edit(rng, text)
        edit = byte_edit(text.encode(), new.encode())
        assert apply_edits(text.encode(), [edit]) == new.encode()
        assert len(edit.text.encode()) <= len(new.encode())
        text = new if len(new) < 4000 else PYTHON
    same = byte_edit(b"abc", b"abc")
    assert (same.start, same.end, same.text) == (3, 3, "")
    # Never inside a character: é (c3 a9) -> è (c3 a8) replaces the whole character.
    accent = byte_edit("café".encode(), "cafè".encode())
    assert (accent.start, accent.end, accent.text) == (3, 5, "è")


@pytest.mark.parametrize("language, text", [("rust", RUST), ("python", PYTHON)])
def test_incremental_parses_are_whole_text_parses(language: str, text: str):
    """A hundred random edits in a row, each parsed from the previous tree: every answer, in
    every mode, is what a fresh parse of the same text gives."""
    driver, kept = UniversalDriver(), KeptDocuments()
    rng = random.Random(language)
    kept.parse(driver, ParseRequest(content=text, language=language, document="doc"))
    for step in range(100):
        new = random_edit(rng, text)
        mode = list(Mode)[step % 3]
        edit = byte_edit(text.encode(), new.encode())
        got = kept.edit(driver, EditRequest(document="doc", edits=[edit], digest=document_digest(new.encode()),
                                            language=language, mode=mode))
        fresh = driver.parse(ParseRequest(content=new, language=language, mode=mode))
        assert converter.unstructure(got) == converter.unstructure(fresh), f"step {step}: {edit}"
        text = new


def test_kept_documents_refuse_edits_of_another_text_and_forget_the_oldest():
    driver, kept = UniversalDriver(), KeptDocuments(max_documents=2)
    kept.parse(driver, ParseRequest(content="fn a() {}\n", language="rust", document="a"))
    wrong = EditRequest(document="a", edits=[TextEdit(0, 0, "x")], digest=document_digest(b"not it"), language="rust")
    with pytest.raises(UnknownDocument, match="not the one edited"):
        kept.edit(driver, wrong)
    with pytest.raises(UnknownDocument):  # refused once, forgotten: the host sends it whole
        kept.edit(driver, EditRequest(document="a", edits=[], digest=document_digest(b"fn a() {}\n"), language="rust"))
    with pytest.raises(UnknownDocument, match="outside"):
        kept.parse(driver, ParseRequest(content="x", language="rust", document="b"))
        kept.edit(driver, EditRequest(document="b", edits=[TextEdit(5, 9, "")], digest="", language="rust"))
    for name in ("c", "d", "e"):
        kept.parse(driver, ParseRequest(content="fn c() {}\n", language="rust", document=name))
    assert len(kept) == 2
    with pytest.raises(UnknownDocument):
        kept.edit(driver, EditRequest(document="c", edits=[], digest=document_digest(b"fn c() {}\n"), language="rust"))


def test_only_drivers_of_protocol_1_2_keep_documents():
    assert speaks_documents("1.2") and speaks_documents("1.10")
    assert not speaks_documents("1.1") and not speaks_documents("2.3") and not speaks_documents("x")


def record_methods(pool: DriverPool) -> list[str]:
    """The methods the pool's instances are asked, in order (an observer around the real call)."""
    sent: list[str] = []
    start = pool.runtime.start

    async def start_recording(spec: Any) -> Any:
        instance = await start(spec)
        request = instance.request

        async def recorded(method: str, params: Any = None, timeout: float | None = None) -> Any:
            sent.append(method)
            return await request(method, params, timeout)

        instance.request = recorded  # type: ignore[method-assign]
        return instance

    pool.runtime.start = start_recording  # type: ignore[method-assign]
    return sent


async def test_the_pool_sends_edits_to_the_instance_that_keeps_the_document():
    spec = Registry.bundled().get("universal")
    assert spec is not None
    pool = DriverPool(ProcessRuntime(), spec)
    sent = record_methods(pool)
    try:
        text = RUST
        request = ParseRequest(content=text, filename="main.rs", language="rust", document="file:///main.rs")
        first = await pool.parse_document(request)
        for typed in ("x", "y", "z"):
            text = text.replace("fn main() {", "fn main() {" + typed)
            answer = await pool.parse_document(ParseRequest(content=text, filename="main.rs", language="rust",
                                                            document="file:///main.rs"))
            fresh = UniversalDriver().parse(ParseRequest(content=text, filename="main.rs", language="rust"))
            assert answer == converter.unstructure(fresh)
        assert first["language"] == "rust"
        assert [method for method in sent if method != "info"] == ["parse", "edit", "edit", "edit"]
        # The driver forgot the document (closed behind the pool's back): the whole text again.
        held = pool._held["file:///main.rs"]
        await held.instance.request(METHOD_CLOSE, {"document": "file:///main.rs"})
        text += "\n"
        again = await pool.parse_document(ParseRequest(content=text, filename="main.rs", language="rust",
                                                       document="file:///main.rs"))
        assert again == converter.unstructure(UniversalDriver().parse(
            ParseRequest(content=text, filename="main.rs", language="rust")))
        assert [method for method in sent if method != "info"][-3:] == ["close", "edit", "parse"]
    finally:
        await pool.close()


async def test_a_driver_of_protocol_1_1_is_sent_whole_texts(fast_pool_settings):
    pool = DriverPool(ProcessRuntime(), faulty_spec("--protocol=1.1"), fast_pool_settings)
    sent = record_methods(pool)
    try:
        for content in ("ok", "ok ", "ok  "):
            answer = await pool.parse_document(ParseRequest(content=content, language="faulty", document="doc"))
            assert answer["uast"]["@pos"]["end"] == len(content)
        assert [method for method in sent if method != "info"] == ["parse", "parse", "parse"]
    finally:
        await pool.close()
