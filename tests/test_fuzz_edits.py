"""Property-based: random incremental edits keep the server's text equal to the editor's.

The model is the editor: a string, edited at LSP positions that a small reference written here
computes (LSP's line breaks "\\r\\n", "\\r", "\\n" and nothing else; characters counted in the
negotiated encoding; a character past its line's end is the line's end, a line past the text's
end is the text's end, as vscode-languageserver-textdocument does).  The texts are made of every
line break, the characters str.splitlines also breaks at (\\f \\v \\x1c \\x1d \\x1e \\x85 U+2028
U+2029), characters outside the BMP (two UTF-16 units, four UTF-8 bytes) and a combining mark.

1. In process, through the workspace the server's protocol installs (text_sync.LspWorkspace,
   updated as pygls's didChange handler updates it): after every edit, the document's text is
   the model's, and TextIndex (how the server turns UAST byte offsets into LSP positions) puts
   every character where the model does.
2. End to end, against the real server over stdio: the edits go into a Python string literal;
   after every edit bblfsh/parse gives the literal's value and its end, which must be the
   model's (the value with Python's newline translation, the end to the byte and the line).

Examples are bounded for CI (tests/fuzzing.py: BBLFSH_LSP_FUZZ_EXAMPLES=N for a longer run).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from fuzzing import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types
from raw_lsp import RawServer

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.text_sync import LspWorkspace

LINE_BREAKS = ["\n", "\r\n", "\r"]
NOT_LINE_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
PIECES = [*LINE_BREAKS, *NOT_LINE_BREAKS, "a", "bc", " ", "é", "中", "😀", "𝓏", "\u0301", "\t"]
ENCODINGS = ["utf-16", "utf-8", "utf-32"]

texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)


# --- the editor's model -------------------------------------------------------------------------

def model_lines(text: str) -> list[tuple[int, int]]:
    """(start, end before the line break) of each LSP line, found one character at a time."""
    lines, start, index = [], 0, 0
    while index < len(text):
        if text[index] in "\r\n":
            width = 2 if text[index:index + 2] == "\r\n" else 1
            lines.append((start, index))
            index += width
            start = index
        else:
            index += 1
    lines.append((start, len(text)))
    return lines


def units(text: str, encoding: str) -> int:
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text.encode("utf-8")) if encoding == "utf-8" else len(text)


def model_position(text: str, index: int, encoding: str) -> tuple[int, int]:
    """The LSP position of the character at index (index not inside a "\\r\\n")."""
    for line, (start, end) in enumerate(model_lines(text)):
        if start <= index <= end:
            return line, units(text[start:index], encoding)
    raise AssertionError(f"index {index} is inside a line break")


def model_index(text: str, line: int, character: int, encoding: str) -> int:
    """The index of an LSP position, clamped as LSP clamps it."""
    lines = model_lines(text)
    if line >= len(lines):
        return len(text)
    start, end = lines[line]
    for index in range(start, end + 1):
        if units(text[start:index], encoding) >= character:
            return index
    return end


@st.composite
def position(draw: st.DrawFn, text: str, encoding: str) -> tuple[int, int]:
    """A position in text: on a character boundary mostly; past a line's end or past the text
    sometimes."""
    kind = draw(st.sampled_from(["boundary"] * 6 + ["past-line-end", "past-text-end"]))
    if kind == "past-text-end":
        return len(model_lines(text)) + draw(st.integers(0, 3)), draw(st.integers(0, 5))
    index = draw(st.integers(0, len(text)))
    if 0 < index < len(text) and text[index - 1:index + 1] == "\r\n":
        index -= 1  # no position is between "\r" and "\n"
    line, character = model_position(text, index, encoding)
    if kind == "past-line-end":
        start, end = model_lines(text)[line]
        character = units(text[start:end], encoding) + draw(st.integers(1, 4))
    return line, character


@st.composite
def edits(draw: st.DrawFn, text: str, encoding: str, count: int) -> list[tuple[Any, str, str]]:
    """count changes (range or None for the whole text, new text), each with the model's text after it."""
    found = []
    for _ in range(count):
        new_text = draw(texts)
        if draw(st.integers(0, 19)) == 0:
            found.append((None, new_text, new_text))
            text = new_text
            continue
        start, end = draw(position(text, encoding)), draw(position(text, encoding))
        first, last = sorted([model_index(text, *start, encoding), model_index(text, *end, encoding)])
        text = text[:first] + new_text + text[last:]
        found.append(((start, end), new_text, text))
    return found


def change_event(edit_range: Any, new_text: str) -> Any:
    if edit_range is None:
        return types.TextDocumentContentChangeWholeDocument(text=new_text)
    (start_line, start_char), (end_line, end_char) = edit_range
    return types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=start_line, character=start_char),
                          end=types.Position(line=end_line, character=end_char)), text=new_text)


def change_json(edit_range: Any, new_text: str) -> dict[str, Any]:
    if edit_range is None:
        return {"text": new_text}
    (start_line, start_char), (end_line, end_char) = edit_range
    return {"range": {"start": {"line": start_line, "character": start_char},
                      "end": {"line": end_line, "character": end_char}}, "text": new_text}


# --- 1. in process: the server's document sync ----------------------------------------------------

@fuzz_settings(ci_examples=1000)
@given(data=st.data(), encoding=st.sampled_from(ENCODINGS), text=texts)
def test_document_text_is_the_editors_after_every_edit(data: st.DataObject, encoding: str, text: str):
    workspace = LspWorkspace(None, position_encoding=encoding)
    uri = "file:///fuzz.py"
    workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    changes = data.draw(edits(text, encoding, data.draw(st.integers(1, 12))))
    for version, (edit_range, new_text, want) in enumerate(changes, 2):
        identifier = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
        workspace.update_text_document(identifier, change_event(edit_range, new_text))
        document = workspace.get_text_document(uri)
        assert document.source == want, f"after the change of {edit_range} to {new_text!r}"
        assert "".join(document.lines) == want
        assert all(line.rstrip("\r\n").count("\r") + line.rstrip("\r\n").count("\n") == 0 for line in document.lines)


@fuzz_settings(ci_examples=1500)
@given(encoding=st.sampled_from(ENCODINGS), text=texts)
def test_text_index_puts_every_character_where_the_editor_has_it(encoding: str, text: str):
    index = TextIndex(text, encoding)  # type: ignore[arg-type]
    assert index.line_count == len(model_lines(text))
    offset = 0
    for position, ch in enumerate(text + " "):  # every character boundary, and the end
        if not (0 < position < len(text) and text[position - 1:position + 1] == "\r\n"):
            want = model_position(text, position, encoding)
            assert index.position(offset) == want, f"character {position} of {text!r}"
            assert index.offset(*want) == offset
        offset += len(ch.encode("utf-8"))


# --- 2. end to end: the real server's text --------------------------------------------------------

PREFIX, SUFFIX = 's = """', '"""\ndef marker():\n    return 1\n'
literal_texts = texts  # no quote, backslash or NUL in PIECES: the literal stays one string
_documents = itertools.count(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawServer]:
    root = tmp_path_factory.mktemp("fuzz-edits")
    workspace = root / "ws"
    workspace.mkdir()
    running = RawServer(workspace, root / "server.log")
    assert "result" in running.initialize("utf-16")
    yield running
    running.close()


def literal_as_parsed(server: RawServer, uri: str) -> dict[str, Any]:
    answer = server.call("bblfsh/parse", {"textDocument": {"uri": uri}, "mode": "native"})
    assert "result" in answer, answer
    assert answer["result"]["errors"] == [], answer["result"]["errors"]
    return answer["result"]["uast"]["body"][0]["value"]


def python_string_value(content: str) -> str:
    return content.replace("\r\n", "\n").replace("\r", "\n")  # CPython reads line ends as "\n"


def line_breaks(text: str) -> int:
    return len(model_lines(text)) - 1


@fuzz_settings(ci_examples=300)
@given(data=st.data(), content=literal_texts)
def test_server_text_is_the_editors_after_every_edit(server: RawServer, data: st.DataObject, content: str):
    uri = server.open(f"doc{next(_documents)}.py", PREFIX + content + SUFFIX)
    try:
        for version, (edit_range, new_text, want) in enumerate(
                data.draw(literal_edits(content, data.draw(st.integers(1, 6)))), 2):
            server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                     "contentChanges": [change_json(edit_range, new_text)]})
            literal = literal_as_parsed(server, uri)
            source = PREFIX + want + '"""'
            assert literal["@token"] == python_string_value(want), f"after the change of {edit_range} to {new_text!r}"
            end = literal["@pos"]["end"]
            assert end["offset"] == len(source.encode("utf-8")), f"after the change of {edit_range} to {new_text!r}"
            assert end["line"] == line_breaks(source) + 1
    finally:
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


@st.composite
def literal_edits(draw: st.DrawFn, content: str, count: int) -> list[tuple[Any, str, str]]:
    """Edits inside the literal's content, in utf-16 positions of the whole document; each with
    the content after it."""
    found = []
    for _ in range(count):
        new_text = draw(literal_texts)
        text = PREFIX + content + SUFFIX
        first = draw(st.integers(0, len(content)))
        last = draw(st.integers(first, len(content)))
        if 0 < first < len(content) and content[first - 1:first + 1] == "\r\n":
            first -= 1
        if 0 < last < len(content) and content[last - 1:last + 1] == "\r\n":
            last += 1
        start = model_position(text, len(PREFIX) + first, "utf-16")
        end = model_position(text, len(PREFIX) + last, "utf-16")
        content = content[:first] + new_text + content[last:]
        found.append(((start, end), new_text, content))
    return found


def test_the_model_counts_lsp_line_breaks_only():
    text = "a\r\nb\rc\nd\fe\u2028f"
    assert model_lines(text) == [(0, 1), (3, 4), (5, 6), (7, 12)]
    assert model_index(text, 3, 99, "utf-16") == 12 and model_index(text, 9, 0, "utf-16") == len(text)
    assert model_position("😀x", 1, "utf-16") == (0, 2)


@pytest.mark.parametrize("seed", range(4))
def test_line_starts_are_found_in_large_texts_wherever_the_breaks_fall(seed: int):
    """line_start counts breaks a chunk at a time and then in halves of a chunk: every line of
    texts larger than a chunk, with every kind of break (a "\\r\\n" is one, wherever a chunk or a
    half would cut it), starts where the model says."""
    import random

    from bblfsh_lsp.text_sync import _CHUNK, line_start

    rng = random.Random(seed)
    pieces = ["\r\n", "\r", "\n", "\r\n\r\n", "\n\r", "x" * 3, "y" * 70, "\u2028", "😀"]
    text = "".join(rng.choice(pieces) for _ in range(2 * _CHUNK // 8))
    # A "\r\n" across the first chunk's end, and one across the middle of a line-sized range.
    text = text[:_CHUNK - 1] + "\r\n" + text[_CHUNK + 1:]
    starts = [start for start, _ in model_lines(text)]
    assert len(text) > _CHUNK and len(starts) > 1000
    for line, start in enumerate(starts):
        assert line_start(text, line) == start, line
    assert line_start(text, len(starts)) is None
