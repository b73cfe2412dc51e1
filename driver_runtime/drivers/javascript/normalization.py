"""Semantic mode: Babel's nodes as Babelfish's uast:* nodes, one small function per concept.

What Babelfish's JavaScript driver made semantic is made semantic here, with the same shapes
and spans (its fixtures are the reference): names (Identifier, JSXIdentifier) are
uast:Identifier, string literals uast:String (Format "single" for '...'), comments
uast:Comment, blocks uast:Block, operators uast:Operator, imports uast:Import with uast:Alias
names (a default import is the alias of "."), and function declarations the
uast:FunctionGroup -> uast:Alias -> uast:Function chain, whose FunctionType returns
`undefined` unless a return type is declared.  Everything else stays Babel's node, with roles.

Methods (ClassMethod, ClassPrivateMethod, ObjectMethod, TypeScript's TSDeclareMethod) stay
Babel's nodes, as Babelfish left them, and so does a private name `#x` (a PrivateName around
the identifier `x`); what names them (the key, `#x`, a computed key as written) is their
token, and the manifests' symbol_kinds make methods symbols of the outline.

Beyond Babelfish, where it serves the user:
- a function expression bound to a name by a declaration (`const f = () => ...`, a class
  field `handle = () => ...`) is a function group, as TypeScript's declared functions are:
  the outline lists it as the function it is, with its own functions inside it, instead of
  a variable whose locals would spill into the enclosing scope;
- an identifier spans its name only (Babel gives a typed name the span of its annotation
  too), and its annotation is kept beside the name (Babelfish dropped it), as a function's
  declared return type is kept (Babelfish said every function returns `undefined`);
- each comment is listed once, in File.comments (ATTACHED_COMMENTS, driver.py);
- `import type {A} from "m"` imports the names it lists (Babelfish read it as `* as A`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from driver_runtime.drivers.javascript import annotation
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context, Tables, leftover
from driver_runtime.sdk.uast import POS, ROLE, TOKEN, TYPE

Node = dict[str, Any]

# What a name or a parameter may carry besides its name (TypeScript and Flow).
_NAME_EXTRAS = ("typeAnnotation", "optional", "decorators")
# The parts of a function that its uast:Function holds (its name goes to the uast:Alias), and
# the parts of a declaration binding a function that the group replaces.
_FUNCTION_PARTS = frozenset({"params", "body", "returnType"})
# name field ("" for none) -> what a function group takes out of the function's node.
_GROUPED = {"": _FUNCTION_PARTS, "id": _FUNCTION_PARTS | {"id"}}
_BINDING_PARTS = frozenset({TYPE, POS, ROLE, TOKEN, "id", "init", "key", "value"})
_FUNCTION_VALUES = frozenset({"FunctionExpression", "ArrowFunctionExpression"})
_IDENTIFIER_BYTE = re.compile(rb"(?:[\w$\x80-\xff]|\\u\{[0-9a-fA-F]+\}|\\u[0-9a-fA-F]{4})+")
_BLANKS = re.compile(r"\s+")


def native(node: Any) -> str:
    """A node's Babel type ("" for uast:* nodes and non-nodes)."""
    if not isinstance(node, dict):
        return ""
    kind = node.get(TYPE) or ""
    return "" if kind.startswith("uast:") else kind.partition(":")[2]


def _is_identifier(node: Any) -> bool:
    return isinstance(node, dict) and node.get(TYPE) == "uast:Identifier"


# --- names and literals ------------------------------------------------------------------------

def _name_span(pos: dict[str, int] | None, data: bytes) -> dict[str, int] | None:
    """The span of the name alone, where Babel's span also covers `?` and a type annotation."""
    if not pos or pos.get("start") is None:
        return pos
    match = _IDENTIFIER_BYTE.match(data, pos["start"])
    if match is None:
        return pos
    return {"start": pos["start"], "end": min(match.end(), pos.get("end", match.end()))}


def identifier(node: Node, context: Context) -> Node:
    # Half the nodes of a file are names, nearly all of them bare (no _NAME_EXTRAS): said first.
    if "typeAnnotation" not in node and "optional" not in node and "decorators" not in node:
        return nodes.identifier(node.get(TOKEN), node.get(POS))
    extras = {key: node[key] for key in _NAME_EXTRAS if node.get(key)}
    pos = _name_span(node.get(POS), context.data) if extras else node.get(POS)
    return nodes.identifier(node.get(TOKEN), pos) | extras


def private_name(node: Node, _context: Context) -> Node:
    """`#x` stays Babel's PrivateName around the identifier `x`, as in Babelfish (so `this.#x`
    and `this.x` do not read as the same name); "#x" is its token (its label in a query)."""
    inner = node.get("id")
    if _is_identifier(inner):
        node[TOKEN] = "#" + inner["Name"]
    return node


def string(node: Node, context: Context) -> Node:
    start = (node.get(POS) or {}).get("start")
    single = start is not None and context.data[start:start + 1] == b"'"
    return nodes.string(node.get(TOKEN), node.get(POS), format="single" if single else "")


def line_comment(node: Node, context: Context) -> Node:
    prefix, text, suffix = nodes.split_comment(context.text(node), "//")
    return nodes.comment(text, node.get(POS), block=False, prefix=prefix, suffix=suffix)


def block_comment(node: Node, context: Context) -> Node:
    prefix, text, suffix = nodes.split_comment(context.text(node), "/*", "*/")
    return nodes.comment(text, node.get(POS), block=True, prefix=prefix, suffix=suffix)


def block(node: Node, _context: Context) -> Node:
    return nodes.block([*(node.get("directives") or ()), *(node.get("body") or ())], node.get(POS))


# (expression type, operator) -> the roles of its uast:Operator, sorted once.
_OPERATOR_ROLES: dict[tuple[str, Any], tuple[str, ...]] = {}


def _operator_roles(native_type: str, symbol: Any) -> tuple[str, ...]:
    base, table = annotation.OPERATORS[native_type]
    roles = _OPERATOR_ROLES[native_type, symbol] = tuple(sorted({*base, *table.get(symbol, ())}))
    return roles


def operator(node: Node, _context: Context) -> Node:
    """The operator string as a uast:Operator (no position: Babel gives it none).  The
    expression has the operator's roles (Add, Relational...) already, as Babelfish's did: they
    are its content roles (TABLES.content_roles)."""
    native_type = native(node)
    symbol = node.get("operator")
    roles = _OPERATOR_ROLES.get((native_type, symbol))
    if roles is None:
        roles = _operator_roles(native_type, symbol)
    node["operator"] = {TYPE: "uast:Operator", TOKEN: symbol, ROLE: list(roles)}
    return node


# --- functions ---------------------------------------------------------------------------------

def _argument(param: Any) -> Any:
    """A parameter as a uast:Argument: a name, `name = default`, `...rest`, a destructuring
    pattern (as the argument's name) or a TypeScript parameter property."""
    if _is_identifier(param):
        return nodes.argument(name=param, type=param.pop("typeAnnotation", None), receiver=param["Name"] == "this")
    kind = native(param)
    if kind == "AssignmentPattern":
        left = param.get("left")
        type_ = left.pop("typeAnnotation", None) if isinstance(left, dict) else None
        return nodes.argument(name=left, type=type_, init=param.get("right"), pos=param.get(POS))
    if kind == "RestElement":
        name = param.get("argument")
        type_ = param.get("typeAnnotation") or (name.pop("typeAnnotation", None) if isinstance(name, dict) else None)
        return nodes.argument(name=name, type=type_, variadic=True, pos=param.get(POS))
    if kind == "TSParameterProperty":
        inner = _argument(param.get("parameter"))
        modifiers = {key: value for key, value in param.items() if key not in (TYPE, POS, ROLE, TOKEN, "parameter")}
        return inner | {POS: param.get(POS)} | modifiers
    if isinstance(param, dict):  # a pattern: {a, b} or [a, b]
        return nodes.argument(name=param, type=param.pop("typeAnnotation", None), pos=param.get(POS))
    return param


def _returns(return_type: Any, implicit: bool) -> list[Node] | None:
    """The declared return type.  Without one, Babelfish's driver said that a function
    declaration returns `undefined` (an Argument whose Init is that identifier): kept for
    declarations; other function groups, which it did not make, say nothing (as in the other
    languages)."""
    if return_type:
        return [nodes.argument(type=return_type)]
    return [nodes.argument(init=nodes.identifier("undefined"))] if implicit else None


def _group(name: Any, function: Node, pos: Any, name_field: str, outer: Node | None = None,
           declaration: bool = False) -> Node:
    """The FunctionGroup of `function`.  What the chain does not hold (async, generator, kind,
    static, decorators, type parameters, comments...) stays in the native node, kept beside the
    alias without its name, parameters, body and return type; the fields of a declaration that
    binds the function (`outer`) join it."""
    arguments = [_argument(param) for param in function.get("params") or ()]
    chain = nodes.function(nodes.function_type(arguments, _returns(function.get("returnType"), declaration)),
                           function.get("body"))
    # The function's own fields, in their order, but for what the chain holds (a copy and a few
    # removals: cheaper than choosing every field).
    rest = dict(function)
    for key in _GROUPED.get(name_field) or _FUNCTION_PARTS | {name_field}:
        rest.pop(key, None)
    if outer is not None:
        rest.update((key, value) for key, value in outer.items() if key not in _BINDING_PARTS)
    return nodes.function_group(name, chain, pos=pos, extra=[leftover(rest, "uast:FunctionGroup")])


def function_declaration(node: Node, _context: Context) -> Node:
    return _group(node.get("id"), node, node.get(POS), "id", declaration=True)


def method(node: Node, context: Context) -> Node:
    """A class or object method stays Babel's node, as Babelfish left it (its key a name, its
    body a block, its parameters names or patterns); it is named by its key (its token), and
    the manifest's symbol_kinds makes it a method in the outline."""
    return declaration(node, context)


def parameter_property(node: Node, _context: Context) -> Node:
    """`constructor(private x: T = init)` declares the field x of its class, named by its
    parameter's name (its token); the manifest's symbol_kinds lists it as a field."""
    parameter = node.get("parameter")
    name = parameter.get("left") if native(parameter) == "AssignmentPattern" else parameter
    if _is_identifier(name):
        node[TOKEN] = name["Name"]
    return node


def _binds_function(name: Any, value: Any) -> bool:
    return _is_identifier(name) and native(value) in _FUNCTION_VALUES


def _name(node: Any, context: Context, computed: bool = False) -> str | None:
    """The name a declaration's id or key spells: an identifier, a string (`"name"`), a number,
    a private name (`#name`), or a computed key as written (`[Symbol.iterator]`)."""
    if not isinstance(node, dict):
        return None
    if computed:
        text = _BLANKS.sub(" ", context.text(node)).strip()
        return f"[{text}]" if text else None
    if _is_identifier(node):
        return node["Name"]
    if node.get(TYPE) == "uast:String":
        return node["Value"]
    if native(node) in ("PrivateName", "NumericLiteral", "BigIntLiteral") and node.get(TOKEN) is not None:
        return str(node[TOKEN])
    return None


def declaration(node: Node, context: Context) -> Node:
    """A named declaration (class, interface, type, enum and member, module, field, method,
    signature) has its name as its token, as Babelfish's drivers name types."""
    key = node.get("id") if node.get("id") is not None else node.get("key")
    name = _name(key, context, computed=bool(node.get("computed")))
    if name is not None:
        node[TOKEN] = name
    return node


def variable_declarator(node: Node, context: Context) -> Node:
    """`f = () => ...` in a declaration is the function f; other declarators are named by their
    name, or by their pattern's text (`{ a, b }`); an anonymous class is named by its variable."""
    name, value = node.get("id"), node.get("init")
    if _binds_function(name, value):
        return _group(name, value, node.get(POS), "", outer=node)
    if _is_identifier(name):
        node[TOKEN] = name["Name"]
        if native(value) == "ClassExpression" and not value.get("id"):
            value[TOKEN] = name["Name"]
    elif isinstance(name, dict):
        node[TOKEN] = _pattern_text(name, context)
    return node


def class_property(node: Node, context: Context) -> Node:
    """A class field holding a function (`handle = () => {...}`) is a method.  The alias of a
    private one (`#handle = () => ...`) names it by the identifier "#handle" over its private
    name: an alias's name is an identifier."""
    name, value = node.get("key"), node.get("value")
    if native(name) == "PrivateName" and name.get(TOKEN):
        name = nodes.identifier(name[TOKEN], name.get(POS))
    if _binds_function(name, value) and not node.get("computed"):
        return _group(name, value, node.get(POS), "", outer=node)
    return declaration(node, context)


def _pattern_text(pattern: Node, context: Context) -> str:
    text = context.text(pattern)
    annotation_node = pattern.get("typeAnnotation")
    if isinstance(annotation_node, dict) and annotation_node.get(POS):
        start = pattern[POS]["start"]
        text = context.data[start:annotation_node[POS]["start"]].decode("utf-8", "replace").rstrip().rstrip(":")
    return _BLANKS.sub(" ", text).strip()


# --- classes -----------------------------------------------------------------------------------

def class_(node: Node, context: Context) -> Node:
    """A class is named by its id.  Without one it declares nothing unless something names it:
    `export default class` is "default"; a class bound by a declaration is named by it (see
    variable_declarator); any other is no declaration."""
    if node.get("id") is not None:
        return declaration(node, context)
    if context.parent_type == "ExportDefaultDeclaration":
        node[TOKEN] = "default"
    elif not (context.parent_type == "VariableDeclarator" and context.field == "init"):
        node[ROLE] = [role for role in node.get(ROLE) or () if role != "Declaration"]
    return node


# --- imports -----------------------------------------------------------------------------------

def import_specifier(node: Node, _context: Context) -> Node:
    alias = nodes.alias(node.get("local"), node.get("imported"), node.get(POS))
    if node.get("importKind") not in (None, "value"):
        alias["importKind"] = node["importKind"]
    return alias


def import_default_specifier(node: Node, _context: Context) -> Node:
    """A default import is the alias of "." (the module itself), as in Babelfish."""
    return nodes.alias(node.get("local"), nodes.identifier("."), node.get(POS))


def import_declaration(node: Node, _context: Context) -> Node:
    """`import x, {a as b} from "m"`; `import * as ns from "m"` is the alias of the whole path."""
    specifiers = node.get("specifiers") or []
    path: Any = node.get("source")
    names = [spec for spec in specifiers if native(spec) != "ImportNamespaceSpecifier"]
    namespace = next((spec for spec in specifiers if native(spec) == "ImportNamespaceSpecifier"), None)
    if namespace is not None:
        path = nodes.alias(namespace.get("local"), path, namespace.get(POS))
    result = nodes.import_(path, names=names if specifiers else None, all=namespace is not None, pos=node.get(POS))
    for key in ("importKind", "phase"):
        if node.get(key) not in (None, "value"):
            result[key] = node[key]
    if node.get("attributes"):
        result["attributes"] = node["attributes"]
    return result


# -----------------------------------------------------------------------------------------------

Transform = Callable[[Node, Context], Any]

# Declarations whose name becomes their token (the outline and query labels read it).
NAMED = ("TSInterfaceDeclaration", "TSTypeAliasDeclaration", "TSEnumDeclaration", "TSEnumMember",
         "TSModuleDeclaration", "TSPropertySignature", "TSMethodSignature", "ClassAccessorProperty",
         "TypeAlias", "OpaqueType", "InterfaceDeclaration", "DeclareClass", "DeclareInterface", "DeclareTypeAlias",
         "DeclareOpaqueType", "DeclareFunction", "DeclareVariable", "DeclareModule", "EnumDeclaration")

TRANSFORMS: Mapping[str, Transform] = {
    "Identifier": identifier,
    "JSXIdentifier": identifier,
    "PrivateName": private_name,
    "StringLiteral": string,
    "CommentLine": line_comment,
    "CommentBlock": block_comment,
    "BlockStatement": block,
    **dict.fromkeys(annotation.OPERATORS, operator),
    "FunctionDeclaration": function_declaration,
    "TSDeclareFunction": function_declaration,
    "ClassMethod": method,
    "ClassPrivateMethod": method,
    "TSDeclareMethod": method,
    "ObjectMethod": method,
    "VariableDeclarator": variable_declarator,
    "ClassProperty": class_property,
    "ClassPrivateProperty": class_property,
    "TSParameterProperty": parameter_property,
    "ClassDeclaration": class_,
    "ClassExpression": class_,
    **dict.fromkeys(NAMED, declaration),
    "ImportDeclaration": import_declaration,
    "ImportSpecifier": import_specifier,
    "ImportDefaultSpecifier": import_default_specifier,
}

# Babel hangs each comment on the nodes around it as well as in File.comments: semantic mode
# keeps it once, in File.comments (see driver.py).
ATTACHED_COMMENTS = frozenset({"leadingComments", "trailingComments", "innerComments"})

TABLES = Tables(roles=annotation.ROLES, field_roles=annotation.FIELD_ROLES, transforms=TRANSFORMS,
                content_roles=dict.fromkeys(annotation.OPERATORS, annotation.operator_roles),
                detached=ATTACHED_COMMENTS)
