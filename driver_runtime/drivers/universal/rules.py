"""What the transforms of the language tables (languages/) share: tests and finders over the
objects of a tree that is being normalised (native nodes and the uast:* nodes made so far), and
the few reshapings that many languages make (a child moved into a field, an Assignment to a
target, a literal's runs of text...).  One place for each, whatever the language; the builders
that apply a table's specs are in normalization.py.

A native node's ``@type`` is ``"<language>:<type>"`` (``"go:block"``); a function here that
takes types takes them whole, but for `kind` and `first`, which also take a type without its
language (``"block"``: a table that another extends, CSS's for SCSS, cannot know its prefix).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]

IDENTIFIER = "uast:Identifier"
UNANNOTATED = "Unannotated"


# --- tests -------------------------------------------------------------------------------------

def is_type(node: Any, *types: str) -> bool:
    """Whether `node` is an object of one of these types (whole: ``uast:Identifier``, ``go:block``)."""
    return type(node) is dict and node.get("@type") in types


def kind(node: Any) -> str:
    """A native node's type without its language ("" for a uast:* node and what is no node)."""
    if type(node) is not dict:
        return ""
    full = node.get("@type") or ""
    return "" if full.startswith("uast:") else full.partition(":")[2]


def name_of(node: Any) -> str | None:
    """The name a uast:Identifier holds (None for anything else)."""
    return node.get("Name") if is_type(node, IDENTIFIER) else None


# --- finders -----------------------------------------------------------------------------------

def objects(value: Any) -> list[Node]:
    """The objects a field holds: its one node, or the nodes of its list."""
    if type(value) is dict:
        return [value]
    if type(value) is list:
        return [item for item in value if type(item) is dict]
    return []


def children(node: Any, field: str = "children") -> list[Node]:
    """The objects in one field of a node, by default its `children` (the named children in no
    field, in source order); none for what is no node."""
    return objects(node.get(field)) if type(node) is dict else []


def _start(node: Node) -> int:
    return (node.get("@pos") or {}).get("start", 0)


def children_of(node: Any, skip: frozenset[str] | set[str] = frozenset()) -> list[Node]:
    """A node's child objects, whatever their field (but those in `skip`), in source order."""
    if type(node) is not dict:
        return []
    found = [child for key, value in node.items() if key[0] != "@" and key not in skip for child in objects(value)]
    found.sort(key=_start)
    return found


def first(items: Iterable[Any], *types: str) -> Node | None:
    """The first object among `items` of one of these types: whole types, or native types
    without their language (see the module's docstring)."""
    for item in items:
        if type(item) is dict and (item.get("@type") in types or kind(item) in types):
            return item
    return None


def take(node: Node, *types: str) -> Any:
    """The first object of one of these (whole) types in the node's `children`, taken out of
    them (the node loses `children` when none is left)."""
    items = node.get("children") or []
    for index, child in enumerate(items):
        if is_type(child, *types):
            del items[index]
            if not items:
                node.pop("children", None)
            return child
    return None


def first_identifier(node: Any, field: str | None = None) -> Node | None:
    """The first uast:Identifier a node is or holds, at any depth: through all its fields in
    their order, or through `field` only."""
    if type(node) is not dict:
        return None
    if node.get("@type") == IDENTIFIER:
        return node
    for key, value in node.items():
        if key[0] == "@" or (field is not None and key != field):
            continue
        for item in value if type(value) is list else [value]:
            found = first_identifier(item, field)
            if found is not None:
                return found
    return None


def names_in(node: Any) -> list[Node] | None:
    """The Identifiers a name is made of: an Identifier itself, a QualifiedIdentifier's Names;
    None for what is no name."""
    if is_type(node, IDENTIFIER):
        return [node]
    if is_type(node, "uast:QualifiedIdentifier"):
        return list(node.get("Names") or [])
    return None


def one_identifier(name: Any) -> Node | None:
    """A name as one Identifier (the outline names a symbol by one): an Identifier itself, the
    names of a QualifiedIdentifier joined by dots (`billing.invoices`), at its place; None for
    what is no name."""
    if is_type(name, IDENTIFIER):
        return name
    if is_type(name, "uast:QualifiedIdentifier"):
        return nodes.identifier(".".join(part["Name"] for part in name["Names"]), name.get("@pos"))
    return None


# --- positions ---------------------------------------------------------------------------------

def position(node: Any) -> Any:
    """A node's span (None for what has none)."""
    return node.get("@pos") if type(node) is dict else None


def span(first_node: Any, last_node: Any) -> dict[str, int] | None:
    """The span from the start of one node to the end of another (None if either has none)."""
    start, end = position(first_node), position(last_node)
    if start and end:
        return {"start": start["start"], "end": end["end"]}
    return None


# --- reshaping ---------------------------------------------------------------------------------

def gather(items: list[Any], opens: Callable[[Any], bool], field: str = "children",
           holds: Callable[[Node], bool] | None = None) -> list[Any]:
    """The items of a statement list in which some statements open a scope that holds the items
    after them, up to the next one (`package X;`, `FROM image`, `(ns x)`): those items moved into
    the statement's `field`, its span grown over them.  One that `holds` its items already
    (`package X { ... }`) ends the scope before it and opens none."""
    out: list[Any] = []
    current: Node | None = None
    for item in items:
        if opens(item):
            current = None if holds is not None and holds(item) else item
            out.append(item)
        elif current is not None and type(item) is dict:
            current.setdefault(field, []).append(item)
            if "@pos" in item and "@pos" in current:
                current["@pos"] = {"start": current["@pos"]["start"], "end": item["@pos"]["end"]}
        else:
            out.append(item)
    return out


def with_roles(node: Node, *roles: str) -> Node:
    """The node with these roles added to its own (Unannotated no more)."""
    node["@role"] = sorted({*(node.get("@role") or ()), *roles} - {UNANNOTATED})
    return node


def assigned(node: Node, target: Any, *roles: str) -> Node:
    """The node as an Assignment to `target` (where the outline finds what a declaration binds),
    with these roles too (Declaration)."""
    node["target"] = target
    return with_roles(node, "Assignment", *roles)


def named_by(node: Node, name: Any) -> Node:
    """The node named by `name` (its `name` field), and without the operator token it may hold
    (`=` in `x = 1`), which the outline would take for its name."""
    node["name"] = name
    node.pop("@token", None)
    return node


def unpositioned(identifier: Any) -> Any:
    """A uast:Identifier without its span (a name Babelfish's driver gave as a plain string)."""
    if is_type(identifier, IDENTIFIER):
        return {key: value for key, value in identifier.items() if key != "@pos"}
    return identifier


def operator(token: str, roles: tuple[str, ...] = ()) -> Node:
    """A uast:Operator of an operator's symbol, without a position; its roles, if given."""
    node: Node = {"@type": "uast:Operator", "@token": token}
    if roles:
        node["@role"] = sorted(roles)
    return node


def literal_runs(parts: list[Any], literal: Collection[str], context: Context, decode: Callable[[str], str],
                 format: str = "") -> list[Any]:
    """The parts of an interpolated string, each run of literal parts (positioned nodes of these
    native types, without their language) one uast:String of the text they span, decoded (in
    this Format); the other parts as they are."""
    out: list[Any] = []
    run: list[Node] = []

    def flush() -> None:
        if run:
            start, end = run[0]["@pos"]["start"], run[-1]["@pos"]["end"]
            out.append(nodes.string(decode(context.data[start:end].decode("utf-8", "replace")),
                                    {"start": start, "end": end}, format))
            run.clear()

    for part in parts:
        if kind(part) in literal and position(part):
            run.append(part)
        else:
            flush()
            out.append(part)
    flush()
    return out


def quoted(text: str, opener: str, closer: str | None = None) -> str | None:
    """The text between an opening quote and a closing one (the same, by default), or None for a
    text not so quoted."""
    closer = opener if closer is None else closer
    if len(text) >= len(opener) + len(closer) and text.startswith(opener) and text.endswith(closer):
        return text[len(opener):len(text) - len(closer)]
    return None


def unquoted(text: str) -> str:
    """A text without the quotes around it, if it has ("x" or 'x')."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text
