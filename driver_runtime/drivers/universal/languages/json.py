"""JSON (tree-sitter-json; comments as JSONC has them).

The outline is the keys, nested as the objects are, each named by the key (decoded, without
its quotes); an object in an array is named by its index (0, 1...), as VS Code's JSON language
service shows it (other array items are left out: no keys in them).  A key is a
uast:Identifier, a value string a uast:String.
"""

import json

from driver_runtime.drivers.universal.normalization import string
from driver_runtime.drivers.universal.tables import LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def key_or_string(node: Node, context: Context) -> Node:
    """A string in a pair's key field names the pair: a uast:Identifier, unquoted."""
    if context.field == "key":
        text = context.text(node)
        try:
            name = json.loads(text)  # "a\"b" is the key a"b
        except ValueError:
            name = text[1:-1] if len(text) >= 2 else text
        return nodes.identifier(name if isinstance(name, str) else text, node.get("@pos"))
    return string(node, context)


def numbered_items(node: Node, context: Context) -> Node:
    """An array: the objects in it are named by their index (a uast:Identifier at their `{`), each
    a copy: its conversion may be kept for the next parse (memo.py), at another index."""
    items = node.get("children")
    if type(items) is not list:
        return node
    out = []
    index = 0
    for item in items:
        if type(item) is dict and item.get("@type") != "uast:Comment":
            if item.get("@type") == "json:object":
                start = item["@pos"]["start"]
                item = {**item, "name": nodes.identifier(str(index), {"start": start, "end": start + 1})}
            index += 1
        out.append(item)
    node["children"] = out
    return node


TABLE = LanguageTable(
    roles={
        "object": ("Expression", "Literal", "Map"),
        "array": ("Expression", "List", "Literal"),
        "number": ("Expression", "Literal", "Number"),
        "null": ("Expression", "Literal", "Null"),
    },
    field_roles={("pair", "key"): ("Key",), ("pair", "value"): ("Value",)},
    symbols={"pair": Symbol("property", name="key"), "object": "object"},
    transforms={"string": key_or_string, "array": numbered_items},
    # Its objects are named in copies: it changes none of its children.
    keeps_children=("array",),
)
