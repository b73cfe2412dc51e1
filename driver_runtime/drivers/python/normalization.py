"""The transformation table: native Python nodes -> Babelfish's semantic uast:* nodes.

Each entry maps a native type to one small function that receives the already converted
(and annotated) node, the original ast node and the converter, and returns the node to put
in its place.  Children are converted before their parent, so a transform sees semantic
children.
"""

from __future__ import annotations

import ast
from typing import Any

from driver_runtime.drivers.python.native import Converter, Node, Transform


def identifier(name: Any, pos: dict[str, int] | None = None) -> Node:
    node: Node = {"@type": "uast:Identifier"}
    if pos is not None:
        node["@pos"] = pos
    node["Name"] = name
    return node


def name_span(conv: Converter, node: ast.AST, keyword: bytes, name: str) -> dict[str, int]:
    """Span of a definition's name: the first occurrence of name after its keyword."""
    span = conv.span(node)
    start = conv.source.find(keyword, span["start"], span["end"])
    found = conv.source.find(name.encode(), start + len(keyword) if start >= 0 else span["start"], span["end"])
    if found < 0:
        return span
    return {"start": found, "end": found + len(name.encode())}


def _name(out: Node, node: ast.AST, _conv: Converter) -> Node:
    return identifier(node.id, out.get("@pos"))  # type: ignore[attr-defined]


def _constant(out: Node, node: ast.AST, _conv: Converter) -> Node:
    value = node.value  # type: ignore[attr-defined]
    if isinstance(value, bool):
        return {"@type": "uast:Bool", "@pos": out["@pos"], "Value": value}
    if isinstance(value, str):
        return {"@type": "uast:String", "@pos": out["@pos"], "Format": "", "Value": value}
    return out


def _argument(out: Node, node: ast.AST, _conv: Converter) -> Node:
    pos = out.get("@pos")
    return {
        "@type": "uast:Argument",
        "@pos": pos,
        "Init": None,
        "MapVariadic": False,
        "Name": identifier(node.arg, pos),  # type: ignore[attr-defined]
        "Receiver": False,
        "Type": out.get("annotation"),
        "Variadic": False,
    }


def _arguments(out: Node, node: ast.arguments, _conv: Converter) -> list[Node]:
    """The flat list of uast:Argument, in source order, with defaults and variadics marked."""
    positional = list(out.get("posonlyargs") or []) + list(out.get("args") or [])
    defaults = list(out.get("defaults") or [])
    for argument, default in zip(positional[len(positional) - len(defaults):], defaults):
        argument["Init"] = default
    result = positional
    if out.get("vararg"):
        out["vararg"]["Variadic"] = True
        result.append(out["vararg"])
    for argument, default in zip(out.get("kwonlyargs") or [], out.get("kw_defaults") or []):
        argument["Init"] = default
        result.append(argument)
    if out.get("kwarg"):
        out["kwarg"]["MapVariadic"] = True
        result.append(out["kwarg"])
    return result


def _function_group(out: Node, node: ast.FunctionDef | ast.AsyncFunctionDef, conv: Converter) -> Node:
    returns = out.get("returns")
    function = {
        "@type": "uast:Function",
        "Body": {"@type": "uast:Block", "Statements": out.get("body") or []},
        "Type": {
            "@type": "uast:FunctionType",
            "Arguments": out.get("args") or [],
            "Returns": [{
                "@type": "uast:Argument",
                "Init": identifier("None"),
                "MapVariadic": False,
                "Name": None,
                "Receiver": False,
                "Type": returns,
                "Variadic": False,
            }],
        },
    }
    return {
        "@type": "uast:FunctionGroup",
        "@pos": name_span(conv, node, b"def", node.name),
        "Nodes": [
            {
                "async": isinstance(node, ast.AsyncFunctionDef),
                "comments": {},
                "decorators": out.get("decorator_list") or [],
            },
            {"@type": "uast:Alias", "Name": identifier(node.name), "Node": function},
        ],
    }


def _class(out: Node, node: ast.ClassDef, conv: Converter) -> Node:
    out["@pos"] = name_span(conv, node, b"class", node.name)
    return out


def _import_path(dotted: str) -> Node:
    parts = dotted.split(".")
    if len(parts) == 1:
        return identifier(parts[0])
    return {"@type": "uast:QualifiedIdentifier", "Names": [identifier(part) for part in parts]}


def _alias_node(alias: ast.alias) -> Node:
    path = _import_path(alias.name)
    if alias.asname is None:
        return path
    return {"@type": "uast:Alias", "Name": identifier(alias.asname), "Node": path}


def _import(out: Node, node: ast.Import, _conv: Converter) -> list[Node] | Node:
    imports = [
        {"@type": "uast:RuntimeImport", "@pos": out["@pos"], "All": False, "Names": None,
         "Path": _alias_node(alias), "Target": None}
        for alias in node.names
    ]
    return imports[0] if len(imports) == 1 else {"@type": "python:Import", "@pos": out["@pos"],
                                                 "@role": out.get("@role"), "names": imports}


def _import_from(out: Node, node: ast.ImportFrom, _conv: Converter) -> Node:
    star = len(node.names) == 1 and node.names[0].name == "*"
    path = _import_path("." * node.level + (node.module or ""))
    return {
        "@type": "uast:RuntimeImport",
        "@pos": out["@pos"],
        "All": star,
        "Names": None if star else [_alias_node(alias) for alias in node.names],
        "Path": path,
        "Target": None,
    }


TRANSFORMS: dict[str, Transform] = {
    "Name": _name,
    "Constant": _constant,
    "arg": _argument,
    "arguments": _arguments,  # type: ignore[dict-item]
    "FunctionDef": _function_group,  # type: ignore[dict-item]
    "AsyncFunctionDef": _function_group,  # type: ignore[dict-item]
    "ClassDef": _class,  # type: ignore[dict-item]
    "Import": _import,  # type: ignore[dict-item]
    "ImportFrom": _import_from,  # type: ignore[dict-item]
}


def comment_node(offset: int, text: str) -> Node:
    """A '#' comment as uast:Comment; Text is what follows '#', without surrounding blanks."""
    body = text[1:]
    stripped = body.strip()
    lead = body[: len(body) - len(body.lstrip())]
    return {
        "@type": "uast:Comment",
        "@pos": {"start": offset, "end": offset + len(text.encode("utf-8", "surrogatepass"))},
        "Block": False,
        "Prefix": lead,
        "Suffix": body[len(lead) + len(stripped):],
        "Tab": "",
        "Text": stripped,
    }
