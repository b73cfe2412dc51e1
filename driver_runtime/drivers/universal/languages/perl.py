"""Perl (tree-sitter-perl).

The outline follows Perl::LanguageServer's: packages, subs (functions), variables named with their
sigil (`$VERSION`, `%registry`), `use constant` names as constants.  A `package Name;` statement
covers the statements after it up to the next one: the file's transform moves them into it, so
the package holds its subs as `package Name { ... }` does.

Other transforms: a sub is a FunctionGroup (`sub { ... }` a bare Function); a variable (`$x`,
`@x`, `%x`) an Identifier named with its sigil; `my $x` / `our $x` an ``perl:variable_declaration``
named by its variable; `use constant NAME => ...` holds a ``perl:constant`` per name; `use M` a
uast:Import of M (its `qw(...)` words and strings as Names), `require M` a uast:RuntimeImport; a string
without interpolation a String (its content is a field here).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import content_string, identifier
from driver_runtime.drivers.universal.rules import IDENTIFIER, children, gather, is_type
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
P = "perl:"


def subroutine(node: Node, context: Context) -> Node:
    name = node.get("name")
    function = nodes.function(nodes.function_type([]), node.get("body"))
    if type(name) is not dict:
        function["@pos"] = node.get("@pos")
        return function
    extra = [part for part in children(node)]
    return nodes.function_group(name, function, node.get("@pos"), extra or None)


def variable(node: Node, context: Context) -> Node:
    """`$x`, `@x`, `%x`: an Identifier spelling the variable with its sigil."""
    parts = children(node)
    if len(parts) == 1 and parts[0].get("@type") == P + "varname" and set(node) <= {
            "@type", "@pos", "@role", "@token", "children"}:  # (its sigil may be its token)
        return nodes.identifier(context.text(node), node.get("@pos"))
    return node


def variable_declaration(node: Node, context: Context) -> Node:
    name = node.pop("variable", None)
    if name is None:
        several = node.get("variables")
        name = several if type(several) is not list else [item for item in several if type(item) is dict]
        node.pop("variables", None)
    node["name"] = name
    return node


def use_statement(node: Node, context: Context) -> Node:
    module = node.get("module")
    if type(module) is not dict:
        return node
    if module.get("Name") == "constant":  # use constant NAME => value, or { A => 1, B => 2 }
        for holder in children(node):
            items = children(holder)
            if holder.get("@type") == P + "anonymous_hash_expression" and items:
                items = children(items[0])
            for index, item in enumerate(items):
                if index % 2 == 0 and item.get("@type") in (P + "autoquoted_bareword", IDENTIFIER, "uast:String"):
                    label = item.get("@token") or item.get("Name") or item.get("Value")
                    items[index] = {"@type": P + "constant", "@pos": item.get("@pos"),
                                    "name": nodes.identifier(str(label), item.get("@pos")), "children": [item]}
            if holder.get("@type") == P + "anonymous_hash_expression" and children(holder):
                children(holder)[0]["children"] = items
            else:
                holder["children"] = items
        return node
    names = None
    for part in children(node):
        if part.get("@type") == P + "quoted_word_list":
            content = part.get("content")
            words = context.text(content).split() if type(content) is dict else []
            names = [nodes.identifier(word) for word in words] or None
        elif part.get("@type") == "uast:String":  # use parent 'Base'
            names = [*(names or []), part]
    return nodes.import_(module, names, pos=node.get("@pos"))


def require_expression(node: Node, context: Context) -> Node:
    parts = children(node)
    if len(parts) == 1 and parts[0].get("@type") in (IDENTIFIER, "uast:String"):
        return nodes.import_(parts[0], pos=node.get("@pos"), kind="uast:RuntimeImport")
    return node


def bareword(node: Node, context: Context) -> Node:
    token = node.get("@token")
    return nodes.identifier(token, node.get("@pos")) if isinstance(token, str) else node


def _braced(package: Node) -> bool:
    """`package Name { ... }`: it holds its statements already."""
    return any(child.get("@type") in ("uast:Block", P + "block") for child in children(package))


def source_file(node: Node, context: Context) -> Node:
    """`package Name;`: the statements up to the next package (or the end) move into it."""
    node["children"] = gather(node.get("children") or [], lambda item: is_type(item, P + "package_statement"),
                              holds=_braced)
    return node


TABLE = LanguageTable(
    comments=("pod",),
    identifiers=("package", "function"),
    not_generic=("method",),  # the name in `$x->name`, no method definition
    blocks=("block",),
    symbols={
        "package_statement": "package",
        "variable_declaration": "variable",
        "constant": "constant",
    },
    roles={"function_call_expression": ("Call", "Expression"), "method_call_expression": ("Call", "Expression"),
           "method": ("Identifier",)},
    transforms={
        "subroutine_declaration_statement": subroutine,
        "anonymous_subroutine_expression": subroutine,
        "scalar": variable,
        "array": variable,
        "hash": variable,
        "container_variable": variable,
        "variable_declaration": variable_declaration,
        "use_statement": use_statement,
        "require_expression": require_expression,
        "string_literal": content_string(),
        "interpolated_string_literal": content_string(),
        "bareword": bareword,
        "autoquoted_bareword": bareword,
        "source_file": source_file,
        "method": identifier,
    },
)
