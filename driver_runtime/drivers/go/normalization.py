"""The semantic UAST of Go: go/ast nodes -> Babelfish's uast:* nodes, one function per concept.

What becomes what follows Babelfish's Go driver (its conformance fixtures):

* ``Ident`` -> ``uast:Identifier`` (every one: ``nil``, ``true`` and type names too);
* string ``BasicLit`` -> ``uast:String`` with the unquoted value (other literals stay native);
* ``Comment`` -> ``uast:Comment`` (the text without its markers, the blanks around it apart);
* ``BlockStmt`` -> ``uast:Block``;
* ``FuncDecl`` -> ``uast:FunctionGroup`` [doc, ``uast:Alias`` (the name) -> ``uast:Function``
  (``uast:FunctionType``, body)], the receiver first among the arguments with ``Receiver``;
* ``FuncType`` -> ``uast:FunctionType``: each parameter and result a ``uast:Argument`` (a field
  ``a, b int`` gives one per name, both spanning the field; ``...T`` is ``Variadic``);
* ``ImportSpec`` -> ``uast:Import``: the path an identifier, or a qualified identifier of its
  "/"-separated parts, spanning the quoted literal (each part spans its own text); an alias
  makes it a ``uast:Alias``, ``_`` clears ``All``, ``.`` makes the ``.`` identifier its
  ``Target`` (Babelfish: ``{Scope: "."}``, an object without a type, which the outline cannot
  walk);
* operators (``Op``/``Tok`` of binary, unary, assignment and ++/-- statements) ->
  ``uast:Operator`` with the operator as token and no position;
* struct fields and type parameters with several names are split, one per name (as
  Babelfish split fields), and so are ``var``/``const`` specs (``var a, b int``).

Where this differs from Babelfish, on purpose:

* every comment and every import is in the tree once: comments in the file's ``Comments``,
  imports in their declaration.  go/ast also hangs each doc comment on its declaration
  (``Doc``) and each line comment on its line (``Comment``), and lists the imports again in
  ``File.Imports``; Babelfish's tree had them twice (a query found them twice, and a
  function's extent began at its doc comment).  Those places are null here;
* an interface's methods are ``uast:FunctionGroup`` without a body (they declare functions;
  an embedded interface stays a ``Field``);
* type parameters (Go 1.18, after Babelfish) are ``uast:Argument`` in ``TypeParams`` of the
  function type or of the ``TypeSpec``.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.go.annotation import OPERATOR_ROLES, ROLES, TOKEN_TYPES, token_roles
from driver_runtime.sdk import nodes
from driver_runtime.sdk.literals import go_import_path, go_unquote
from driver_runtime.sdk.normalizer import Context, Transform
from driver_runtime.sdk.uast import POS, ROLE, TOKEN, TYPE

Node = dict[str, Any]


_OWN_ROLES: dict[str, frozenset[str]] = {native: frozenset(roles) for native, roles in ROLES.items()}


def _carried_roles(node: Node, native_type: str) -> list[str] | None:
    """The roles a node has from where it is (its field), to keep on its semantic form."""
    own = _OWN_ROLES.get(native_type, frozenset())
    if native_type in TOKEN_TYPES:
        own = own.union(token_roles(native_type, node))
    roles = [role for role in node.get(ROLE) or () if role not in own]
    return roles or None


def _with_roles(semantic: Node, roles: list[str] | None) -> Node:
    if roles:
        semantic[ROLE] = roles
    return semantic


# --- names, literals, comments -------------------------------------------------------------

# Where `_` declares nothing (Go's blank identifier: `var _ I = (*T)(nil)`, `func _() {...}`):
# there it has the Anonymous role, and the outline lists no symbol for it. A blank struct field
# keeps its place in the struct's layout, and is listed (as gopls does).
BLANK_DECLARATIONS = frozenset((("ValueSpec", "Names"), ("TypeSpec", "Name"), ("FuncDecl", "Name")))


def identifier(node: Node, ctx: Context) -> Node:
    name = node.get(TOKEN) or ""
    roles = _carried_roles(node, "Ident")
    if name == "_" and (ctx.parent_type, ctx.field) in BLANK_DECLARATIONS:
        roles = sorted({*(roles or ()), "Anonymous"})
    return _with_roles(nodes.identifier(name, node.get(POS)), roles)


def literal(node: Node, _ctx: Context) -> Node:
    if node.get("Kind") != "STRING":
        return node  # numbers and characters stay native, as in Babelfish
    string = nodes.string(go_unquote(node.get(TOKEN) or '""'), node.get(POS))
    return _with_roles(string, _carried_roles(node, "BasicLit"))


def comment(node: Node, _ctx: Context) -> Node:
    raw = node.get(TOKEN) or ""
    block = raw.startswith("/*")
    prefix, text, suffix = nodes.split_comment(raw, "/*", "*/") if block else nodes.split_comment(raw, "//")
    return nodes.comment(text, node.get(POS), block=block, prefix=prefix, suffix=suffix)


def comment_group(node: Node, ctx: Context) -> Node | None:
    """Each comment once, in the file's Comments (go/ast also hangs a group on the declaration
    it documents, as Doc, or on the line it ends, as Comment: those copies are dropped)."""
    return node if ctx.field == "Comments" else None


def file(node: Node, _ctx: Context) -> Node:
    """File.Imports repeats the ImportSpecs of the import declarations: each import once."""
    node["Imports"] = None
    return node


def block(node: Node, _ctx: Context) -> Node:
    return _with_roles(nodes.block(node.get("List"), node.get(POS)), _carried_roles(node, "BlockStmt"))


# --- functions -----------------------------------------------------------------------------

def _split_fields(fields: list[Node] | None) -> list[Node]:
    """One field per name (Babelfish's fieldSplit): `a, b int` is `a int` and `b int`, each
    spanning the whole field."""
    out: list[Node] = []
    for field in fields or ():
        names = field.get("Names")
        if names and len(names) > 1:
            out.extend({**field, "Names": [name]} for name in names)
        else:
            out.append(field)
    return out


def _argument(field: Node) -> Node:
    kind = field.get("Type")
    variadic = isinstance(kind, dict) and kind.get(TYPE) == "go:Ellipsis"
    if variadic:
        kind = kind.get("Elt")
    names = field.get("Names")
    return nodes.argument(name=names[0] if names else None, type=kind, variadic=variadic, pos=field.get(POS))


def arguments(node: Node, _ctx: Context) -> list[Node]:
    """Parameters, results, receivers and type parameters: a list of uast:Argument."""
    return [_argument(field) for field in _split_fields(node.get("List"))]


# Where an embedded type's own name is, through a pointer, a package or type arguments.
_EMBEDDED_NAME_FIELDS: dict[str, str] = {
    "go:StarExpr": "X", "go:SelectorExpr": "Sel", "go:IndexExpr": "X", "go:IndexListExpr": "X"}


def _embedded_name(kind: Any) -> str | None:
    """The name Go gives an embedded field: its type's name without `*`, package or type
    arguments (`*goobj.Reloc` is Reloc, `List[int]` is List)."""
    while isinstance(kind, dict) and kind.get(TYPE) in _EMBEDDED_NAME_FIELDS:
        kind = kind.get(_EMBEDDED_NAME_FIELDS[kind[TYPE]])
    name = kind.get("Name") if isinstance(kind, dict) and kind.get(TYPE) == "uast:Identifier" else None
    return name if isinstance(name, str) and name else None


def _named_embedded(field: Node) -> Node:
    """An embedded field (no Names) carries the name Go gives it as its token, so that what
    reads the tree (the outline) has it without knowing Go's rule; the type's identifier stays
    the one node that spells it."""
    if not field.get("Names"):
        name = _embedded_name(field.get("Type"))
        if name is not None:
            field[TOKEN] = name
    return field


def struct_fields(node: Node, _ctx: Context) -> Node:
    node["List"] = [_named_embedded(field) for field in _split_fields(node.get("List"))] or None
    return node


def _interface_method(field: Node) -> Node:
    names, signature = field.get("Names"), field.get("Type")
    if not names or not isinstance(signature, dict) or signature.get(TYPE) != "uast:FunctionType":
        return _named_embedded(field)  # an embedded interface or type set
    return nodes.function_group(names[0], nodes.function(signature, None), field.get(POS), extra=[field.get("Doc")])


def interface_methods(node: Node, _ctx: Context) -> Node:
    node["List"] = [_interface_method(field) for field in _split_fields(node.get("List"))] or None
    return node


# What a FieldList is, by the field that holds it.
FIELD_LISTS: dict[str, Transform] = {
    "Params": arguments, "Results": arguments, "Recv": arguments, "TypeParams": arguments,
    "Fields": struct_fields, "Methods": interface_methods,
}


def field_list(node: Node, ctx: Context) -> Any:
    transform = FIELD_LISTS.get(ctx.field)
    return transform(node, ctx) if transform is not None else node


def function_type(node: Node, _ctx: Context) -> Node:
    params, results = node.get("Params"), node.get("Results")
    out = nodes.function_type(params if isinstance(params, list) else [],
                              results if isinstance(results, list) else None, node.get(POS))
    if node.get("TypeParams"):
        out["TypeParams"] = node["TypeParams"]
    return _with_roles(out, _carried_roles(node, "FuncType"))


def function_declaration(node: Node, _ctx: Context) -> Node:
    signature = node["Type"]
    receivers = node.get("Recv") or []
    for receiver in receivers:
        receiver["Receiver"] = True
    if receivers:
        signature["Arguments"] = [*receivers, *signature["Arguments"]]
    function = nodes.function(signature, node.get("Body"))
    return nodes.function_group(node.get("Name"), function, node.get(POS), extra=[node.get("Doc")])


# --- declarations --------------------------------------------------------------------------

def _split_value_spec(spec: Node) -> list[Node]:
    """`var a, b int` and `const x, y = 1, 2` are one spec per name, each spanning the whole
    spec, as Babelfish split fields; `var a, b = f()` cannot be split and stays whole."""
    names, values = spec.get("Names") or [], spec.get("Values")
    if len(names) < 2 or (values and len(values) != len(names)):
        return [spec]
    return [{**spec, "Names": [name], "Values": [values[i]] if values else values} for i, name in enumerate(names)]


def declaration(node: Node, _ctx: Context) -> Node:
    specs = node.get("Specs")
    if specs and node.get("Tok") in ("var", "const"):
        node["Specs"] = [part for spec in specs for part in _split_value_spec(spec)]
    return node


# --- imports -------------------------------------------------------------------------------

def import_spec(node: Node, ctx: Context) -> Node:
    path = go_import_path(node["Path"], ctx.text(node["Path"]))
    name = node.get("Name")
    alias = name.get("Name") if isinstance(name, dict) else None
    all_names, target = alias != "_", None
    if alias == ".":
        target = name  # into the file's scope (Babelfish: a plain {Scope: "."}, which has no type)
    elif alias not in (None, "_"):
        path = nodes.alias(name, path)
    return nodes.import_(path, names=[], all=all_names, target=target, pos=node.get(POS))


# --- operators -----------------------------------------------------------------------------

def operator(token: str, roles: tuple[str, ...]) -> Node:
    """uast:Operator (no constructor in sdk/nodes.py yet): the operator as token."""
    return {TYPE: "uast:Operator", TOKEN: token, ROLE: sorted(set(roles))}


def _operator_in(field: str) -> Transform:
    """The node's operator token, in `field`, becomes a uast:Operator in field Op (in place)."""

    def transform(node: Node, _ctx: Context) -> Node:
        native = node[TYPE].partition(":")[2]
        token = node.get(field)
        if not isinstance(token, str):
            return node
        op = operator(token, OPERATOR_ROLES.get(native, ()) + token_roles(native, node))
        return {("Op" if key == field else key): (op if key == field else value) for key, value in node.items()}

    return transform


# The roles that depend on a node's token are the SDK's content roles (driver.TABLES).
TRANSFORMS: dict[str, Transform] = {
    "Ident": identifier,
    "BasicLit": literal,
    "Comment": comment,
    "CommentGroup": comment_group,
    "File": file,
    "BlockStmt": block,
    "FieldList": field_list,
    "FuncType": function_type,
    "FuncDecl": function_declaration,
    "GenDecl": declaration,
    "ImportSpec": import_spec,
    "BinaryExpr": _operator_in("Op"),
    "UnaryExpr": _operator_in("Op"),
    "AssignStmt": _operator_in("Tok"),
    "IncDecStmt": _operator_in("Tok"),
}
