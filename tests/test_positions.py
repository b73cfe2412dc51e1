"""Byte offsets <-> LSP positions in utf-8, utf-16 and utf-32, on non-ASCII text."""

from __future__ import annotations

import pytest

from bblfsh_lsp.positions import TextIndex
from driver_runtime.sdk.uast import LineStarts, to_babelfish

TEXT = "ab\nxé𝓏y\r\n\tz\n"
#        line 0: "ab"; line 1: "x" "é"(2 bytes) "𝓏"(4 bytes, 2 utf-16 units) "y"; line 2: "\tz"


def offset_of(text: str, line: int, chars: int) -> int:
    lines = text.split("\n")
    return len("\n".join(lines[:line]).encode()) + (1 if line else 0) + len(lines[line][:chars].encode())


@pytest.mark.parametrize("encoding, y_character", [("utf-8", 1 + 2 + 4), ("utf-16", 1 + 1 + 2), ("utf-32", 3)])
def test_position_of_offset_counts_units_of_the_encoding(encoding, y_character):
    index = TextIndex(TEXT, encoding)
    y = offset_of(TEXT, 1, 3)
    assert index.data[y:y + 1] == b"y"
    assert index.position(y) == (1, y_character)
    assert index.offset(1, y_character) == y


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_round_trip_at_every_character_boundary(encoding):
    text = "héllo 𝓏𝓏 wörld\n日本語 x\n\nlast"
    index = TextIndex(text, encoding)
    for line_number, line in enumerate(text.split("\n")):
        for chars in range(len(line) + 1):
            offset = offset_of(text, line_number, chars)
            assert index.offset(*index.position(offset)) == offset


def test_ascii_text_is_identity_and_clamped():
    index = TextIndex("abc\ndef", "utf-16")
    assert index.position(5) == (1, 1)
    assert index.position(100) == (1, 3)
    assert index.position(-4) == (0, 0)
    assert index.offset(0, 99) == 3  # clamped to the line
    assert index.offset(9, 0) == len(index.data)


def test_utf16_position_inside_a_surrogate_pair_moves_past_it():
    index = TextIndex("𝓏x", "utf-16")
    assert index.offset(0, 1) == 4
    assert index.offset(0, 2) == 4
    assert index.offset(0, 3) == 5


def test_crlf_line_ends_exclude_the_carriage_return():
    index = TextIndex("ab\r\ncd", "utf-16")
    assert index.line_end(0) == 2
    assert index.offset(0, 5) == 2
    assert index.first_nonblank(1) == 4


def test_babelfish_positions_are_one_based_byte_columns():
    data = "é = 1\nx".encode()
    tree = {"@type": "t", "@pos": {"start": 7, "end": 8}, "k": [{"@pos": {"start": 0, "end": 2}}]}
    out = to_babelfish(tree, LineStarts(data))
    assert out["@pos"] == {"@type": "uast:Positions",
                           "start": {"@type": "uast:Position", "offset": 7, "line": 2, "col": 1},
                           "end": {"@type": "uast:Position", "offset": 8, "line": 2, "col": 2}}
    assert out["k"][0]["@pos"]["end"]["col"] == 3  # "é" is two bytes


@pytest.mark.parametrize("line_break", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_line_starts_follow_every_lsp_line_break(line_break: bytes):
    data = line_break.join([b"ab", b"", b"cd", b""])
    width = len(line_break)
    assert LineStarts(data).starts == [0, 2 + width, 2 + 2 * width, 4 + 3 * width]


def test_line_starts_in_mixed_line_breaks_count_crlf_once():
    assert LineStarts(b"a\rb\r\nc\nd\r\re").starts == [0, 2, 5, 7, 9, 10]


@pytest.mark.parametrize("character", ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_characters_that_str_splitlines_breaks_at_do_not_end_a_line(character: str):
    data = f"a{character}b\nc".encode()
    assert LineStarts(data).starts == [0, data.index(b"\n") + 1]


def test_positions_in_cr_only_text():
    text = "def f():\r    é = 1\r\rx"
    index = TextIndex(text, "utf-16")
    assert index.line_count == 4
    x = len(text.encode()) - 1
    assert index.position(x) == (3, 0) and index.offset(3, 0) == x
    e = text.encode().index("é".encode())
    assert index.position(e + 2) == (1, 5)  # after "    é"
    assert index.line_end(0) == 8 and index.offset(0, 99) == 8  # before the "\r"
    assert index.line_end(2) == index.lines.starts[2]  # an empty line between two "\r"
    assert to_babelfish({"@pos": {"start": x, "end": x + 1}}, index.lines)["@pos"]["start"]["line"] == 4


def test_an_empty_line_between_crlf_line_ends_has_no_negative_length():
    index = TextIndex("a\r\n\r\nb", "utf-16")
    assert [index.line_end(line) for line in range(3)] == [1, 3, 6]
    assert index.offset(1, 4) == 3
