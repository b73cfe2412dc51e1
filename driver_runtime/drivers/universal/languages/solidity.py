"""Solidity (tree-sitter-solidity).

The outline, as Solidity language servers show it: contracts (classes), interfaces, libraries
(modules), structs and their members, enums and their values, events, custom errors (events
too), state variables (fields), and the functions: ``function``, ``modifier``, ``constructor``
(named so: a constructor), ``receive``/``fallback`` -- each a uast:FunctionGroup, its parameters
uast:Arguments (the grammar lists them among the function's children: a transform moves them
to ``parameters`` for the builder), its returns the arguments of ``returns (...)``.
``import`` is a uast:Import (``{A, B}`` its Names).
"""

from driver_runtime.drivers.universal.normalization import function
from driver_runtime.drivers.universal.rules import children_of
from driver_runtime.drivers.universal.tables import Argument, Function, Import, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict

_FUNCTION = function(Function(name="name", parameters="parameters", returns="return_type", body="body"))


def definition(node: Node, context: Context) -> Node:
    """A function, modifier, constructor, receive or fallback: its parameters (uast:Arguments
    among its children) into `parameters`, its returns' arguments into `return_type`; a
    constructor, receive or fallback is named by its keyword."""
    children = node.get("children") or []
    node["parameters"] = [child for child in children if child.get("@type") == "uast:Argument"]
    rest = [child for child in children if child.get("@type") != "uast:Argument"]
    if rest:
        node["children"] = rest
    else:
        node.pop("children", None)
    returns = node.get("return_type")
    if type(returns) is dict and not returns.get("@type", "").startswith("uast:"):
        node["return_type"] = [item for item in children_of(returns) if item.get("@type") == "uast:Argument"]
    if "name" not in node:
        keyword = context.text(node).split("(", 1)[0].split()
        if keyword:
            start = node["@pos"]["start"]
            node["name"] = nodes.identifier(keyword[0], {"start": start, "end": start + len(keyword[0])})
    return _FUNCTION(node, context)


FUNCTIONS = ("function_definition", "modifier_definition", "constructor_definition", "fallback_receive_definition")

TABLE = LanguageTable(
    imports={"import_directive": Import(path="source", alias="import_name")},
    functions=dict.fromkeys(FUNCTIONS, Function(returns="return_type")),
    arguments={"parameter": Argument()},
    roles={
        "call_expression": ("Call", "Expression"),
        "emit_statement": ("Call", "Statement"),
        "revert_statement": ("Statement", "Throw"),
        "return_statement": ("Return", "Statement"),
        "if_statement": ("If", "Statement"),
        "for_statement": ("For", "Statement"),
        "while_statement": ("Statement", "While"),
        "assignment_expression": ("Assignment", "Binary", "Expression"),
        "augmented_assignment_expression": ("Assignment", "Binary", "Expression", "Operator"),
        "variable_declaration_statement": ("Declaration", "Statement", "Variable"),
        "binary_expression": ("Binary", "Expression"),
        "unary_expression": ("Expression", "Unary"),
        "member_expression": ("Expression", "Qualified"),
        "number_literal": ("Expression", "Literal", "Number"),
        "function_body": ("Block", "Body", "Scope"),
        "contract_body": ("Block", "Body"),
    },
    symbols={
        "contract_declaration": "class",
        "interface_declaration": "interface",
        "library_declaration": "module",
        "struct_declaration": "struct",
        "struct_member": "field",
        "enum_declaration": "enum",
        "enum_value": "enum_member",
        "event_definition": "event",
        "error_declaration": "event",
        "state_variable_declaration": "field",
        "user_defined_type_definition": "type",
    },
    transforms=dict.fromkeys(FUNCTIONS, definition),
)
