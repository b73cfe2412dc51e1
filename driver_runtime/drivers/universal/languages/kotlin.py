"""Kotlin (tree-sitter-kotlin, fwcd's).

The grammar gives its declarations no fields: a function's name, parameters, return type and body
are children told apart by their types.  The transforms here put them in the fields the builders
read (`_fields`), then call the builder.  Other transforms:

* a class declaration is a class, an interface or an enum by its keyword, which the tree drops:
  an interface becomes ``kotlin:interface_declaration``, an enum ``kotlin:enum_declaration``
  (the outline's kind is by node type);
* a property (``val x = 1``) is an Assignment to its name (a field in a class, a variable or, for
  ``const``, a constant at the top), as are the ``val``/``var`` parameters of a primary
  constructor; its other parameters are Arguments;
* a secondary constructor is a function named ``constructor``;
* a dotted ``identifier`` is a QualifiedIdentifier (it has no fields either).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import dotted, function, import_
from driver_runtime.drivers.universal.rules import IDENTIFIER, assigned, children, first, take
from driver_runtime.drivers.universal.tables import Function, Import, LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
K = "kotlin:"
TYPES = tuple(K + kind for kind in ("user_type", "nullable_type", "function_type", "parenthesized_type",
                                     "non_nullable_type"))


def _text(node: Node, context: Context, before: Any) -> str:
    """The node's source text before a child (its keywords and modifiers)."""
    start = node["@pos"]["start"]
    end = before["@pos"]["start"] if type(before) is dict and "@pos" in before else node["@pos"]["end"]
    return context.data[start:end].decode("utf-8", "replace")


def _parameters(holder: Any) -> list[Node]:
    """The Arguments of a function_value_parameters: each parameter, the default value that
    follows it, `vararg` before it.  Its parts are read, not taken out of it: its conversion may
    be kept for the next parse (memo.py)."""
    arguments: list[Node] = []
    variadic = False
    for child in (holder or {}).get("children") or []:
        kind = child.get("@type")
        if kind == K + "parameter":
            parts = children(child)
            arguments.append(nodes.argument(first(parts, IDENTIFIER), first(parts, *TYPES), variadic=variadic,
                                            pos=child.get("@pos")))
            variadic = False
        elif kind == K + "parameter_modifiers":
            variadic = "vararg" in str(child.get("@token") or "") or any(
                part.get("@token") == "vararg" for part in child.get("children") or [])
        elif kind != "uast:Comment" and arguments and arguments[-1]["Init"] is None:
            arguments[-1]["Init"] = child
    return arguments


def _body(node: Node) -> Any:
    """A function_body's block or expression (`= expr`)."""
    body = take(node, K + "function_body")
    if body is None:
        return None
    inner = body.get("children") or []
    return inner[0] if len(inner) == 1 else body


_build_function = function(Function(returns="returns"))
_build_lambda = function(Function(name=None, returns=None))


def function_declaration(node: Node, context: Context) -> Node:
    node["name"] = take(node, IDENTIFIER)
    parameters = take(node, K + "function_value_parameters")
    node["parameters"] = _parameters(parameters)
    node["returns"] = take(node, *TYPES)
    node["body"] = _body(node)
    return _build_function(node, context)


def secondary_constructor(node: Node, context: Context) -> Node:
    pos = node["@pos"]
    node["name"] = nodes.identifier("constructor", {"start": pos["start"], "end": pos["start"] + len("constructor")})
    node["parameters"] = _parameters(take(node, K + "function_value_parameters"))
    node["body"] = take(node, "uast:Block", K + "statements")
    return _build_function(node, context)


def anonymous_function(node: Node, context: Context) -> Node:
    node["parameters"] = _parameters(take(node, K + "function_value_parameters"))
    node["body"] = _body(node)
    return _build_lambda(node, context)


def lambda_literal(node: Node, context: Context) -> Node:
    parameters = take(node, K + "lambda_parameters")
    arguments = []
    for declaration in (parameters or {}).get("children") or []:  # read, as a function's (`_parameters`)
        name = first(children(declaration), IDENTIFIER)
        arguments.append(nodes.argument(name, first(children(declaration), *TYPES), pos=declaration.get("@pos"))
                         if name is not None else declaration)
    node["parameters"] = arguments
    node["body"] = take(node, "uast:Block", K + "statements")
    return _build_lambda(node, context)


def class_declaration(node: Node, context: Context) -> Node:
    node["name"] = take(node, IDENTIFIER)
    words = _text(node, context, node["name"]).split() if node["name"] is not None else []
    if "interface" in words:
        node["@type"] = K + "interface_declaration"
    elif "enum" in words:
        node["@type"] = K + "enum_declaration"
    return node


def _assigned(node: Node, context: Context, target: Any) -> Node:
    """A property: an Assignment to its name(s), `const` said as Go's and JavaScript's are."""
    assigned(node, target, "Declaration")
    modifiers = first(children(node), K + "modifiers")
    if modifiers is not None and "const" in context.text(modifiers).split():
        node["kind"] = "const"
    return node


def property_declaration(node: Node, context: Context) -> Node:
    """A property: its declarations' parts read, not taken out of them (as a function's
    parameters: `_parameters`)."""
    single = take(node, K + "variable_declaration")
    if single is not None:
        target = first(children(single), IDENTIFIER)
        rest = [part for part in single.get("children") or [] if part is not target]
        if rest:  # its type
            node["type"] = rest[0]
        return _assigned(node, context, target)
    several = take(node, K + "multi_variable_declaration")
    if several is not None:
        targets = [first(children(part), IDENTIFIER) for part in several.get("children") or []]
        return _assigned(node, context, [target for target in targets if target is not None])
    return node


def class_parameter(node: Node, context: Context) -> Node:
    name = take(node, IDENTIFIER)
    if any(child.get("@type") == K + "binding_pattern_kind" for child in node.get("children") or []):
        node["type"] = take(node, *TYPES)
        return _assigned(node, context, name)  # `val x: Int`: a property
    rest = node.get("children") or []
    return nodes.argument(name, take(node, *TYPES), rest[-1] if rest else None, pos=node.get("@pos"))


_build_import = import_(Import(alias="alias"))


def import_header(node: Node, context: Context) -> Node:
    alias = take(node, K + "import_alias")
    if alias is not None:
        node["alias"] = (alias.get("children") or [alias])[0]
    every = take(node, K + "wildcard_import")
    built = _build_import(node, context)
    if every is not None and built.get("@type") == "uast:Import":
        built["All"] = True
    return built


TABLE = LanguageTable(
    identifiers=("type_identifier", "simple_identifier", "this_expression", "super_expression"),
    strings=("string_literal", "multiline_string_literal", "multi_line_string_literal"),
    booleans=("boolean_literal",),
    blocks=("statements", "class_body", "enum_class_body", "control_structure_body"),
    not_generic=("identifier",),
    functions={
        "function_declaration": Function(returns="returns"),
        "secondary_constructor": Function(),
        "anonymous_function": Function(name=None),
        "lambda_literal": Function(name=None),
    },
    imports={"import_header": Import(alias="alias")},
    roles={
        "call_expression": ("Call", "Expression"),
        "property_declaration": ("Declaration",),
        "package_header": ("Declaration", "Package"),
    },
    symbols={
        "class_declaration": "class",
        "interface_declaration": "interface",
        "enum_declaration": "enum",
        # Named by their first identifier child.
        "object_declaration": Symbol("object", child=IDENTIFIER),
        "enum_entry": Symbol("enum_member", child=IDENTIFIER),
        "type_alias": Symbol("type", child=IDENTIFIER),
    },
    transforms={
        "function_declaration": function_declaration,
        "secondary_constructor": secondary_constructor,
        "anonymous_function": anonymous_function,
        "lambda_literal": lambda_literal,
        "class_declaration": class_declaration,
        "property_declaration": property_declaration,
        "class_parameter": class_parameter,
        "identifier": dotted,  # `a.b.c`: simple identifiers in a row
        "import_header": import_header,
    },
    # None of these changes its children: they take parts out of their own list, read those of
    # their parameters and declarations, and build new nodes of them.  Not `identifier`: it may
    # return its child, which then takes its roles (carry_roles).
    keeps_children=("function_declaration", "secondary_constructor", "anonymous_function", "lambda_literal",
                    "class_declaration", "property_declaration", "class_parameter", "import_header"),
)
