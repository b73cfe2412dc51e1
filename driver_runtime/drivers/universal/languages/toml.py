"""TOML (tree-sitter-toml).

The outline is the tables (``[profile.release]``, each ``[[bin]]``) named by their header as
written, and in them the keys, named by the key without its quotes (a dotted key ``a.b`` as
one name, "a.b"); a key whose value is an inline table holds its keys.  The grammar gives no
fields: a table's or a pair's key is its first child, which a transform moves to ``name``.
Keys are uast:Identifier.
"""

from driver_runtime.drivers.universal.rules import IDENTIFIER, is_type, named_by, unquoted
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def quoted_key(node: Node, context: Context) -> Node:
    return nodes.identifier(unquoted(context.text(node)), node.get("@pos"))


def dotted_key(node: Node, context: Context) -> Node:
    """`a."b".c`: one uast:Identifier, its parts unquoted and joined by dots (the outline's name)."""
    parts = []
    for part in node.get("children") or ():
        if is_type(part, "uast:Identifier"):
            parts.append(part["Name"])
        else:
            return node
    return nodes.identifier(".".join(parts), node.get("@pos"))


def named(node: Node, context: Context) -> Node:
    """A table or a pair: its key (the first child) is its name; no `=` token is left."""
    children = node.get("children") or []
    if children and is_type(children[0], IDENTIFIER):
        named_by(node, children.pop(0))
        if not children:
            node.pop("children")
    return node


TABLE = LanguageTable(
    identifiers=("bare_key",),
    roles={
        "array": ("Expression", "List", "Literal"),
        "inline_table": ("Expression", "Literal", "Map"),
        "integer": ("Expression", "Literal", "Number"),
        "float": ("Expression", "Literal", "Number"),
    },
    symbols={"table": "object", "table_array_element": "object", "pair": "property"},
    transforms={
        "quoted_key": quoted_key, "dotted_key": dotted_key,
        "table": named, "table_array_element": named, "pair": named,
    },
)
