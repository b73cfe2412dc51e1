"""JavaScript (tree-sitter-javascript), close to Babelfish's JavaScript driver (Babel).

Babelfish's conventions, which the native driver (drivers/javascript) follows too:
- names (identifier, property names, labels, `undefined`) are uast:Identifier; a private name
  `#x` is a native node around the identifier `x` (spanning the name without `#`);
- string literals are uast:String (Format "single" for '...'); a template literal is no String,
  nor is a directive ("use strict"); `true`/`false` stay native (Babel's BooleanLiteral);
- the operator of a binary, logical, unary, update or assignment expression is a uast:Operator
  (no position);
- `{...}` statement blocks are uast:Block;
- a function declaration is a FunctionGroup whose FunctionType returns `undefined` when it
  declares no return type; its parameters are uast:Argument (a bare name without position, a
  default, rest or pattern with the parameter's);
- methods stay native (ClassMethod), named by their key, as do function expressions and arrows;
  a function bound by a declaration (`const f = () => ...`, a class field `f = () => ...`) is a
  FunctionGroup, as in the native driver (the outline lists it as the function it is);
- an import is a uast:Import: its Path the source string (for `* as ns`, the Alias of ns to
  it), its Names the Alias of each local name to what it imports (a default import is the alias
  of ".").
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal import normalization
from driver_runtime.drivers.universal.rules import children_of, first, is_type, kind
from driver_runtime.drivers.universal.tables import Function, LanguageTable, Operator
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]

# The parts of a function that its uast:Function holds.
_FUNCTION_FIELDS = ("name", "parameters", "parameter", "body", "return_type")
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function", "generator_function"})


def single_quoted_string(node: Node, context: Context) -> Node:
    """A string literal, Format "single" when written with '...' (Babelfish's JavaScript and PHP)."""
    result = normalization.string(node, context)
    if is_type(result, "uast:String") and context.text(node)[:1] == "'":
        result["Format"] = "single"
    return result


# --- functions ---------------------------------------------------------------------------------

def argument(param: Any) -> Any:
    """A parameter as a uast:Argument, as Babelfish's driver made it: a bare name without a
    position; `name = default`, `...rest` and patterns with the parameter's."""
    if is_type(param, "uast:Identifier"):
        return nodes.argument(name=param)
    native = kind(param)
    pos = param.get("@pos") if type(param) is dict else None
    if native in ("assignment_pattern", "object_assignment_pattern"):
        return nodes.argument(name=param.get("left"), init=param.get("right"), pos=pos)
    if native == "rest_pattern":
        inner = next(iter(children_of(param)), None)
        return nodes.argument(name=inner, variadic=True, pos=pos)
    if native in ("object_pattern", "array_pattern"):
        return nodes.argument(name=param, pos=pos)
    if native in ("required_parameter", "optional_parameter"):  # TypeScript: `name: type = init`
        pattern = param.get("pattern")
        variadic = kind(pattern) == "rest_pattern"
        if variadic:
            pattern = next(iter(children_of(pattern)), None)
        result = nodes.argument(name=pattern, type=param.get("type"), init=param.get("value"), variadic=variadic,
                                pos=pos)
        modifiers = [child for child in children_of(param) if child is not pattern and child not in
                     (param.get("type"), param.get("value"))]
        if modifiers:  # `private readonly x`: a parameter property
            result["modifiers"] = modifiers
        return result
    return param


def parameters(value: Any) -> list[Any]:
    """The arguments of a formal_parameters node (or of an arrow's single `parameter`)."""
    if value is None:
        return []
    items = children_of(value) if kind(value) == "formal_parameters" else [value]
    return [argument(item) for item in items if not is_type(item, "uast:Comment")]


def group(name: Any, function: Node, pos: Any, returns: list[Any] | None, extra: list[Any] | None = None) -> Node:
    """The FunctionGroup -> Alias -> Function chain of a function's node; what the chain does not
    hold (decorators, type parameters, comments) stays beside the alias."""
    arguments = parameters(function.get("parameters", function.get("parameter")))
    chain = nodes.function(nodes.function_type(arguments, returns), function.get("body"))
    rest = {key: value for key, value in function.items() if key not in _FUNCTION_FIELDS and key != "@role"}
    kept = [rest] if any(not key.startswith("@") for key in rest) else []
    return nodes.function_group(name, chain, pos=pos, extra=[*kept, *(extra or ())] or None)


def declared_returns(node: Node) -> list[Any]:
    """Babelfish's JavaScript said that a function declaration returns `undefined` unless it
    declares a type (TypeScript)."""
    declared = node.get("return_type")
    if declared is not None:
        return [nodes.argument(type=declared)]
    return [nodes.argument(init=nodes.identifier("undefined"))]


def function_declaration(node: Node, context: Context) -> Node:
    return group(node.get("name"), node, node.get("@pos"), declared_returns(node))


def variable_declarator(node: Node, context: Context) -> Node:
    """`f = () => ...` in a declaration is the function f (a group without declared returns)."""
    name, value = node.get("name"), node.get("value")
    if is_type(name, "uast:Identifier") and kind(value) in _FUNCTION_VALUES:
        declared = value.get("return_type")
        return group(name, value, node.get("@pos"), [nodes.argument(type=declared)] if declared else None)
    node.pop("@token", None)  # `=`, not a name
    return node


def field_definition(node: Node, context: Context) -> Node:
    """A class field; one holding a function (`handle = () => {...}`) is a method."""
    name, value = node.get("property", node.get("name")), node.get("value")
    if is_type(name, "uast:Identifier") and kind(value) in _FUNCTION_VALUES:
        declared = value.get("return_type")
        extra = [{key: item for key, item in node.items()
                  if key not in ("property", "name", "value", "@role", "@token")}]
        return group(name, value, node.get("@pos"), [nodes.argument(type=declared)] if declared else None,
                     extra=[part for part in extra if any(not key.startswith("@") for key in part)])
    return member(node, context)


def member(node: Node, context: Context) -> Node:
    """A class member (method, field) named by its `name` (a field's `property`); a private
    name `#x` is its token, as the outline reads it."""
    node = _named(node, context)
    name = node.get("name")
    if kind(name) == "private_property_identifier":
        node["@token"] = name["@token"]
    elif kind(name) == "computed_property_name":  # `[Symbol.iterator]`, as written
        node["@token"] = " ".join(context.text(name).split())
    elif is_type(name, "uast:String"):  # `"quoted"() {}`
        node["@token"] = name["Value"]
    else:
        return node
    node["key"] = node.pop("name")  # a key (Babel's), no pattern of names
    return node


_named = normalization.symbol("property")


def private_name(node: Node, context: Context) -> Node:
    """`#x`: Babel's PrivateName around the identifier `x` (spanning x); "#x" is its token."""
    pos = node.get("@pos") or {}
    name = (node.get("@token") or "").lstrip("#")
    inner_pos = {"start": pos["start"] + 1, "end": pos["end"]} if "start" in pos and "end" in pos else None
    node["id"] = nodes.identifier(name, inner_pos)
    node["@token"] = "#" + name
    return node


def shorthand_property(node: Node, context: Context) -> Node:
    """`{a}` (an object or a pattern): Babel's shorthand property, whose key and value are both
    the name a."""
    name = nodes.identifier(str(node.get("@token") or context.text(node)), node.get("@pos"))
    result = {"@type": node["@type"], "@role": node.get("@role") or ["Identifier"], "key": name, "value": dict(name)}
    if "@pos" in node:
        result["@pos"] = node["@pos"]
    return result


def export_specifier(node: Node, context: Context) -> Node:
    """`export {a}`: Babel's local and exported names (both a, unless `a as b`)."""
    name = node.get("name")
    if "alias" not in node and is_type(name, "uast:Identifier"):
        node["alias"] = dict(name)
    return node


# --- statements --------------------------------------------------------------------------------

def _directives(statements: list[Any]) -> list[Any]:
    """The statements of a body, its leading string statements as directives ("use strict"): no
    uast:String.  A directive is a copy of its statement, whose conversion may be kept for the
    next parse (memo.py), where it may be no directive."""
    out = list(statements)
    for index, statement in enumerate(statements):
        if is_type(statement, "uast:Comment"):
            continue
        if kind(statement) != "expression_statement":
            break
        parts = children_of(statement)
        if len(parts) != 1 or not is_type(parts[0], "uast:String"):
            break
        string = parts[0]
        prefix = statement["@type"].partition(":")[0]
        native = {"@type": f"{prefix}:string", "@role": ["Literal", "String"], "@token": string["Value"]}
        if "@pos" in string:
            native["@pos"] = string["@pos"]
        out[index] = {**statement, "children": [native]}
    return out


def program(node: Node, context: Context) -> Node:
    if type(node.get("children")) is list:
        node["children"] = _directives(node["children"])
    return node


def statement_block(node: Node, context: Context) -> Node:
    statements = children_of(node)
    if context.parent_type in ("function_declaration", "function_expression", "function", "arrow_function",
                               "method_definition", "generator_function", "generator_function_declaration"):
        statements = _directives(statements)
    return nodes.block(statements, node.get("@pos"))


# --- imports -----------------------------------------------------------------------------------

def import_specifier(node: Node, context: Context) -> Node:
    """`a as b`: the alias b of a; `a`: the alias a of a (Babel's local and imported names)."""
    imported, local = node.get("name"), node.get("alias")
    if local is None and is_type(imported, "uast:Identifier"):
        local = dict(imported)
    return nodes.alias(local, imported, node.get("@pos"))


def import_statement(node: Node, context: Context) -> Node:
    source = node.get("source")
    if source is None:
        return node
    path: Any = source
    names: list[Any] = []
    namespace = False
    clause = first(children_of(node), "import_clause")
    for part in children_of(clause):
        part_kind = kind(part)
        if is_type(part, "uast:Identifier"):  # the default import: the alias of the module itself
            names.append(nodes.alias(part, nodes.identifier("."), part.get("@pos")))
        elif part_kind == "namespace_import":
            local = first(children_of(part), "uast:Identifier")
            path = nodes.alias(local, source, part.get("@pos"))
            namespace = True
        elif part_kind == "named_imports":
            names.extend(item for item in children_of(part) if is_type(item, "uast:Alias"))
    return nodes.import_(path, names=names or None, all=namespace, pos=node.get("@pos"))


_FUNCTION_ROLES = ("Declaration", "Function")

TABLE = LanguageTable(
    identifiers=("undefined",),
    strings=("string",),
    blocks=("statement_block",),
    # `true`/`false` stay Babel's BooleanLiteral; a template literal is no plain string.
    not_generic=("true", "false", "template_string", "method_definition"),
    functions={
        "function_declaration": Function(),
        "generator_function_declaration": Function(),
    },
    roles={
        "call_expression": ("Call", "Expression"),
        "new_expression": ("Call", "Expression", "Incomplete"),
        "function_expression": (*_FUNCTION_ROLES, "Expression"),
        "function": (*_FUNCTION_ROLES, "Expression"),
        "generator_function": (*_FUNCTION_ROLES, "Expression"),
        "arrow_function": (*_FUNCTION_ROLES, "Anonymous", "Expression"),
        "lexical_declaration": ("Declaration", "Statement"),
        "variable_declaration": ("Declaration", "Statement"),
        "expression_statement": ("Statement",),
        "return_statement": ("Return", "Statement"),
        "if_statement": ("If", "Statement"),
        "for_statement": ("For", "Statement"),
        "for_in_statement": ("For", "Iterator", "Statement"),
        "while_statement": ("Statement", "While"),
        "do_statement": ("DoWhile", "Statement"),
        "try_statement": ("Statement", "Try"),
        "catch_clause": ("Catch",),
        "finally_clause": ("Finally",),
        "throw_statement": ("Statement", "Throw"),
        "switch_statement": ("Statement", "Switch"),
        "switch_case": ("Case", "Switch"),
        "switch_default": ("Case", "Default", "Switch"),
        "break_statement": ("Break", "Statement"),
        "continue_statement": ("Continue", "Statement"),
        "member_expression": ("Expression", "Qualified"),
        "number": ("Literal", "Number"),
        "true": ("Boolean", "Literal"),
        "false": ("Boolean", "Literal"),
        "null": ("Literal", "Null"),
        "this": ("Expression", "This"),
        "binary_expression": ("Binary", "Expression", "Operator"),
        "unary_expression": ("Expression", "Operator", "Unary"),
        "update_expression": ("Expression", "Operator", "Unary"),
        "assignment_expression": ("Assignment", "Binary", "Expression", "Operator"),
        "augmented_assignment_expression": ("Assignment", "Binary", "Expression", "Operator"),
        "import_statement": ("Declaration", "Import"),
        "export_statement": ("Declaration", "Statement", "Visibility"),
    },
    # The Operator role on the operator too (Babel's); `=` is no field, but the node's token.
    operators={
        **dict.fromkeys(
            ("binary_expression", "unary_expression", "update_expression", "augmented_assignment_expression"),
            Operator(roles=("Operator",))),
        "assignment_expression": Operator(token=True, roles=("Operator",)),
    },
    field_roles={
        ("call_expression", "function"): ("Callee",),
        ("call_expression", "arguments"): ("Argument",),
        ("new_expression", "constructor"): ("Callee",),
        ("binary_expression", "left"): ("Left",),
        ("binary_expression", "right"): ("Right",),
        ("assignment_expression", "left"): ("Left",),
        ("assignment_expression", "right"): ("Right",),
        ("if_statement", "condition"): ("Condition",),
        ("if_statement", "consequence"): ("Then",),
        ("if_statement", "alternative"): ("Else",),
        ("while_statement", "condition"): ("Condition",),
        ("for_statement", "condition"): ("Condition",),
        ("*", "body"): ("Body",),
    },
    symbols={
        "class_declaration": "class",
        "class": "class",
        "method_definition": "method",
        "field_definition": "property",
        "variable_declarator": "variable",
    },
    transforms={
        "string": single_quoted_string,
        "statement_block": statement_block,
        "program": program,
        "function_declaration": function_declaration,
        "generator_function_declaration": function_declaration,
        "variable_declarator": variable_declarator,
        "field_definition": field_definition,
        "method_definition": member,
        "private_property_identifier": private_name,
        "import_statement": import_statement,
        "import_specifier": import_specifier,
        "export_specifier": export_specifier,
        "shorthand_property_identifier": shorthand_property,
        "shorthand_property_identifier_pattern": shorthand_property,
    },
    # None of these changes its children: they build new nodes of them (the function builders,
    # the imports, the block), change only the node they are given (the members, the declarator,
    # the export), or put a copy of one in their own list (a directive).
    keeps_children=("program", "statement_block", "function_declaration", "generator_function_declaration",
                    "variable_declarator", "field_definition", "method_definition", "import_statement",
                    "export_specifier"),
)
