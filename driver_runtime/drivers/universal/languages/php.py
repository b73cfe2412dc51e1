"""PHP (tree-sitter-php), close to Babelfish's PHP driver (nikic/php-parser 3.1), as the native
driver (drivers/php) is:

- a name (a class, function or constant reference, `true`, `null`) is a uast:Identifier at the
  name; `A\\B\\C` a uast:QualifiedIdentifier of positionless identifiers over the whole name;
  `\\A` stays native (php-parser's Name_FullyQualified);
- a variable `$x` is a native node around a positionless uast:Identifier "x" (php-parser gave
  the name as a string), and so are the names of called methods, fetched properties and class
  constants (strings in php-parser 3.1); declared names (class, function, method, property,
  constant) keep their span, as in the native driver (editors show where a symbol is named);
- strings are uast:String with their value (escapes decoded), Format "raw" for '...', "" for
  "...", "raw_custom" for heredoc and nowdoc; the literal runs of an interpolated string are
  uast:String with Format "encapsed";
- a function is a FunctionGroup whose Returns is its declared return type (an Argument, empty
  without one); methods and closures stay native, with uast:Argument parameters (spanning the
  parameter; the name positionless; by reference: the type in a php:ByRef) and a Block body;
- statement lists of compound statements (and class bodies) are positionless uast:Block, as
  php-parser's `stmts` lists; a bare `{...}` block is no node (its statements join the list);
  the statements after a `namespace A;` are its block;
- `use A\\B, C as D;` is one uast:RuntimeImport per name (Path the namespace, Names the Alias of
  the local name to the imported one); `include`/`require` are uast:RuntimeReImport and their
  `_once` forms uast:RuntimeImport.
"""

from __future__ import annotations

import re
from typing import Any

from driver_runtime.drivers.universal import normalization
from driver_runtime.drivers.universal.rules import (
    assigned,
    children,
    children_of,
    first,
    is_type,
    kind,
    literal_runs,
    position,
    unpositioned,
)
from driver_runtime.drivers.universal.tables import Argument, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]


class Splice(list):
    """Several statements standing for one (`use A, B;`, a bare block): spliced into the
    enclosing statement list."""


def statements(items: Any) -> list[Any]:
    """A statement list with its splices and bare blocks spliced in."""
    out: list[Any] = []
    for item in items if type(items) in (list, Splice) else [items] if items is not None else []:
        if isinstance(item, list):
            out.extend(statements(item))
        elif is_type(item, "uast:Block") and "@pos" not in item and item.get("bare"):
            out.extend(statements(item["Statements"]))
        else:
            out.append(item)
    return out


# --- names -------------------------------------------------------------------------------------

def variable_name(node: Node, context: Context) -> Node:
    """`$x`: a positioned native node around the positionless identifier "x"."""
    name = first(children(node), "uast:Identifier")
    if name is not None:
        node.pop("children", None)
        node["name"] = unpositioned(name)
    return node


def qualified_name(node: Node, context: Context) -> Node:
    """`A\\B\\C` (a qualified_name, a namespace_name): a QualifiedIdentifier of positionless
    names over the whole name; one part: an identifier; `\\A`: native (fully qualified)."""
    text = context.text(node)
    if text.startswith("\\") or text.lower().startswith("namespace\\"):
        return node
    parts = [part.strip() for part in text.split("\\")]
    if not all(parts):
        return node
    if len(parts) == 1:
        return nodes.identifier(parts[0], position(node))
    return nodes.qualified_identifier([nodes.identifier(part) for part in parts], position(node))


def builtin_type(node: Node, context: Context) -> Node:
    """`int`, `string`...: a positionless identifier, lower case (php-parser's builtin types)."""
    return nodes.identifier(context.text(node).lower())


# Language constructs that look like calls (php-parser's Expr_Isset, Expr_Exit...): no names.
_CONSTRUCTS = frozenset({"isset", "empty", "die", "exit", "eval", "unset", "list"})


def call(node: Node, context: Context) -> Node:
    function = node.get("function")
    if is_type(function, "uast:Identifier") and function["Name"].lower() in _CONSTRUCTS:
        node["function"] = _native_name(function, node)
    return node


def _native_name(identifier: Node, parent: Node) -> Node:
    native = {"@type": parent["@type"].partition(":")[0] + ":name", "@role": ["Identifier"],
              "@token": identifier["Name"]}
    if "@pos" in identifier:
        native["@pos"] = identifier["@pos"]
    return native


def declare_directive(node: Node, context: Context) -> Node:
    """strict_types=1 in declare(...): the directive's name is its token, no identifier."""
    for key, value in list(node.items()):
        if is_type(value, "uast:Identifier"):
            node["@token"] = value["Name"]
            del node[key]
            break
    items = node.get("children")
    if type(items) is list and items and is_type(items[0], "uast:Identifier"):
        node["@token"] = items.pop(0)["Name"]
    return node


def plain_variables(node: Node, context: Context) -> Node:
    """A closure's `use ($x)`, a catch's `$e`: variables php-parser 3.1 named by a plain string
    (no identifier): "$x" is their token."""
    for value in node.values():
        for item in value if type(value) is list else [value]:
            if kind(item) == "variable_name" and is_type(item.get("name"), "uast:Identifier"):
                item["@token"] = "$" + item.pop("name")["Name"]
    return node


def catch_clause(node: Node, context: Context) -> Node:
    return _BODIES(plain_variables(node, context), context)


def declare(node: Node, context: Context) -> Node:
    node["body"] = block_of(node.get("body"))
    return node


def constant(node: Node, context: Context) -> Node:
    """`true`, `false`, `null`: constants php-parser fetched by name (Expr_ConstFetch)."""
    return nodes.identifier(context.text(node), position(node))


def member(field: str = "name"):
    """A transform: the member name of a call, fetch or class constant is positionless (a plain
    string in php-parser 3.1)."""
    def transform(node: Node, context: Context) -> Node:
        value = node.get(field)
        if is_type(value, "uast:Identifier"):
            node[field] = unpositioned(value)
        elif kind(value) == "variable_name" and is_type(value.get("name"), "uast:Identifier"):
            node[field] = value["name"]  # `A::$x`: the property's name
        return node
    return transform


def class_constant(node: Node, context: Context) -> Node:
    """`A::B`: the class, and the constant's positionless name."""
    items = children_of(node)
    if len(items) == 2 and is_type(items[1], "uast:Identifier"):
        node["class"], node["name"] = items[0], unpositioned(items[1])
        node.pop("children", None)
    return node


# --- strings -----------------------------------------------------------------------------------

_DOUBLE_ESCAPES = re.compile(r"\\(?:([nrtvef\\$\"])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u\{([0-9A-Fa-f]+)\})")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "v": "\v", "e": "\x1b", "f": "\f", "\\": "\\", "$": "$", '"': '"'}


def _decoded(text: str) -> str:
    def one(match: re.Match) -> str:
        simple, octal, hexa, code = match.groups()
        if simple:
            return _SIMPLE[simple]
        try:
            return chr(int(octal, 8) & 0xFF) if octal else chr(int(hexa, 16)) if hexa else chr(int(code, 16))
        except ValueError:
            return match.group(0)
    return _DOUBLE_ESCAPES.sub(one, text)


_PLAIN = frozenset({"string_content", "escape_sequence", "string_value"})


def _parts(node: Node) -> list[Any]:
    return [child for child in children_of(node)]


def single_quoted(node: Node, context: Context) -> Node:
    """'...': Format "raw", its value with \\' and \\\\ decoded."""
    text = context.text(node)
    start = text.find("'")
    if start < 0 or not text.endswith("'") or len(text) - start < 2:
        return node
    value = re.sub(r"\\([\\'])", r"\1", text[start + 1:-1])
    return nodes.string(value, position(node), "raw")


def double_quoted(node: Node, context: Context) -> Node:
    """"...": a uast:String (Format "") when it interpolates nothing; else native, its literal
    runs uast:String with Format "encapsed"."""
    parts = _parts(node)
    if all(kind(part) in _PLAIN for part in parts):
        text = context.text(node)
        start = text.find('"')
        if start < 0 or not text.endswith('"') or len(text) - start < 2:
            return node
        return nodes.string(_decoded(text[start + 1:-1]), position(node), "")
    node["children"] = literal_runs(parts, _PLAIN, context, _decoded, "encapsed")
    return node


def heredoc(node: Node, context: Context) -> Node:
    """<<<EOT ... EOT: a uast:String (Format "raw_custom") without interpolation."""
    body = next((child for child in _parts(node) if kind(child) in ("heredoc_body", "nowdoc_body")), None)
    if body is None:
        return node
    parts = _parts(body)
    nowdoc = kind(node) == "nowdoc"
    if nowdoc or all(kind(part) in _PLAIN or kind(part) == "nowdoc_string" for part in parts):
        if not parts:
            return nodes.string("", position(node), "raw_custom")
        start, end = parts[0]["@pos"]["start"], parts[-1]["@pos"]["end"]
        raw = context.data[start:end].decode("utf-8", "replace")
        raw = raw.removesuffix("\n")
        return nodes.string(raw if nowdoc else _decoded(raw), position(node), "raw_custom")
    body["children"] = literal_runs(parts, _PLAIN, context, _decoded, "encapsed")
    return node


# --- comments ----------------------------------------------------------------------------------

_COMMENT_MARKERS = (("/**", "*/"), ("/*", "*/"), ("//", ""), ("#", ""))


def comment(node: Node, context: Context) -> Node:
    """// and # comments, /* */ and /** */ blocks, split as Babelfish's SDK split them."""
    raw = str(node.get("@token") or "")
    for opener, closer in _COMMENT_MARKERS:
        if raw.startswith(opener):
            body = raw.rstrip("\r\n") if not closer else raw
            prefix, text, suffix, tab = nodes.split_comment_tab(body, opener, closer)
            return nodes.comment(text, position(node), block=bool(closer), prefix=prefix, suffix=suffix, tab=tab)
    return nodes.comment(raw, position(node))


# --- blocks ------------------------------------------------------------------------------------

def block_of(value: Any) -> Node:
    """A body as php-parser's statement list: a positionless uast:Block."""
    if is_type(value, "uast:Block"):
        return nodes.block(statements(value["Statements"]))
    if value is None:
        return nodes.block([])
    return nodes.block(statements([value]))


def compound_statement(node: Node, context: Context) -> Node:
    """`{...}`: its statements, as a positionless block (marked bare: in a statement list, its
    statements join the list, as php-parser had no node for it)."""
    block = nodes.block(statements(children_of(node)))
    block["bare"] = True
    return block


def colon_block(node: Node, context: Context) -> Node:
    return compound_statement(node, context)


def bodies(*fields: str):
    """A transform: the statement lists in `fields` (a compound statement or a lone statement)
    as positionless uast:Blocks."""
    def transform(node: Node, context: Context) -> Node:
        for field in fields:
            if field in node:
                value = node[field]
                node[field] = block_of(value) if type(value) is not list else nodes.block(statements(value))
        return node
    return transform


def case(node: Node, context: Context) -> Node:
    """`case x: ...`: its statements as a block."""
    items = node.pop("children", None) or []
    node["body"] = nodes.block(statements(items))
    return node


def declaration_body(node: Node, context: Context) -> Node:
    """A class, interface, trait or enum: named by its name; its members a positionless block."""
    node = _named(node, context)
    body = node.get("body")
    if type(body) is dict and not is_type(body, "uast:Block"):
        node["body"] = nodes.block(statements(children_of(body)))
    return node


_named = normalization.symbol("name")


def program(node: Node, context: Context) -> Node:
    """The file: its statements, spliced; those after a `namespace A;` are its block (in a copy
    of the namespace's node: its conversion may be kept for the next parse, memo.py)."""
    items = statements(node.get("children") or [])
    out: list[Any] = []
    namespace: Node | None = None
    for item in items:
        if kind(item) == "namespace_definition" and "body" not in item:
            namespace = {**item, "body": nodes.block([])}
            out.append(namespace)
        elif namespace is not None and kind(item) != "php_end_tag":
            namespace["body"]["Statements"].append(item)
            end = (position(item) or {}).get("end")
            if end is not None and namespace.get("@pos"):
                namespace["@pos"] = {"start": namespace["@pos"]["start"], "end": max(end, namespace["@pos"]["end"])}
        else:
            out.append(item)
    node["children"] = out
    return node


def namespace(node: Node, context: Context) -> Node:
    """namespace A\\B: its name, whole, is its token (the outline's name); its body a block."""
    name = node.get("name")
    if type(name) is dict:
        node["@token"] = _BLANKS.sub("", context.text(name))
    if "body" in node:
        node["body"] = block_of(node["body"])
    return node


_BLANKS = re.compile(r"\s+")


# --- functions ---------------------------------------------------------------------------------

def _by_ref(type_: Any) -> Node:
    return {"@type": "php:ByRef", "@role": ["Incomplete"], "Type": type_}


def parameter(node: Node, context: Context) -> Node:
    """A parameter: a uast:Argument spanning it, its name positionless."""
    variable = node.get("name")
    name = variable.get("name") if kind(variable) == "variable_name" else variable
    type_ = node.get("type")
    if node.get("reference_modifier") is not None:
        type_ = _by_ref(type_)
    argument = nodes.argument(name=unpositioned(name), type=type_, init=node.get("default_value"),
                              variadic=kind(node) == "variadic_parameter", pos=position(node))
    modifiers = {key: value for key, value in node.items()
                 if key in ("visibility", "readonly", "attributes") or key == "children"}
    return argument | modifiers if modifiers else argument


def _returns(node: Node, context: Context) -> list[Node]:
    type_ = node.get("return_type")
    if _returns_by_ref(node, context):
        type_ = _by_ref(type_)
    return [nodes.argument(type=type_)]


def _returns_by_ref(node: Node, context: Context) -> bool:
    """`function &f()`: a reference modifier between the keyword and the name."""
    if any(kind(child) == "reference_modifier" for child in children_of(node)):
        return True
    pos, name = position(node), position(node.get("name"))
    return bool(pos and name) and b"&" in context.data[pos["start"]:name["start"]]


def _arguments(node: Node) -> list[Any]:
    parameters = node.get("parameters")
    if type(parameters) is not dict:
        return []
    return [item for item in children_of(parameters) if not is_type(item, "uast:Comment")]


def function_definition(node: Node, context: Context) -> Node:
    """function f(...) {...}: FunctionGroup -> Alias(f) -> Function(FunctionType, Block)."""
    signature = nodes.function_type(_arguments(node), _returns(node, context))
    function = nodes.function(signature, block_of(node.get("body")))
    rest = {key: value for key, value in node.items()
            if key not in ("name", "parameters", "return_type", "body", "@role", "@token")}
    extra = [rest] if any(not key.startswith("@") for key in rest) else None
    return nodes.function_group(node.get("name"), function, position(node), extra)


def method(node: Node, context: Context) -> Node:
    """A method stays native (php-parser's ClassMethod): Argument parameters, a Block body (none
    when abstract)."""
    node = _named(node, context)
    node["body"] = block_of(node.get("body"))  # an abstract method's: empty, as php-parser's null list
    return node


def closure(node: Node, context: Context) -> Node:
    if "body" in node and kind(node) == "anonymous_function":
        node["body"] = block_of(node["body"])
    return node


# --- constants and properties --------------------------------------------------------------------

def const_element(node: Node, context: Context) -> Node:
    """`X = 1` in a const declaration: named by its name (the outline's constant)."""
    node.pop("@token", None)
    items = children_of(node)
    if items and is_type(items[0], "uast:Identifier"):
        node["name"] = items[0]
        node["children"] = items[1:]
        if not node["children"]:
            node.pop("children")
    return node


def property_element(node: Node, context: Context) -> Node:
    """`$count = 0` in a property declaration: named by the property's name (without "$")."""
    node.pop("@token", None)
    variable = node.get("name")
    if kind(variable) == "variable_name" and is_type(variable.get("name"), "uast:Identifier"):
        pos = position(variable)
        node["name"] = nodes.identifier(variable["name"]["Name"],
                                        {"start": pos["start"] + 1, "end": pos["end"]} if pos else None)
    return node


def _defined_name(call: Any, context: Context) -> Node | None:
    """The constant `define('NAME', value)` defines, spanning NAME inside its quotes."""
    if kind(call) != "function_call_expression":
        return None
    function = call.get("function")
    if not is_type(function, "uast:Identifier") or function["Name"].lower() != "define":
        return None
    arguments = [child for child in children_of(call.get("arguments") or {}) if kind(child) == "argument"]
    if len(arguments) < 2:
        return None
    literal = next(iter(children_of(arguments[0])), None)
    if not is_type(literal, "uast:String"):
        return None
    name, pos = literal["Value"], position(literal)
    inner = None
    if pos and context.data[pos["start"] + 1:pos["end"] - 1] == name.encode("utf-8", "surrogatepass"):
        inner = {"start": pos["start"] + 1, "end": pos["end"] - 1}
    return nodes.identifier(name, inner)


def expression_statement(node: Node, context: Context) -> Node:
    """`define('NAME', value);` also declares a global constant (the outline's): the Assignment
    and Declaration roles, and the constant's name as its target."""
    items = children_of(node)
    target = _defined_name(items[0], context) if len(items) == 1 else None
    if target is not None:
        assigned(node, target, "Declaration")
    return node


# --- imports -----------------------------------------------------------------------------------

def _names_of(name: Any) -> list[Node]:
    if is_type(name, "uast:QualifiedIdentifier"):
        return list(name["Names"])
    return [name] if type(name) is dict else []


def _use_clause(clause: Node, with_path: bool) -> tuple[Any, Node]:
    """(path, alias) of `A\\B\\C as D`: the path A\\B (spanning the whole name) and the alias D
    of C spanning the clause; a one-part name (or in a group) has no path and keeps its span."""
    name = first(children_of(clause, {"alias"}), "uast:Identifier", "uast:QualifiedIdentifier")
    names = _names_of(name)
    if not names:
        return None, clause
    last = names[-1]
    alias_node = clause.get("alias")
    alias = alias_node["Name"] if is_type(alias_node, "uast:Identifier") else last.get("Name")
    path = None
    if with_path and len(names) > 1:
        path = nodes.qualified_identifier([unpositioned(part) for part in names[:-1]], position(name))
        last = unpositioned(last)
    elif not with_path:
        last = name
    return path, nodes.alias(nodes.identifier(alias), last, position(clause))


def use_declaration(node: Node, context: Context) -> Any:
    """`use A\\B\\C, D as E;`: one uast:RuntimeImport per name, each spanning the statement;
    `use A\\{B, C as D};`: one, the prefix its path."""
    group = node.get("body")
    if kind(group) == "namespace_use_group":
        prefix = first(children_of(node, {"body"}), "uast:Identifier", "uast:QualifiedIdentifier")
        names = [_use_clause(clause, with_path=False)[1] for clause in children_of(group)
                 if kind(clause) == "namespace_use_clause"]
        return nodes.import_(prefix, names, pos=position(node), kind="uast:RuntimeImport")
    imports = []
    for clause in children_of(node):
        if kind(clause) != "namespace_use_clause":
            continue
        path, alias = _use_clause(clause, with_path=True)
        imports.append(nodes.import_(path, [alias], pos=position(node), kind="uast:RuntimeImport"))
    if not imports:
        return node
    return imports[0] if len(imports) == 1 else Splice(imports)


def include(kind_: str):
    """A transform: `include x` / `require x` (uast:RuntimeReImport), their `_once` forms
    (uast:RuntimeImport): the path is the expression (its parentheses off)."""
    def transform(node: Node, context: Context) -> Node:
        path = next(iter(children_of(node)), None)
        while kind(path) == "parenthesized_expression":
            inner = children_of(path)
            path = inner[0] if len(inner) == 1 else path
            if len(inner) != 1:
                break
        if path is None:
            return node
        return nodes.import_(path, all=True, pos=position(node), kind=kind_)
    return transform


_BODIES = bodies("body")

TABLE = LanguageTable(
    identifiers=("name", "relative_scope"),
    not_generic=("variable_name", "boolean", "string", "method_declaration", "function_definition"),
    arguments={
        "simple_parameter": Argument(),
        "variadic_parameter": Argument(variadic=True),
        "property_promotion_parameter": Argument(),
    },
    functions={},
    roles={
        "function_definition": ("Declaration", "Function"),
        "method_declaration": ("Declaration", "Function"),
        "anonymous_function": ("Anonymous", "Declaration", "Expression", "Function"),
        "arrow_function": ("Anonymous", "Declaration", "Expression", "Function"),
        "function_call_expression": ("Call", "Expression"),
        "member_call_expression": ("Call", "Expression"),
        "scoped_call_expression": ("Call", "Expression"),
        "object_creation_expression": ("Call", "Expression", "Instance"),
        "variable_name": ("Expression", "Identifier"),
        "assignment_expression": ("Assignment", "Binary", "Expression", "Operator"),
        "augmented_assignment_expression": ("Assignment", "Binary", "Expression", "Operator"),
        "binary_expression": ("Binary", "Expression", "Operator"),
        "unary_op_expression": ("Expression", "Operator", "Unary"),
        "update_expression": ("Expression", "Operator", "Unary"),
        "if_statement": ("If", "Statement"),
        "else_clause": ("Else",),
        "else_if_clause": ("Else", "If"),
        "for_statement": ("For", "Statement"),
        "foreach_statement": ("For", "Iterator", "Statement"),
        "while_statement": ("Statement", "While"),
        "do_statement": ("DoWhile", "Statement"),
        "switch_statement": ("Statement", "Switch"),
        "case_statement": ("Case",),
        "default_statement": ("Case", "Default"),
        "try_statement": ("Statement", "Try"),
        "catch_clause": ("Catch",),
        "finally_clause": ("Finally",),
        "return_statement": ("Return", "Statement"),
        "echo_statement": ("Call", "Statement"),
        "expression_statement": ("Statement",),
        "integer": ("Literal", "Number"),
        "float": ("Literal", "Number"),
        "array_creation_expression": ("Expression", "List", "Literal"),
        "encapsed_string": ("Literal", "String"),
        "use_declaration": ("Declaration", "Import"),
    },
    field_roles={
        ("function_call_expression", "function"): ("Callee",),
        ("member_call_expression", "name"): ("Callee",),
        ("*", "arguments"): ("Argument",),
        ("binary_expression", "left"): ("Left",),
        ("binary_expression", "right"): ("Right",),
        ("assignment_expression", "left"): ("Left",),
        ("assignment_expression", "right"): ("Right",),
        ("if_statement", "condition"): ("Condition",),
        ("*", "body"): ("Body",),
    },
    symbols={
        "namespace_definition": "namespace",
        "class_declaration": "class",
        "interface_declaration": "interface",
        "trait_declaration": "class",
        "enum_declaration": "enum",
        "enum_case": "enum_member",
        "method_declaration": "method",
        "property_element": "property",
        "const_element": "constant",
    },
    transforms={
        "program": program,
        "variable_name": variable_name,
        "qualified_name": qualified_name,
        "namespace_name": qualified_name,
        "boolean": constant,
        "null": constant,
        "member_call_expression": member(),
        "nullsafe_member_call_expression": member(),
        "member_access_expression": member(),
        "nullsafe_member_access_expression": member(),
        "scoped_call_expression": member(),
        "scoped_property_access_expression": member(),
        "class_constant_access_expression": class_constant,
        "string": single_quoted,
        "encapsed_string": double_quoted,
        "heredoc": heredoc,
        "nowdoc": heredoc,
        "comment": comment,
        "compound_statement": compound_statement,
        "colon_block": colon_block,
        "if_statement": _BODIES,
        "else_if_clause": _BODIES,
        "else_clause": _BODIES,
        "for_statement": _BODIES,
        "foreach_statement": _BODIES,
        "while_statement": _BODIES,
        "do_statement": _BODIES,
        "try_statement": _BODIES,
        "finally_clause": _BODIES,
        "declare_statement": declare,
        "declare_directive": declare_directive,
        "primitive_type": builtin_type,
        "anonymous_function_use_clause": plain_variables,
        "catch_clause": catch_clause,
        "function_call_expression": call,
        "case_statement": case,
        "default_statement": case,
        "class_declaration": declaration_body,
        "interface_declaration": declaration_body,
        "trait_declaration": declaration_body,
        "enum_declaration": declaration_body,
        "anonymous_class": declaration_body,
        "namespace_definition": namespace,
        "function_definition": function_definition,
        "method_declaration": method,
        "anonymous_function": closure,
        "simple_parameter": parameter,
        "variadic_parameter": parameter,
        "property_promotion_parameter": parameter,
        "const_element": const_element,
        "property_element": property_element,
        "expression_statement": expression_statement,
        "namespace_use_declaration": use_declaration,
        "include_expression": include("uast:RuntimeReImport"),
        "require_expression": include("uast:RuntimeReImport"),
        "include_once_expression": include("uast:RuntimeImport"),
        "require_once_expression": include("uast:RuntimeImport"),
    },
    # None of these changes its children but by naming a catch's or a closure's `$x` by its
    # token, from what that node holds itself, the same each time: the others build new nodes of
    # them (bodies' Blocks, a function, parameters' Arguments, imports, names), put a copy in
    # their own list (a `namespace A;` with what follows it) or change only their own fields.
    # Not a heredoc: it changes its body's runs in place.
    keeps_children=("program", "variable_name", "member_call_expression", "nullsafe_member_call_expression",
                    "member_access_expression", "nullsafe_member_access_expression", "scoped_call_expression",
                    "scoped_property_access_expression", "class_constant_access_expression", "encapsed_string",
                    "compound_statement", "colon_block", "if_statement", "else_if_clause", "else_clause",
                    "for_statement", "foreach_statement", "while_statement", "do_statement", "try_statement",
                    "finally_clause", "declare_statement", "declare_directive", "anonymous_function_use_clause",
                    "catch_clause", "function_call_expression", "case_statement", "default_statement",
                    "class_declaration", "interface_declaration", "trait_declaration", "enum_declaration",
                    "anonymous_class", "namespace_definition", "function_definition", "method_declaration",
                    "anonymous_function", "simple_parameter", "variadic_parameter", "property_promotion_parameter",
                    "const_element", "property_element", "expression_statement", "namespace_use_declaration",
                    "include_expression", "require_expression", "include_once_expression",
                    "require_once_expression"),
)
