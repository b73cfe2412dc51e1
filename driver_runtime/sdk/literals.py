"""String literals' values as their languages read them (escapes decoded): for the drivers that
parse those languages, a language's own driver and the universal driver alike."""

from __future__ import annotations

import re
from typing import Any

from driver_runtime.sdk import nodes

# --- Go ----------------------------------------------------------------------------------------

_GO_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_GO_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", "'": "'", '"': '"'}


def go_unquote(literal: str) -> str:
    """A Go string literal's value (strconv.Unquote); bytes that are not UTF-8 become U+FFFD."""
    if literal.startswith("`"):
        return literal[1:-1].replace("\r", "")
    inner = literal[1:-1]
    if "\\" not in inner:
        return inner
    out = bytearray()
    last = 0
    for match in _GO_ESCAPE.finditer(inner):
        out += inner[last:match.start()].encode("utf-8")
        code = match.group(1)
        if code[0] in "xX" and len(code) == 3:
            out.append(int(code[1:], 16))
        elif len(code) == 3 and code.isdigit():
            out.append(int(code, 8) & 0xFF)
        elif code[0] in "uU" and len(code) > 1:
            out += chr(min(int(code[1:], 16), 0x10FFFF)).encode("utf-8", "surrogatepass")
        else:
            out += _GO_SIMPLE.get(code, code).encode("utf-8")
        last = match.end()
    out += inner[last:].encode("utf-8")
    return out.decode("utf-8", "replace")



def go_import_path(path: dict[str, Any], written: str) -> dict[str, Any]:
    """A Go import's path (a uast:String, `written` its quoted text) as Babelfish's Go driver gave
    it: an identifier, or a qualified identifier of its "/" parts.  The whole spans the quoted
    literal; each part spans its own text when the literal has no escapes."""
    value = path.get("Value", "")
    pos = path.get("@pos")
    parts = value.split("/")
    if len(parts) == 1:
        return nodes.identifier(value, pos)
    exact = pos is not None and written[1:-1] == value
    names, offset = [], (pos or {}).get("start", 0) + 1
    for part in parts:
        size = len(part.encode("utf-8"))
        names.append(nodes.identifier(part, {"start": offset, "end": offset + size} if exact else None))
        offset += size + 1
    return nodes.qualified_identifier(names, pos)

# --- Java --------------------------------------------------------------------------------------

_JAVA_UNICODE_JAVA_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u+([0-9a-fA-F]{4})")
_JAVA_ESCAPE = re.compile(r"\\(?:([btnfrs\"'\\])|([0-3][0-7]{0,2}|[4-7][0-7]?)|(\r\n|\n|\r))")
_JAVA_SIMPLE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "s": " ", '"': '"', "'": "'", "\\": "\\"}


def _from_surrogates(text: str) -> str:
    """Pairs of UTF-16 surrogates (from \\uD835\\uDCCF) as the character they encode."""
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return text


def java_unescape(body: str) -> str:
    """A Java string literal's value from its text between the quotes: unicode escapes first
    (they are read before anything else), then the escape sequences."""
    if "\\" not in body:
        return body
    text = _JAVA_UNICODE_JAVA_ESCAPE.sub(lambda m: m.group(1) + chr(int(m.group(2), 16)), body)

    def escape(match: re.Match[str]) -> str:
        if match.group(1):
            return _JAVA_SIMPLE[match.group(1)]
        if match.group(2):
            return chr(int(match.group(2), 8))
        return ""  # a line continuation in a text block

    text = _JAVA_ESCAPE.sub(escape, text)
    return _from_surrogates(text) if any("\ud800" <= c <= "\udfff" for c in text) else text


# --- C and C++ ---------------------------------------------------------------------------------

# A string literal's pieces as written: a raw string (group 2, as it is) or a plain one (group 3,
# escapes to decode), with their encoding prefixes.
CPP_STRING_PIECE = re.compile(r'(?:u8|u|U|L)?R"([^()\\\s]{0,16})\((.*?)\)\1"|(?:u8|u|U|L)?"((?:[^"\\\n]|\\.)*)"',
                              re.DOTALL)
_CPP_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]+)|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.DOTALL)
_CPP_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "e": "\x1b"}


def cpp_unescape(text: str) -> str:
    """A plain C/C++ string piece's value: its escapes decoded (a malformed one is kept as written)."""
    def one(match: re.Match[str]) -> str:
        octal, hexa, short, long, other = match.groups()
        try:
            if octal is not None:
                return chr(int(octal, 8))
            if hexa is not None:
                return chr(int(hexa, 16) & 0x10FFFF)
            if short is not None or long is not None:
                return chr(int(short or long, 16))
        except ValueError:
            return match.group(0)
        return _CPP_SIMPLE.get(other, other)

    return _CPP_ESCAPE.sub(one, text)
