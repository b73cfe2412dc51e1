"""The builders that make Babelfish's uast:* nodes from a language's table (tables.py), and
the Normalizer tables made from it: the roles each concept gives (annotated mode) and the
transforms (semantic mode).  A type no table names stays native (Unannotated in annotated mode).

Only leaves become uast:Identifier (an ``identifier`` with children is some grammar's compound
name), and only strings without interpolation become uast:String, their Value the text between
the quotes as written (escapes are not decoded).  A builder that finds a shape it does not know
returns the node unchanged: a tree stays whole, if less semantic.

Some builders serve in a table's own `transforms` too, for shapes that several grammars share
but that no spec names (`dotted`, `unwrap`, `comment_with`, `content_string`, `symbol`); what
the tables' own transforms share besides is in rules.py.
"""

from __future__ import annotations

import functools
from typing import Any

from driver_runtime.drivers.universal.rules import children, children_of, is_type, names_in, objects, operator, take
from driver_runtime.drivers.universal.tables import (
    Argument,
    Function,
    Import,
    LanguageTable,
    Operator,
    Symbol,
    table_for,
)
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context, Tables, Transform

Node = dict[str, Any]

# Children a plain string holds (its text, escapes, its quotes as nodes in some grammars).
STRING_PARTS = frozenset({
    "string_content", "string_fragment", "escape_sequence", "string_start", "string_end", "content",
    "string_literal_content", "raw_string_literal_content", "quoted_content", "character",
})
QUOTES = "\"'`"

# Comment markers, longest first: (opener, closer).
COMMENT_MARKERS = (
    ("/**", "*/"), ("/*", "*/"), ("<!--", "-->"), ("--[[", "]]"), ("(*", "*)"), ("{-", "-}"),
    ("#|", "|#"), ("///", ""), ("//", ""), ("--", ""), ("##", ""), ("#", ""), (";;", ""), (";", ""),
    ("%", ""), ("'", ""), ("!", ""),
)

# The roles an outline symbol's node type has, by its kind.
SYMBOL_ROLES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("class", "struct", "interface", "object", "type"), ("Declaration", "Type")),
    "enum": ("Declaration", "Enumeration", "Type"),
    **dict.fromkeys(("module", "namespace", "package"), ("Declaration", "Module")),
    **dict.fromkeys(("function", "method", "constructor"), ("Declaration", "Function")),
    **dict.fromkeys(("variable", "constant", "field", "property", "enum_member"), ("Declaration", "Variable")),
}


def _first(value: Any) -> Any:
    return value[0] if type(value) is list and value else value


def comment(node: Node, context: Context) -> Node:
    return _comment(node, COMMENT_MARKERS)


def comment_with(*markers: tuple[str, str]) -> Transform:
    """The comment builder with these (opener, closer) markers before the others: a language's
    own (R's `#'`), or the one it has alone (Python's `#`, which `##` is too)."""
    ordered = (*markers, *COMMENT_MARKERS)
    return lambda node, context: _comment(node, ordered)


def _comment(node: Node, markers: tuple[tuple[str, str], ...]) -> Node:
    raw = node.get("@token")
    if not isinstance(raw, str):
        return node
    for opener, closer in markers:
        if raw.startswith(opener) and (not closer or raw.rstrip().endswith(closer)):
            break
    else:
        return nodes.comment(raw, node.get("@pos"))
    if closer:
        prefix, text, suffix, tab = nodes.split_comment_tab(raw.rstrip(), opener, closer)
        return nodes.comment(text, node.get("@pos"), block=True, prefix=prefix, suffix=suffix, tab=tab)
    prefix, text, suffix = nodes.split_comment(raw.rstrip("\r\n"), opener)
    return nodes.comment(text, node.get("@pos"), prefix=prefix, suffix=suffix)


def identifier(node: Node, context: Context) -> Node:
    name = node.get("@token")
    if not isinstance(name, str) or "children" in node:
        return node
    return nodes.identifier(name, node.get("@pos"))


def _unquoted(raw: str) -> str | None:
    """The text between a string's quotes (a prefix such as r, b, f, @ or L before them)."""
    start = 0
    while start < len(raw) and raw[start] not in QUOTES:
        if not (raw[start].isalpha() or raw[start] in "@$"):
            return None
        start += 1
    if start >= len(raw) - 1:
        return None
    quote = raw[start]
    width = 3 if raw.startswith(quote * 3, start) and len(raw) - start >= 6 and raw.endswith(quote * 3) else 1
    if not raw.endswith(quote * width):
        return None
    return raw[start + width: len(raw) - width]


def _plain_part(part: Any) -> bool:
    if type(part) is not dict:
        return False
    kind = part.get("@type", "").partition(":")[2]
    return kind in STRING_PARTS or kind.endswith("_content")


def string(node: Node, context: Context) -> Node:
    parts = node.get("children") or []
    if not all(_plain_part(part) for part in parts) or any(
            key not in ("@type", "@pos", "@token", "@role", "children") for key in node):
        return node  # interpolation, or a shape not known here: stays native
    value = _unquoted(context.text(node))
    if value is None:
        return node
    return nodes.string(value, node.get("@pos"))


def content_string(*quotes: str) -> Transform:
    """The string builder of a grammar that puts a string's text in a `content` field (and its
    quotes, if anywhere, in these fields): a uast:String of that text ("" without it); one whose
    content holds more (an interpolation, an escape) stays native."""
    known = {"@type", "@pos", "@role", "@token", "content", *quotes}

    def transform(node: Node, context: Context) -> Node:
        if set(node) - known:
            return node
        content = node.get("content")
        if content is None:
            return nodes.string("", node.get("@pos"))
        if type(content) is dict and "children" not in content:
            return nodes.string(context.text(content), node.get("@pos"))
        return node
    return transform


def boolean(node: Node, context: Context) -> Node:
    text = context.text(node).strip().lower()
    if text not in ("true", "false"):
        return node
    return nodes.boolean(text == "true", node.get("@pos"))


def block(node: Node, context: Context) -> Node:
    return nodes.block(children_of(node), node.get("@pos"))


def unwrap(node: Node, context: Context) -> Any:
    """A node that holds one node and nothing else (no field, no token): that node (a grammar's
    wrapper, a precedence level of expressions where no operator of its own is used)."""
    items = children(node)
    if len(items) == 1 and set(node) <= {"@type", "@pos", "@role", "children"}:
        return items[0]
    return node


def dotted(node: Node, context: Context) -> Node:
    """Names in a row, a dotted name of a grammar without fields (its children all names): one
    QualifiedIdentifier of them (one among them gives its names), or the one Identifier."""
    names: list[Node] = []
    for part in children(node):
        found = names_in(part)
        if found is None:
            return node
        names += found
    if len(names) == 1:
        return names[0]
    return nodes.qualified_identifier(names, node.get("@pos")) if names else node


def qualified(fields: tuple[str, ...]) -> Transform:
    def transform(node: Node, context: Context) -> Node:
        names: list[Node] = []
        for field in fields:
            value = node.get(field)
            if value is None:
                continue
            found = names_in(value)
            if found is None:
                return node  # a part that is no name (a generic, a call): stays native
            names += found
        if len(names) < 2:
            return node
        return nodes.qualified_identifier(names, node.get("@pos"))
    return transform


def _arguments(value: Any) -> list[Any]:
    """The arguments a function's parameters field holds: the field's nodes, or the children of
    the one node that lists them (comments left out)."""
    if value is None:
        return []
    if type(value) is dict and not value.get("@type", "").startswith("uast:"):
        value = children_of(value)
    return [item for item in objects(value) if not is_type(item, "uast:Comment")]


def function(spec: Function) -> Transform:
    used = {spec.name, spec.parameters, spec.returns, spec.body} - {None}

    def transform(node: Node, context: Context) -> Node:
        name = _first(node.get(spec.name)) if spec.name else None
        parameters = node.get(spec.parameters) if spec.parameters else None
        arguments = _arguments(parameters)
        returns = node.get(spec.returns) if spec.returns else None
        signature_pos = None
        if spec.signature_position:
            ends = [part for part in (parameters, returns) if type(part) is dict and "@pos" in part]
            start = (ends[0]["@pos"] or {}).get("start", 0) if ends else None
            if start is not None:
                signature_pos = {"start": start, "end": ends[-1]["@pos"]["end"]}
        signature = nodes.function_type(arguments, objects(returns) or None, signature_pos)
        body = node.get(spec.body) if spec.body else None
        if name is None:
            return nodes.function(signature, body, node.get("@pos"))
        extra = children_of(node, used)
        return nodes.function_group(name, nodes.function(signature, body), node.get("@pos"), extra or None)
    return transform


def argument(spec: Argument) -> Transform:
    def transform(node: Node, context: Context) -> Node:
        name = _first(node.get(spec.name)) if spec.name else None
        return nodes.argument(
            name, node.get(spec.type) if spec.type else None, node.get(spec.init) if spec.init else None,
            spec.variadic, spec.map_variadic, spec.receiver, node.get("@pos") if spec.position else None)
    return transform


def import_(spec: Import) -> Transform:
    def transform(node: Node, context: Context) -> Node:
        if spec.path:
            path = node.get(spec.path)
        else:
            path = next(iter(children_of(node, {spec.alias} if spec.alias else set())), None)
        if path is None:
            return node
        names = node.get(spec.alias) if spec.alias else None
        return nodes.import_(path, names, pos=node.get("@pos"), kind=spec.kind)
    return transform


def operator_of(spec: Operator) -> Transform:
    """A node whose operator is a uast:Operator (tables.Operator)."""
    def transform(node: Node, context: Context) -> Node:
        symbol = node.get(spec.field)
        if isinstance(symbol, str):
            if symbol not in spec.keep:
                node[spec.field] = operator(symbol, spec.roles)
        elif spec.token and isinstance(node.get("@token"), str):
            node[spec.field] = operator(node.pop("@token"), spec.roles)
        return node
    return transform


def symbol(field: str = "name", child: str | None = None) -> Transform:
    """An outline symbol's node: named by its `name` field (another field is moved there: Rust's
    `impl Point` is named by its `type`; or its first `child` of that type, in a grammar without
    fields), and without the operator token a declaration may hold (`=` in `const MAX: u32 = 10`),
    which the outline would take for its name (named by a child, it holds none in any case)."""
    def transform(node: Node, context: Context) -> Node:
        if "name" not in node:
            if child is not None:
                name = take(node, child)
                if name is not None:
                    node["name"] = name
            elif field in node:
                node["name"] = node.pop(field)
        if child is not None or "name" in node:
            node.pop("@token", None)
        return node
    return transform


def normalizer_tables(table: LanguageTable) -> Tables:
    roles: dict[str, tuple[str, ...]] = {}
    transforms: dict[str, Transform] = {}
    for kinds, kind_roles, transform in (
        (table.comments, ("Comment", "Noop"), comment),
        (table.identifiers, ("Identifier",), identifier),
        (table.strings, ("Literal", "String"), string),
        (table.booleans, ("Boolean", "Literal"), boolean),
        (table.blocks, ("Block", "Scope"), block),
    ):
        for kind in kinds:
            roles[kind] = kind_roles
            transforms[kind] = transform
    for kind, symbol_spec in table.symbols.items():
        symbol_kind = symbol_spec.kind if isinstance(symbol_spec, Symbol) else symbol_spec
        roles[kind] = SYMBOL_ROLES.get(symbol_kind, ("Declaration",))
        transforms[kind] = symbol(symbol_spec.name, symbol_spec.child) if isinstance(symbol_spec, Symbol) else symbol()
    for kind, fields in table.qualified.items():
        roles[kind] = ("Identifier", "Qualified")
        transforms[kind] = qualified(fields)
    for kind, spec in table.functions.items():
        roles[kind] = ("Declaration", "Function")
        transforms[kind] = function(spec)
    for kind, argument_spec in table.arguments.items():
        roles[kind] = ("Argument",)
        transforms[kind] = argument(argument_spec)
    for kind, import_spec in table.imports.items():
        roles[kind] = ("Declaration", "Import")
        transforms[kind] = import_(import_spec)
    for kind, operator_spec in table.operators.items():
        transforms[kind] = operator_of(operator_spec)
    roles.update(table.roles)
    transforms.update(table.transforms)
    return Tables(roles=roles, field_roles=table.field_roles, transforms=transforms)


@functools.cache
def tables_for(language: str) -> Tables:
    """The Normalizer's tables of a language: from its own table, else the generic one."""
    return normalizer_tables(table_for(language))


@functools.cache
def reuse_limits(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a parse may not keep for the next one (memo.py): the children of the node types
    whose own transform may change them after they are made (a table's transforms, but those it
    says leave them as made: LanguageTable.keeps_children; the builders of this module change
    only the node they are given), and everything under the types a table says change more than
    their children (LanguageTable.deep)."""
    table = table_for(language)
    return frozenset(table.transforms).difference(table.keeps_children), frozenset(table.deep)
