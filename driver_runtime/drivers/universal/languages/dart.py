"""Dart (tree-sitter-dart).

The outline follows the Dart analysis server's: classes, mixins (classes), enums and their
values, extensions (the analyzer: namespaces; classes here, as Swift's and Rust's are, so their
members are methods), constructors, methods, getters and setters (the analyzer: properties;
methods here: they are functions), fields, top-level functions and variables (`const` ones
constants here).

The grammar leaves a function's signature and its body apart, siblings in the file or the class
body (`function_signature`, then `function_body`), and a top-level variable's keywords and type
siblings of its names: the transform of each list of members (`program`, `class_body`,
`extension_body`) pairs each signature with the body after it into a FunctionGroup (named by
its name, `Playlist.empty` for a named constructor; its parameters Arguments, a default value
the Init of its parameter; a body `=> expr` its expression), and makes a variable declaration
an Assignment to its names (marked const after `const`).  Also: a lambda `(a, b) => ...` is a
bare Function; an import a uast:Import of its URI (`as` name its Names, `show` names too).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import block
from driver_runtime.drivers.universal.rules import IDENTIFIER, assigned, children, first, is_type, span
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
D = "dart:"
SIGNATURES = frozenset(D + kind for kind in (
    "function_signature", "getter_signature", "setter_signature", "constructor_signature",
    "factory_constructor_signature", "operator_signature", "method_signature"))
TYPES = frozenset(D + kind for kind in ("type_identifier", "void_type", "function_type", "inferred_type"))
TYPES |= {IDENTIFIER}
PREFIXES = TYPES | {D + "const_builtin", D + "final_builtin", D + "type_arguments", D + "late_builtin"}
VARIABLES = frozenset(D + kind for kind in ("initialized_identifier_list", "static_final_declaration_list"))


def _parameter(node: Node, init: list[Node]) -> Node:
    name = node.get("name")
    parts = children(node)
    if name is None:
        inner = parts[-1] if parts else None
        if inner is not None and inner.get("@type") == D + "constructor_param":  # this.name
            name = next((part for part in children(inner) if part.get("@type") == IDENTIFIER), inner)
        else:
            name = first(reversed(parts), IDENTIFIER)
    kind = next((part for part in parts if part.get("@type") in TYPES and part is not name), None)
    value = init[0] if len(init) == 1 else init or None
    return nodes.argument(name, kind, value, pos=node.get("@pos"))


def _parameters(holder: Any) -> list[Node]:
    """A formal_parameter_list's Arguments; `{...}`/`[...]` optional ones with their defaults
    (the expression after a parameter, in parts: `Mood`, `.calm`)."""
    found: list[Node] = []
    pending: tuple[Node, list[Node]] | None = None
    for item in children(holder):
        if item.get("@type") == D + "optional_formal_parameters":
            if pending:
                found.append(_parameter(*pending))
                pending = None
            found.extend(_parameters(item))
            continue
        if item.get("@type") == D + "formal_parameter":
            if pending:
                found.append(_parameter(*pending))
            pending = (item, [])
        elif pending and item.get("@type") != "uast:Comment":
            pending[1].append(item)
    if pending:
        found.append(_parameter(*pending))
    return found


def _name(signature: Node) -> Any:
    name = signature.get("name")
    if type(name) is list or name is None:  # Playlist.empty, factory A.make
        parts = [part for part in (name or children(signature)) if is_type(part, IDENTIFIER)]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return nodes.identifier(".".join(part["Name"] for part in parts), span(parts[0], parts[-1]))
    return name


def _function(signature: Node, body: Node | None, pos: dict[str, int] | None) -> Node:
    if signature.get("@type") == D + "method_signature":
        inner = children(signature)
        signature = inner[0] if len(inner) == 1 else signature
    name = _name(signature)
    holder = signature.get("parameters") or next(
        (part for part in children(signature) if part.get("@type") == D + "formal_parameter_list"), None)
    returns = next((part for part in children(signature) if part.get("@type") in TYPES and part is not name), None)
    if is_type(body, D + "function_body"):
        inner = children(body)
        body = inner[0] if len(inner) == 1 else inner or None
    function = nodes.function(nodes.function_type(_parameters(holder), [returns] if returns else None), body)
    if name is None:
        return signature
    return nodes.function_group(name, function, pos)


def _variables(node: Node, names: Node, const: bool) -> Node:
    """A declaration of variables or fields: an Assignment to each name."""
    targets = []
    for declaration in children(names):
        name = first(children(declaration), IDENTIFIER)
        if name is not None:
            targets.append(name)
    assigned(node, targets, "Declaration")
    if const:
        node["kind"] = "const"
    return node


def _members(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    index = 0
    const = False
    while index < len(items):
        item = items[index]
        kind = item.get("@type") if type(item) is dict else None
        following = items[index + 1] if index + 1 < len(items) else None
        if kind in SIGNATURES:
            annotations = []  # `@override` before it: kept beside its Alias, as modifiers are
            while out and is_type(out[-1], D + "annotation"):
                annotations.insert(0, out.pop())
            leading = annotations[0] if annotations else item
            has_body = is_type(following, D + "function_body")
            group = _function(item, following if has_body else None, span(leading, following if has_body else item))
            if annotations and group.get("@type") == "uast:FunctionGroup":
                group["Nodes"] = [*annotations, *group["Nodes"]]
            out.append(group)
            index += 2 if has_body else 1
            continue
        elif kind == D + "declaration":
            out.append(declaration(item))
        elif kind in VARIABLES:  # a top-level variable: its keywords and type are siblings before it
            start = len(out)
            while start and type(out[start - 1]) is dict and out[start - 1].get("@type") in PREFIXES:
                start -= 1
            parts = [*out[start:], item]
            del out[start:]
            wrapper = {"@type": D + "top_level_variables", "@pos": span(parts[0], item), "children": parts}
            out.append(_variables(wrapper, item, const))
        else:
            out.append(item)
        if kind == D + "const_builtin":
            const = True
        elif kind not in (D + "final_builtin", D + "inferred_type", "uast:Comment") and kind not in TYPES:
            const = False
        index += 1
    return out


def declaration(node: Node) -> Node:
    parts = children(node)
    const = any(part.get("@type") == D + "const_builtin" for part in parts)
    for part in parts:
        if part.get("@type") in SIGNATURES:  # abstract, or a constructor that redirects
            group = _function(part, None, node.get("@pos"))
            rest = [other for other in parts if other is not part]
            if rest and group.get("@type") == "uast:FunctionGroup":
                group["Nodes"] = [*rest, *group["Nodes"]]
            return group
        if part.get("@type") in VARIABLES:  # a copy: the declaration's conversion may be kept (memo.py)
            return _variables(dict(node), part, const)
    return node


def members(node: Node, context: Context) -> Node:
    if type(node.get("children")) is list:
        node["children"] = _members(node["children"])
    return node if node.get("@type") == D + "program" else block(node, context)  # a body: a Block


def function_expression(node: Node, context: Context) -> Node:
    body = node.get("body")
    if is_type(body, D + "function_expression_body"):
        inner = children(body)
        body = inner[0] if len(inner) == 1 else body
    return nodes.function(nodes.function_type(_parameters(node.get("parameters"))), body, node.get("@pos"))


def import_specification(node: Node, context: Context) -> Node:
    parts = children(node)
    uri = first(parts, D + "configurable_uri")
    held = children(uri)
    strings = [item for item in children(held[0] if held else None) if item.get("@type") == "uast:String"]
    if not strings:
        return node
    names: list[Node] = [part for part in parts if part.get("@type") == IDENTIFIER]  # `as math`
    for combinator in parts:
        if combinator.get("@type") == D + "combinator":
            names.extend(item for item in children(combinator) if item.get("@type") == IDENTIFIER)
    return nodes.import_(strings[0], names or None, pos=node.get("@pos"))


def named(node: Node, context: Context) -> Node:
    """A mixin: named by its identifier (no field here)."""
    if "name" not in node:
        name = first(children(node), IDENTIFIER)
        if name is not None:
            node["name"] = name
    return node


TABLE = LanguageTable(
    comments=("documentation_comment",),
    blocks=("block", "class_body", "extension_body", "enum_body"),
    symbols={
        "class_definition": "class",
        "mixin_declaration": "class",
        "extension_declaration": "class",
        "enum_declaration": "enum",
        "enum_constant": "enum_member",
    },
    transforms={
        "program": members,
        "class_body": members,
        "extension_body": members,
        "function_expression": function_expression,
        "import_specification": import_specification,
        "mixin_declaration": named,
    },
    # None of these changes its children: a list of members pairs them into new nodes (a
    # declaration of variables as a copy), the others build new nodes of them or name themselves.
    keeps_children=("program", "class_body", "extension_body", "function_expression", "import_specification",
                    "mixin_declaration"),
)
