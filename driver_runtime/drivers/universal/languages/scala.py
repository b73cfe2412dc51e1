"""Scala (tree-sitter-scala), Scala 2 and 3.

The outline follows Metals: a trait is an interface, an object an object (Metals: a module; its
defs are methods either way), a `val` a constant and a `var` a variable wherever they are
declared (Metals' Constant and Variable), an enum's cases its members.

Transforms: a lambda's body has no field (its last child is the body); an import's path is a
list of names in its `path` field (a QualifiedIdentifier here), what it selects `{a, b}` its
Names and `_`/`*` makes it import all.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.rules import is_type
from driver_runtime.drivers.universal.tables import Argument, Function, LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]


def lambda_expression(node: Node, context: Context) -> Node:
    parameters = node.get("parameters")
    if is_type(parameters, "uast:Argument"):
        arguments = [parameters]
    elif is_type(parameters, "uast:Identifier"):  # x => x + 1
        arguments = [nodes.argument(parameters, pos=parameters.get("@pos"))]
    elif type(parameters) is dict:
        arguments = [item for item in parameters.get("children") or [] if item.get("@type") != "uast:Comment"]
    else:
        arguments = []
    rest = node.get("children") or []
    body = rest[-1] if rest else None
    return nodes.function(nodes.function_type(arguments), body, node.get("@pos"))


def import_declaration(node: Node, context: Context) -> Node:
    path = node.get("path")
    parts = [part for part in (path if type(path) is list else [path]) if type(part) is dict]  # not the dots
    if not parts or not all(is_type(part, "uast:Identifier") for part in parts):
        return node
    names = None
    every = False
    for child in node.get("children") or []:
        kind = child.get("@type", "")
        if kind == "scala:namespace_selectors":
            names = child.get("children") or []
        elif kind in ("scala:namespace_wildcard", "scala:wildcard"):
            every = True
        elif kind == "scala:as_renamed_identifier":
            names = [child]
    qualified = parts[0] if len(parts) == 1 else nodes.qualified_identifier(
        parts, {"start": parts[0]["@pos"]["start"], "end": parts[-1]["@pos"]["end"]})
    return nodes.import_(qualified, names, all=every, pos=node.get("@pos"))


TABLE = LanguageTable(
    strings=("string",),
    booleans=("boolean_literal",),
    blocks=("block", "template_body", "indented_block", "enum_body", "case_block"),
    functions={
        "function_definition": Function(returns="return_type"),
        "function_declaration": Function(returns="return_type", body=None),
        "lambda_expression": Function(name=None),
    },
    arguments={
        "parameter": Argument(init="default_value"),
        "class_parameter": Argument(init="default_value"),
        "binding": Argument(),
    },
    roles={"call_expression": ("Call", "Expression"), "import_declaration": ("Declaration", "Import"),
           "package_clause": ("Declaration", "Package")},
    symbols={
        "class_definition": "class",
        "trait_definition": "interface",
        "object_definition": "object",
        "enum_definition": "enum",
        "simple_enum_case": "enum_member",
        "full_enum_case": "enum_member",
        "type_definition": "type",
        "val_definition": Symbol("constant", name="pattern"),
        "val_declaration": "constant",
        "var_definition": Symbol("variable", name="pattern"),
        "var_declaration": "variable",
    },
    transforms={"lambda_expression": lambda_expression, "import_declaration": import_declaration},
    # Both build new nodes of their children, which they do not change.
    keeps_children=("lambda_expression", "import_declaration"),
)
