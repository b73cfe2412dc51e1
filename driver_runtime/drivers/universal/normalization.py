"""Generic rules, the same for every grammar: the node types that are clearly comments,
identifiers, strings, numbers and booleans whatever the language, their roles (annotated mode) and
their uast:* form (semantic mode).  Per-language tables come later; a type no rule names stays
native (Unannotated in annotated mode).

Only leaves become uast:Identifier (an ``identifier`` with children is some grammar's compound
name), and only strings without interpolation become uast:String, their Value the text between
the quotes as written (escapes are not decoded yet).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context, Tables

Node = dict[str, Any]

COMMENTS = ("comment", "line_comment", "block_comment", "doc_comment", "multiline_comment")
IDENTIFIERS = (
    "identifier", "field_identifier", "type_identifier", "property_identifier", "simple_identifier",
    "shorthand_property_identifier", "shorthand_field_identifier", "package_identifier",
    "namespace_identifier", "statement_identifier", "variable_name", "constant", "name",
)
STRINGS = (
    "string", "string_literal", "interpreted_string_literal", "raw_string_literal", "char_literal",
    "character_literal", "template_string", "quoted_string", "verbatim_string_literal",
    "raw_string",
)
NUMBERS = (
    "integer", "float", "number", "integer_literal", "float_literal", "int_literal", "number_literal",
    "decimal_integer_literal", "decimal_floating_point_literal", "real_literal", "imaginary_literal",
)
BOOLEANS = ("true", "false", "boolean", "boolean_literal")

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

ROLES: dict[str, tuple[str, ...]] = {
    **{kind: ("Comment", "Noop") for kind in COMMENTS},
    **{kind: ("Identifier",) for kind in IDENTIFIERS},
    **{kind: ("Literal", "String") for kind in STRINGS},
    **{kind: ("Literal", "Number") for kind in NUMBERS},
    **{kind: ("Boolean", "Literal") for kind in BOOLEANS},
}


def comment(node: Node, context: Context) -> Node:
    raw = node.get("@token")
    if not isinstance(raw, str):
        return node
    for opener, closer in COMMENT_MARKERS:
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
    if not all(_plain_part(part) for part in parts) or any(key not in ("@type", "@pos", "@token", "@role", "children") for key in node):
        return node  # interpolation, or a shape not known here: stays native
    value = _unquoted(context.text(node))
    if value is None:
        return node
    return nodes.string(value, node.get("@pos"))


def _boolean(node: Node, context: Context) -> Node:
    text = context.text(node).strip().lower()
    if text not in ("true", "false"):
        return node
    return nodes.boolean(text == "true", node.get("@pos"))


TRANSFORMS = {
    **{kind: comment for kind in COMMENTS},
    **{kind: identifier for kind in IDENTIFIERS},
    **{kind: string for kind in STRINGS},
    **{kind: _boolean for kind in BOOLEANS},
}

TABLES = Tables(roles=ROLES, transforms=TRANSFORMS)
