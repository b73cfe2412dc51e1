"""Elixir (tree-sitter-elixir).

Elixir has no declarations in its syntax: `defmodule`, `def`, `alias`, `@attr value` are all
calls (macros), so one transform, `call`, tells them apart by the macro's name.  It makes:

* `def`/`defp`/`defmacro`/`defmacrop`/`defguard`/`defguardp`/`defdelegate`: a FunctionGroup
  named by the head's name (each clause is one, as elixir-ls lists them), its parameters
  Arguments (a pattern parameter is kept as the Argument's name, `x \\\\ 1` is x with Init 1),
  its body the `do` block or the `do:` value;
* `defmodule`/`defprotocol`/`defimpl`: a ``elixir:defmodule`` / ``elixir:defprotocol`` /
  ``elixir:defimpl`` node named by its alias (defimpl as elixir-ls names it: `P, for: T`);
* `defstruct`: a ``elixir:defstruct`` named `defstruct <Module>` (named by its module, once the
  module is built), its keys ``elixir:struct_field`` properties, as elixir-ls shows them;
* `@name value` in a module: an ``elixir:attribute`` constant named `@name` (not @doc, @spec...,
  which elixir-ls leaves out too, nor @callback, @behaviour...); `@type t :: ...` (`@typep`,
  `@opaque`) an ``elixir:type_attribute`` named `@type t`; `defexception` as `defstruct`;
* `alias`/`import`/`require`/`use`: a uast:Import of the module (`alias A.{B, C}`: A, Names B, C).

Also: `fn` is a bare Function (its first clause's parameters), an alias (`Shop.Cart`) an
Identifier, and a string without interpolation a String (its quotes are fields here).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.rules import children, first, is_type, name_of, named_by
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
E = "elixir:"
DEFS = frozenset({"def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate"})
MODULES = {"defmodule": "defmodule", "defprotocol": "defprotocol", "defimpl": "defimpl"}
IMPORTS = frozenset({"alias", "import", "require", "use"})
SUPPLEMENTING = frozenset({"doc", "moduledoc", "typedoc", "spec", "impl", "deprecated"})
NOT_CONSTANTS = frozenset({"callback", "macrocallback", "behaviour", "derive", "enforce_keys", "optional_callbacks",
                           "after_compile", "before_compile", "on_definition", "compile", "dialyzer",
                           "external_resource"})
TYPES = frozenset({"type", "typep", "opaque"})


def _pair_value(keywords: Any, key: str) -> Any:
    """The value of `key:` in a keywords node."""
    for pair in (keywords or {}).get("children") or []:
        found = pair.get("key")
        if type(found) is dict and str(found.get("@token", "")).strip().rstrip(":").strip() == key:
            return pair.get("value")
    return None


def _argument(value: Node) -> Node:
    if value.get("@type") == E + "binary_operator" and value.get("operator") == "\\\\":
        return nodes.argument(value.get("left"), init=value.get("right"), pos=value.get("@pos"))
    return nodes.argument(value, pos=value.get("@pos"))


def _function(node: Node, arguments: list[Node], context: Context) -> Node:
    head = arguments[0] if arguments else None
    guard = None
    if is_type(head, E + "binary_operator") and head.get("operator") == "when":
        head, guard = head.get("left"), head.get("right")
    if is_type(head, "uast:Identifier"):  # def name, do: ...
        name, parameters = head, []
    elif is_type(head, E + "call") and name_of(head.get("target")):
        name = head["target"]
        holder = first(children(head), E + "arguments")
        parameters = [_argument(item) for item in children(holder)]
    else:
        return node
    body = first(children(node), "uast:Block")
    if body is None and len(arguments) > 1:
        body = _pair_value(arguments[-1], "do")
    extra = [part for part in (guard,) if part is not None]
    return nodes.function_group(name, nodes.function(nodes.function_type(parameters), body), node.get("@pos"),
                                extra or None)


def _named(node: Node, kind: str, name: Node) -> Node:
    node["@type"] = E + kind
    node["name"] = name
    node.pop("target", None)
    return node


def _module(node: Node, macro: str, arguments: list[Node], context: Context) -> Node:
    if not arguments:
        return node
    head = arguments[0]
    if macro == "defimpl":  # named as elixir-ls names it: `Protocol, for: Type`
        holder = first(children(node), E + "arguments")
        name = nodes.identifier(context.text(holder).strip(), holder.get("@pos"))
    elif name_of(head) is not None and len(arguments) == 1:
        name = head
        node["children"] = [child for child in node.get("children") or [] if child.get("@type") != E + "arguments"]
    else:
        return node
    node = _named(node, MODULES[macro], name)
    statements = (first(children(node), "uast:Block") or {}).get("Statements") or []
    for index, struct in enumerate(statements):  # the block is the call's; its statements, changed copies
        if struct.get("@type") == E + "defstruct":
            macro_name = struct["name"].get("Name")
            statements[index] = {**struct, "name": nodes.identifier(f"{macro_name} {name_of(name)}",
                                                                    struct["name"].get("@pos"))}
    return node


def _struct(node: Node, arguments: list[Node]) -> Node:
    keys = arguments[0] if arguments else None
    items = children(keys) if is_type(keys, E + "keywords", E + "list") else []
    for item in items:
        key = item.get("key") if item.get("@type") == E + "pair" else item
        if type(key) is dict and "@pos" in key:
            label = str(key.get("@token") or key.get("Name") or "").strip().rstrip(":").lstrip(":")
            item["@type"] = E + "struct_field"
            named_by(item, nodes.identifier(label, key["@pos"]))  # `:name` (an atom): without its colon
    return _named(node, "defstruct", node.get("target"))


def _import(node: Node, arguments: list[Node]) -> Node:
    path = arguments[0] if arguments else None
    if type(path) is not dict:
        return node
    names = None
    if path.get("@type") == E + "dot" and type(path.get("right")) is dict and path["right"].get("@type") == E + "tuple":
        names = path["right"].get("children")
        path = path.get("left")
    return nodes.import_(path, names, pos=node.get("@pos"))


def call(node: Node, context: Context) -> Node:
    macro = name_of(node.get("target"))
    if macro is None:
        return node
    holder = first(children(node), E + "arguments")
    arguments = children(holder)
    if macro in DEFS:
        return _function(node, arguments, context)
    if macro in MODULES:
        return _module(node, macro, arguments, context)
    if macro in ("defstruct", "defexception"):
        return _struct(node, arguments)
    if macro in IMPORTS and context.parent_type in ("do_block", "source", "body"):  # not a def head
        return _import(node, arguments)
    return node


def unary_operator(node: Node, context: Context) -> Node:
    """`@name value` (a module attribute's definition): a constant named `@name`."""
    operand = node.get("operand")
    if node.get("operator") != "@" or type(operand) is not dict or operand.get("@type") != E + "call":
        return node
    name = name_of(operand.get("target"))
    if name is None or name in SUPPLEMENTING or name in NOT_CONSTANTS:
        return node
    if name in TYPES:  # @type t :: ...: a type named as elixir-ls names it, `@type t`
        spec = next(iter(children(first(children(operand), E + "arguments"))), None)
        head = spec.get("left") if type(spec) is dict and spec.get("operator") == "::" else spec
        head_name = name_of(head) or (name_of(head.get("target")) if type(head) is dict else None)
        if head_name is None:
            return node
        node["@type"] = E + "type_attribute"
        node["name"] = nodes.identifier(f"@{name} {head_name}", node.get("@pos"))
        return node
    node["@type"] = E + "attribute"
    end = operand["target"]["@pos"]["end"]
    node["name"] = nodes.identifier("@" + name, {"start": node["@pos"]["start"], "end": end})
    return node


def anonymous_function(node: Node, context: Context) -> Node:
    clauses = [child for child in node.get("children") or [] if child.get("@type") == E + "stab_clause"]
    if len(clauses) != 1:
        return nodes.function(nodes.function_type([]), clauses, node.get("@pos"))
    clause = clauses[0]
    left = clause.get("left")
    parameters = [_argument(item) for item in (left or {}).get("children") or []]
    return nodes.function(nodes.function_type(parameters), clause.get("right"), node.get("@pos"))


def alias(node: Node, context: Context) -> Node:
    token = node.get("@token")
    return nodes.identifier(token, node.get("@pos")) if isinstance(token, str) else node


def string(node: Node, context: Context) -> Node:
    """A string without interpolation (its quotes in `quoted_start`/`quoted_end`)."""
    opener, closer = node.get("quoted_start"), node.get("quoted_end")
    parts = node.get("children") or []
    if not (isinstance(opener, str) and isinstance(closer, str)) or any(
            part.get("@type") not in (E + "quoted_content", E + "escape_sequence") for part in parts):
        return node
    raw = context.text(node)
    return nodes.string(raw[len(opener):len(raw) - len(closer)], node.get("@pos"))


TABLE = LanguageTable(
    blocks=("do_block", "body"),
    booleans=("boolean",),
    roles={"call": ("Call", "Expression")},
    symbols={
        "defmodule": "module",
        "defprotocol": "interface",
        "defimpl": "module",
        "defstruct": "struct",
        "struct_field": "property",
        "attribute": "constant",
        "type_attribute": "type",
    },
    transforms={
        "call": call,
        "unary_operator": unary_operator,
        "anonymous_function": anonymous_function,
        "alias": alias,
        "string": string,
        "charlist": string,
    },
)
