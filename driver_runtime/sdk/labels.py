"""How a UAST's scalars read as text, and a node's short label: what search results show and what
an XPath attribute compares.  In the kit because both the host's query library and a driver
that sends its tree as a node table (node_table.py) need exactly the same answers.
"""

from __future__ import annotations

import math
import re
from typing import Any

from driver_runtime.sdk.uast import TOKEN, TYPE

Node = dict[str, Any]


def xpath_string(value: Any) -> str:
    """A scalar as Babelfish shows it: true/false, null as "", 3.0 as "3"."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    return str(value)


_LABEL_WIDTH = 60
_SPACES = re.compile(r"\s+")


def _short(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = xpath_string(value)
    if len(text) <= _LABEL_WIDTH and not _SPACES.search(text):
        return text  # the common case (a name): no rewriting
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= _LABEL_WIDTH else text[: _LABEL_WIDTH - 1] + "\u2026"


def _name_of(node: Any) -> str:
    """The name a node stands for: identifiers, qualified identifiers, aliases, strings."""
    if isinstance(node, list):
        return ", ".join(filter(None, (_name_of(item) for item in node)))
    if not isinstance(node, dict):
        return xpath_string(node) if isinstance(node, str) else ""
    node_type = node.get(TYPE)
    if node_type == "uast:Identifier":
        return xpath_string(node.get("Name"))
    if node_type == "uast:QualifiedIdentifier":
        names = node.get("Names")
        return ".".join(filter(None, (_name_of(item) for item in (names if isinstance(names, list) else ()))))
    if node_type == "uast:Alias":
        return _name_of(node.get("Name"))
    if node_type == "uast:String":
        return xpath_string(node.get("Value"))
    return ""


def _path_of(node: Any) -> str:
    if isinstance(node, dict) and node.get(TYPE) == "uast:Alias":
        return _name_of(node.get("Node")) or _name_of(node.get("Name"))
    return _name_of(node)


def label(node: Node) -> str:
    """A short, one-line human label for a node ("" when there is nothing to say).

    Identifier -> its name; QualifiedIdentifier -> a.b.c; String -> its value;
    FunctionGroup -> the function's name (from its alias); Alias -> its name;
    Argument -> its name; Import/RuntimeImport/... -> the imported path; Bool -> true/false;
    any other node with a scalar @token (python:ClassDef ...) -> the token; else the identifier
    in its Name field (go:TypeSpec, java:TypeDeclaration).
    Long labels are cut to 60 characters; whitespace runs read as one space.
    """
    if not isinstance(node, dict):
        return ""
    node_type = node.get(TYPE)
    if node_type in ("uast:Identifier", "uast:QualifiedIdentifier", "uast:Alias", "uast:String"):
        return _short(_name_of(node))
    if node_type == "uast:FunctionGroup":
        members = node.get("Nodes")
        for item in members if isinstance(members, list) else ():
            if isinstance(item, dict) and item.get(TYPE) == "uast:Alias":
                return _short(_name_of(item))
        return ""
    if node_type == "uast:Argument":
        return _short(_name_of(node.get("Name")))
    if node_type == "uast:Bool":
        return xpath_string(node.get("Value"))
    if isinstance(node_type, str) and node_type.startswith("uast:") and node_type.endswith("Import"):
        return _short(_path_of(node.get("Path")))
    token = node.get(TOKEN)
    if token is not None and not isinstance(token, (dict, list)):
        return _short(token)
    if isinstance(token, dict) and token.get(TYPE) == "uast:Identifier":  # Babelfish's Ruby and Python keywords
        return _short(_name_of(token))
    for field in ("Name", "name"):  # a declaration named by an identifier (Go, Java types)
        value = node.get(field)
        if isinstance(value, dict) and value.get(TYPE) in ("uast:Identifier", "uast:QualifiedIdentifier"):
            return _short(_name_of(value))
    return ""
