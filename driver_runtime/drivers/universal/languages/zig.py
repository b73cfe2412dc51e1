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

from driver_runtime.drivers.universal.normalization import comment as generic_comment
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
Z = "zig:"
IDENTIFIER = "uast:Identifier"
CONTAINERS = {"struct": "struct_declaration", "opaque": "struct_declaration", "enum": "enum_declaration",
              "union": "union_declaration"}


def _children(node: Any) -> list[Node]:
    return [item for item in ((node or {}).get("children") or []) if type(item) is dict]


def _first_identifier(node: Any) -> Node | None:
    """The identifier a node is or names first (`red` in an enum, under its wrappers)."""
    if type(node) is not dict:
        return None
    if node.get("@type") == IDENTIFIER:
        return node
    for key, value in node.items():
        if key.startswith("@"):
            continue
        for item in value if type(value) is list else [value]:
            found = _first_identifier(item)
            if found is not None:
                return found
    return None


def wrapper(node: Node, context: Context) -> Any:
    """ErrorUnionExpr, SuffixExpr: the one node they hold; `@import("x")`: an Import of x."""
    parts = _children(node)
    held = [item for key, value in node.items() if not key.startswith("@")
            for item in (value if type(value) is list else [value])]
    if len(held) == 1 and type(held[0]) is dict and "@token" not in node:
        return held[0]
    if len(parts) == 2 and parts[0].get("@type") == Z + "BUILTINIDENTIFIER" and parts[0].get("@token") == "@import":
        arguments = _children(parts[1])
        if len(arguments) == 1 and arguments[0].get("@type") == "uast:String":
            return nodes.import_(arguments[0], pos=node.get("@pos"))
    return node


def decl(node: Node, context: Context) -> Any:
    parts = _children(node)
    proto = next((part for part in parts if part.get("@type") == Z + "FnProto"), None)
    if proto is None:
        return parts[0] if len(parts) == 1 else node  # a VarDecl (its `pub` is a keyword)
    body = next((part for part in parts if part.get("@type") == "uast:Block"), None)
    name = proto.get("function")
    proto_parts = _children(proto)
    holder = next((part for part in proto_parts if part.get("@type") == Z + "ParamDeclList"), None)
    arguments = [part for part in _children(holder) if part.get("@type") == "uast:Argument"]
    after = proto_parts[proto_parts.index(holder) + 1:] if holder in proto_parts else []
    returns = [part for part in after if part.get("@type") != "uast:Comment"] or None
    extra = [part for part in parts if part is not proto and part is not body]
    if type(name) is not dict:
        return node
    return nodes.function_group(name, nodes.function(nodes.function_type(arguments, returns), body), node.get("@pos"),
                                extra or None)


def param_decl(node: Node, context: Context) -> Node:
    holder = _children(node)
    kind = holder[-1] if holder else None
    if type(kind) is dict and kind.get("@type") == Z + "ParamType":
        inner = _children(kind)
        kind = inner[0] if len(inner) == 1 else kind
    return nodes.argument(node.get("parameter"), kind, pos=node.get("@pos"))


def var_decl(node: Node, context: Context) -> Node:
    node["name"] = node.pop("variable_type_function", None) or _first_identifier(node)
    node.pop("@token", None)
    container = next((part for part in _children(node) if part.get("@type") == Z + "ContainerDecl"), None)
    if container is not None:
        word = str(_container_word(container, context))
        node["@type"] = Z + CONTAINERS.get(word, "struct_declaration")
    elif context.text(node).lstrip().startswith("var"):
        node["@type"] = Z + "var_declaration"
    else:
        node["@type"] = Z + "const_declaration"
    return node


def _container_word(container: Node, context: Context) -> str:
    kind = next((part for part in _children(container) if part.get("@type") == Z + "ContainerDeclType"), None)
    return context.text(kind).split("(")[0].strip() if kind else "struct"


def container_decl(node: Node, context: Context) -> Node:
    enum = _container_word(node, context) == "enum"
    for field in _children(node):
        if field.get("@type") == Z + "ContainerField":
            name = field.pop("field_member", None) or _first_identifier(field)
            field["name"] = name
            field["@type"] = Z + ("enum_field" if enum else "container_field")
    return node


def test_decl(node: Node, context: Context) -> Node:
    label = next((part for part in _children(node) if part.get("@type") == "uast:String"), None)
    if label is not None:
        node["name"] = nodes.identifier(label["Value"], label.get("@pos"))
    return node


def comment(node: Node, context: Context) -> Node:
    """`//! text` (a container's doc comment): the text after `//!`."""
    raw = node.get("@token")
    if isinstance(raw, str) and raw.startswith("//!"):
        prefix, text, suffix = nodes.split_comment(raw.rstrip("\r\n"), "//!")
        return nodes.comment(text, node.get("@pos"), prefix=prefix, suffix=suffix)
    return generic_comment(node, context)


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
        "container_doc_comment": comment,
    },
)
