"""YAML (tree-sitter-yaml).

The outline is the keys, nested as the mappings are, each named by the key's text without its
quotes; an item of a block sequence that is a mapping is named by its index (0, 1...), as the
YAML language server shows it (other items are left out: no keys in them).
A key is a uast:Identifier, a string value (plain or quoted) a uast:String.
"""

from typing import Any

from driver_runtime.drivers.universal.rules import unquoted
from driver_runtime.drivers.universal.tables import LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def key(node: Node, context: Context) -> Node:
    """A scalar in a pair's key field: its name, as a uast:Identifier (the outline's name)."""
    if context.field != "key":
        return node
    text = context.text(node).strip()
    if not text or "\n" in text or text[0] in "[{&*!":
        return node  # a collection, an anchor or a tag as a key: stays native
    return nodes.identifier(unquoted(text), node.get("@pos"))


def plain_string(node: Node, context: Context) -> Node:
    """An unquoted string scalar: its text is its value."""
    return nodes.string(context.text(node), node.get("@pos"))


def numbered_items(node: Node, context: Context) -> Node:
    """A block sequence: the items that are mappings are named by their index (a uast:Identifier
    at the item's `-`), the others stay nameless (no symbol); no item keeps `-` as its token.
    Each item is a copy: its conversion may be kept for the next parse (memo.py), at another
    index."""
    items = node.get("children")
    if type(items) is not list:
        return node
    out: list[Any] = []
    index = 0
    for item in items:
        if type(item) is not dict or item.get("@type") != "yaml:block_sequence_item":
            out.append(item)
            continue
        item = {key: value for key, value in item.items() if key != "@token"}
        value = next(iter(item.get("children") or ()), None)
        inner = next(iter(value.get("children") or ()), None) if type(value) is dict else None
        if type(inner) is dict and inner.get("@type") in COLLECTIONS:
            start = item["@pos"]["start"]
            item["name"] = nodes.identifier(str(index), {"start": start, "end": start + 1})
        out.append(item)
        index += 1
    node["children"] = out
    return node


COLLECTIONS = ("yaml:block_mapping", "yaml:flow_mapping")

TABLE = LanguageTable(
    strings=("double_quote_scalar", "single_quote_scalar"),
    booleans=("boolean_scalar",),
    roles={
        # Not Map/List for block collections: their fold would start on their first key's line
        # and hide that key's own fold (the keys fold the collections already).
        "block_mapping": ("Expression", "Literal"),
        "flow_mapping": ("Expression", "Literal", "Map"),
        "block_sequence": ("Expression", "Literal"),
        "flow_sequence": ("Expression", "List", "Literal"),
        "integer_scalar": ("Expression", "Literal", "Number"),
        "float_scalar": ("Expression", "Literal", "Number"),
        "null_scalar": ("Expression", "Literal", "Null"),
        "string_scalar": ("Expression", "Literal", "String"),
        "document": ("Block",),
        "block_sequence_item": ("Entry",),
    },
    field_roles={
        ("block_mapping_pair", "key"): ("Key",),
        ("block_mapping_pair", "value"): ("Value",),
        ("flow_pair", "key"): ("Key",),
        ("flow_pair", "value"): ("Value",),
    },
    symbols={
        "block_mapping_pair": Symbol("property", name="key"),
        "flow_pair": Symbol("property", name="key"),
        "block_sequence_item": "object",
    },
    transforms={"flow_node": key, "string_scalar": plain_string, "block_sequence": numbered_items},
    # Its items are copies: it changes none of its children.
    keeps_children=("block_sequence",),
)
