"""Constructors of Babelfish's semantic nodes (uast:*), shared by every driver's tables.

Field names and defaults follow Babelfish's v2 schema (sdk/uast/types.go), so that every
language gives the same shape for the same concept.

Each node has the roles of its concept (CONCEPT_ROLES: an Identifier is an Identifier, a
FunctionGroup a Function and a Declaration), wherever a transform puts it; the Normalizer adds
those of the native node it replaces (normalizer.carry_roles).

A node's keys are in the order they are printed: @type, @role, @pos (when it has one), the fields.
Those a driver makes for every name or function of a file (identifiers, strings, arguments,
blocks, the function chain) are each a single dict display, a fraction of the cost of
merging dicts.
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]
Pos = dict[str, int] | None

# uast:* type -> the roles of its concept, Babelfish's role names.  None for a uast:Alias (it
# names a node, which has the roles: a function's Alias is not one more function), a uast:Group
# (a bundle) or a uast:Operator (its roles are its operator's, from the driver's tables).
CONCEPT_ROLES: dict[str, tuple[str, ...]] = {
    "uast:Identifier": ("Identifier",),
    "uast:QualifiedIdentifier": ("Identifier", "Qualified"),
    "uast:String": ("Literal", "String"),
    "uast:Bool": ("Boolean", "Literal"),
    "uast:Comment": ("Comment", "Noop"),
    "uast:Block": ("Block", "Scope"),
    "uast:FunctionGroup": ("Declaration", "Function"),
    "uast:Function": ("Function",),
    "uast:FunctionType": ("Function", "Type"),
    "uast:Argument": ("Argument",),
    **dict.fromkeys(("uast:Import", "uast:RuntimeImport", "uast:RuntimeReImport", "uast:InlineImport"),
                    ("Declaration", "Import")),
}
_IDENTIFIER, _STRING, _BLOCK, _ARGUMENT, _FUNCTION_TYPE, _FUNCTION = (CONCEPT_ROLES[kind] for kind in (
    "uast:Identifier", "uast:String", "uast:Block", "uast:Argument", "uast:FunctionType", "uast:Function"))


def _node(kind: str, pos: Pos) -> Node:
    """A node of a type with its concept's roles and its position, if it has one (an empty one
    is none): its fields follow."""
    roles = CONCEPT_ROLES.get(kind)
    node: Node = {"@type": kind, "@role": [*roles]} if roles else {"@type": kind}
    if pos:
        node["@pos"] = pos
    return node


def identifier(name: str, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:Identifier", "@role": [*_IDENTIFIER], "@pos": pos, "Name": name}
    return {"@type": "uast:Identifier", "@role": [*_IDENTIFIER], "Name": name}


def qualified_identifier(names: list[Node], pos: Pos = None) -> Node:
    node = _node("uast:QualifiedIdentifier", pos)
    node["Names"] = names
    return node


def string(value: str, pos: Pos = None, format: str = "") -> Node:
    if pos:
        return {"@type": "uast:String", "@role": [*_STRING], "@pos": pos, "Format": format, "Value": value}
    return {"@type": "uast:String", "@role": [*_STRING], "Format": format, "Value": value}


def boolean(value: bool, pos: Pos = None) -> Node:
    node = _node("uast:Bool", pos)
    node["Value"] = value
    return node


def comment(text: str, pos: Pos = None, block: bool = False, prefix: str = "", suffix: str = "",
            tab: str = "") -> Node:
    node = _node("uast:Comment", pos)
    node.update(Block=block, Prefix=prefix, Suffix=suffix, Tab=tab, Text=text)
    return node


def split_comment(raw: str, opener: str, closer: str = "") -> tuple[str, str, str]:
    """(prefix, text, suffix) of a comment's body between its markers: Babelfish keeps the
    blanks around the text apart from the text."""
    body = raw[len(opener):]
    if closer and body.endswith(closer):
        body = body[: -len(closer)]
    stripped = body.strip()
    prefix = body[: len(body) - len(body.lstrip())]
    suffix = body[len(prefix) + len(stripped):]
    return prefix, stripped, suffix


def split_comment_tab(raw: str, opener: str, closer: str = "") -> tuple[str, str, str, str]:
    """(prefix, text, suffix, tab) of a comment, as Babelfish's SDK split C-like comments: the
    markers off, the blanks and marker characters around the text apart, and the margin common
    to the lines after the first (" * ") as the tab, taken off each of them."""
    markers = opener + closer

    def margin(text: str) -> int:
        """The length of the text's leading run of blanks and marker characters."""
        for index, char in enumerate(text):
            if not (char.isspace() or char in markers):
                return index
        return len(text)

    body = raw[len(opener):]
    if closer and body.endswith(closer):
        body = body[: -len(closer)]
    start = margin(body)
    end = len(body)
    while end > start and (body[end - 1].isspace() or body[end - 1] in markers):
        end -= 1
    prefix, text, suffix = body[:start], body[start:end], body[end:]
    lines = text.split("\n")
    if len(lines) == 1:
        return prefix, text, suffix, ""
    tab = lines[1][:margin(lines[1])]
    for line in lines[2:]:
        if not tab:
            break
        if not line.startswith(tab):
            own = line[:margin(line)]
            common = 0
            while common < len(tab) and common < len(own) and tab[common] == own[common]:
                common += 1
            tab = tab[:common]
    if tab:
        text = "\n".join([lines[0], *(line[len(tab):] for line in lines[1:])])
    return prefix, text, suffix, tab


def block(statements: list[Any], pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:Block", "@role": [*_BLOCK], "@pos": pos, "Statements": statements}
    return {"@type": "uast:Block", "@role": [*_BLOCK], "Statements": statements}


def group(nodes: list[Any], pos: Pos = None) -> Node:
    node = _node("uast:Group", pos)
    node["Nodes"] = nodes
    return node


def alias(name: Node | None, node: Any, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:Alias", "@pos": pos, "Name": name, "Node": node}
    return {"@type": "uast:Alias", "Name": name, "Node": node}


def argument(name: Node | None = None, type: Any = None, init: Any = None, variadic: bool = False,
             map_variadic: bool = False, receiver: bool = False, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:Argument", "@role": [*_ARGUMENT], "@pos": pos, "Init": init,
                "MapVariadic": map_variadic, "Name": name, "Receiver": receiver, "Type": type, "Variadic": variadic}
    return {"@type": "uast:Argument", "@role": [*_ARGUMENT], "Init": init, "MapVariadic": map_variadic, "Name": name,
            "Receiver": receiver, "Type": type, "Variadic": variadic}


def function_type(arguments: list[Any], returns: list[Any] | None = None, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:FunctionType", "@role": [*_FUNCTION_TYPE], "@pos": pos, "Arguments": arguments,
                "Returns": returns}
    return {"@type": "uast:FunctionType", "@role": [*_FUNCTION_TYPE], "Arguments": arguments, "Returns": returns}


def function(type: Node, body: Any, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:Function", "@role": [*_FUNCTION], "@pos": pos, "Body": body, "Type": type}
    return {"@type": "uast:Function", "@role": [*_FUNCTION], "Body": body, "Type": type}


def function_group(name: Node | None, function_node: Node, pos: Pos = None, extra: list[Any] | None = None) -> Node:
    """Babelfish's FunctionGroup -> Alias -> Function chain; `extra` are the native nodes kept
    beside the alias (modifiers, decorators, comments)."""
    node = _node("uast:FunctionGroup", pos)
    node["Nodes"] = [*extra, alias(name, function_node)] if extra else [alias(name, function_node)]
    return node


def import_(path: Any, names: Any = None, all: bool = False, target: Any = None, pos: Pos = None,
            kind: str = "uast:Import") -> Node:
    """uast:Import (or RuntimeImport, RuntimeReImport, InlineImport via `kind`)."""
    node = _node(kind, pos)
    node.update(All=all, Names=names, Path=path, Target=target)
    return node
