"""SCSS (tree-sitter-scss), over CSS's table: the same rule sets and at-rules in the outline.

Also, as VS Code's SCSS language service shows them: `@mixin` and `@function` are
uast:FunctionGroups (their parameters uast:Arguments, a default value the Init), and
`$name: value` is a variable named `$name` (the grammar's `declaration`, retyped
``scss:variable_declaration`` by a transform, so that the outline lists it and not every
declaration).  `@use`, `@forward` and `@import` are uast:Imports; a `$variable` is a uast:Identifier.
"""

from driver_runtime.drivers.universal.normalization import function
from driver_runtime.drivers.universal.rules import children_of, first, is_type, kind
from driver_runtime.drivers.universal.tables import Argument, Function, Import, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict

_FUNCTION = function(Function(name="name", parameters="parameters", body="body"))


def definition(node: Node, context: Context) -> Node:
    """@mixin/@function name(parameters) { ... }: its parameters and block into the fields the
    function builder reads, then a FunctionGroup."""
    rest = []
    for child in node.pop("children", None) or ():
        if kind(child) == "parameters" and "parameters" not in node:
            node["parameters"] = child
        elif is_type(child, "uast:Block") and "body" not in node:
            node["body"] = child
        else:
            rest.append(child)
    if rest:
        node["children"] = rest
    return _FUNCTION(node, context)


def parameter(node: Node, context: Context) -> Node:
    """`$name` or `$name: default`."""
    name = first(children_of(node, {"default"}), "uast:Identifier")
    variadic = context.text(node).rstrip().endswith("...")
    return nodes.argument(name, init=node.get("default"), variadic=variadic, pos=node.get("@pos"))


def declaration(node: Node, context: Context) -> Node:
    """`$name: value` declares a variable: named `$name`, retyped scss:variable_declaration."""
    children = node.get("children") or []
    name = children[0] if children else None
    if is_type(name, "uast:Identifier") and name["Name"].startswith("$"):
        node["@type"] = "scss:variable_declaration"
        node["name"] = children.pop(0)
    return node


TABLE = LanguageTable(
    extends="css",
    identifiers=("variable",),
    imports={
        "use_statement": Import(),
        "forward_statement": Import(),
    },
    roles={
        "include_statement": ("Call", "Expression"),
        "each_statement": ("For", "Iterator", "Statement"),
        "for_statement": ("For", "Statement"),
        "while_statement": ("Statement", "While"),
        "if_statement": ("If", "Statement"),
        "return_statement": ("Return", "Statement"),
        "interpolation": ("Expression",),
    },
    functions={
        "mixin_statement": Function(),
        "function_statement": Function(),
    },
    arguments={"parameter": Argument(name=None, type=None, init="default")},  # its name: `parameter` below
    symbols={"variable_declaration": "variable"},
    transforms={
        "mixin_statement": definition,
        "function_statement": definition,
        "parameter": parameter,
        "declaration": declaration,
    },
)
