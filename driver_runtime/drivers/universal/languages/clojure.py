"""Clojure (tree-sitter-clojure).

A Lisp: every definition is a list whose first symbol says what it defines, so one transform,
`list_lit`, reads them (the grammar has only `value` fields, the items of the list).  The outline
follows clojure-lsp's: the namespace holds the file's definitions (the file's transform moves
the forms after `(ns ...)` into it), `def` is a variable, `defn`/`defn-`/`defmacro`/`defmethod`
functions (a defmethod named by its multimethod; clojure-lsp adds the dispatch value),
`defprotocol`/`defmulti` interfaces, `defrecord`/`deftype` classes.  Departures: a protocol holds
its method signatures and a record its fields and method implementations (clojure-lsp: none).

What the transform makes:

* `(defn name doc? attrs? [params] body...)` a FunctionGroup, `(defn name ([a] ...) ([a b] ...))`
  one with an Alias -> Function per arity; `&` makes the next parameter variadic; `(fn ...)`
  and `#(...)` bare Functions;
* `(def name ...)` a ``clojure:def``, `(ns name ...)` a ``clojure:namespace``, `(defmulti name ...)`
  a ``clojure:defmulti``, `(defprotocol Name (m [this]) ...)` a ``clojure:defprotocol`` of
  FunctionGroups without bodies, `(defrecord Name [a b] Proto (m [this] ...))` a
  ``clojure:defrecord`` with ``clojure:field``s and FunctionGroups, named by their symbol;
* `(:require [a.b :as c :refer [d]])` in `ns` a uast:Import of a.b (Names c, d), `(:import (p C))`
  of p (Names C);
* a symbol is an Identifier (its metadata, `^:private`, kept beside it only where it names a
  definition).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.rules import IDENTIFIER, children, gather, is_type
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
C = "clojure:"
FUNCTIONS = frozenset({"defn", "defn-", "defmacro"})
DEFS = frozenset({"def", "defonce"})
CLASSES = frozenset({"defrecord", "deftype"})


def _items(node: Any) -> list[Node]:
    """The items of a list, a vector or a map (its `value` field)."""
    return children(node, "value")


def _name(node: Any) -> Node | None:
    """A symbol's Identifier (one with metadata: the Identifier of its name)."""
    if is_type(node, IDENTIFIER):
        return node
    if is_type(node, C + "sym_lit"):
        name = node.get("name")
        if is_type(name, C + "sym_name") and isinstance(name.get("@token"), str):
            return nodes.identifier(name["@token"], name.get("@pos"))
    return None


def sym_lit(node: Node, context: Context) -> Node:
    name = node.get("name")
    if set(node) <= {"@type", "@pos", "@role", "name"} and is_type(name, C + "sym_name"):
        return nodes.identifier(str(name.get("@token")), node.get("@pos"))
    return node


def _parameters(vector: Node) -> list[Node]:
    arguments: list[Node] = []
    variadic = False
    for item in _items(vector):
        if is_type(item, IDENTIFIER) and item.get("Name") == "&":
            variadic = True
            continue
        arguments.append(nodes.argument(_name(item) or item, variadic=variadic, pos=item.get("@pos")))
        variadic = False
    return arguments


def _arity(items: list[Node], pos: Any) -> Node | None:
    """`[params] body...`: a Function."""
    if not items or not is_type(items[0], C + "vec_lit"):
        return None
    return nodes.function(nodes.function_type(_parameters(items[0])), items[1:] or None, pos)


def _functions(items: list[Node]) -> list[Node] | None:
    """One Function, or one per arity `([a] ...) ([a b] ...)`."""
    single = _arity(items, None)
    if single is not None:
        return [single]
    arities = [_arity(_items(item), item.get("@pos")) for item in items if is_type(item, C + "list_lit")]
    return [arity for arity in arities if arity is not None] or None


def _group(name: Node, functions: list[Node], pos: Any, extra: list[Node]) -> Node:
    group = {"@type": "uast:FunctionGroup", "@role": [*nodes.CONCEPT_ROLES["uast:FunctionGroup"]], "@pos": pos,
             "Nodes": [*extra, *(nodes.alias(name, function) for function in functions)]}
    if not pos:
        del group["@pos"]
    return group


def _skip_doc(items: list[Node]) -> tuple[list[Node], list[Node]]:
    """A definition's docstring and attribute map: (them, the rest)."""
    extra = []
    while items and is_type(items[0], "uast:String", C + "map_lit", C + "str_lit"):
        extra.append(items[0])
        items = items[1:]
    return extra, items


def _import(spec: Node) -> Node | None:
    items = _items(spec)
    if not items:
        return None
    path = _name(items[0])
    if path is None:
        return None
    names: list[Node] = []
    if is_type(spec, C + "list_lit"):  # (:import (java.time Instant))
        names = [name for name in (_name(item) for item in items[1:]) if name is not None]
    else:
        for index, item in enumerate(items[1:-1], start=1):
            following = items[index + 1]
            if is_type(item, C + "kwd_lit") and context_keyword(item) in ("as", "refer"):
                names.extend([following] if _name(following) else [part for part in _items(following) if _name(part)])
    return nodes.import_(path, names or None, pos=spec.get("@pos"))


def context_keyword(keyword: Node) -> str:
    name = keyword.get("name")
    return str(name.get("@token")) if type(name) is dict else ""


def _members(items: list[Node]) -> list[Node]:
    """`(m [this a] body...)` in a protocol or a record: FunctionGroups."""
    out = []
    for item in items:
        inner = _items(item)
        name = _name(inner[0]) if inner and is_type(item, C + "list_lit") else None
        functions = _functions(inner[1:]) if name is not None else None
        if name is not None and functions:
            docs = [part for part in inner[2:] if is_type(part, "uast:String")]
            for function in functions:
                if function.get("Body"):
                    function["Body"] = [part for part in function["Body"] if part not in docs] or None
            out.append(_group(name, functions, item.get("@pos"), docs))
        else:
            out.append(item)
    return out


def list_lit(node: Node, context: Context) -> Any:
    items = _items(node)
    head = items[0].get("Name") if items and is_type(items[0], IDENTIFIER) else None
    if head is None or len(items) < 2:
        return node
    name = _name(items[1])
    rest = items[2:]
    if head == "fn":
        named = name is not None
        functions = _functions(rest if named else items[1:])
        if not functions:
            return node
        if len(functions) == 1:
            functions[0]["@pos"] = node.get("@pos")
            return functions[0]
        return nodes.function(nodes.function_type([]), functions, node.get("@pos"))
    if name is None:
        return node
    if head in FUNCTIONS or head == "defmethod":
        extra, body = _skip_doc(rest)
        if head == "defmethod" and body:
            extra, body = [*extra, body[0]], body[1:]  # its dispatch value
        functions = _functions(body)
        if not functions:
            return node
        return _group(name, functions, node.get("@pos"), [items[0], *extra])
    kinds = {"def": "def", "defonce": "def", "ns": "namespace", "defmulti": "defmulti", "defprotocol": "defprotocol",
             "defrecord": "defrecord", "deftype": "defrecord", "definterface": "defprotocol"}
    if head not in kinds:
        return node
    node["@type"] = C + kinds[head]
    node["name"] = name
    node["value"] = [items[0], *([items[1]] if items[1] is not name else []), *rest]
    if head == "ns":
        converted = []
        for item in rest:
            clause = _items(item)
            keyword = context_keyword(clause[0]) if clause and is_type(clause[0], C + "kwd_lit") else ""
            if keyword in ("require", "import", "use"):
                imports = [_import(spec) for spec in clause[1:]]
                converted.extend(imported or spec for imported, spec in zip(imports, clause[1:]))
            else:
                converted.append(item)
        node["value"] = [items[0], *converted]
    elif head in ("defprotocol", "definterface"):
        node["value"] = [items[0], *_members(rest)]
    elif head in CLASSES:
        fields = rest[0] if rest and is_type(rest[0], C + "vec_lit") else None
        if fields is not None:  # a copy: the vector's conversion may be kept for the next parse (memo.py)
            rest = [{**fields, "value": [{"@type": C + "field", "@pos": field.get("@pos"), "name": field}
                                         if _name(field) is field else field for field in _items(fields)]}, *rest[1:]]
        node["value"] = [items[0], *_members(rest)]
    return node


def anon_fn_lit(node: Node, context: Context) -> Node:
    return nodes.function(nodes.function_type([]), _items(node) or None, node.get("@pos"))


def source(node: Node, context: Context) -> Node:
    """`(ns name ...)`: the forms after it (up to another ns) move into it."""
    forms = node.get("value")
    forms = forms if type(forms) is list else [forms] if type(forms) is dict else []
    everything = sorted([item for item in [*forms, *(node.get("children") or [])] if type(item) is dict],
                        key=lambda item: item.get("@pos", {}).get("start", 0))
    if not any(is_type(item, C + "namespace") for item in everything):
        return node
    node.pop("value", None)
    node["children"] = gather(everything, lambda item: is_type(item, C + "namespace"))
    return node


TABLE = LanguageTable(
    strings=("str_lit",),
    booleans=("bool_lit",),
    symbols={
        "namespace": "namespace",
        "def": "variable",
        "defmulti": "interface",
        "defprotocol": "interface",
        "defrecord": "class",
        "field": "field",
    },
    transforms={"sym_lit": sym_lit, "list_lit": list_lit, "anon_fn_lit": anon_fn_lit, "source": source},
    # A list or an anonymous function does not change its children: it builds new nodes of them
    # (functions, imports, a record's fields in a copy of their vector) or changes only its own
    # fields.  Not the file: `gather` moves the forms after an `ns` into that ns's node.
    keeps_children=("list_lit", "anon_fn_lit"),
)
