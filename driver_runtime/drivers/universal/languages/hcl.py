"""HCL (tree-sitter-hcl): Terraform, Packer, Nomad, Vault configuration.

The outline is what terraform-ls (hcl-lang) shows: each block a class named by its type and its
labels quoted, ``resource "aws_s3_bucket" "logs"`` (a transform gives the block that name as its
``@token``: no one field holds it), its attributes as properties, and the keys of an object an
attribute holds as properties under it.  The grammar gives an attribute no fields: its name is
its first child, which a transform moves to ``name``; the attribute's transform names the
elements of an object it holds (not those of an object in a call: ``merge(a, {b = 1})``).
"""

from driver_runtime.drivers.universal.rules import is_type, kind, named_by, quoted
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def _label(node: Node) -> str | None:
    if is_type(node, "uast:Identifier"):
        return node["Name"]
    if is_type(node, "uast:String"):
        return '"' + node["Value"] + '"'
    return None


def block(node: Node, context: Context) -> Node:
    """`resource "aws_s3_bucket" "logs" {`: the type and labels before the body, as written in
    one line, are the block's token (its name in the outline and in a query's labels)."""
    parts = []
    for child in node.get("children") or ():
        label = _label(child) if type(child) is dict else None
        if label is None:
            break
        parts.append(label)
    if parts:
        node["@token"] = " ".join(parts)
    return node


def _object_of(expression: object) -> Node | None:
    """The object an attribute's or an object element's expression is, if it is one (not an
    object inside a call or a conditional: terraform-ls shows only the keys of an object value)."""
    if kind(expression) != "expression":
        return None
    value = next(iter(expression.get("children") or ()), None)
    if kind(value) == "collection_value":
        value = next(iter(value.get("children") or ()), None)
    return value if kind(value) == "object" else None


def _name_keys(expression: object) -> None:
    """Name the elements of the object an expression is by their keys, and theirs in turn."""
    found = _object_of(expression)
    for element in (found.get("children") or ()) if found else ():
        if kind(element) == "object_elem":
            name = _only_name(element.get("key"))
            if name is not None:
                element["name"] = name
                element.pop("key")
                _name_keys(element.get("val"))


def attribute(node: Node, context: Context) -> Node:
    """`name = value`: the identifier is its name (no `=` token is left); the keys of an object
    value are named, as the outline shows them under it."""
    children = node.get("children") or []
    if children and is_type(children[0], "uast:Identifier"):
        named_by(node, children.pop(0))
        _name_keys(children[0] if children else None)
    return node


def _only_name(value: object) -> Node | None:
    """The identifier or string a key expression is made of (`name`, `"name"`), else None."""
    while type(value) is dict:
        if is_type(value, "uast:Identifier"):
            return value
        if is_type(value, "uast:String"):
            return nodes.identifier(value["Value"], value.get("@pos"))
        inner = [item for key, item in value.items() if key[0] != "@"]
        if len(inner) != 1:
            return None
        value = inner[0]
        if type(value) is list:
            if len(value) != 1:
                return None
            value = value[0]
    return None


def object_element(node: Node, context: Context) -> Node:
    """`key = value` in an object: no `=` token (it would read as its name); the attribute that
    holds the object names it (_name_keys)."""
    node.pop("@token", None)
    return node


def string_literal(node: Node, context: Context) -> Node:
    """`"text"` (no interpolation: that is a template_expr): uast:String."""
    value = quoted(context.text(node), '"')
    return node if value is None else nodes.string(value, node.get("@pos"))


TABLE = LanguageTable(
    # An attribute names the elements of the object it holds, and theirs (_name_keys).
    deep=("attribute",),
    booleans=("bool_lit",),
    blocks=("body",),
    roles={
        "function_call": ("Call", "Expression"),
        "object": ("Expression", "Literal", "Map"),
        "tuple": ("Expression", "List", "Literal"),
        "numeric_lit": ("Expression", "Literal", "Number"),
        "null_lit": ("Expression", "Literal", "Null"),
        "conditional": ("Condition", "Expression"),
        "for_tuple_expr": ("Expression", "For"),
        "for_object_expr": ("Expression", "For"),
        "template_expr": ("Expression", "String"),
        "heredoc_template": ("Expression", "Literal", "String"),
    },
    symbols={"block": "class", "attribute": "property", "object_elem": "property"},
    transforms={
        "block": block, "attribute": attribute, "object_elem": object_element, "string_lit": string_literal,
    },
)
