"""Haskell (tree-sitter-haskell).

The outline follows haskell-language-server's: a data type or newtype is a struct holding its
constructors (constructors holding their record fields: properties here, as the outline keeps
fields for types), a type class an interface holding its methods (its signatures), an instance
an interface named by its head (`Describable Book`) holding its methods, a type synonym a type,
every top-level binding a function.  The module header and imports are left out (HLS nests the
whole file under the module, which this tree cannot: the header does not hold the declarations).

Transforms:

* `function` is both a definition (`f x = ...`) and a function type (`a -> b`): a definition (it
  has a `match`) becomes a FunctionGroup, its patterns Arguments; a `bind` (`x = ...`) of the
  module, a class or an instance one without arguments (a local `let x = ...` stays a binding); a
  signature in a class (a method's declaration) one without a body;
* equations of one function in a row (`f [] = ...`, `f (x:xs) = ...`; a class method's signature
  and default) join one FunctionGroup, an Alias -> Function each;
* `\\x -> ...` is a bare Function;
* a module name (`Data.Map`) is an Identifier or a QualifiedIdentifier, `Map.insert` a
  QualifiedIdentifier; an import a uast:Import (its `as` name its Names... as Babelfish's Go
  gives an alias; its import list too).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.rules import children, is_type, names_in, objects
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
H = "haskell:"
GROUP = "uast:FunctionGroup"
DECLARATIONS = frozenset({"declarations", "class_declarations", "instance_declarations"})


def _patterns(node: Node) -> list[Node]:
    holder = node.get("patterns")
    items = children(holder) if is_type(holder, H + "patterns") else objects(holder)
    return [nodes.argument(item, pos=item.get("@pos")) for item in items]


def function(node: Node, context: Context) -> Node:
    if "match" not in node or type(node.get("name")) is not dict:
        return node  # a function type, `a -> b`
    signature = nodes.function_type(_patterns(node))  # its body: its match, or its guarded matches
    return nodes.function_group(node["name"], nodes.function(signature, node["match"]), node.get("@pos"))


def bind(node: Node, context: Context) -> Node:
    if type(node.get("name")) is not dict or context.parent_type not in DECLARATIONS:
        return node  # a pattern binding, `(a, b) = ...`; a local value (`let x = ...` in a `do`)
    function = nodes.function(nodes.function_type([]), node.get("match"))
    return nodes.function_group(node["name"], function, node.get("@pos"))


def signature(node: Node, context: Context) -> Node:
    """In a class: a method's declaration (elsewhere, the type of the binding that follows)."""
    if context.parent_type != "class_declarations" or type(node.get("name")) is not dict:
        return node
    kind = node.get("type")
    return nodes.function_group(node["name"], nodes.function(nodes.function_type([], objects(kind) or None), None),
                                node.get("@pos"))


def _name(group: Node) -> str | None:
    for member in group.get("Nodes") or []:
        if member.get("@type") == "uast:Alias":
            name = member.get("Name")
            return name.get("Name") if type(name) is dict else None
    return None


def _joined(items: list[Any]) -> list[Any]:
    """Equations of one function in a row in one FunctionGroup: a new one (their conversions may
    be kept for the next parse, memo.py, where the equations around them may have changed)."""
    out: list[Any] = []
    for item in items:
        previous = out[-1] if out else None
        if (is_type(item, GROUP) and type(previous) is dict
                and previous.get("@type") == GROUP and _name(item) and _name(item) == _name(previous)):
            joined = {**previous, "Nodes": [*previous["Nodes"], *item["Nodes"]]}
            if "@pos" in previous and "@pos" in item:
                joined["@pos"] = {"start": previous["@pos"]["start"], "end": item["@pos"]["end"]}
            out[-1] = joined
            continue
        out.append(item)
    return out


def declarations(node: Node, context: Context) -> Node:
    """A list of declarations (the file's, a class's, an instance's): equations in a row join."""
    for key in ("children", "declaration"):
        if type(node.get(key)) is list:
            node[key] = _joined(node[key])
    return node


def instance(node: Node, context: Context) -> Node:
    """Named by its head, `Describable Book`, as haskell-language-server names it."""
    name, patterns = node.get("name"), node.get("patterns")
    if type(name) is dict and type(patterns) is dict and "@pos" in name and "@pos" in patterns:
        pos = {"start": name["@pos"]["start"], "end": patterns["@pos"]["end"]}
        node["name"] = nodes.identifier(context.text({"@pos": pos}), pos)
    return node


def data_constructor(node: Node, context: Context) -> Node:
    """Named by its constructor (`Book`, in its prefix, record or infix form)."""
    form = node.get("constructor")
    if type(form) is dict and type(form.get("name")) is dict:
        node["name"] = form["name"]
    return node


def field(node: Node, context: Context) -> Node:
    name = node.get("name")
    if is_type(name, H + "field_name"):
        inner = children(name)
        if len(inner) == 1:
            node["name"] = inner[0]
    return node


def lambda_(node: Node, context: Context) -> Node:
    return nodes.function(nodes.function_type(_patterns(node)), node.get("expression"), node.get("@pos"))


def module(node: Node, context: Context) -> Node:
    parts = [part for part in children(node) if part.get("@type") == "uast:Identifier"]
    if len(parts) == 1:
        return parts[0]
    if len(parts) > 1:
        return nodes.qualified_identifier(parts, node.get("@pos"))
    return node


def qualified(node: Node, context: Context) -> Node:
    module_name, name = node.get("module"), node.get("id")
    names = names_in(module_name)
    if names is None or not is_type(name, "uast:Identifier"):
        return node
    return nodes.qualified_identifier([*names, name], node.get("@pos"))


def import_(node: Node, context: Context) -> Node:
    path = node.get("module")
    if type(path) is not dict:
        return node
    names = node.get("alias")
    listed = node.get("names")
    if names is None and type(listed) is dict:
        names = [(item.get("variable") or item.get("type") or item) for item in objects(listed.get("name"))]
    return nodes.import_(path, names, pos=node.get("@pos"))


TABLE = LanguageTable(
    comments=("haddock",),
    not_generic=("boolean",),  # a guard (`| x > 0 = ...`), no literal
    identifiers=("variable", "constructor", "module_id"),
    strings=("string", "char"),
    symbols={
        "data_type": "struct",
        "newtype": "struct",
        "data_constructor": "constructor",
        "newtype_constructor": "constructor",
        "field": "property",
        "class": "interface",
        "instance": "interface",
        "type_synomym": "type",
        "type_family": "type",
    },
    transforms={
        "function": function,
        "bind": bind,
        "signature": signature,
        "declarations": declarations,
        "class_declarations": declarations,
        "instance_declarations": declarations,
        "instance": instance,
        "data_constructor": data_constructor,
        "field": field,
        "lambda": lambda_,
        "module": module,
        "qualified": qualified,
        "import": import_,
    },
    # None of these changes its children: they build new nodes of them (functions, a lambda, an
    # import, a name), join them in new ones (a list of declarations) or name themselves.  Not
    # `module`: it may return its child, which then takes its roles (carry_roles).
    keeps_children=("function", "bind", "signature", "declarations", "class_declarations", "instance_declarations",
                    "instance", "data_constructor", "field", "lambda", "qualified", "import"),
)
