"""OCaml (tree-sitter-ocaml; `.mli` files: its ocaml_interface grammar, the same node types).

The outline follows ocaml-lsp's (Merlin's outline): modules, module types (interfaces), classes
and their methods, types, constructors (enum members, exceptions too), values.  Two departures:
a `let` that defines a function (`let f x = ...`, `let f = fun ...`/`function ...`) is a function
(ocaml-lsp: a variable, as every value), and a variant type is an enum, a record type a struct
holding its fields (ocaml-lsp: a type parameter; its fields enum members).

Transforms:

* `let f x = ...` (a binding with parameters, or bound to `fun`/`function`): a FunctionGroup, its
  parameters Arguments (`~x`, `?(x = 1)`: Init 1); another binding an Assignment to its pattern
  (the outline's variables); `method m = ...` a FunctionGroup; `fun`/`function` bare Functions;
* `type t = A | B` is an ``ocaml:variant_type``, `type t = {...}` an ``ocaml:record_type`` (the
  outline's kind is by node type), other type bindings stay `type_binding`;
* a module or class binding, a module type, a constructor, a method are named by their name
  child (no field here); `value_path`/`module_path` (`List.sort`) are Identifiers or
  QualifiedIdentifiers; `open M` is a uast:Import of M.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import dotted
from driver_runtime.drivers.universal.rules import IDENTIFIER, assigned, children, is_type, objects, take
from driver_runtime.drivers.universal.tables import LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
PREFIX = "ocaml:"


def _parameters(node: Node) -> list[Node]:
    """The `parameter` children of a binding, a method or a `fun`, as Arguments."""
    found = []
    for child in children(node):
        if child.get("@type") == PREFIX + "parameter":
            found.append(nodes.argument(child.get("pattern"), init=child.get("default"), pos=child.get("@pos")))
    node["children"] = [child for child in children(node) if child.get("@type") != PREFIX + "parameter"]
    if not node["children"]:
        del node["children"]
    return found


FUNCTION_VALUES = (PREFIX + "fun_expression", PREFIX + "function_expression", "uast:Function")


def let_binding(node: Node, context: Context) -> Node:
    pattern = node.get("pattern")
    arguments = _parameters(node)
    body = node.get("body")
    is_function = bool(arguments) or is_type(body, "uast:Function")
    if is_function and is_type(pattern, IDENTIFIER):
        extra = [part for key, value in node.items()
                 if key not in ("@type", "@pos", "@role", "@token", "pattern", "body") for part in objects(value)]
        if arguments:
            function = nodes.function(nodes.function_type(arguments), body)
        else:  # `let f = fun x -> ...`: that function
            function = {key: value for key, value in body.items() if key != "@pos"}
        return nodes.function_group(pattern, function, node.get("@pos"), extra or None)
    if arguments:  # a pattern that is no name, with parameters: kept as it is
        node["parameters"] = arguments
    return assigned(node, node.pop("pattern", None))


def method_definition(node: Node, context: Context) -> Node:
    name = take(node, IDENTIFIER)
    arguments = _parameters(node)
    return nodes.function_group(name, nodes.function(nodes.function_type(arguments), node.get("body")),
                                node.get("@pos"), children(node) or None)


def lambda_(node: Node, context: Context) -> Node:
    arguments = _parameters(node)
    body = node.get("body")
    if node.get("@type") == PREFIX + "function_expression":  # `function | A -> ... | B -> ...`: its cases
        body = children(node)
    return nodes.function(nodes.function_type(arguments), body, node.get("@pos"))


def type_binding(node: Node, context: Context) -> Node:
    body = node.get("body")
    kind = body.get("@type") if type(body) is dict else None
    if kind == PREFIX + "variant_declaration":
        node["@type"] = PREFIX + "variant_type"
    elif kind == PREFIX + "record_declaration":
        node["@type"] = PREFIX + "record_type"
    node.pop("@token", None)  # `=`: no name
    return node


def open_module(node: Node, context: Context) -> Node:
    module = node.get("module")
    return nodes.import_(module, all=True, pos=node.get("@pos")) if type(module) is dict else node


NAMES = ("value_name", "value_pattern", "module_name", "module_type_name", "type_constructor", "constructor_name",
         "field_name", "method_name", "class_name", "class_type_name", "instance_variable_name", "label_name",
         "type_variable")

TABLE = LanguageTable(
    identifiers=NAMES,
    # `class a = ... and b = ...`, `module A = ... and B = ...`: their bindings are the symbols
    not_generic=("class_definition", "module_definition"),
    # Named by their first name child (no field here); types: see type_binding.
    symbols={
        "module_binding": Symbol("module", child=IDENTIFIER),
        "module_type_definition": Symbol("interface", child=IDENTIFIER),
        "class_binding": Symbol("class", child=IDENTIFIER),
        "class_type_binding": Symbol("interface", child=IDENTIFIER),
        "variant_type": "enum",
        "record_type": "struct",
        "type_binding": "type",
        "constructor_declaration": Symbol("enum_member", child=IDENTIFIER),
        "field_declaration": Symbol("field", child=IDENTIFIER),
        "value_specification": Symbol("variable", child=IDENTIFIER),
        "external": Symbol("function", child=IDENTIFIER),
    },
    # `let x = ... in ...`: an expression (its bindings are local).
    roles={"application_expression": ("Call", "Expression"), "let_expression": ("Expression",)},
    transforms={
        "let_binding": let_binding,
        "method_definition": method_definition,
        "fun_expression": lambda_,
        "function_expression": lambda_,
        "type_binding": type_binding,
        "value_path": dotted,
        "module_path": dotted,
        "type_constructor_path": dotted,
        "constructor_path": dotted,
        "field_path": dotted,
        "open_module": open_module,
    },
)
