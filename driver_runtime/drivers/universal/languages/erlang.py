"""Erlang (tree-sitter-erlang, WhatsApp's).

The outline follows erlang_ls: functions, macros (`-define`: constants), records (structs, and
their fields here) and types (`-type`, `-opaque`); a function is named by its atom as written
(erlang_ls adds the arity: `start_link/0`).

Transforms:

* a function's clauses: the grammar makes each `name(...) -> ...;` clause a `fun_decl` of its own;
  the file's transform joins the clauses of one function (a clause ending in `;` and the ones
  after it) into one FunctionGroup, one Alias -> Function per clause, named by the clause's atom
  (a clause's guard is beside its Alias, as another language's modifiers are);
* `fun (...) -> ... end` is a bare Function (its one clause's parameters, or its clauses);
* names that are atoms (a function's, a record's, a field's, a type's, a module's) become
  Identifiers; a variable is an Identifier;
* `-import(m, [f/1])` is a uast:Import of m naming f/1; `-include("f")`/`-include_lib("f")` an
  Import of "f";
* the file's forms (in a `forms_only` field) go back among its comments, in source order.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.rules import children, is_type, named_by, objects
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
E = "erlang:"


def _atom(value: Any) -> Any:
    """An atom that names something, as an Identifier."""
    if is_type(value, E + "atom") and isinstance(value.get("@token"), str):
        return nodes.identifier(value["@token"], value.get("@pos"))
    return value


def _arguments(holder: Any) -> list[Node]:
    return [nodes.argument(item, pos=item.get("@pos")) for item in children(holder, "args")]


def _clause_function(clause: Node) -> Node:
    return nodes.function(nodes.function_type(_arguments(clause.get("args"))), clause.get("body"), clause.get("@pos"))


def fun_decl(node: Node, context: Context) -> Node:
    aliases = []
    for clause in objects(node.get("clause")):
        if clause.get("@type") != E + "function_clause":
            return node
        name = _atom(clause.get("name"))
        function = _clause_function(clause)
        if type(clause.get("guard")) is dict:  # `when ...`: kept beside its clause, as modifiers are
            aliases.append(clause["guard"])
        aliases.append(nodes.alias(name, function, clause.get("@pos")))
    if not aliases:
        return node
    group = {"@type": "uast:FunctionGroup", "@pos": node.get("@pos"), "Nodes": aliases}
    if str(context.text(node)).rstrip().endswith(";"):
        group["@continued"] = True  # more clauses follow: joined by the file's transform
    return group


def _joined(forms: list[Node]) -> list[Node]:
    """Clauses of one function (a group ending in `;`, then the next) in one FunctionGroup: a
    new one, as each group is a copy without its mark (their conversions may be kept for the
    next parse, memo.py, where the clauses around them may have changed)."""
    out: list[Node] = []
    for form in forms:
        previous = out[-1] if out else None
        if previous is not None and previous.get("@continued") and form.get("@type") == "uast:FunctionGroup":
            out[-1] = {**previous, "Nodes": [*previous["Nodes"], *form["Nodes"]],
                       "@pos": {"start": previous["@pos"]["start"], "end": form["@pos"]["end"]}}
            if not form.get("@continued"):
                out[-1].pop("@continued")
            continue
        out.append(form)
    return [{key: value for key, value in form.items() if key != "@continued"} if "@continued" in form else form
            for form in out]


def source_file(node: Node, context: Context) -> Node:
    forms = objects(node.pop("forms_only", None))
    if forms:
        everything = sorted([*(node.get("children") or []), *forms],
                            key=lambda item: item.get("@pos", {}).get("start", 0))
        node["children"] = _joined(everything)
    return node


def anonymous_fun(node: Node, context: Context) -> Node:
    clauses = objects(node.get("clauses"))
    if len(clauses) == 1:
        function = _clause_function(clauses[0])
        function["@pos"] = node.get("@pos")
        return function
    return nodes.function(nodes.function_type([]), clauses, node.get("@pos"))


def named(node: Node, context: Context) -> Node:
    """A declaration named by an atom (a record, a module); not by its `-`, its token here."""
    return named_by(node, _atom(node.get("name")))


def record_field(node: Node, context: Context) -> Node:
    if context.parent_type == "record_decl":  # not `#state{count = N}` (named by no Identifier: no symbol)
        node["name"] = _atom(node.get("name"))
    return node


def type_alias(node: Node, context: Context) -> Node:
    head = node.get("name")
    if is_type(head, E + "type_name"):
        node["name"] = _atom(head.get("name"))
    node.pop("@token", None)
    return node


def pp_define(node: Node, context: Context) -> Node:
    head = node.get("lhs")
    if type(head) is dict and "name" in head:
        node["name"] = head["name"]
    node.pop("@token", None)
    return node


def comment(node: Node, context: Context) -> Node:
    """`%%% text`: the text after all its `%`."""
    raw = node.get("@token")
    if not isinstance(raw, str):
        return node
    opener = raw[:len(raw) - len(raw.lstrip("%"))]
    prefix, text, suffix = nodes.split_comment(raw.rstrip("\r\n"), opener)
    return nodes.comment(text, node.get("@pos"), prefix=prefix, suffix=suffix)


def import_attribute(node: Node, context: Context) -> Node:
    module = _atom(node.get("module"))
    if type(module) is not dict:
        return node
    return nodes.import_(module, objects(node.get("funs")) or None, pos=node.get("@pos"))


def include(node: Node, context: Context) -> Node:
    path = node.get("file")
    return nodes.import_(path, pos=node.get("@pos")) if type(path) is dict else node


TABLE = LanguageTable(
    identifiers=("var",),
    blocks=("clause_body",),
    roles={"call": ("Call", "Expression")},
    symbols={
        "pp_define": "constant",
        "record_decl": "struct",
        "record_field": "field",
        "type_alias": "type",
        "opaque": "type",
    },
    transforms={
        "fun_decl": fun_decl,
        "source_file": source_file,
        "anonymous_fun": anonymous_fun,
        "record_decl": named,
        "record_field": record_field,
        "type_alias": type_alias,
        "opaque": type_alias,
        "pp_define": pp_define,
        "import_attribute": import_attribute,
        "pp_include": include,
        "pp_include_lib": include,
        "module_attribute": named,
        "comment": comment,
    },
    # None of these changes its children: they build new nodes of them (a function's clauses, an
    # import), join them in copies (the file's clauses of one function) or name themselves.
    keeps_children=("fun_decl", "source_file", "anonymous_fun", "record_decl", "record_field", "type_alias", "opaque",
                    "pp_define", "import_attribute", "pp_include", "pp_include_lib", "module_attribute"),
)
