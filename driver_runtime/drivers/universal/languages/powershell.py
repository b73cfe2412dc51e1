"""PowerShell (tree-sitter-powershell).

The outline, as PowerShell Editor Services shows it: functions, classes with their properties,
constructors and methods, enums with their members, and the variables a script assigns at its
top.  A function (``function Name { param(...) ... }`` or ``function Name($a, $b) { }``) and a
class method are uast:FunctionGroups, their parameters uast:Arguments (type from the
``[type]`` attribute, default the Init), a method's return its ``[type]``.  The grammar gives
almost no fields: transforms find the parts among the children.  Also: ``Import-Module``,
``using module|namespace|assembly`` and dot-sourcing (``. ./lib.ps1``) are uast:Imports; a
variable is a uast:Identifier spelled as written (``$Path``), ``$true``/``$false`` uast:Bool;
the expression grammar's one-child precedence levels (``logical_expression`` down to
``unary_expression``) are left out.
"""

from driver_runtime.drivers.universal.normalization import unwrap
from driver_runtime.drivers.universal.rules import children_of, first, is_type, kind, named_by
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict
P = "powershell:"

# Precedence levels the grammar nests every expression in, each with one child when no
# operator of its level is used.
LEVELS = (
    "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
    "multiplicative_expression", "format_expression", "range_expression", "array_literal_expression",
    "unary_expression", "pipeline_chain", "logical_argument_expression", "bitwise_argument_expression",
    "comparison_argument_expression", "additive_argument_expression", "multiplicative_argument_expression",
    "format_argument_expression", "range_argument_expression", "argument_expression",
    "left_assignment_expression",
)


def _type_of(attributes: object) -> object:
    """The [type] among a parameter's attributes."""
    for attribute in children_of(attributes) if type(attributes) is dict else ():
        literal = first(children_of(attribute), "type_literal")
        if literal is not None:
            return literal
    return None


def script_parameter(node: Node, context: Context) -> Node:
    """`[attributes] [type] $name [= default]`."""
    name = first(children_of(node), "uast:Identifier")
    default = first(children_of(node), "script_parameter_default")
    init = next(iter(children_of(default)), None) if default else None
    return nodes.argument(name, _type_of(first(children_of(node), "attribute_list")), init, pos=node.get("@pos"))


def method_parameter(node: Node, context: Context) -> Node:
    """`[type] $name` of a class method."""
    name = first(children_of(node), "uast:Identifier")
    return nodes.argument(name, first(children_of(node), "type_literal"), pos=node.get("@pos"))


def _arguments(holder: object) -> list[Node]:
    """The Arguments of a parameter list (or of what holds one)."""
    if type(holder) is not dict:
        return []
    if kind(holder) != "parameter_list" and kind(holder) != "class_method_parameter_list":
        items = children_of(holder)
        holder = first(items, "parameter_list") or first(items, "class_method_parameter_list")
    return [item for item in children_of(holder)] if holder else []


def function_statement(node: Node, context: Context) -> Node:
    """function Name [(parameters)] { [param(...)] body }: a FunctionGroup."""
    name = first(children_of(node), "uast:Identifier")
    if name is None:
        return node
    body = first(children_of(node), "script_block")
    arguments = _arguments(first(children_of(node), "function_parameter_declaration"))
    if not arguments and body is not None:
        arguments = _arguments(first(children_of(body), "param_block"))
    arguments = [item for item in arguments if item.get("@type") == "uast:Argument"]
    signature = nodes.function_type(arguments)
    return nodes.function_group(name, nodes.function(signature, body), node.get("@pos"))


def class_method(node: Node, context: Context) -> Node:
    """[attributes] [type] Name([parameters]) { body }: a FunctionGroup (a constructor when named
    as its class)."""
    name = first(children_of(node), "uast:Identifier")
    if name is None:
        return node
    returns = first(children_of(node), "type_literal")
    arguments = [item for item in _arguments(first(children_of(node), "class_method_parameter_list"))
                 if item.get("@type") == "uast:Argument"]
    signature = nodes.function_type(arguments, [returns] if returns else None)
    extra = [child for child in children_of(node) if kind(child) == "class_attribute"]
    return nodes.function_group(name, nodes.function(signature, first(children_of(node), "script_block")),
                                node.get("@pos"), extra or None)


def named(node: Node, context: Context) -> Node:
    """class, enum, enum member, property: its first name (a simple_name, or the property's
    `$variable`) is its `name`."""
    name = first(children_of(node), "uast:Identifier")
    if name is not None:
        node["children"] = [child for child in node.get("children") or () if child is not name]
        named_by(node, name)
    return node


def assignment(node: Node, context: Context) -> Node:
    """`$name = value`: named by the variable (an assignment to `$a.b`, `$a[0]` is unnamed)."""
    target = next(iter(children_of(node)), None)
    if is_type(target, "uast:Identifier"):
        node["name"] = target
        node["children"] = [child for child in node.get("children") or () if child is not target]
    return node


def variable(node: Node, context: Context) -> Node:
    text = context.text(node)
    if text.lower() in ("$true", "$false"):
        return nodes.boolean(text.lower() == "$true", node.get("@pos"))
    return nodes.identifier(text, node.get("@pos"))


def string_literal(node: Node, context: Context) -> Node:
    """'text' and "text" without `$` in it: a uast:String."""
    parts = children_of(node)
    if len(parts) != 1 or kind(parts[0]) not in ("verbatim_string_characters", "expandable_string_literal"):
        return node
    if children_of(parts[0]):
        return node  # "...$variable..."
    text = context.text(parts[0])
    return nodes.string(text[1:-1], node.get("@pos"))


IMPORTING = {"import-module": "uast:Import", "using": "uast:Import"}


def command(node: Node, context: Context) -> Node:
    """Import-Module X, using module|namespace X, . ./script.ps1: a uast:Import."""
    name = node.get("command_name")
    elements = children_of(node.get("command_elements")) if type(node.get("command_elements")) is dict else []
    dot_sourced = context.text(node).lstrip().startswith(".")
    if first(children_of(node), "command_invokation_operator") is not None and dot_sourced:
        if type(name) is dict and kind(name) == "command_name_expr":
            target = next(iter(children_of(name)), name)
            text = context.text(target).strip("'\"")
            return nodes.import_(nodes.string(text, target.get("@pos")), pos=node.get("@pos"))
        return node
    if type(name) is not dict or name.get("@type") != "uast:Identifier" or name["Name"].lower() not in IMPORTING:
        return node
    words = [element for element in elements if kind(element) not in ("command_argument_sep", "command_parameter")]
    if not words:
        return node
    target = words[-1] if name["Name"].lower() == "using" else words[0]
    if target.get("@type") != "uast:String":
        target = nodes.string(context.text(target), target.get("@pos"))
    return nodes.import_(target, pos=node.get("@pos"))


TABLE = LanguageTable(
    identifiers=("simple_name", "function_name", "command_name"),
    roles={
        "command": ("Call", "Expression"),
        "invokation_expression": ("Call", "Expression"),
        "if_statement": ("If", "Statement"),
        "foreach_statement": ("For", "Iterator", "Statement"),
        "for_statement": ("For", "Statement"),
        "while_statement": ("Statement", "While"),
        "try_statement": ("Statement", "Try"),
        "flow_control_statement": ("Statement",),
        "script_block": ("Block", "Scope"),
        "statement_block": ("Block", "Scope"),
        "member_access": ("Expression", "Qualified"),
        "hash_literal_expression": ("Expression", "Literal", "Map"),
        "integer_literal": ("Expression", "Literal", "Number"),
        "real_literal": ("Expression", "Literal", "Number"),
        "attribute": ("Annotation",),
    },
    symbols={
        "class_statement": "class",
        "class_property_definition": "property",
        "enum_statement": "enum",
        "enum_member": "enum_member",
        "assignment_expression": "variable",
    },
    transforms={
        **dict.fromkeys(LEVELS, unwrap),  # a level with one child and no operator of its own: that child
        "function_statement": function_statement,
        "class_method_definition": class_method,
        "script_parameter": script_parameter,
        "class_method_parameter": method_parameter,
        **dict.fromkeys(("class_statement", "class_property_definition", "enum_statement", "enum_member"), named),
        "assignment_expression": assignment,
        "variable": variable,
        "string_literal": string_literal,
        "command": command,
    },
)
