"""The driver protocol: the messages between a driver and whoever runs it.

The normative description is docs/driver-protocol.md; this module is its executable form and
is shared by both sides (the runtimes that call drivers, and the SDK that drivers are written
with).  It must stay importable on its own inside a driver image: attrs, cattrs and orjson only.
"""

from __future__ import annotations

import enum
import json
from typing import Any, NewType

import attrs
import cattrs
import orjson

PROTOCOL_VERSION = "1.3"
# Protocol 1.2: documents (a parse may keep its text under an id) and edits of them.
DOCUMENTS_SINCE = (1, 2)
# Protocol 1.3: a parse may ask for its tree as a node table, and for its outline (`parts`).  A
# driver that does not know `parts` ignores it and sends the tree, which a caller must take too.
PARTS_SINCE = (1, 3)
PART_UAST = "uast"  # the tree, as JSON
PART_TABLE = "table"  # the tree as a node table (node_table.py), base64: see ParseResult.table
PART_OUTLINE = "outline"  # the outline's symbols (outline.py): see ParseResult.outline
PART_FOLDS = "folds"  # the folding ranges (folding.py): see ParseResult.folds
DEFAULT_PARTS = (PART_UAST,)



def protocol_compatible(version: str) -> bool:
    """Whether a driver speaking `version` can be used: the same major version."""
    return version.partition(".")[0] == PROTOCOL_VERSION.partition(".")[0]


def _at_least(version: str, since: tuple[int, int]) -> bool:
    major, _, minor = version.partition(".")
    try:
        return (int(major), int(minor or 0)) >= since and protocol_compatible(version)
    except ValueError:
        return False


def speaks_documents(version: str) -> bool:
    """Whether a driver speaking `version` keeps documents and takes their edits (1.2+); an older
    one is sent whole texts."""
    return _at_least(version, DOCUMENTS_SINCE)


def speaks_parts(version: str) -> bool:
    """Whether a driver speaking `version` answers a request's parts (1.3+)."""
    return _at_least(version, PARTS_SINCE)


# A UAST travels as plain JSON (nested dicts and lists); it is never structured into classes,
# because it is large and its shape is open-ended.
RawUAST = NewType("RawUAST", object)


class Mode(str, enum.Enum):
    """How far a driver takes the tree (Babelfish's modes)."""

    NATIVE = "native"  # the parser's own AST, with positions
    ANNOTATED = "annotated"  # native nodes with roles
    SEMANTIC = "semantic"  # annotated, with uast:* nodes where a concept is universal


class ErrorCode(str, enum.Enum):
    """Why a request failed as a whole (a syntax error is not a request failure)."""

    INVALID_REQUEST = "invalid-request"
    UNKNOWN_METHOD = "unknown-method"
    UNSUPPORTED = "unsupported"
    INTERNAL = "internal"
    # An edit of a document the driver does not hold (never parsed with its id, forgotten, or
    # held at another text than the edit was made on): the host sends the whole text again.
    UNKNOWN_DOCUMENT = "unknown-document"


@attrs.frozen
class Position:
    offset: int  # 0-based UTF-8 byte offset
    line: int  # 1-based
    col: int  # 1-based byte column


@attrs.frozen
class ParseError:
    """A problem in the source (a syntax error), as data."""

    message: str
    start: Position | None = None
    end: Position | None = None


@attrs.frozen
class ParseRequest:
    content: str
    filename: str = ""
    language: str = ""
    mode: Mode = Mode.SEMANTIC
    # 1.2: keep this text (and what the driver can reuse of its parse) under this id, for edits.
    document: str = ""
    # 1.3: what the result holds (PART_UAST, PART_TABLE); the tree alone by default.
    parts: tuple[str, ...] = DEFAULT_PARTS


@attrs.frozen
class TextEdit:
    """Bytes start..end of a text (UTF-8 offsets) replaced by `text`."""

    start: int
    end: int
    text: str


@attrs.frozen
class EditRequest:
    """1.2: parse a kept document after edits, applied in order, each to the text the previous
    one made.  `digest` (document_digest) of the text they make: a driver that holds another text
    answers unknown-document rather than parse what the host does not have."""

    document: str
    edits: list[TextEdit]
    digest: str
    filename: str = ""
    language: str = ""
    mode: Mode = Mode.SEMANTIC
    parts: tuple[str, ...] = DEFAULT_PARTS  # 1.3, as for ParseRequest


@attrs.frozen
class CloseRequest:
    """1.2: forget a kept document."""

    document: str


def document_digest(data: bytes) -> str:
    """What an edit request says its result text is: a hash of its UTF-8 bytes."""
    import hashlib  # here: it loads OpenSSL, which a driver that is never sent an edit need not

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def apply_edits(data: bytes, edits: list[TextEdit]) -> bytes:
    """A text's UTF-8 bytes after edits, each applied to what the previous one made."""
    for edit in edits:
        if not 0 <= edit.start <= edit.end <= len(data):
            raise ValueError(f"edit {edit.start}..{edit.end} outside a text of {len(data)} bytes")
        data = data[:edit.start] + edit.text.encode("utf-8", "surrogatepass") + data[edit.end:]
    return data


@attrs.frozen
class ParseResult:
    """The answer to a parse request.

    A parse that hit syntax errors has ``errors`` and usually no ``uast``; a driver may still
    return a partial tree beside the errors.  ``table`` (1.3, when the request's parts asked for
    it): the tree as node_table.NodeTable.encode()'s bytes, in base64; the tree itself is then
    sent only if asked for too, or if the table is irregular (a reader of such a table needs
    the tree).  ``outline`` and ``folds`` (1.3, likewise): the outline's symbols and the folding
    ranges, as outline.symbols_as_data and folding.folds_as_data give them.
    """

    language: str
    uast: RawUAST | None = None
    errors: list[ParseError] = attrs.field(factory=list)
    table: str | None = None
    outline: RawUAST | None = None
    folds: RawUAST | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@attrs.frozen
class Manifest:
    """What a driver is: the same fields as its manifest.json and its image labels."""

    name: str  # the driver's name, e.g. "python"
    language: str  # Babelfish language name
    version: str  # the driver's own version
    protocol_version: str = PROTOCOL_VERSION
    aliases: list[str] = attrs.field(factory=list)
    extensions: list[str] = attrs.field(factory=list)  # with the dot: ".py"
    filenames: list[str] = attrs.field(factory=list)  # exact names: "SConstruct"
    interpreters: list[str] = attrs.field(factory=list)  # shebang programs: "python3"
    # The ids editors give its files (VS Code's language ids, Neovim's filetypes): "javascriptreact".
    # The server takes them as names of the language; the editor clients' lists are generated from them.
    editor_languages: list[str] = attrs.field(factory=list)
    parser: str = ""  # what parses, in words: "CPython ast 3.11"
    command: list[str] = attrs.field(factory=list)  # how the process runtime starts it
    # Native node types that are outline symbols, and their kind ("class", "interface", "struct",
    # "enum", "namespace", "constant", "variable", "field", "function", "method"): what the
    # roles cannot tell (Babelfish has no Interface or Struct role).  Protocol 1.1.
    symbol_kinds: dict[str, str] = attrs.field(factory=dict)
    # A driver of many languages (the universal driver) lists them here, and ``language`` is then
    # the driver's own name; a driver of one language leaves it empty.  Detection facts for these
    # languages come from the host's table (driver_runtime/languages.py), not from this manifest.
    languages: list[str] = attrs.field(factory=list)
    # Packaging, not protocol: other bundled driver folders this driver's code uses (TypeScript
    # runs the JavaScript driver's parser and tables); its image's build context holds them too.
    includes: list[str] = attrs.field(factory=list)


@attrs.frozen
class RequestError:
    code: ErrorCode
    message: str


class DriverRequestError(Exception):
    """A driver answered a request with an error (the request as a whole failed).

    Not in driver_runtime.errors' hierarchy: this module ships in driver images, without the host's
    modules; callers catch it beside DriverError."""

    def __init__(self, error: RequestError):
        super().__init__(f"{error.code.value}: {error.message}")
        self.error = error


converter = cattrs.Converter(omit_if_default=True)
converter.register_structure_hook(RawUAST, lambda value, _type: value)
converter.register_unstructure_hook(RawUAST, lambda value: value)


# --- framing: one JSON object per line, UTF-8, "\n"-terminated ---------------------------------

METHOD_PARSE = "parse"
METHOD_INFO = "info"
METHOD_EDIT = "edit"  # 1.2
METHOD_CLOSE = "close"  # 1.2


def encode(message: dict[str, Any]) -> bytes:
    """One frame: compact JSON and a newline (JSON never contains a raw newline)."""
    try:
        return orjson.dumps(message) + b"\n"
    except orjson.JSONEncodeError:
        # orjson stops at 255 levels of nesting and at lone surrogates ("\ud800" in a string
        # literal); the standard library handles both, more slowly.
        return json.dumps(message, separators=(",", ":")).encode("ascii") + b"\n"


class FrameTooDeep(ValueError):
    """A well-formed frame nested deeper than this process can decode."""


def decode(frame: bytes) -> dict[str, Any]:
    try:
        message = orjson.loads(frame)
    except orjson.JSONDecodeError:
        try:  # deep nesting or escaped surrogates; raises ValueError if the frame is broken
            message = json.loads(frame)
        except RecursionError:
            raise FrameTooDeep("the message is nested too deeply to decode") from None
    if not isinstance(message, dict):
        raise ValueError("a frame must hold a JSON object")
    return message


def request_frame(request_id: int, method: str, params: Any = None) -> bytes:
    message: dict[str, Any] = {"id": request_id, "method": method}
    if params is not None:
        message["params"] = converter.unstructure(params)
    return encode(message)


def result_frame(request_id: Any, result: Any) -> bytes:
    return encode({"id": request_id, "result": converter.unstructure(result)})


def error_frame(request_id: Any, code: ErrorCode, message: str) -> bytes:
    return encode({"id": request_id, "error": {"code": code.value, "message": message}})
