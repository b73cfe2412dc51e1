"""Nix (tree-sitter-nix).

A lambda (``x: body``, ``{ a, b ? 1, ... }: body``) is a bare uast:Function, its parameters
uast:Arguments (a default the Init, ``...`` a variadic one).  A binding (``name = value;``, in an
attribute set or a ``let``) is a property named by its attribute path as written
(``cargoLock.lockFile``), holding the bindings of the set it is bound to, as nixd and nil show
them; a binding whose value is a lambda is a uast:FunctionGroup of that name.  ``import path``
is a uast:Import; ``true``/``false`` are uast:Bool, a string without interpolation a uast:String.
"""

from driver_runtime.drivers.universal.rules import children_of, is_type, kind, named_by, objects
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def lambda_(node: Node, context: Context) -> Node:
    """`x: body`, `{ a, b ? 1, ... }: body`, `args@{ a }: body`: a uast:Function."""
    arguments = []
    for name in objects(node.get("universal")):
        arguments.append(nodes.argument(name, pos=name.get("@pos")))
    for formals in objects(node.get("formals")):
        for formal in children_of(formals):
            if formal.get("@type") == "uast:Argument":
                arguments.append(formal)
            elif kind(formal) == "ellipses":
                arguments.append(nodes.argument(variadic=True, pos=formal.get("@pos")))
    return nodes.function(nodes.function_type(arguments), node.get("body"), node.get("@pos"))


def formal(node: Node, context: Context) -> Node:
    return nodes.argument(node.get("name"), init=node.get("default"), pos=node.get("@pos"))


def binding(node: Node, context: Context) -> Node:
    """`a.b = value;`: named a.b; a FunctionGroup when the value is a lambda."""
    path = node.get("attrpath")
    parts = []
    for attr in objects(path.get("attr") if type(path) is dict else None):
        if attr.get("@type") == "uast:Identifier":
            parts.append(attr["Name"])
        elif attr.get("@type") == "uast:String":
            parts.append(attr["Value"])
        else:
            return node  # an interpolated name: stays native
    if not parts:
        return node
    name = nodes.identifier(".".join(parts), path.get("@pos"))
    value = node.get("expression")
    if is_type(value, "uast:Function"):
        return nodes.function_group(name, value, node.get("@pos"))
    node.pop("attrpath")
    return named_by(node, name)


def indented_string(node: Node, context: Context) -> Node:
    """''text'' without interpolation: a uast:String."""
    if any(kind(part) != "string_fragment" for part in children_of(node)):
        return node
    text = context.text(node)
    return nodes.string(text[2:-2], node.get("@pos"))


def variable(node: Node, context: Context) -> Node:
    """`true`/`false` are variables of the language: uast:Bool."""
    name = node.get("name")
    if type(name) is dict and name.get("Name") in ("true", "false"):
        return nodes.boolean(name["Name"] == "true", node.get("@pos"))
    return node


def apply(node: Node, context: Context) -> Node:
    """`import path`: a uast:Import of the path."""
    function = node.get("function")
    argument = node.get("argument")
    if (kind(function) == "variable_expression" and type(function.get("name")) is dict
            and function["name"].get("Name") == "import" and type(argument) is dict):
        path = argument
        if kind(argument) in ("path_expression", "spath_expression", "hpath_expression"):
            path = nodes.string(context.text(argument), argument.get("@pos"))
        return nodes.import_(path, pos=node.get("@pos"))
    return node


TABLE = LanguageTable(
    strings=("string_expression",),
    roles={
        "apply_expression": ("Call", "Expression"),
        "binary_expression": ("Binary", "Expression"),
        "unary_expression": ("Expression", "Unary"),
        "select_expression": ("Expression", "Qualified"),
        "if_expression": ("Expression", "If"),
        "let_expression": ("Block", "Expression", "Scope"),
        "with_expression": ("Expression", "Scope"),
        "attrset_expression": ("Expression", "Literal", "Map"),
        "rec_attrset_expression": ("Expression", "Literal", "Map"),
        "list_expression": ("Expression", "List", "Literal"),
        "integer_expression": ("Expression", "Literal", "Number"),
        "float_expression": ("Expression", "Literal", "Number"),
        "path_expression": ("Expression", "Literal"),
        "inherit": ("Declaration",),
        "inherit_from": ("Declaration",),
        "interpolation": ("Expression",),
    },
    symbols={"binding": "property"},
    transforms={
        "function_expression": lambda_,
        "formal": formal,
        "binding": binding,
        "indented_string_expression": indented_string,
        "variable_expression": variable,
        "apply_expression": apply,
    },
)
