"""The transformation table: native Python nodes -> Babelfish's semantic uast:* nodes.

Each entry maps a native type to one small function that receives the already converted
(and annotated) node, the original ast node and the converter, and returns the node to put
in its place.  Children are converted before their parent, so a transform sees semantic
children.  The shapes follow Babelfish's Python driver (its ``.sem.uast`` fixtures).

Positions: every offset given is a true UTF-8 byte offset, and a span is given whole or not
at all.  Babelfish's positions are quirky; decisions, node by node:

* no position where Babelfish gave none (the Alias, Function, Block and FunctionType around a
  function body, a function's implicit "return None", the identifiers inside an import);
* Babelfish's narrow spans are kept where they are true: a function (uast:FunctionGroup), a
  class and a parameter span their name only;
* where Babelfish gave only a start (an import, a comment, the last name of an attribute
  chain, which it placed at the chain's start) or no position at all (a comment after code, a
  keyword argument's name), the node has its full true span;
* where Babelfish's position was wrong (character offsets after non-ASCII text, 0:0 for
  Python 2's *args, a decorated function starting at its first decorator, tokens confused
  between two equal names) the true span is given.
"""

from __future__ import annotations

import ast
from typing import Any

from driver_runtime.drivers.python.annotation import ROLES
from driver_runtime.drivers.python.native import Converter, Node, Transform
from driver_runtime.sdk import nodes
from driver_runtime.sdk.nodes import CONCEPT_ROLES
from driver_runtime.sdk.normalizer import carry_roles

# The roles of the uast:* nodes written out here (kit.nodes gives its own theirs).
_IDENTIFIER_ROLES, _ARGUMENT_ROLES, _FUNCTION_ROLES, _FUNCTION_TYPE_ROLES, _BLOCK_ROLES = (
    CONCEPT_ROLES[kind] for kind in ("uast:Identifier", "uast:Argument", "uast:Function", "uast:FunctionType",
                                     "uast:Block"))


def identifier(name: Any, pos: dict[str, int] | None = None) -> Node:
    node: Node = {"@type": "uast:Identifier", "@role": [*_IDENTIFIER_ROLES]}
    if pos is not None:
        node["@pos"] = pos
    node["Name"] = name
    return node


def _native(out: Node, **fields: Any) -> Node:
    """A native node that keeps out's type, token, roles and position, with the fields given."""
    node: Node = {key: out[key] for key in ("@type", "@token", "@role", "@pos") if key in out}
    node.update(fields)
    return node


# --- names and literals ------------------------------------------------------------------------

def _name(out: Node, _node: ast.AST, _conv: Converter) -> Node:
    return identifier(out["@token"], out.get("@pos"))


# A name's roles in semantic mode, as carry_roles gives them: a Name's and an Identifier's.
_NAME_ROLES = tuple(sorted({*ROLES["Name"], *_IDENTIFIER_ROLES}))


def _name_from_ast(node: ast.Name, pos: dict[str, int]) -> Node:
    """_name, built straight from the ast: a third of all nodes are names."""
    return {"@type": "uast:Identifier", "@role": [*_NAME_ROLES], "@pos": pos, "Name": node.id}


_name.from_ast = _name_from_ast  # type: ignore[attr-defined]


def _constant(out: Node, node: ast.Constant, _conv: Converter) -> Node:
    value = node.value
    cls = value.__class__
    if cls is str:
        return {"@type": "uast:String", "@pos": out["@pos"], "Format": "", "Value": value}
    if cls is bool:
        return {"@type": "uast:Bool", "@pos": out["@pos"], "Value": value}
    if cls is bytes:  # Babelfish mapped bytes literals to uast:String too; Format tells them apart
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("latin-1")
        return {"@type": "uast:String", "@pos": out["@pos"], "Format": "bytes", "Value": text}
    return out  # numbers, None and ... stay native, as in Babelfish


# The constants _constant changes (the classes of their value, those it tests): the converter
# calls it for them only, and leaves the others, most constants of a data file, as they are.  A
# transform's `when_value` is (field, the classes of its value).
_constant.when_value = ("value", frozenset({str, bool, bytes}))  # type: ignore[attr-defined]


def _attribute(out: Node, node: ast.Attribute, conv: Converter) -> Node:
    """a.b.c -> python:QualifiedIdentifier {identifiers: [a, b, c]}, as Babelfish flattened it.

    Babelfish gave the last name of a chain the start of the whole chain and no end; here it
    has its own span (the start of the chain is not where that name is).
    """
    name = identifier(node.attr, conv.source.name_before(out["@pos"]["end"], node.attr))
    value = out["value"]
    if value.__class__ is dict and value.get("@type") == "python:QualifiedIdentifier":
        identifiers = value["identifiers"]
        identifiers.append(name)
    else:
        identifiers = [value, name]
    qualified: Node = {"@type": "python:QualifiedIdentifier", "@role": out.get("@role"), "@pos": out["@pos"],
                       "ctx": out["ctx"], "identifiers": identifiers}
    return qualified


def _keyword(out: Node, node: ast.keyword, conv: Converter) -> Node:
    """f(b=1): the name becomes the token, as a uast:Identifier (Babelfish's shape).

    Babelfish had no position for it (Python 3.6 gave keywords none); Python 3.9+ does, so the
    name's own span is given.
    """
    name = node.arg
    pos = None if name is None or "@pos" not in out else conv.source.name_at(out["@pos"]["start"], name)
    out["@token"] = identifier(name, pos)
    return out


def _scope_names(out: Node, node: ast.Global | ast.Nonlocal, conv: Converter) -> Node:
    """global a, b: each name as a uast:Identifier with its span."""
    at = out["@pos"]["start"] + len("nonlocal" if node.__class__ is ast.Nonlocal else "global")
    names = []
    for name in node.names:
        pos = conv.source.next_name(at, name)
        if pos is not None:
            at = pos["end"]
        names.append(identifier(name, pos))
    out["names"] = names
    return out


# --- functions ---------------------------------------------------------------------------------

def _argument(out: Node, node: ast.arg, conv: Converter) -> Node:
    """A parameter; its span (and its name's) is the name alone, as in Babelfish."""
    pos = out.get("@pos")
    if pos is not None:
        pos = conv.source.name_at(pos["start"], node.arg) or pos
    return {
        "@type": "uast:Argument",
        "@pos": pos,
        "Init": None,
        "MapVariadic": False,
        "Name": identifier(node.arg, None if pos is None else dict(pos)),
        "Receiver": False,
        # Babelfish dropped parameter annotations; uast:Argument has a Type for them, so they
        # are kept (their nodes are extra compared to Babelfish).
        "Type": out.get("annotation"),
        "Variadic": False,
    }


def _arguments(out: Node, _node: ast.arguments, _conv: Converter) -> Node:
    """python:arguments {args: [uast:Argument...]}: one flat list in source order, defaults
    as Init, *args Variadic, **kwargs MapVariadic (Babelfish's shape)."""
    positional = out["posonlyargs"] + out["args"]
    defaults = out["defaults"]
    if defaults:
        for argument, default in zip(positional[len(positional) - len(defaults):], defaults):
            argument["Init"] = default
    flat = positional
    if out["vararg"] is not None:
        out["vararg"]["Variadic"] = True
        flat.append(out["vararg"])
    for argument, default in zip(out["kwonlyargs"], out["kw_defaults"]):
        argument["Init"] = default
        flat.append(argument)
    if out["kwarg"] is not None:
        out["kwarg"]["MapVariadic"] = True
        flat.append(out["kwarg"])
    return _native(out, args=flat)


def _definition_name(out: Node, keyword: bytes, name: str, conv: Converter) -> dict[str, int] | None:
    """The span of a def's or class's name: the identifier after its keyword (the node starts
    at the keyword, or at "async"); the whole node's span if that fails."""
    pos = out.get("@pos")
    if pos is None:
        return None
    at = conv.source.find(keyword, pos["start"], pos["end"])
    found = conv.source.next_name(at + len(keyword), name) if at >= 0 else None
    return found or pos


def _function_group(out: Node, node: ast.FunctionDef | ast.AsyncFunctionDef, conv: Converter) -> Node:
    """def f(...): uast:FunctionGroup [{async, comments, decorators}, Alias(f -> Function)].

    Its span is the name's, as in Babelfish (which, for a decorated function, instead started
    at the first decorator and had no end: the name's span is kept there too).
    """
    group: Node = {"@type": "uast:FunctionGroup"}
    pos = _definition_name(out, b"def", node.name, conv)
    if pos is not None:
        group["@pos"] = pos
    function_type: Node = {"@type": "uast:FunctionType", "@role": [*_FUNCTION_TYPE_ROLES],
                           "Arguments": out["args"]["args"]}
    if "returns" in out:  # not in Python 2 trees
        function_type["Returns"] = [{
            "@type": "uast:Argument",
            "@role": [*_ARGUMENT_ROLES],
            # Python returns None when a function returns nothing.
            "Init": identifier("None"),
            "MapVariadic": False,
            "Name": None,
            "Receiver": False,
            "Type": out["returns"],
            "Variadic": False,
        }]
    group["Nodes"] = [
        {"async": node.__class__ is ast.AsyncFunctionDef, "comments": {}, "decorators": out["decorator_list"]},
        {
            "@type": "uast:Alias",
            "Name": identifier(node.name),
            "Node": {
                "@type": "uast:Function",
                "@role": [*_FUNCTION_ROLES],
                "Body": {"@type": "uast:Block", "@role": [*_BLOCK_ROLES], "Statements": out["body"]},
                "Type": function_type,
            },
        },
    ]
    return group


def _class(out: Node, node: ast.ClassDef, conv: Converter) -> Node:
    """A class stays native (Declaration, Type roles; the name is the token); its span is the
    name's, as in Babelfish."""
    pos = _definition_name(out, b"class", node.name, conv)
    if pos is not None:
        out["@pos"] = pos
    return out


# --- imports -----------------------------------------------------------------------------------
# Babelfish gave the identifiers of an import no position (neither do these), and the import
# itself only the statement's start, or for "from x import ..." the span of "from x" (here the
# import spans its whole statement).

def _path(parts: list[str]) -> Node:
    if len(parts) == 1:
        return identifier(parts[0])
    return nodes.qualified_identifier([identifier(part) for part in parts])


def _imported(alias: ast.alias) -> Node:
    """import a.b as c -> Alias(Name c, Node a.b); without "as", just the path."""
    path = _path(alias.name.split("."))
    if alias.asname is None:
        return path
    return nodes.alias(identifier(alias.asname), path)


def _runtime_import(pos: dict[str, int] | None, path: Node, names: list[Node] | None, star: bool) -> Node:
    return nodes.import_(path, names, all=star, pos=pos, kind="uast:RuntimeImport")


def _import(out: Node, node: ast.Import, _conv: Converter) -> Node:
    """import a -> RuntimeImport; import a, b -> Group of RuntimeImport (Babelfish's shape)."""
    if len(node.names) == 1:
        return _runtime_import(out.get("@pos"), _imported(node.names[0]), None, False)
    return nodes.group([_runtime_import(None, _imported(alias), None, False) for alias in node.names], out.get("@pos"))


def _import_from(out: Node, node: ast.ImportFrom, _conv: Converter) -> Node:
    """from ..a.b import c: the path is [.., .., a, b] (one ".." per level, as Babelfish)."""
    star = len(node.names) == 1 and node.names[0].name == "*"
    parts = [".."] * (node.level or 0) + (node.module.split(".") if node.module else [])
    names = None if star else [_imported(alias) for alias in node.names]
    return _runtime_import(out.get("@pos"), _path(parts), names, star)


def _carrying_roles(transform: Transform) -> Transform:
    """The transform, its result with roles as the kit's Normalizer gives them (carry_roles: a
    uast:* node keeps the roles of the node it replaces and has its concept's); what the
    converter reads off a transform (when_value, from_ast) is kept."""
    def carried(out: Node, node: ast.AST, conv: Converter) -> Any:
        return carry_roles(transform(out, node, conv), out)

    for attribute in ("when_value", "from_ast"):
        if hasattr(transform, attribute):
            setattr(carried, attribute, getattr(transform, attribute))
    return carried


TRANSFORMS: dict[str, Transform] = {
    "Name": _name,
    "Constant": _constant,  # type: ignore[dict-item]
    "Attribute": _attribute,  # type: ignore[dict-item]
    "keyword": _keyword,  # type: ignore[dict-item]
    "Global": _scope_names,  # type: ignore[dict-item]
    "Nonlocal": _scope_names,  # type: ignore[dict-item]
    "arg": _argument,  # type: ignore[dict-item]
    "arguments": _arguments,  # type: ignore[dict-item]
    "FunctionDef": _function_group,  # type: ignore[dict-item]
    "AsyncFunctionDef": _function_group,  # type: ignore[dict-item]
    "ClassDef": _class,  # type: ignore[dict-item]
    "Import": _import,  # type: ignore[dict-item]
    "ImportFrom": _import_from,  # type: ignore[dict-item]
}
TRANSFORMS = {name: _carrying_roles(transform) for name, transform in TRANSFORMS.items()}


# --- comments ----------------------------------------------------------------------------------

def comment_node(offset: int, text: str) -> Node:
    """A '#' comment as uast:Comment; Text is what follows '#', without surrounding blanks.

    Babelfish hung comments on neighbouring statements, with only a start (the start of the
    comment's line) or, after code on the same line, no position at all.  Here every comment
    is in the module's "comments" list, in source order, with the span of its text from '#'.
    """
    prefix, stripped, suffix = nodes.split_comment(text, "#")
    pos = {"start": offset, "end": offset + len(text.encode("utf-8", "surrogatepass"))}
    return nodes.comment(stripped, pos, prefix=prefix, suffix=suffix)
