"""Constructors of Babelfish's semantic nodes (uast:*), shared by every driver's tables.

Field names and defaults follow Babelfish's v2 schema (sdk/uast/types.go), so that every
language gives the same shape for the same concept.

A node's keys are in the order they are printed: @type, @pos (when it has one), the fields.
Those a driver makes for every name or function of a file (identifiers, strings, arguments,
blocks, the function chain) are each a single dict display, a fraction of the cost of
merging dicts.
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]
Pos = dict[str, int] | None


def _node(kind: str, pos: Pos) -> Node:
    """A node of a type with its position, if it has one (an empty one is none): its fields
    follow."""
    return {"@type": kind, "@pos": pos} if pos else {"@type": kind}


def identifier(name: str, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:Identifier", "@pos": pos, "Name": name}
    return {"@type": "uast:Identifier", "Name": name}


def qualified_identifier(names: list[Node], pos: Pos = None) -> Node:
    node = _node("uast:QualifiedIdentifier", pos)
    node["Names"] = names
    return node


def string(value: str, pos: Pos = None, format: str = "") -> Node:
    if pos:
        return {"@type": "uast:String", "@pos": pos, "Format": format, "Value": value}
    return {"@type": "uast:String", "Format": format, "Value": value}


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
        return {"@type": "uast:Block", "@pos": pos, "Statements": statements}
    return {"@type": "uast:Block", "Statements": statements}


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
        return {"@type": "uast:Argument", "@pos": pos, "Init": init, "MapVariadic": map_variadic, "Name": name,
                "Receiver": receiver, "Type": type, "Variadic": variadic}
    return {"@type": "uast:Argument", "Init": init, "MapVariadic": map_variadic, "Name": name,
            "Receiver": receiver, "Type": type, "Variadic": variadic}


def function_type(arguments: list[Any], returns: list[Any] | None = None, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:FunctionType", "@pos": pos, "Arguments": arguments, "Returns": returns}
    return {"@type": "uast:FunctionType", "Arguments": arguments, "Returns": returns}


def function(type: Node, body: Any, pos: Pos = None) -> Node:
    if pos:
        return {"@type": "uast:Function", "@pos": pos, "Body": body, "Type": type}
    return {"@type": "uast:Function", "Body": body, "Type": type}


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
