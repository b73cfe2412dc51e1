"""A UAST as a node table: the parse in a compact, query-ready form, for an index to keep and for
a query plan to read without building any XML view.

Nodes are numbered in pre-order, which is the XPath view's document order (an object's fields
in their order).  Per node, in parallel integer columns: its type, its parent, the field of the
parent that holds it, the last node of its subtree (so that "B is under A" is a range test),
where a match on it is located (its span, else the extent of what it holds, else the span of
its nearest positioned ancestor: what the search prints), and its label.  The XPath view's
attributes of each node (every scalar field, each role, the token; positions excepted: the
span columns hold them) are (node, key, value) triples, in node order.  Every text is a number
into the table's strings (Strings: names, then labels, then values; string 0 is "").

A token that is an object (Babelfish's Python keywords) is held as if by a field named
``token``, as the view shows it.  A tree the view shows with elements that are not objects or
fields -- an array nested in an array, a token that is an array, a type that is not a string --
is marked `irregular`: a plan must leave such a tree to the full evaluator.

The table is encoded as bytes (NodeTable.encode: a JSON header, then the strings' parts and
the columns, each compressed on its own with zstd) to be stored or sent; `decode` reads them
back, and also the format before (zlib's), which a driver built with an older kit sends.
"""

from __future__ import annotations

import sys
import threading
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson
import zstandard

from driver_runtime.sdk.labels import label, xpath_string
from driver_runtime.sdk.uast import POS, ROLE, TOKEN, TYPE

FORMAT = 6
"""The encoding's version: what encode writes; a reader takes it and ZLIB_FORMAT, no other."""
ZLIB_FORMAT = 5
"""The format before, the same but for zlib's compression."""

# A table is encoded once per file parsed (by a driver, for every search without an index) and
# its columns decompressed by every query that reads them.  On the stdlib's tables, against
# zlib's fastest level: zstd's level 3 compresses 3x as fast, decompresses 2.5-4x as fast, and
# makes them 7% smaller.
_LEVEL = 3
# zstd's (de)compressors serve one thread at a time: one of each per thread.  A frame carries its
# checksum (as zlib's does): a damaged index is found, not read as other numbers.
_contexts = threading.local()


def _zstd_compress(data: bytes) -> bytes:
    compressor = getattr(_contexts, "compressor", None)
    if compressor is None:
        compressor = _contexts.compressor = zstandard.ZstdCompressor(level=_LEVEL, write_checksum=True)
    return compressor.compress(data)


def _zstd_decompress(data: bytes | memoryview) -> bytes:
    decompressor = getattr(_contexts, "decompressor", None)
    if decompressor is None:
        decompressor = _contexts.decompressor = zstandard.ZstdDecompressor()
    return decompressor.decompress(data)


Decompress = Callable[[memoryview], bytes]
_DECOMPRESS: dict[int, Decompress] = {FORMAT: _zstd_decompress, ZLIB_FORMAT: zlib.decompress}

NONE = -1
"""No such node (the root's parent), no field (the root's), no position."""

ROLE_KEY = "role"
TOKEN_KEY = "token"

_SHORT_NAME = 60  # labels.py's width: a name this short is its own label
_INT_COLUMNS = ("types", "parents", "fields", "lasts", "starts", "ends", "labels",
                "attr_nodes", "attr_keys", "attr_values", "line_starts")


class TableError(ValueError):
    """Bytes that are not a node table of this format."""


def _nested_objects(items: list[Any], key: int, into: list[tuple[int, dict[str, Any]]]) -> None:
    """The objects in an array nested in an array (at any depth), in order."""
    for item in items:
        if type(item) is dict:
            into.append((key, item))
        elif type(item) is list:
            _nested_objects(item, key, into)


class Strings(Sequence[str]):
    """A table's strings, in three parts numbered one after the other: the names (types,
    fields, attribute keys; string 0, "", first), the labels, and the attribute values.  Read
    from bytes, a part is decompressed when a number in it is first asked for: a plan for
    `//T` reads names and labels only, and the values (docstrings, comments) are most of it."""

    __slots__ = ("_loaded", "_counts", "_packed", "_decompress")

    def __init__(self, parts: list[list[str]] | None = None, counts: list[int] | None = None,
                 packed: list[memoryview] | None = None, decompress: Decompress = _zstd_decompress):
        self._loaded: list[str] = [item for part in parts for item in part] if parts else []
        self._counts = counts or [len(part) for part in parts or []]
        self._packed = packed or []  # the parts not decompressed yet, in order
        self._decompress = decompress

    def _load(self, wanted: int) -> None:
        while len(self._loaded) <= wanted and self._packed:
            self._loaded += _json_segment(self._packed.pop(0), self._decompress)

    def __getitem__(self, number: int) -> str:  # type: ignore[override]
        if number >= len(self._loaded) or number < 0:
            self._load(sum(self._counts) - 1 if number < 0 else number)
        return self._loaded[number]

    def __len__(self) -> int:
        return sum(self._counts)

    def __iter__(self) -> Iterator[str]:
        self._load(sum(self._counts) - 1)
        return iter(self._loaded)

    def texts(self) -> list[str]:
        """All the strings, in number order (every part decompressed): for a caller that reads
        many of them, a list indexes faster than this sequence."""
        self._load(sum(self._counts) - 1)
        return self._loaded

    @property
    def names(self) -> int:
        """How many strings are names (types, fields, keys): numbers 0 to names - 1."""
        return self._counts[0] if self._counts else 0

    def index(self, text: str, start: int = 0, stop: int = sys.maxsize) -> int:
        """The number of `text` between start and stop (ValueError if none): the parts already
        read first, and no part past `stop` (a name is looked up in the names only)."""
        while True:
            try:
                return self._loaded.index(text, start, stop)
            except ValueError:
                if not self._packed or len(self._loaded) >= stop:
                    raise
                self._load(len(self._loaded))

    def parts(self) -> list[list[str]]:
        self._load(sum(self._counts) - 1)
        out, at = [], 0
        for count in self._counts:
            out.append(self._loaded[at:at + count])
            at += count
        return out


class NodeTable:
    """The columns (arrays of 32-bit integers, one entry per node or per attribute) and the
    strings they number.  A table read from bytes unpacks a column when it is first used: a
    plan reads a few of them."""

    __slots__ = (*_INT_COLUMNS, "strings", "size", "irregular", "_packed", "_decompress")

    types: array[int]  # string number of @type ("" for an object without)
    parents: array[int]  # NONE for a root
    fields: array[int]  # string number of the parent's key (NONE for a root)
    lasts: array[int]  # the last node of the subtree
    starts: array[int]  # where a match on the node is (byte offsets; NONE: nowhere)
    ends: array[int]
    labels: array[int]  # string number of the node's label
    attr_nodes: array[int]  # the attributes, in node order: their node,
    attr_keys: array[int]  # their name (role, token, a scalar field's key)
    attr_values: array[int]  # and their value, as XPath reads it
    line_starts: array[int]  # byte offset of each line of the source

    def __init__(self, strings: Strings, *columns: array[int], size: int = 0, irregular: bool = False,
                 packed: dict[str, memoryview] | None = None, decompress: Decompress = _zstd_decompress):
        self.strings = strings
        self.size = size  # of the source, in bytes: a match is cut to it, as on a tree
        self.irregular = irregular
        self._packed = packed
        self._decompress = decompress
        if packed is None:
            for name, column in zip(_INT_COLUMNS, columns or [array("i") for _ in _INT_COLUMNS], strict=True):
                setattr(self, name, column)

    def __getattr__(self, name: str) -> array[int]:
        # Only called for a column not unpacked yet.
        packed = object.__getattribute__(self, "_packed")
        if packed is None or name not in packed:
            raise AttributeError(name)
        column = _unpack(packed[name], object.__getattribute__(self, "_decompress"))
        setattr(self, name, column)
        return column

    def __len__(self) -> int:
        return len(self.types)

    def encode(self) -> bytes:
        """The table as bytes: a small JSON header, then each part of the strings and each
        column compressed on its own (so that a reader decompresses only what it reads).  A
        column is split into its four byte planes, whose high ones are mostly zeros: it
        compresses as well as numbers made small would (a parent as the distance back to it...)
        while reading it back stays in C."""
        parts = self.strings.parts()
        segments = [_zstd_compress(orjson.dumps(part)) for part in parts]
        for name in _INT_COLUMNS:
            column = getattr(self, name)
            if sys.byteorder != "little":
                column = array("i", column)
                column.byteswap()
            data = column.tobytes()
            segments.append(_zstd_compress(data[0::4] + data[1::4] + data[2::4] + data[3::4]))
        header = orjson.dumps({"format": FORMAT, "irregular": self.irregular, "size": self.size,
                               "strings": [len(part) for part in parts],
                               "segments": [len(segment) for segment in segments]})
        return b"".join([len(header).to_bytes(4, "little"), header, *segments])


def _json_segment(data: memoryview, decompress: Decompress) -> list[str]:
    try:
        items = orjson.loads(decompress(data))
    except (zlib.error, zstandard.ZstdError, orjson.JSONDecodeError) as exc:
        raise TableError(f"a damaged node table: {exc}") from None
    if not isinstance(items, list):
        raise TableError("a damaged node table")
    return items


def _unpack(segment: memoryview, decompress: Decompress) -> array[int]:
    try:
        planes = decompress(segment)
    except (zlib.error, zstandard.ZstdError) as exc:
        raise TableError(f"a damaged node table: {exc}") from None
    count = len(planes) // 4
    if count * 4 != len(planes):
        raise TableError("a damaged node table")
    data = bytearray(4 * count)
    for plane in range(4):
        data[plane::4] = planes[plane * count:(plane + 1) * count]
    column = array("i")
    column.frombytes(data)
    if sys.byteorder != "little":
        column.byteswap()
    return column


def decode(data: bytes) -> NodeTable:
    """A table from `NodeTable.encode`'s bytes; TableError if they are not one.  Its parts are
    decompressed as they are used (a damaged one raises TableError then)."""
    try:
        raw = memoryview(data)
        size = int.from_bytes(raw[:4], "little")
        header = orjson.loads(raw[4:4 + size])
        decompress = _DECOMPRESS.get(header.get("format")) if isinstance(header, dict) else None
        if decompress is None:
            raise TableError("a node table of another format")
        lengths = [int(length) for length in header["segments"]]
        counts = [int(count) for count in header["strings"]]
        if len(lengths) != len(counts) + len(_INT_COLUMNS) or 4 + size + sum(lengths) != len(raw):
            raise TableError("a node table of the wrong length")
        segments, at = [], 4 + size
        for length in lengths:
            segments.append(raw[at:at + length])
            at += length
        strings = Strings(counts=counts, packed=segments[:len(counts)], decompress=decompress)
        packed = dict(zip(_INT_COLUMNS, segments[len(counts):], strict=True))
        return NodeTable(strings, size=int(header["size"]), irregular=bool(header["irregular"]), packed=packed,
                         decompress=decompress)
    except TableError:
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise TableError(f"not a node table: {exc}") from None


class _Numbers(dict):
    """Texts to their numbers, a new text numbered as it is first met."""

    __slots__ = ()

    def __missing__(self, text: str) -> int:
        number = self[text] = len(self)
        return number


def build(tree: Any, line_starts: list[int], size: int) -> NodeTable:
    """The node table of a wire-form UAST (positions as byte offsets) whose source has these
    line starts and `size` bytes.  A tree that is a list of objects has several roots."""
    # This runs once per node of every file indexed or searched cold: plain lists, texts
    # numbered by a dict's __missing__, bound methods in locals, the common keys first.
    numbers = _Numbers({"": 0, ROLE_KEY: 1, TOKEN_KEY: 2})
    role_key, token_key = 1, 2
    types: list[int] = []
    parents: list[int] = []
    fields: list[int] = []
    lasts: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    labels: list[int] = []
    attr_nodes: list[int] = []
    attr_keys: list[int] = []
    attr_values: list[int] = []
    add_type, add_parent, add_field, add_last = types.append, parents.append, fields.append, lasts.append
    add_start, add_end, add_label = starts.append, ends.append, labels.append
    add_attr_node, add_attr_key, add_attr_value = attr_nodes.append, attr_keys.append, attr_values.append
    irregular = False

    def visit(node: dict[str, Any], parent: int, field: int, around: tuple[int, int] | None) -> tuple[int, int]:
        """Adds the node and its subtree; returns its extent (NONE, NONE when nothing in it has
        a position).  `around` is the span of the nearest positioned ancestor."""
        nonlocal irregular
        index = len(types)
        node_type = node.get(TYPE)
        if type(node_type) is not str:
            # A type that is null or not a string: the view names and reports it otherwise.
            irregular = irregular or TYPE in node
            node_type = ""
        add_type(numbers[node_type])
        add_parent(parent)
        add_field(field)
        add_last(index)
        start = end = NONE
        own: tuple[int, int] | None = None
        pos = node.get(POS)
        if pos:
            if type(pos) is dict:
                own_start, own_end = pos.get("start"), pos.get("end")
                if own_start is not None:
                    start = own_start
                    end = own_start if own_end is None else max(own_end, own_start)
                    if own_end is not None:
                        own = (own_start, own_end)
            else:
                irregular = True
        add_start(start)
        add_end(end)
        add_label(0)
        inner = own or around
        # The node's attributes first, then its children: attributes stay in node order.
        children: list[tuple[int, dict[str, Any]]] = []
        for key, value in node.items():
            kind = type(value)
            if kind is str:
                if key != TYPE and key != POS:  # the type is a column, not an attribute (as in the view)
                    if key == ROLE:
                        if value:
                            add_attr_node(index)
                            add_attr_key(role_key)
                            add_attr_value(numbers[value])
                    else:
                        add_attr_node(index)
                        add_attr_key(token_key if key == TOKEN else numbers[key])
                        add_attr_value(numbers[value])
            elif kind is dict:
                if key == POS:
                    continue
                if key == ROLE:
                    irregular = True
                    add_attr_node(index)
                    add_attr_key(role_key)
                    add_attr_value(numbers[xpath_string(value)])
                    continue
                # A token that is an object: the view's child element `token` holds it, as a field would.
                children.append((token_key if key == TOKEN else numbers[key], value))
            elif kind is list:
                if key == ROLE:
                    for role in value:
                        add_attr_node(index)
                        add_attr_key(role_key)
                        add_attr_value(numbers[role if type(role) is str else xpath_string(role)])
                    continue
                if key == POS:
                    continue
                if key == TOKEN:
                    irregular = True
                    continue
                key_number = numbers[key]
                for item in value:
                    item_kind = type(item)
                    if item_kind is dict:
                        children.append((key_number, item))
                    elif item_kind is list:
                        # The view wraps it in one more element: kept (so that the file's terms are
                        # all there) but the plan leaves the table to the full evaluator.
                        irregular = True
                        _nested_objects(item, key_number, children)
                    else:
                        add_attr_node(index)
                        add_attr_key(key_number)
                        add_attr_value(numbers[item if item_kind is str else xpath_string(item)])
            elif key != POS:
                if key == ROLE:
                    if not value:
                        continue
                    add_attr_node(index)
                    add_attr_key(role_key)
                    add_attr_value(numbers[xpath_string(value)])
                    continue
                add_attr_node(index)
                add_attr_key(token_key if key == TOKEN else numbers[key])
                add_attr_value(numbers[xpath_string(value)])
        for key_number, element in children:
            child_start, child_end = visit(element, index, key_number, inner)  # noqa: F821
            if child_start != NONE:
                if start == NONE or child_start < start:
                    start = child_start
                if child_end > end:
                    end = child_end
        lasts[index] = len(types) - 1
        # Where a match is: the node's own span; else the extent of what it holds; else the
        # nearest positioned ancestor's span (as matches.locate finds it on a tree).
        if own is not None:
            starts[index], ends[index] = own
        elif start != NONE:
            starts[index], ends[index] = start, max(start, end)
        elif around is not None:
            starts[index], ends[index] = around
        # labels.label says nothing of a node that is none of these (most of a tree's nodes).
        if node_type == "uast:Identifier":
            # Most labelled nodes: a short name is its own label (labels.label, without the calls).
            name = node.get("Name")
            if type(name) is str and 0 < len(name) <= _SHORT_NAME and name.isidentifier():
                labels[index] = numbers[name]
            else:
                node_label = label(node)
                if node_label:
                    labels[index] = numbers[node_label]
        elif node_type[:5] == "uast:" or TOKEN in node or "Name" in node or "name" in node:
            node_label = label(node)
            if node_label:
                labels[index] = numbers[node_label]
        return start, end

    try:
        for root in (tree if isinstance(tree, list) else [tree]):
            if isinstance(root, dict):
                visit(root, NONE, NONE, None)
    finally:
        del visit  # a recursive closure is a reference cycle: let the table go with the call
    # Renumber the strings: names, then labels, then values (Strings), "" staying 0.
    names = set(types)
    names.update(fields)
    names.update(attr_keys)
    names.discard(NONE)
    label_numbers = set(labels) - names
    texts = list(numbers)
    order = [0, *(number for number in range(1, len(texts)) if number in names)]
    name_count = len(order)
    order += [number for number in range(1, len(texts)) if number in label_numbers]
    label_count = len(order) - name_count
    placed = set(order)
    order += [number for number in range(1, len(texts)) if number not in placed]
    new_number = [0] * (len(texts) + 1)
    for new, old in enumerate(order):
        new_number[old] = new
    new_number[-1] = NONE  # a field of NONE (a root's) stays NONE
    renumber = new_number.__getitem__
    parts = [[texts[number] for number in order[:name_count]],
             [texts[number] for number in order[name_count:name_count + label_count]],
             [texts[number] for number in order[name_count + label_count:]]]
    return NodeTable(
        Strings(parts), array("i", map(renumber, types)), array("i", parents), array("i", map(renumber, fields)),
        array("i", lasts), array("i", starts), array("i", ends), array("i", map(renumber, labels)),
        array("i", attr_nodes), array("i", map(renumber, attr_keys)), array("i", map(renumber, attr_values)),
        array("i", line_starts), size=size, irregular=irregular)

