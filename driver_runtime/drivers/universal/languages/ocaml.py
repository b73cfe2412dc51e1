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

from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
PREFIX = "ocaml:"
IDENTIFIER = "uast:Identifier"


def _listed(value: Any) -> list[Node]:
    return [item for item in (value if type(value) is list else [value]) if type(item) is dict]


def _take(node: Node, *types: str) -> Any:
    children = node.get("children") or []
    for index, child in enumerate(children):
        if child.get("@type") in types:
            del children[index]
            if not children:
                node.pop("children", None)
            return child
    return None


def _parameters(node: Node) -> list[Node]:
    """The `parameter` children of a binding, a method or a `fun`, as Arguments."""
    found = []
    for child in _listed(node.get("children")):
        if child.get("@type") == PREFIX + "parameter":
            found.append(nodes.argument(child.get("pattern"), init=child.get("default"), pos=child.get("@pos")))
    node["children"] = [child for child in _listed(node.get("children")) if child.get("@type") != PREFIX + "parameter"]
    if not node["children"]:
        del node["children"]
    return found


FUNCTION_VALUES = (PREFIX + "fun_expression", PREFIX + "function_expression", "uast:Function")


def let_binding(node: Node, context: Context) -> Node:
    pattern = node.get("pattern")
    arguments = _parameters(node)
    body = node.get("body")
    is_function = bool(arguments) or (type(body) is dict and body.get("@type") == "uast:Function")
    if is_function and type(pattern) is dict and pattern.get("@type") == IDENTIFIER:
        extra = [part for key, part in node.items() if key not in ("@type", "@pos", "@role", "@token", "pattern", "body")
                 for part in _listed(part)]
        if arguments:
            function = nodes.function(nodes.function_type(arguments), body)
        else:  # `let f = fun x -> ...`: that function
            function = {key: value for key, value in body.items() if key != "@pos"}
        return nodes.function_group(pattern, function, node.get("@pos"), extra or None)
    if arguments:  # a pattern that is no name, with parameters: kept as it is
        node["parameters"] = arguments
    node["target"] = node.pop("pattern", None)
    node["@role"] = sorted({*(node.get("@role") or ()), "Assignment"} - {"Unannotated"})
    return node


def method_definition(node: Node, context: Context) -> Node:
    name = _take(node, IDENTIFIER)
    arguments = _parameters(node)
    return nodes.function_group(name, nodes.function(nodes.function_type(arguments), node.get("body")),
                                node.get("@pos"), _listed(node.get("children")) or None)


def lambda_(node: Node, context: Context) -> Node:
    arguments = _parameters(node)
    body = node.get("body")
    if node.get("@type") == PREFIX + "function_expression":  # `function | A -> ... | B -> ...`: its cases
        body = _listed(node.get("children"))
    return nodes.function(nodes.function_type(arguments), body, node.get("@pos"))


def named(node: Node, context: Context) -> Node:
    """Named by its first Identifier child (a module, a module type, a class, a constructor)."""
    if "name" not in node:
        name = _take(node, IDENTIFIER)
        if name is not None:
            node["name"] = name
    node.pop("@token", None)  # `=`: no name
    return node


def type_binding(node: Node, context: Context) -> Node:
    body = node.get("body")
    kind = body.get("@type") if type(body) is dict else None
    if kind == PREFIX + "variant_declaration":
        node["@type"] = PREFIX + "variant_type"
    elif kind == PREFIX + "record_declaration":
        node["@type"] = PREFIX + "record_type"
    node.pop("@token", None)  # `=`: no name
    return node


def path(node: Node, context: Context) -> Node:
    """`List.sort`, `Map.Make`: names in a row (a module path's own path nested in it)."""
    names: list[Node] = []
    for part in _listed(node.get("children")):
        if part.get("@type") == IDENTIFIER:
            names.append(part)
        elif part.get("@type") == "uast:QualifiedIdentifier":
            names.extend(part["Names"])
        else:
            return node
    if len(names) == 1:
        return names[0]
    return nodes.qualified_identifier(names, node.get("@pos")) if names else node


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
    symbols={
        "module_binding": "module",
        "module_type_definition": "interface",
        "class_binding": "class",
        "class_type_binding": "interface",
        "variant_type": "enum",
        "record_type": "struct",
        "type_binding": "type",
        "constructor_declaration": "enum_member",
        "field_declaration": "field",
        "value_specification": "variable",
        "external": "function",
    },
    # `let x = ... in ...`: an expression (its bindings are local).
    roles={"application_expression": ("Call", "Expression"), "let_expression": ("Expression",)},
    transforms={
        "let_binding": let_binding,
        "method_definition": method_definition,
        "fun_expression": lambda_,
        "function_expression": lambda_,
        "module_binding": named,
        "module_type_definition": named,
        "class_binding": named,
        "class_type_binding": named,
        "constructor_declaration": named,
        "field_declaration": named,
        "value_specification": named,
        "external": named,
        "type_binding": type_binding,
        "value_path": path,
        "module_path": path,
        "type_constructor_path": path,
        "constructor_path": path,
        "field_path": path,
        "open_module": open_module,
    },
)
