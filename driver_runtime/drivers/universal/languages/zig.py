"""Zig (tree-sitter-zig, maxxnino's PEG-named grammar).

The outline follows zls: `const`/`var` declarations are constants/variables, functions
functions, container fields fields (enum members in an enum), a test a method named by its
description.  Two departures: a declaration of a container type (`const Color = enum {...}`) is
an enum/struct (zls: a constant holding them), and a function in a container a method (zls: a
function).

Transforms (the grammar has few fields, and wraps every expression in ErrorUnionExpr/SuffixExpr):

* a wrapper holding just one node is that node; a `//!` comment's text is after the `//!`;
* `fn` (a Decl holding an FnProto and a Block) is a FunctionGroup: its name, its ParamDecls as
  Arguments, its return type, its Block;
* a VarDecl becomes ``zig:const_declaration`` / ``zig:var_declaration`` named by its identifier,
  or, bound to a container, ``zig:struct_declaration`` / ``zig:enum_declaration`` /
  ``zig:union_declaration``; a container's fields ``zig:container_field`` /
  ``zig:enum_field`` (in an enum) named by their identifier;
* `test "name" {...}` a ``zig:TestDecl`` named by its description;
* `@import("std")` a uast:Import of "std".
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import comment_with
from driver_runtime.drivers.universal.rules import children, first, first_identifier, is_type, named_by
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
Z = "zig:"
CONTAINERS = {"struct": "struct_declaration", "opaque": "struct_declaration", "enum": "enum_declaration",
              "union": "union_declaration"}


def wrapper(node: Node, context: Context) -> Any:
    """ErrorUnionExpr, SuffixExpr: the one node they hold; `@import("x")`: an Import of x."""
    parts = children(node)
    held = [item for key, value in node.items() if not key.startswith("@")
            for item in (value if type(value) is list else [value])]
    if len(held) == 1 and type(held[0]) is dict and "@token" not in node:
        return held[0]
    if len(parts) == 2 and parts[0].get("@type") == Z + "BUILTINIDENTIFIER" and parts[0].get("@token") == "@import":
        arguments = children(parts[1])
        if len(arguments) == 1 and arguments[0].get("@type") == "uast:String":
            return nodes.import_(arguments[0], pos=node.get("@pos"))
    return node


def decl(node: Node, context: Context) -> Any:
    parts = children(node)
    proto = first(parts, Z + "FnProto")
    if proto is None:
        return parts[0] if len(parts) == 1 else node  # a VarDecl (its `pub` is a keyword)
    body = first(parts, "uast:Block")
    name = proto.get("function")
    proto_parts = children(proto)
    holder = first(proto_parts, Z + "ParamDeclList")
    arguments = [part for part in children(holder) if part.get("@type") == "uast:Argument"]
    after = proto_parts[proto_parts.index(holder) + 1:] if holder in proto_parts else []
    returns = [part for part in after if part.get("@type") != "uast:Comment"] or None
    extra = [part for part in parts if part is not proto and part is not body]
    if type(name) is not dict:
        return node
    return nodes.function_group(name, nodes.function(nodes.function_type(arguments, returns), body), node.get("@pos"),
                                extra or None)


def param_decl(node: Node, context: Context) -> Node:
    holder = children(node)
    kind = holder[-1] if holder else None
    if is_type(kind, Z + "ParamType"):
        inner = children(kind)
        kind = inner[0] if len(inner) == 1 else kind
    return nodes.argument(node.get("parameter"), kind, pos=node.get("@pos"))


def var_decl(node: Node, context: Context) -> Node:
    named_by(node, node.pop("variable_type_function", None) or first_identifier(node))
    container = first(children(node), Z + "ContainerDecl")
    if container is not None:
        word = str(_container_word(container, context))
        node["@type"] = Z + CONTAINERS.get(word, "struct_declaration")
    elif context.text(node).lstrip().startswith("var"):
        node["@type"] = Z + "var_declaration"
    else:
        node["@type"] = Z + "const_declaration"
    return node


def _container_word(container: Node, context: Context) -> str:
    kind = first(children(container), Z + "ContainerDeclType")
    return context.text(kind).split("(")[0].strip() if kind else "struct"


def container_decl(node: Node, context: Context) -> Node:
    enum = _container_word(node, context) == "enum"
    for field in children(node):
        if field.get("@type") == Z + "ContainerField":
            name = field.pop("field_member", None) or first_identifier(field)
            field["name"] = name
            field["@type"] = Z + ("enum_field" if enum else "container_field")
    return node


def test_decl(node: Node, context: Context) -> Node:
    label = first(children(node), "uast:String")
    if label is not None:
        node["name"] = nodes.identifier(label["Value"], label.get("@pos"))
    return node


TABLE = LanguageTable(
    comments=("doc_comment", "container_doc_comment", "line_comment"),
    identifiers=("IDENTIFIER",),
    strings=("STRINGLITERALSINGLE",),
    blocks=("Block",),
    symbols={
        "struct_declaration": "struct",
        "union_declaration": "struct",
        "enum_declaration": "enum",
        "const_declaration": "constant",
        "var_declaration": "variable",
        "container_field": "field",
        "enum_field": "enum_member",
        "TestDecl": "method",
    },
    roles={"ParamDecl": ("Argument",)},
    transforms={
        "ErrorUnionExpr": wrapper,
        "SuffixExpr": wrapper,
        "Decl": decl,
        "ParamDecl": param_decl,
        "VarDecl": var_decl,
        "ContainerDecl": container_decl,
        "TestDecl": test_decl,
        "container_doc_comment": comment_with(("//!", "")),
    },
)
