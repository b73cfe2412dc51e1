"""Julia (tree-sitter-julia).

The outline follows the Julia language server's: modules, functions (the long form, the short
`f(x) = ...` one, macros named `@name`, a method of an operator `Base.:+(...) = ...` named by the
operator), data types as structs (abstract and primitive ones too) with their fields, variables
and `const` constants; `@enum E a b` an enum with its members.

Transforms (the grammar has few fields):

* `function f(x) ... end`, `macro m(x) ... end`: FunctionGroups, the signature's call giving the
  name and the arguments (`x::T`: its Type; `x = 1`: its Init; `xs...`: variadic), a return type
  (`f(x)::T`) its Returns;
* `f(x) = ...` (an assignment to a call) a FunctionGroup; another assignment an Assignment to its
  left side (a const one's `kind` "const"); `x -> ...` a bare Function;
* a struct's fields (`x::T`, or `x`) become ``julia:struct_field`` named by their name, the struct
  named by its type head (`Circle <: Shape`: Circle); `@enum E a b` a ``julia:enum_macro`` holding
  ``julia:enum_value`` members;
* `using M`, `import M: a, b` are uast:Imports (of M; Names a, b).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.rules import IDENTIFIER, assigned, children, first, first_identifier, is_type
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
J = "julia:"


def _argument(item: Node) -> Node:
    kind = item.get("@type")
    if kind == IDENTIFIER:
        return nodes.argument(item, pos=item.get("@pos"))
    if kind == J + "typed_expression":
        parts = children(item)
        return nodes.argument(parts[0] if parts else None, parts[1] if len(parts) > 1 else None, pos=item.get("@pos"))
    if kind in (J + "assignment", J + "named_argument"):
        parts = [part for part in children(item) if part.get("@type") != J + "operator"]
        if parts:
            inner = _argument(parts[0])
            inner["Init"] = parts[1] if len(parts) > 1 else None
            inner["@pos"] = item.get("@pos")
            return inner
    if kind == J + "splat_expression":
        parts = children(item)
        inner = _argument(parts[0]) if parts else nodes.argument()
        inner["Variadic"] = True
        inner["@pos"] = item.get("@pos")
        return inner
    return nodes.argument(item, pos=item.get("@pos"))  # a pattern: kept as the name


def _signature(call: Any) -> tuple[Any, list[Node], Any, list[Node]]:
    """(name, arguments, return type, the rest) of a signature: `f(x)`, `f(x)::T`, `f(x) where T`."""
    returns = None
    rest: list[Node] = []
    while is_type(call, J + "typed_expression", J + "where_expression"):
        parts = children(call)
        if not parts:
            break
        if call["@type"] == J + "typed_expression" and len(parts) > 1:
            returns = parts[1]
        else:
            rest.extend(parts[1:])
        call = parts[0]
    if type(call) is not dict or call.get("@type") != J + "call_expression":
        return None, [], returns, rest
    parts = children(call)
    callee = parts[0] if parts else None
    holder = first(parts, J + "argument_list")
    arguments = [_argument(item) for item in children(holder) if item.get("@type") != "uast:Comment"]
    if is_type(callee, J + "field_expression"):  # Base.:+ : the operator
        operator = children(callee)[-1] if children(callee) else None
        inner = children(operator)[0] if operator and children(operator) else operator
        if type(inner) is dict and "@pos" in inner:
            callee = nodes.identifier(str(inner.get("@token") or inner.get("Name") or ""), inner["@pos"])
    return callee, arguments, returns, rest


def function_definition(node: Node, context: Context) -> Node:
    parts = children(node)
    signature = first(parts, J + "signature")
    inner = children(signature)
    name, arguments, returns, rest = _signature(inner[0] if inner else None)
    if type(name) is not dict or name.get("@type") != IDENTIFIER:
        return node
    if node["@type"] == J + "macro_definition":
        name = nodes.identifier("@" + name["Name"], name.get("@pos"))
    body = first(parts, "uast:Block")
    function = nodes.function(nodes.function_type(arguments, [returns] if returns else None), body)
    return nodes.function_group(name, function, node.get("@pos"), rest or None)


def assignment(node: Node, context: Context) -> Node:
    parts = [part for part in children(node) if part.get("@type") != J + "operator"]
    if len(parts) < 2:
        return node
    left, right = parts[0], parts[1]
    name, arguments, returns, rest = _signature(left)
    if is_type(name, IDENTIFIER):  # f(x) = ...
        function = nodes.function(nodes.function_type(arguments, [returns] if returns else None), right)
        return nodes.function_group(name, function, node.get("@pos"), rest or None)
    assigned(node, left.get("children", [left])[0] if left.get("@type") == J + "typed_expression" else left)
    if context.parent_type == "const_statement":
        node["kind"] = "const"
    return node


def arrow_function(node: Node, context: Context) -> Node:
    parts = children(node)
    if len(parts) < 2:
        return node
    head, body = parts[0], parts[-1]
    items = children(head) if head.get("@type") in (J + "tuple_expression", J + "argument_list") else [head]
    return nodes.function(nodes.function_type([_argument(item) for item in items]), body, node.get("@pos"))


def struct_definition(node: Node, context: Context) -> Node:
    head = first(children(node), J + "type_head")
    name = first_identifier(head, "children")
    if name is not None:
        node["name"] = name
    for body in children(node):
        if body.get("@type") != "uast:Block":
            continue
        fields = []
        for item in body.get("Statements") or []:
            if is_type(item, IDENTIFIER, J + "typed_expression"):
                parts = [item] if item["@type"] == IDENTIFIER else children(item)
                fields.append({"@type": J + "struct_field", "@pos": item.get("@pos"), "name": parts[0],
                               "type": parts[1] if len(parts) > 1 else None})
            else:
                fields.append(item)
        body["Statements"] = fields
    return node


def macrocall(node: Node, context: Context) -> Node:
    """`@enum Unit a b c`: an enum and its members."""
    parts = children(node)
    macro = parts[0] if parts else None
    if not (is_type(macro, J + "macro_identifier")
            and [part.get("Name") for part in children(macro)] == ["enum"]):
        return node
    arguments = first(parts, J + "macro_argument_list")
    items = children(arguments)
    if not items or items[0].get("@type") != IDENTIFIER:
        return node
    node["@type"] = J + "enum_macro"
    node["name"] = items[0]
    members = items[1:]
    if len(members) == 1 and members[0].get("@type") == "uast:Block":  # @enum E begin a; b end
        members = members[0].get("Statements") or []
    arguments["children"] = [items[0], *[
        {"@type": J + "enum_value", "@pos": member.get("@pos"), "name": member}
        if is_type(member, IDENTIFIER) else member for member in members]]
    return node


def import_(node: Node, context: Context) -> Any:
    parts = children(node)
    imports = []
    for part in parts:
        if part.get("@type") == J + "selected_import":
            selected = children(part)
            if selected:
                imports.append(nodes.import_(selected[0], selected[1:] or None, pos=part.get("@pos")))
        elif part.get("@type") in (IDENTIFIER, J + "scoped_identifier", "uast:QualifiedIdentifier"):
            imports.append(nodes.import_(part, pos=part.get("@pos")))
    if len(imports) == 1 and len(parts) == 1:
        imports[0]["@pos"] = node.get("@pos")
        return imports[0]
    if imports:
        node["children"] = imports
    return node


TABLE = LanguageTable(
    blocks=("block",),
    symbols={
        "module_definition": "module",
        "struct_definition": "struct",
        "abstract_definition": "struct",
        "primitive_definition": "struct",
        "struct_field": "field",
        "enum_macro": "enum",
        "enum_value": "enum_member",
    },
    roles={"call_expression": ("Call", "Expression")},
    transforms={
        "function_definition": function_definition,
        "macro_definition": function_definition,
        "assignment": assignment,
        "arrow_function_expression": arrow_function,
        "struct_definition": struct_definition,
        "abstract_definition": struct_definition,
        "primitive_definition": struct_definition,
        "macrocall_expression": macrocall,
        "using_statement": import_,
        "import_statement": import_,
    },
)
