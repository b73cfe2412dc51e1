"""The semantic UAST of C and C++: clang's nodes -> Babelfish's uast:* nodes, one function per
concept, following what Babelfish's C++ driver made of the same constructs (its fixtures):

* names (declared, referenced, `a.b` members, type names) are uast:Identifier at the name;
  `std::cout` is a uast:QualifiedIdentifier spanning the whole name (its parts without spans);
* a function definition (with a body, `= default` or `= delete`) is a uast:FunctionGroup
  spanning the definition (after its `template <...>` header) -> uast:Alias (the name, written
  `A::f` for an out-of-line member) -> uast:Function with a uast:FunctionType whose Arguments
  are the parameters (name, native type node, default value; `...` is a variadic argument)
  and whose Returns is the return type: a positioned name for a class type, the keyword for a
  builtin one (no span: Babelfish had none), nothing for void;
* `{ ... }` is a uast:Block; string literals are uast:String (escapes decoded, pieces joined);
  comments are uast:Comment (text split from its markers as Babelfish's SDK did);
  `#include <x>` and `#include "x"` are uast:InlineImport of "x" and "./x" (as Babelfish).

Everything else stays native (cpp:ClassDecl, cpp:VarDecl, cpp:IfStmt...), with its roles.

Babelfish's C++ UAST holds some operands twice: its serializer took every getter of Eclipse
CDT's nodes, and CDT answers the same child under two names (a binary expression's
`getOperand2` and `getInitOperand2`, a return's `getReturnValue` and `getReturnArgument`, an
`= x` initializer's `getExpression` and `getInitializerClause`, a subscript's
`getSubscriptExpression` and `getArgument`).  The semantic tree repeats them the same way, under
CDT's second name (`InitOperand2`, `ReturnArgument`, `InitializerClause`, `Argument`), so that it
holds the same nodes as Babelfish's; the native and annotated trees have each child once.
"""

from __future__ import annotations

import re
from typing import Any

from driver_runtime.sdk import nodes
from driver_runtime.sdk.literals import CPP_STRING_PIECE, cpp_unescape
from driver_runtime.sdk.normalizer import Context, leftover
from driver_runtime.sdk.uast import POS

Node = dict[str, Any]


def _pos(node: Any) -> dict | None:
    return node.get(POS) if isinstance(node, dict) else None


def _bare(identifier: Node) -> Node:
    """An identifier without its span (Babelfish's parts of a qualified name had none)."""
    return {key: value for key, value in identifier.items() if key != POS}


# --- names -------------------------------------------------------------------------------------

def name(node: Node, _context: Context) -> Node:
    """DeclarationName, TypeRef, NamespaceRef, MemberRef...: the name as an identifier."""
    return nodes.identifier(str(node.get("@token") or ""), _pos(node))


def _is_identifier(node: Any) -> bool:
    return isinstance(node, dict) and node.get("@type") == "uast:Identifier"


def qualified(parts: list[Node], span: dict | None) -> Node:
    return nodes.qualified_identifier([_bare(part) for part in parts], span)


def _joined_names(names: list[Any], data: bytes) -> list[Any]:
    """Identifiers written `a::b::c` -> one QualifiedIdentifier; others as they are."""
    out: list[Any] = []
    run: list[Node] = []

    def flush() -> None:
        if len(run) > 1:
            out.append(qualified(run, {"start": run[0][POS]["start"], "end": run[-1][POS]["end"]}))
        else:
            out.extend(run)
        run.clear()

    for item in names:
        if not _is_identifier(item) or POS not in item:
            flush()
            out.append(item)
            continue
        if run and data[run[-1][POS]["end"]:item[POS]["start"]].strip() == b"::":
            run.append(item)
            continue
        flush()
        run.append(item)
    flush()
    return out


def type_loc(node: Node, context: Context) -> Node:
    """A type as written: its names (`std::string` joined into one qualified name)."""
    if node.get("Names"):
        node["Names"] = _joined_names(node["Names"], context.data)
    return node


def reference_expression(node: Node, context: Context) -> Node:
    """`x`, `std::cout`, `::f`: the referenced name, qualified if written so."""
    qualifier = node.pop("Qualifier", None)
    target = node.get("Name")
    if not qualifier and _is_identifier(target) and _global(node, target, context):
        own, at = _pos(node), _pos(target)
        node["Name"] = qualified([target], {"start": own["start"], "end": at["end"]})
    elif qualifier and _is_identifier(target):
        parts = [part for part in qualifier if _is_identifier(part)]
        start = _pos(parts[0]) if parts else None
        end = _pos(target)
        span = {"start": start["start"], "end": end["end"]} if start and end else None
        node["Name"] = qualified([*parts, target], span)
    return node


def _global(node: Node, target: Node, context: Context) -> bool:
    """Whether a name is written `::name` (the global namespace's)."""
    own, at = _pos(node), _pos(target)
    return bool(own and at) and own["start"] < at["start"] and \
        context.data[own["start"]:at["start"]].strip() == b"::"


def names_list(node: Node, context: Context) -> Node:
    """using-directives, base classes: their names, `a::b` joined."""
    if node.get("Names"):
        node["Names"] = _joined_names(node["Names"], context.data)
    return node


# --- literals, comments, includes --------------------------------------------------------------

def string_value(written: str) -> str:
    """The value of a string literal as written (adjacent pieces joined, escapes decoded)."""
    out = []
    for match in CPP_STRING_PIECE.finditer(written):
        raw, plain = match.group(2), match.group(3)
        out.append(raw if raw is not None else cpp_unescape(plain or ""))
    return "".join(out)


def string(node: Node, _context: Context) -> Node:
    return nodes.string(string_value(str(node.get("@token") or "")), _pos(node))


def comment(node: Node, _context: Context) -> Node:
    """`// text` and `/* text */`, split as Babelfish's SDK did (nodes.split_comment_tab)."""
    raw = str(node.get("@token") or "")
    block = raw.startswith("/*")
    opener, closer = ("/*", "*/") if block else ("//", "")
    prefix, text, suffix, tab = nodes.split_comment_tab(raw, opener, closer)
    return nodes.comment(text, _pos(node), block=block, prefix=prefix, suffix=suffix, tab=tab)


def inclusion(node: Node, _context: Context) -> Node:
    """`#include <a/b.h>` -> uast:InlineImport of "a/b.h"; `#include "b.h"` of "./b.h" (a file
    beside this one first, as Babelfish's driver wrote it)."""
    target = str(node.get("@token") or "")
    path = target if node.get("System") else f"./{target}"
    return nodes.import_(nodes.string(path), names=None, all=True, pos=_pos(node), kind="uast:InlineImport")


def block(node: Node, _context: Context) -> Node:
    return nodes.block(node.get("Statements") or [], _pos(node))


# --- functions ---------------------------------------------------------------------------------

# clang spells operator names `operator()`; Babelfish (CDT) `operator ()`.
_OPERATOR_NAME = re.compile(r"^operator\s*(?=[^\w\s])")
_BUILTIN_WORDS = ("void", "bool", "char", "wchar_t", "char8_t", "char16_t", "char32_t", "short", "int", "long",
                  "float", "double", "auto", "signed", "unsigned")


def function_name(node: Node, context: Context) -> str:
    """The function's name as Babelfish wrote it: qualified as written for an out-of-line
    member (`Box<T>::get`), operators as `operator ()`."""
    own = str(node.get("@token") or "")
    own = _OPERATOR_NAME.sub("operator ", own)
    qualifier = node.get("Qualifier")
    name_pos = _pos(node.get("Name"))
    first = _pos(qualifier[0]) if qualifier else None
    if first and name_pos:
        written = context.data[first["start"]:name_pos["start"]].decode("utf-8", "replace")
        return re.sub(r"\s+", "", written) + own
    return own


def _returns(node: Node, constructor: bool) -> list[Node] | None:
    written = node.get("ReturnType")
    if not isinstance(written, dict):
        return [nodes.argument(type=nodes.identifier("unespecified"))] if constructor else None
    names = written.get("Names") or []
    if names:
        return [nodes.argument(type=names[0])]
    words = str(written.get("@token") or "").replace("*", " ").replace("&", " ").split()
    builtin = [word for word in words if word in _BUILTIN_WORDS]
    if not builtin or (builtin[-1] == "void" and "*" not in str(written.get("@token"))):
        return None
    keyword = builtin[-1] if builtin[-1] not in ("signed", "unsigned", "short", "long") else "int"
    return [nodes.argument(type=nodes.identifier(keyword))]


def _argument(parameter: Node) -> Node:
    if not isinstance(parameter, dict) or parameter.get("@type") != "cpp:ParmDecl":
        return parameter
    return nodes.argument(name=parameter.get("Name"), type=parameter.get("Type"), init=parameter.get("Init"))


def _definition_start(node: Node, context: Context) -> int | None:
    """Where a definition starts after its `template <...>` header (Babelfish's span)."""
    pos = _pos(node)
    if not pos:
        return None
    start = pos["start"]
    if not node.get("TemplateParameters"):
        return start
    data = context.data
    at = data.find(b"<", start, pos["end"])
    depth = 0
    while 0 <= at < pos["end"]:
        byte = data[at:at + 1]
        depth += byte == b"<"
        depth -= byte == b">"
        at += 1
        if depth == 0:
            break
    while at < pos["end"] and data[at:at + 1].isspace():
        at += 1
    return at


CONSTRUCTORS = ("cpp:CXXConstructor", "cpp:CXXDestructor")
_KEPT = ("TemplateParameters", "Initializers", "Children", "Static", "Virtual", "PureVirtual", "Const")
_CONSUMED = ("@token", "Name", "Qualifier", "ReturnType", "Parameters", "Body", "Variadic", "Definition")


def _rest(node: Node) -> Node:
    rest = {key: value for key, value in node.items() if key not in _CONSUMED}
    if POS in rest:  # the declaration's header: up to where its parameters end
        rest.pop(POS)
    return leftover(rest, "uast:FunctionGroup")


def function(node: Node, context: Context) -> Node:
    """A function definition -> uast:FunctionGroup; a declaration stays native."""
    if "Body" not in node and not node.get("Definition"):
        return node
    arguments = [_argument(parameter) for parameter in node.get("Parameters") or []]
    if node.get("Variadic"):
        arguments.append(nodes.argument(variadic=True))
    signature = nodes.function_type(arguments, _returns(node, node.get("@type") in CONSTRUCTORS))
    body = node.get("Body")
    target = nodes.function(signature, body)
    alias_name = nodes.identifier(function_name(node, context))
    # What the chain has no place for (template parameters, constructor initializers,
    # modifiers) stays beside the alias in the native node, without what the chain holds.
    extra = [_rest(node)] if any(node.get(key) for key in _KEPT) else []
    pos = _pos(node)
    start = _definition_start(node, context)
    span = {"start": start, "end": pos["end"]} if pos and start is not None else pos
    return nodes.function_group(alias_name, target, span, extra=extra)


def record(node: Node, _context: Context) -> Node:
    """A class, struct or union: native, named; a forward declaration declares no type body."""
    if node.get("Forward"):
        node["@role"] = [role for role in node.get("@role") or () if role != "Declaration"]
    return node


# --- Babelfish's repeated operands (see the module's docstring) --------------------------------

def _repeat(field: str, alias: str):
    def transform(node: Node, _context: Context) -> Node:
        if field in node:
            node[alias] = node[field]
        return node
    return transform


def binary_operands(node: Node, _context: Context) -> Node:
    if "RHS" in node:
        node["InitOperand2"] = node["RHS"]
    return node


def initializer(node: Node, context: Context) -> Node:
    """`int x = y;`: the initializer again as CDT's initializer clause (not for `= {...}`)."""
    init, name_pos = node.get("Init"), _pos(node.get("Name"))
    init_pos = _pos(init)
    if init_pos and name_pos and isinstance(init, dict) and init.get("@type") != "cpp:InitListExpr" \
            and context.data[name_pos["end"]:init_pos["start"]].strip().endswith(b"="):
        node["InitializerClause"] = init
    return node


TRANSFORMS = {
    "DeclarationName": name,
    "TypeRef": name,
    "TemplateRef": name,
    "NamespaceRef": name,
    "MemberRef": name,
    "LabelRef": name,
    "VariableRef": name,
    "OverloadedDeclRef": name,
    "TypeLoc": type_loc,
    "DeclRefExpr": reference_expression,
    "MemberRefExpr": reference_expression,
    "UsingDirective": names_list,
    "UsingDeclaration": names_list,
    "CXXBaseSpecifier": names_list,
    "StringLiteral": string,
    "Comment": comment,
    "InclusionDirective": inclusion,
    "CompoundStmt": block,
    "FunctionDecl": function,
    "CXXMethod": function,
    "FunctionTemplate": function,
    "CXXConstructor": function,
    "CXXDestructor": function,
    "CXXConversion": function,
    "ClassDecl": record,
    "StructDecl": record,
    "UnionDecl": record,
    "ClassTemplate": record,
    "BinaryOperator": binary_operands,
    "CompoundAssignOperator": binary_operands,
    "CXXOperatorCallExpr": binary_operands,
    "ReturnStmt": _repeat("Value", "ReturnArgument"),
    "ArraySubscriptExpr": _repeat("Index", "Argument"),
    "VarDecl": initializer,
}
