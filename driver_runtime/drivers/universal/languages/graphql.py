"""GraphQL (tree-sitter-graphql): schemas (SDL) and operations.

The outline is the GraphQL language server's: object and input types (classes), interfaces,
enums and their values, fields; a field that takes arguments is a method there, and here a
uast:FunctionGroup (its arguments uast:Arguments, a default value the Init; its type the
return); operations and fragments are classes holding the fields they select (properties here:
a field kind does not hold others in this outline) and the fragments they spread (structs).
Also shown, which that server leaves out: scalars and unions (types), and type extensions
(``extend type Book``, as the type they extend).  The grammar gives no fields: a transform names
each definition by its name.
"""

from driver_runtime.drivers.universal.normalization import symbol
from driver_runtime.drivers.universal.rules import IDENTIFIER, children_of, first, kind
from driver_runtime.drivers.universal.tables import LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def unwrap(node: Node, context: Context) -> Node:
    """fragment_name, enum_value: the name they hold."""
    name = first(children_of(node), IDENTIFIER)
    return name if name is not None and len(children_of(node)) == 1 else node


# A definition: its name (its first Identifier child) into `name`.
named = symbol(child=IDENTIFIER)


def _value(node: object) -> object:
    """A default_value's value (`= 10`: the value node's content)."""
    value = next(iter(children_of(node)), None) if type(node) is dict else None
    if kind(value) == "value":
        inner = children_of(value)
        return inner[0] if len(inner) == 1 else value
    return value


def input_value(node: Node, context: Context) -> Node:
    """In an arguments definition, a uast:Argument (name: Type = default); in an input type, a
    field named by its name."""
    if context.parent_type != "arguments_definition":
        return named(node, context)
    parts = children_of(node)
    name, written, default = first(parts, IDENTIFIER), first(parts, "type"), first(parts, "default_value")
    return nodes.argument(name, written, _value(default), pos=node.get("@pos"))


def field_definition(node: Node, context: Context) -> Node:
    """`name(arguments): Type`: a FunctionGroup; without arguments, a field named by its name."""
    arguments = first(children_of(node), "arguments_definition")
    if arguments is None:
        return named(node, context)
    name = first(children_of(node), IDENTIFIER)
    returns = [child for child in children_of(node) if kind(child) == "type"]
    extra = [child for child in children_of(node) if child is not name and child is not arguments
             and not any(child is item for item in returns)]
    parameters = [item for item in children_of(arguments) if item.get("@type") == "uast:Argument"]
    signature = nodes.function_type(parameters, returns or None)
    return nodes.function_group(name, nodes.function(signature, None), node.get("@pos"), extra or None)


DEFINITIONS = {
    "object_type_definition": "class",
    "object_type_extension": "class",
    "input_object_type_definition": "class",
    "input_object_type_extension": "class",
    "interface_type_definition": "interface",
    "interface_type_extension": "interface",
    "enum_type_definition": "enum",
    "enum_type_extension": "enum",
    "enum_value_definition": "enum_member",
    "scalar_type_definition": "type",
    "union_type_definition": "type",
    "operation_definition": "class",
    "fragment_definition": "class",
    "field": "property",
    "fragment_spread": "struct",
}

TABLE = LanguageTable(
    strings=("string_value",),
    booleans=("boolean_value",),
    roles={
        "int_value": ("Expression", "Literal", "Number"),
        "float_value": ("Expression", "Literal", "Number"),
        "null_value": ("Expression", "Literal", "Null"),
        "list_value": ("Expression", "List", "Literal"),
        "object_value": ("Expression", "Literal", "Map"),
        "variable": ("Expression", "Identifier"),
        "directive": ("Annotation",),
        "selection_set": ("Block",),
        "description": ("Comment", "Documentation"),
    },
    symbols={
        **{definition: Symbol(symbol_kind, child=IDENTIFIER) for definition, symbol_kind in DEFINITIONS.items()},
        "field_definition": "field",
        "input_value_definition": "field",
    },
    transforms={
        "fragment_name": unwrap,
        "enum_value": unwrap,
        "field_definition": field_definition,
        "input_value_definition": input_value,
    },
)
