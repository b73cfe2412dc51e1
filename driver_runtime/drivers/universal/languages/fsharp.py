"""F# (tree-sitter-fsharp; `.fsi` files: its signature grammar).

The outline follows fsautocomplete's, with kinds closer to the language: a union is an enum of
its cases (fsautocomplete: a class of structs), a record a struct of its fields (a class), a
type whose members are all abstract an interface, other types classes; `let` functions are
functions (fsautocomplete: methods), `let` values variables (constants with `[<Literal>]`),
members methods or properties (`member val`, `member x.P = ...` without arguments, an abstract
member of a non-function type).

Transforms (the grammar puts few fields):

* `let f x = ...` is a FunctionGroup (its argument patterns Arguments, `x: T` typed), `let x = ...`
  an Assignment to x; a `member` with arguments a FunctionGroup named by its method, one
  without a ``fsharp:property``; an abstract member of a function type a FunctionGroup without
  body, else a ``fsharp:property``; `fun x -> ...` a bare Function;
* a type: a union ``union_type_defn``, a record ``record_type_defn``, a type whose members are all
  abstract an ``fsharp:interface_type_defn``, named by their `type_name`; a module by its name (an
  Identifier spelling the dotted name: the outline names a symbol by an Identifier only);
* `A.B` (a long identifier) a QualifiedIdentifier; `open A.B` a uast:Import; a record's braces,
  which its `block` field holds beside its fields, are dropped.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import unwrap
from driver_runtime.drivers.universal.rules import (
    IDENTIFIER,
    assigned,
    children,
    first,
    is_type,
    named_by,
    one_identifier,
)
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
F = "fsharp:"


def _identifier(node: Any) -> Node | None:
    """The name a pattern or a name node holds (`x`, `(x: int)`, `this.Add`: Add)."""
    if type(node) is not dict:
        return None
    if is_type(node, IDENTIFIER):
        return node
    if is_type(node, "uast:QualifiedIdentifier"):
        return node["Names"][-1]
    for key in ("method", "type_name", "name"):
        if type(node.get(key)) is dict:
            return _identifier(node[key])
    parts = children(node)
    return _identifier(parts[0]) if parts else None


def long_identifier(node: Node, context: Context) -> Node:
    parts = [part for part in children(node) if is_type(part, IDENTIFIER)]
    if len(parts) == 1 and len(children(node)) == 1:
        return parts[0]
    return nodes.qualified_identifier(parts, node.get("@pos")) if len(parts) > 1 else node


def _argument(item: Node) -> Node:
    if is_type(item, F + "typed_pattern"):
        parts = children(item)
        return nodes.argument(parts[0] if parts else None, parts[1] if len(parts) > 1 else None, pos=item.get("@pos"))
    if is_type(item, F + "paren_pattern"):
        inner = children(item)
        if len(inner) == 1:
            argument = _argument(inner[0])
            argument["@pos"] = item.get("@pos")
            return argument
    return nodes.argument(item, pos=item.get("@pos"))


def _arguments(holder: Any) -> list[Node]:
    if type(holder) is list:  # curried: `member x.F a b`
        return [argument for item in holder for argument in _arguments(item)]
    if type(holder) is not dict or is_type(holder, F + "const", F + "unit"):  # `()`
        return []
    if is_type(holder, F + "argument_patterns"):
        return [_argument(item) for item in children(holder)]
    return [_argument(holder)]


def function_or_value_defn(node: Node, context: Context) -> Node:
    parts = children(node)
    left = parts[0] if parts else None
    body = node.get("body")
    if is_type(left, F + "function_declaration_left"):
        inner = children(left)
        name = inner[0] if inner and is_type(inner[0], IDENTIFIER) else None
        holder = first(inner, F + "argument_patterns")
        if name is not None:
            rest = [part for part in parts[1:] if part is not body]
            return nodes.function_group(name, nodes.function(nodes.function_type(_arguments(holder)), body),
                                        node.get("@pos"), rest or None)
    if is_type(left, F + "value_declaration_left"):
        assigned(node, _identifier(left), "Declaration")
    return node


def declaration_expression(node: Node, context: Context) -> Node:
    """`[<Literal>] let x = ...`: a constant."""
    parts = children(node)
    literal = any(is_type(part, F + "attributes") and "Literal" in context.text(part) for part in parts)
    if literal and type(node.get("children")) is list:  # copies: their conversions may be kept (memo.py)
        node["children"] = [{**part, "kind": "const"} if type(part) is dict and "target" in part else part
                            for part in node["children"]]
    return node


def fun_expression(node: Node, context: Context) -> Node:
    parts = children(node)
    holder = first(parts, F + "argument_patterns")
    body = [part for part in parts if part is not holder]
    return nodes.function(nodes.function_type(_arguments(holder)), body[-1] if body else None, node.get("@pos"))


def _property(node: Node, name: Any) -> Node:
    node["@type"] = F + "property"
    return named_by(node, name)  # its `=` no name


def member_defn(node: Node, context: Context) -> Node:
    parts = children(node)
    signature = first(parts, F + "member_signature")
    if signature is not None:  # abstract member Name: type
        inner = children(signature)
        name = inner[0] if inner and is_type(inner[0], IDENTIFIER) else None
        kind = inner[1] if len(inner) > 1 else None
        if is_type(kind, F + "curried_spec") and len(children(kind)) > 1:
            return nodes.function_group(name, nodes.function(nodes.function_type([], [kind]), None), node.get("@pos"))
        return _property(node, name)
    definition = first(parts, F + "method_or_prop_defn")
    if definition is not None:
        name = _identifier(definition.get("name"))
        if "args" not in definition:  # member this.P = ...: a property
            return _property(node, name)
        rest = [part for part in children(definition) if not is_type(part, "uast:Comment")]
        body = rest[-1] if rest else None
        extra = [part for part in parts if part is not definition] + [
            part for part in children(definition) if is_type(part, "uast:Comment")]
        return nodes.function_group(name, nodes.function(nodes.function_type(_arguments(definition["args"])), body),
                                    node.get("@pos"), extra or None)
    named = first(parts, F + "property_or_ident")
    if named is not None:  # member val P = ...
        return _property(node, _identifier(named))
    return node


def named_type(node: Node, context: Context) -> Node:
    """A type definition, named by its type_name (an anonymous type: interface or class)."""
    head = first(children(node), F + "type_name")
    if head is not None:
        node["name"] = _identifier(head)
    if type(node.get("block")) is list:  # `{` and `}` of a record are in its `block` field too
        block = [item for item in node["block"] if type(item) is dict]
        node["block"] = block[0] if len(block) == 1 else block
    if node.get("@type") == F + "anon_type_defn":
        blocks = [item for item in (node.get("block") if type(node.get("block")) is list else [node.get("block")])
                  if type(item) is dict]
        members = [member for block in blocks for member in (children(block) or [block])]
        constructor = any(is_type(part, F + "primary_constr_args") for part in children(node))
        abstract = members and all(is_type(member, "uast:FunctionGroup", F + "property") and
                                   "abstract" in context.text(member).split()[:2] for member in members)
        if abstract and not constructor:
            node["@type"] = F + "interface_type_defn"
    node.pop("@token", None)
    return node


def named_by_child(node: Node, context: Context) -> Node:
    """A union case, a record field, a nested module: named by their first identifier."""
    name = first(children(node), IDENTIFIER)
    if name is not None:
        node["name"] = name
    node.pop("@token", None)
    return node


def named_module(node: Node, context: Context) -> Node:
    name = node.get("name")
    if is_type(name, "uast:QualifiedIdentifier"):
        node["name"] = one_identifier(name)
    return node


def import_decl(node: Node, context: Context) -> Node:
    parts = children(node)
    return nodes.import_(parts[0], pos=node.get("@pos")) if parts else node


TABLE = LanguageTable(
    symbols={
        "named_module": "module",
        "module_defn": "module",
        "namespace": "namespace",
        "union_type_defn": "enum",
        "union_type_case": "enum_member",
        "record_type_defn": "struct",
        "record_field": "field",
        "anon_type_defn": "class",
        "interface_type_defn": "interface",
        "enum_type_defn": "enum",
        "enum_type_case": "enum_member",
        "property": "property",
    },
    roles={"application_expression": ("Call", "Expression")},
    transforms={
        "long_identifier": long_identifier,
        "long_identifier_or_op": unwrap,  # a node holding just one node: that node
        "identifier_pattern": unwrap,
        "function_or_value_defn": function_or_value_defn,
        "declaration_expression": declaration_expression,
        "fun_expression": fun_expression,
        "member_defn": member_defn,
        "union_type_defn": named_type,
        "record_type_defn": named_type,
        "anon_type_defn": named_type,
        "enum_type_defn": named_type,
        "union_type_case": named_by_child,
        "record_field": named_by_child,
        "enum_type_case": named_by_child,
        "module_defn": named_by_child,
        "named_module": named_module,
        "import_decl": import_decl,
    },
    # None of these changes its children: they build new nodes of them (functions, members, an
    # import), put changed copies in their own list (a literal's declarations) or change only their
    # own fields.  Not those that may return their child, which then takes their roles
    # (carry_roles): `long_identifier` and the `unwrap`s.
    keeps_children=("function_or_value_defn", "declaration_expression", "fun_expression", "member_defn",
                    "union_type_defn", "record_type_defn", "anon_type_defn", "enum_type_defn", "union_type_case",
                    "record_field", "enum_type_case", "module_defn", "named_module", "import_decl"),
)
