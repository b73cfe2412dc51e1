"""Swift (tree-sitter-swift, alex-pinkus').

tree-sitter reports some fields of this grammar under the wrong name: a function's return type,
a parameter's type and a type alias's type come in the `name` field, after the name (the
grammar's `return_type` and `type` fields are not reported by the tree cursor).  The transforms
here take the name first and the rest as the type.  Others:

* `class_declaration` is a class, a struct, an enum, an actor or an extension by its
  `declaration_kind`: the struct becomes ``swift:struct_declaration``, the enum
  ``swift:enum_declaration``, the extension ``swift:extension_declaration`` named by the type it
  extends (a class in the outline, as Rust's `impl`: its functions are methods);
* `case a, b` is one node for two enum members: each name becomes a ``swift:enum_case``;
* a property (`let x = 1`, `var title: String { get }`) is an Assignment to its name: a field in
  a type, a variable at the top;
* `init`/`deinit` are functions of those names; a string without interpolation is a String
  (its text is in a `text` field, which the string builder does not expect); a dotted
  `identifier` is a QualifiedIdentifier.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import dotted, function
from driver_runtime.drivers.universal.rules import IDENTIFIER, assigned, children, first, is_type, quoted
from driver_runtime.drivers.universal.tables import Function, Import, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
S = "swift:"


def _split(value: Any) -> tuple[Any, Any]:
    """A `name` field as reported: the name, and what came after it in the field (a type)."""
    if type(value) is list:
        rest = value[1:]
        return (value[0] if value else None), (rest[0] if len(rest) == 1 else rest or None)
    return value, None


def _body(node: Node) -> Any:
    """A function_body's block of statements (or the function_body itself, if it is more)."""
    body = node.get("body")
    if is_type(body, S + "function_body"):
        inner = body.get("children") or []
        if len(inner) == 1:
            return inner[0]
        if not inner:
            return nodes.block([], body.get("@pos"))
    return body


def _arguments(node: Node) -> list[Any]:
    """A function's parameters (children of the function itself), with the default values that
    follow them (in the function's `default_value` field): a parameter with one is a copy (its
    conversion may be kept for the next parse, memo.py, where its default may have changed)."""
    defaults = node.pop("default_value", None)
    defaults = defaults if type(defaults) is list else [defaults] if defaults else []
    items = node.get("children") or []
    found = [child for child in items if child.get("@type") == "uast:Argument"]
    node["children"] = [child for child in items if child.get("@type") != "uast:Argument"]
    if not node["children"]:
        del node["children"]
    for default in defaults:
        start = default["@pos"]["start"]
        before = [index for index, argument in enumerate(found) if argument["@pos"]["start"] < start]
        if before:
            found[before[-1]] = {**found[before[-1]], "Init": default}
    return found


_build_function = function(Function(returns="returns"))
_build_lambda = function(Function(name=None))


def function_declaration(node: Node, context: Context) -> Node:
    name, returns = _split(node.get("name"))
    if isinstance(name, str):  # `init`, `deinit`: a keyword in the name field
        pos = node["@pos"]
        start = context.data.find(name.encode(), pos["start"], pos["end"])
        name = nodes.identifier(name, {"start": start, "end": start + len(name)} if start >= 0 else None)
    node["name"] = name
    node["returns"] = returns
    node["parameters"] = _arguments(node)
    node["body"] = _body(node)
    return _build_function(node, context)


def init_declaration(node: Node, context: Context) -> Node:
    node.setdefault("name", "init")
    return function_declaration(node, context)


def deinit_declaration(node: Node, context: Context) -> Node:
    node.setdefault("name", "deinit")
    return function_declaration(node, context)


def parameter(node: Node, context: Context) -> Node:
    name, kind = _split(node.get("name"))
    variadic = context.text(node).rstrip().endswith("...")
    return nodes.argument(name, kind, variadic=variadic, pos=node.get("@pos"))


def lambda_parameter(node: Node, context: Context) -> Node:
    name, kind = _split(node.get("name"))
    return nodes.argument(name, kind or node.get("type"), pos=node.get("@pos"))


def lambda_literal(node: Node, context: Context) -> Node:
    signature = node.pop("type", None)
    arguments: list[Any] = []
    returns = None
    if type(signature) is dict:
        for part in signature.get("children") or []:
            if part.get("@type") == S + "lambda_function_type_parameters":
                arguments = [item for item in part.get("children") or [] if item.get("@type") == "uast:Argument"]
        returns = signature.get("return_type")
    body = first(children(node), "uast:Block")
    return nodes.function(nodes.function_type(arguments, [returns] if returns else None), body, node.get("@pos"))


KINDS = {"struct": "struct_declaration", "enum": "enum_declaration", "extension": "extension_declaration"}


def class_declaration(node: Node, context: Context) -> Node:
    kind = node.get("declaration_kind")
    if kind in KINDS:
        node["@type"] = S + KINDS[kind]
    name = node.get("name")
    if is_type(name, S + "user_type"):  # extension Library
        parts = [part for part in name.get("children") or [] if part.get("@type") == IDENTIFIER]
        if len(parts) == 1:
            node["name"] = parts[0]
        elif parts:
            node["name"] = nodes.qualified_identifier(parts, name.get("@pos"))
    return node


def enum_entry(node: Node, context: Context) -> Node:
    names = node.get("name")
    cases = []
    for name in names if type(names) is list else [names]:
        if type(name) is dict:
            cases.append({"@type": S + "enum_case", "@pos": name.get("@pos"), "@role": ["Declaration", "Variable"],
                          "name": name})
    node["name"] = cases
    return node


def _target(pattern: Any) -> Any:
    if type(pattern) is list:
        return [_target(item) for item in pattern]
    if is_type(pattern, S + "pattern"):
        return pattern.get("bound_identifier", pattern)
    return pattern


def property_declaration(node: Node, context: Context) -> Node:
    """`let x = 1`: an Assignment to x (its target)."""
    if "name" in node:
        assigned(node, _target(node.pop("name")), "Declaration")
    return node


def string_literal(node: Node, context: Context) -> Node:
    """A string without interpolation: its text (in `text` fields, which is all it holds)."""
    if "interpolation" in node or "children" in node:
        return node
    raw = context.text(node)
    value = quoted(raw, '"""' if raw.startswith('"""') else '"')
    return node if value is None else nodes.string(value, node.get("@pos"))


TABLE = LanguageTable(
    identifiers=("simple_identifier", "type_identifier", "self_expression", "super_expression"),
    strings=("line_string_literal", "multi_line_string_literal", "raw_string_literal"),
    booleans=("boolean_literal",),
    blocks=("statements", "class_body", "protocol_body", "enum_class_body"),
    not_generic=("identifier",),
    functions={
        "function_declaration": Function(returns="returns"),
        "protocol_function_declaration": Function(returns="returns"),
        "init_declaration": Function(),
        "deinit_declaration": Function(),
        "lambda_literal": Function(name=None),
    },
    imports={"import_declaration": Import()},
    roles={
        "call_expression": ("Call", "Expression"),
        "property_declaration": ("Declaration", "Variable"),
        "protocol_property_declaration": ("Declaration", "Variable"),
        "parameter": ("Argument",),
        "lambda_parameter": ("Argument",),
    },
    symbols={
        "class_declaration": "class",
        "struct_declaration": "struct",
        "enum_declaration": "enum",
        "extension_declaration": "class",
        "protocol_declaration": "interface",
        "enum_case": "enum_member",
        "typealias_declaration": "type",
    },
    transforms={
        "function_declaration": function_declaration,
        "protocol_function_declaration": function_declaration,
        "init_declaration": init_declaration,
        "deinit_declaration": deinit_declaration,
        "parameter": parameter,
        "lambda_parameter": lambda_parameter,
        "lambda_literal": lambda_literal,
        "class_declaration": class_declaration,
        "enum_entry": enum_entry,
        "property_declaration": property_declaration,
        "protocol_property_declaration": property_declaration,
        "identifier": dotted,  # `Swift.Array`: simple identifiers in a row
        "line_string_literal": string_literal,
        "multi_line_string_literal": string_literal,
    },
    # None of these changes its children: they build new nodes of them (functions, Arguments, a
    # parameter with its default as a copy, enum cases around the names) or change only their own
    # fields.  Not `identifier`: it may return its child, which then takes its roles (carry_roles).
    keeps_children=("function_declaration", "protocol_function_declaration", "init_declaration",
                    "deinit_declaration", "parameter", "lambda_parameter", "lambda_literal", "class_declaration",
                    "enum_entry", "property_declaration", "protocol_property_declaration", "line_string_literal",
                    "multi_line_string_literal"),
)
