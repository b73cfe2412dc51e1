"""The transformation table: native PHP-Parser nodes -> Babelfish's semantic uast:* nodes.

One small function per concept; children are transformed before their parent, so a function
sees semantic children.  The shapes are those of Babelfish's PHP driver (its ``.sem.uast``
fixtures), which ran PHP-Parser 3.1:

* names: a ``Name`` (a class, function or constant reference, a namespace) is a
  ``uast:Identifier``, or a ``uast:QualifiedIdentifier`` of positionless identifiers when it
  has several parts, with the name's span; ``\\A`` and ``namespace\\A`` stay native
  (Name_FullyQualified, Name_Relative), as in Babelfish;
* a name PHP-Parser gives as a plain string has no position of its own (a variable's name:
  ``$x`` is a positioned Expr_Variable around a positionless ``uast:Identifier`` "x");
* PHP-Parser 4's Identifier nodes (class, method, property, constant names; builtin types;
  member names in calls and fetches) were plain strings in 3.1; they are ``uast:Identifier``
  (see ``_identifier`` for their spans);
* strings are ``uast:String`` (Format "raw" for single quotes, "" for double quotes,
  "encapsed" for the literal parts of an interpolated string);
* comments are ``uast:Comment`` in the ``comments`` field of the node they precede;
* a function is ``uast:FunctionGroup`` -> ``uast:Alias`` -> ``uast:Function`` with its
  parameters as ``uast:Argument``; methods and closures stay native (Stmt_ClassMethod,
  Expr_Closure) with ``uast:Argument`` parameters and a ``uast:Block`` body, as in Babelfish;
* ``use`` is one ``uast:RuntimeImport`` per imported name; ``include``/``require`` are
  ``uast:RuntimeReImport`` and their ``_once`` forms ``uast:RuntimeImport``;
* statement lists of compound statements are positionless ``uast:Block`` nodes.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.php.annotation import ROLES
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context, Transform

Node = dict[str, Any]


class _Splice(list):
    """Several statements standing for one (`use A, B;`): spliced into the enclosing list."""


def _flatten(statements: Any) -> Any:
    if not isinstance(statements, list) or not any(isinstance(item, _Splice) for item in statements):
        return statements
    out: list[Any] = []
    for item in statements:
        if isinstance(item, _Splice):
            out.extend(item)
        else:
            out.append(item)
    return out


# --- names -------------------------------------------------------------------------------------

def _identifier(node: Node, ctx: Context) -> Node:
    """Identifier / VarLikeIdentifier: the names PHP-Parser 3.1 (Babelfish's parser) gave as plain
    strings.  Declared names (class, function, method, property, constant) keep their true span,
    which editors need to show where a symbol is named; the others (a called method's name, a
    fetched property's or constant's, a builtin type) have none, as in Babelfish, whose spans
    they would otherwise not match."""
    if ctx.field == "name" and ctx.parent_type in DECLARATIONS:
        return nodes.identifier(node["@token"], _name_span(node, ctx))
    return nodes.identifier(node["@token"])


def _name_span(node: Node, ctx: Context) -> dict[str, int] | None:
    """The span of a declared name; a property's (a VarLikeIdentifier) without its "$"."""
    pos = node.get("@pos")
    if pos and ctx.data[pos["start"]:pos["start"] + 1] == b"$":
        return {"start": pos["start"] + 1, "end": pos["end"]}
    return pos


def _name(node: Node, _ctx: Context) -> Node:
    """A (not fully qualified) name: an identifier, or a qualified identifier for A\\B\\C."""
    parts = node["parts"]
    if len(parts) == 1:
        return nodes.identifier(parts[0], node.get("@pos"))
    return nodes.qualified_identifier([nodes.identifier(part) for part in parts], node.get("@pos"))


def _variable(node: Node, _ctx: Context) -> Node:
    """$x: the name (a plain string in PHP-Parser) as a positionless identifier; $$x keeps its
    inner expression."""
    name = node.get("name")
    if isinstance(name, str):
        node["name"] = nodes.identifier(name)
    return node


def _names_of(name: Any) -> list[Node]:
    """The identifiers of a transformed name (an identifier or a qualified identifier)."""
    if isinstance(name, dict) and name.get("@type") == "uast:QualifiedIdentifier":
        return list(name["Names"])
    return [name]


# --- literals ----------------------------------------------------------------------------------

# String_::KIND_* -> Babelfish's Format: single quotes are raw, double quotes are not, and
# heredoc/nowdoc have a custom delimiter.
_STRING_FORMATS = {1: "raw", 2: "", 3: "raw_custom", 4: "raw_custom"}


def _string(node: Node, _ctx: Context) -> Node:
    kind = node.get("kind")
    return nodes.string(node["value"], node.get("@pos"), _STRING_FORMATS.get(kind, ""))


def _string_part(node: Node, _ctx: Context) -> Node:
    return nodes.string(node["value"], node.get("@pos"), "encapsed")


# --- comments ----------------------------------------------------------------------------------

_COMMENT_MARKERS = (("/**", "*/"), ("/*", "*/"), ("//", "\n"), ("#", "\n"))


def _comment(node: Node, _ctx: Context) -> Node:
    """// and # comments, /* */ and /** */ blocks, with their full span."""
    raw = node.get("@token") or ""
    for opener, closer in _COMMENT_MARKERS:
        if raw.startswith(opener):
            prefix, text, suffix, tab = nodes.split_comment_tab(raw, opener, closer)
            return nodes.comment(text, node.get("@pos"), block=closer == "*/", prefix=prefix, suffix=suffix, tab=tab)
    return nodes.comment(raw, node.get("@pos"))


# --- blocks ------------------------------------------------------------------------------------

def _block(node: Node, _ctx: Context) -> Node:
    """A compound statement: its statement list (or null) becomes a positionless uast:Block."""
    if "stmts" in node:
        node["stmts"] = nodes.block(_flatten(node["stmts"]))
    return node


def _namespace(node: Node, ctx: Context) -> Node:
    """namespace A\\B: its statements are a block; its name, whole, is its token (the outline's
    name for it, which a qualified identifier cannot give)."""
    name = node.get("name")
    if isinstance(name, dict):
        node["@token"] = "\\".join(str(part.get("Name")) for part in _names_of(name))
    return _block(node, ctx)


def _module(node: Node, _ctx: Context) -> Node:
    node["children"] = _flatten(node.get("children"))
    return node


# --- functions ---------------------------------------------------------------------------------

def _by_ref(type_: Any) -> Node:
    """Babelfish's wrapper of the type of a parameter or a result passed by reference."""
    return {"@type": "php:ByRef", "@role": list(ROLES["ByRef"]), "Type": type_}


def _param(node: Node, _ctx: Context) -> Node:
    """A parameter: uast:Argument with its span; name, type, default, variadic (by-reference
    wraps the type in php:ByRef, as Babelfish did)."""
    var = node.get("var")
    name = var.get("name") if isinstance(var, dict) else None
    type_ = node.get("type")
    if node.get("byRef"):
        type_ = _by_ref(type_)
    return nodes.argument(name=name, type=type_, init=node.get("default"), variadic=bool(node.get("variadic")),
                          pos=node.get("@pos"))


def _returns(node: Node) -> list[Node]:
    type_ = node.get("returnType")
    if node.get("byRef"):
        type_ = _by_ref(type_)
    return [nodes.argument(type=type_)]


def _function(node: Node, _ctx: Context) -> Node:
    """function f(...) {...}: FunctionGroup -> Alias(f) -> Function(FunctionType, Block), spanning
    the whole definition; its comments and attributes go beside the alias."""
    function_type = nodes.function_type(node.get("params") or [], _returns(node))
    body = nodes.block(_flatten(node.get("stmts")))
    extra = [*(node.get("comments") or ()), *(node.get("attrGroups") or ())]
    return nodes.function_group(node.get("name"), nodes.function(function_type, body), node.get("@pos"), extra=extra)


# --- constants ---------------------------------------------------------------------------------

def _defined_name(call: Any, ctx: Context) -> Node | None:
    """The constant a `define('NAME', value)` call defines, as an identifier spanning NAME inside
    its quotes (no span if the literal has escapes); None for any other expression."""
    if not isinstance(call, dict) or call.get("@type") != "php:Expr_FuncCall":
        return None
    function = call.get("name")
    args = call.get("args") or []
    if not isinstance(function, dict) or str(function.get("Name", "")).lower() != "define" or len(args) < 2:
        return None
    literal = args[0].get("value") if isinstance(args[0], dict) else None
    if not isinstance(literal, dict) or literal.get("@type") != "uast:String":
        return None
    name = literal["Value"]
    pos = literal.get("@pos")
    inner = None
    if pos and ctx.data[pos["start"] + 1:pos["end"] - 1] == name.encode("utf-8", "surrogatepass"):
        inner = {"start": pos["start"] + 1, "end": pos["end"] - 1}
    return nodes.identifier(name, inner)


def _expression_statement(node: Node, ctx: Context) -> Node:
    """An expression statement; `define('NAME', value);` is also the declaration of a global
    constant: the Assignment and Declaration roles, and the constant's name as its target (what
    the outline reads)."""
    target = _defined_name(node.get("expr"), ctx)
    if target is not None:
        node["@role"] = sorted({*node.get("@role", ()), "Assignment", "Declaration"})
        node["target"] = target
    return node


def _declare_item(node: Node, _ctx: Context) -> Node:
    """strict_types=1 in declare(...): the directive's name is the token (Babelfish's shape), not
    an identifier: it names no code."""
    key = node.pop("key", None)
    if isinstance(key, dict):
        node["@token"] = key.get("Name")
    return node


# --- imports -----------------------------------------------------------------------------------

def _imported(use: Node, with_path: bool) -> tuple[Any, Node]:
    """(path, alias) of one imported name: for `A\\B\\C as D`, the path A\\B and the alias D of C
    spanning `A\\B\\C as D`; a one-part name has no path and keeps its own span."""
    names = _names_of(use.get("name"))
    last = names[-1]
    alias_node = use.get("alias")
    alias = alias_node["Name"] if isinstance(alias_node, dict) else last.get("Name")
    path = None
    if with_path and len(names) > 1:
        path = nodes.qualified_identifier(names[:-1], (use.get("name") or {}).get("@pos"))
        last = nodes.identifier(last.get("Name"))
    elif not with_path:
        last = use.get("name")
    return path, nodes.alias(nodes.identifier(alias), last, use.get("@pos"))


def _use(node: Node, _ctx: Context) -> Any:
    """use A\\B\\C, D as E;: one uast:RuntimeImport per name, each spanning the statement."""
    imports = []
    for use in node.get("uses") or []:
        path, alias = _imported(use, with_path=True)
        imports.append(nodes.import_(path, [alias], pos=node.get("@pos"), kind="uast:RuntimeImport"))
    if len(imports) == 1:
        return imports[0]
    return _Splice(imports)


def _group_use(node: Node, _ctx: Context) -> Node:
    """use A\\{B, C as D};: one uast:RuntimeImport with the prefix as path and every name."""
    names = [_imported(use, with_path=False)[1] for use in node.get("uses") or []]
    return nodes.import_(node.get("prefix"), names, pos=node.get("@pos"), kind="uast:RuntimeImport")


# Include_::TYPE_*: include and require import again each time; the _once forms import once.
_INCLUDE_KINDS = {1: "uast:RuntimeReImport", 2: "uast:RuntimeImport", 3: "uast:RuntimeReImport",
                  4: "uast:RuntimeImport"}


def _include(node: Node, _ctx: Context) -> Node:
    kind = _INCLUDE_KINDS.get(node.get("type"), "uast:RuntimeReImport")
    return nodes.import_(node.get("expr"), all=True, pos=node.get("@pos"), kind=kind)


# Declarations whose "name" keeps its span (see _identifier).
DECLARATIONS = frozenset({
    "Stmt_Class", "Stmt_Interface", "Stmt_Trait", "Stmt_Enum", "Stmt_EnumCase", "Stmt_Function", "Stmt_ClassMethod",
    "Stmt_PropertyProperty", "Const",
})

# Compound statements whose statement list is a uast:Block (Babelfish's list, and enums).
BLOCK_TYPES = (
    "Stmt_If", "Stmt_ElseIf", "Stmt_Else", "Stmt_For", "Stmt_Foreach", "Stmt_While", "Stmt_Do", "Stmt_Class",
    "Stmt_Interface", "Stmt_Trait", "Stmt_Enum", "Stmt_ClassMethod", "Expr_Closure",
    "Stmt_Catch", "Stmt_Finally", "Stmt_TryCatch", "Stmt_Case", "Stmt_Declare",
)

TRANSFORMS: dict[str, Transform] = {
    **{native: _block for native in BLOCK_TYPES},
    "Module": _module,
    "Stmt_Namespace": _namespace,
    "Stmt_Expression": _expression_statement,
    "Stmt_DeclareDeclare": _declare_item,
    "Identifier": _identifier,
    "VarLikeIdentifier": _identifier,
    "Name": _name,
    "Expr_Variable": _variable,
    "Scalar_String": _string,
    "Scalar_EncapsedStringPart": _string_part,
    "Comment": _comment,
    "Comment_Doc": _comment,
    "Param": _param,
    "Stmt_Function": _function,
    "Stmt_Use": _use,
    "Stmt_GroupUse": _group_use,
    "Expr_Include": _include,
}
