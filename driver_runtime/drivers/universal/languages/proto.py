"""Protocol Buffers (tree-sitter-proto: proto2 and proto3).

The outline, as protobuf language servers show it: the package, messages (structs) with their
fields (a ``oneof``'s fields are the message's), nested messages and enums, enums with their
values, services (interfaces) with their rpcs.  An rpc is a uast:FunctionGroup: its request type
an uast:Argument (Variadic for a ``stream``), its response type its return.  The grammar gives
no fields: a transform names each declaration by its identifier.  A dotted name
(``google.protobuf.Timestamp``) is a uast:QualifiedIdentifier; ``import`` is a uast:Import.
"""

from driver_runtime.drivers.universal.normalization import dotted, symbol
from driver_runtime.drivers.universal.rules import IDENTIFIER, children_of, is_type, named_by, one_identifier
from driver_runtime.drivers.universal.tables import Import, LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def _identifiers(node: Node) -> list[Node]:
    return [child for child in children_of(node) if child.get("@type") == "uast:Identifier"]


def unwrap(node: Node, context: Context) -> Node:
    """message_name, enum_name, service_name, rpc_name: the identifier they hold."""
    names = _identifiers(node)
    return names[0] if len(names) == 1 else node


def _name(node: Node, identifier: Node) -> Node:
    node["children"] = [child for child in node.get("children") or () if child is not identifier]
    if not node["children"]:
        node.pop("children")
    return named_by(node, identifier)


def last_named(node: Node, context: Context) -> Node:
    """A field (`Type name = 1;`), an enum value: named by its last identifier (the first may
    be its type)."""
    names = _identifiers(node)
    return _name(node, names[-1]) if names else node


def package(node: Node, context: Context) -> Node:
    """`package a.b.c;`: named a.b.c (one Identifier: the outline reads one)."""
    name = next(iter(children_of(node)), None)
    if is_type(name, "uast:QualifiedIdentifier"):
        node["name"] = one_identifier(name)
        node.pop("children", None)
    elif is_type(name, "uast:Identifier"):
        _name(node, name)
    return node


def rpc(node: Node, context: Context) -> Node:
    """rpc Name([stream] Request) returns ([stream] Response) [{ options }]: a FunctionGroup."""
    parts = children_of(node)
    if len(parts) < 3 or parts[0].get("@type") != "uast:Identifier":
        return node
    name, request, response, *rest = parts
    text = context.data

    def streamed(part: Node) -> bool:
        before = text[node["@pos"]["start"]:part["@pos"]["start"]].rstrip()
        return before.endswith(b"stream")

    argument = nodes.argument(type=request, variadic=streamed(request), pos=request.get("@pos"))
    result = nodes.argument(type=response, variadic=streamed(response), pos=response.get("@pos"))
    signature = nodes.function_type([argument], [result])
    body = nodes.block(rest) if rest else None
    return nodes.function_group(name, nodes.function(signature, body), node.get("@pos"))


FIELDS = ("field", "map_field", "oneof_field", "enum_field")

TABLE = LanguageTable(
    not_generic=("constant",),  # an option's value here
    imports={"import": Import(path="path")},
    roles={
        "int_lit": ("Expression", "Literal", "Number"),
        "float_lit": ("Expression", "Literal", "Number"),
        "option": ("Declaration",),
        "message_body": ("Block", "Body"),
        "enum_body": ("Block", "Body"),
        "rpc": ("Declaration", "Function"),
    },
    # message, enum, service, oneof: named by their (first) identifier.
    symbols={
        "package": "package",
        "message": Symbol("struct", child=IDENTIFIER),
        "enum": Symbol("enum", child=IDENTIFIER),
        "service": Symbol("interface", child=IDENTIFIER),
        "field": "field",
        "map_field": "field",
        "oneof_field": "field",
        "enum_field": "enum_member",
    },
    transforms={
        **dict.fromkeys(("message_name", "enum_name", "service_name", "rpc_name"), unwrap),
        "full_ident": dotted,  # a.b.C
        "message_or_enum_type": dotted,
        "oneof": symbol(child=IDENTIFIER),
        **dict.fromkeys(FIELDS, last_named),
        "package": package,
        "rpc": rpc,
    },
)
