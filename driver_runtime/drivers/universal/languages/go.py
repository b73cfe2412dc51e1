"""Go (tree-sitter-go), the universal driver's fallback for Babelfish's Go driver.

Babelfish's shapes (its Go driver's fixtures; driver_runtime/drivers/go shows them too):

* every name is a uast:Identifier: variables, fields, types, packages, labels, and ``true``,
  ``false``, ``nil`` and ``iota`` (go/ast's Ident);
* strings (interpreted and raw) are uast:String with the unquoted value; runes stay native;
* a ``func`` declaration is a uast:FunctionGroup [Alias (the name) -> uast:Function
  (uast:FunctionType, uast:Block)] spanning the declaration; its FunctionType spans from
  ``func`` to the end of the signature, its receiver is the first uast:Argument (Receiver);
  each parameter or result name is a uast:Argument spanning its whole declaration (``a, b int``
  gives two), ``...T`` is Variadic with the type T;
* a ``func`` literal stays native with a uast:FunctionType and a uast:Block; a ``func`` type is
  a uast:FunctionType; an interface's method a uast:FunctionGroup without a body (as the native
  driver: they declare functions);
* every block is a uast:Block of its statements;
* an import spec is a uast:Import whose Path is an identifier, or a qualified identifier of its
  "/" parts, spanning the quoted path; ``name "path"`` makes it a uast:Alias, ``_`` clears All,
  ``.`` is its Target;
* the operator of a binary or unary expression (but ``*x``), an assignment, ``:=``, ``++`` and
  ``--`` is a uast:Operator without a position;
* struct fields, ``var`` and ``const`` specs with several names are one per name, each spanning
  the whole (Babelfish split fields so; the outline finds each name);
* comments are uast:Comment, their text without markers (a block comment's lines as written).

As the Go driver, beyond Babelfish: an embedded field (an interface's embedded interface is a
``field_declaration`` too, as go/ast's Field) has the name Go gives it as its token; ``_`` naming
a spec, a type or a function has the Anonymous role; struct and interface types are Expression
and Type (a type written in place: its fields are the field's or variable's it types).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import identifier
from driver_runtime.drivers.universal.rules import children, is_type, objects, operator
from driver_runtime.drivers.universal.tables import LanguageTable, Operator
from driver_runtime.sdk import nodes
from driver_runtime.sdk.literals import go_import_path
from driver_runtime.sdk.literals import go_unquote as unquote
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]


def _start(node: Any) -> int | None:
    return (node.get("@pos") or {}).get("start") if type(node) is dict else None


def _end(node: Any) -> int | None:
    return (node.get("@pos") or {}).get("end") if type(node) is dict else None


def _span(start: int | None, end: int | None) -> dict[str, int] | None:
    return {"start": start, "end": end} if start is not None and end is not None else None


# --- literals, comments, blocks --------------------------------------------------------------

def _string(node: Node, context: Context) -> Node:
    return nodes.string(unquote(context.text(node)), node.get("@pos"))


def _comment(node: Node, context: Context) -> Node:
    raw = node.get("@token") or context.text(node)
    block = raw.startswith("/*")
    prefix, text, suffix = nodes.split_comment(raw, "/*", "*/") if block else nodes.split_comment(raw, "//")
    return nodes.comment(text, node.get("@pos"), block=block, prefix=prefix, suffix=suffix)


def _statements(node: Node) -> list[Node]:
    """A block's statements (tree-sitter-go lists them in a statement_list)."""
    out: list[Node] = []
    for child in children(node):
        if is_type(child, "go:statement_list"):
            out += children(child)
        else:
            out.append(child)
    return out


def _block(node: Node, context: Context) -> Node:
    return nodes.block(_statements(node), node.get("@pos"))


_CASES = frozenset({"go:expression_case", "go:type_case", "go:default_case", "go:communication_case",
                    "uast:Comment"})


def _switch(node: Node, context: Context) -> Node:
    """switch and select: the cases in a uast:Block from `{` to `}` (go/ast's body), a type
    switch's `:=` a uast:Operator."""
    token = node.pop("@token", None)
    if token == ":=":
        node["operator"] = operator(token)
    pos = node.get("@pos") or {}
    header = [_end(value) for key, value in node.items()
              if key[0] != "@" and key != "children" and type(value) is dict]
    start = max([end for end in header if end is not None] or [pos.get("start", 0)])
    brace = context.data.find(b"{", start, pos.get("end", start))
    if brace < 0:
        return node
    items = node.get("children") or []
    cases = [child for child in items if type(child) is dict and child.get("@type") in _CASES
             and (_start(child) or 0) > brace]
    rest = [child for child in items if not any(child is case for case in cases)]
    if rest:
        node["children"] = rest
    else:
        node.pop("children", None)
    node["body"] = nodes.block(cases, _span(brace, pos.get("end")))
    return node


# --- functions -------------------------------------------------------------------------------

_PARAMETERS = ("go:parameter_declaration", "go:variadic_parameter_declaration", "go:type_parameter_declaration")


def _parameters(node: Any) -> list[Node]:
    """A parameter, result, receiver or type parameter list: a uast:Argument per name, each
    spanning its declaration (an unnamed one: its type)."""
    out: list[Node] = []
    for declaration in children(node):
        kind = declaration.get("@type")
        if kind not in _PARAMETERS:
            continue  # a comment
        variadic = kind == "go:variadic_parameter_declaration"
        for name in objects(declaration.get("name")) or [None]:
            out.append(nodes.argument(name=name, type=declaration.get("type"), variadic=variadic,
                                      pos=declaration.get("@pos")))
    return out


def _type_parameters(node: Node, context: Context) -> list[Node]:
    return _parameters(node)


def _signature(node: Node, start: int | None) -> Node:
    """The parameters and results of a declaration, literal or type as a uast:FunctionType
    spanning from `start` to the end of the results (else the parameters)."""
    parameters, result = node.get("parameters"), node.get("result")
    if is_type(result, "go:parameter_list"):
        returns: list[Node] | None = _parameters(result) or None
    elif type(result) is dict:
        returns = [nodes.argument(type=result, pos=result.get("@pos"))]
    else:
        returns = None
    end = _end(result) if type(result) is dict else _end(parameters)
    signature = nodes.function_type(_parameters(parameters), returns, _span(start, end))
    type_parameters = node.get("type_parameters")
    if type(type_parameters) is list and type_parameters:
        signature["TypeParams"] = type_parameters
    return signature


def _function(node: Node, context: Context) -> Node:
    """func (r T) name(...) (...) {...}: uast:FunctionGroup; the FunctionType from `func`."""
    name = _blank(node.get("name"))
    if not is_type(name, "uast:Identifier"):
        return node
    signature = _signature(node, _start(node))
    receivers = _parameters(node.get("receiver"))
    for receiver in receivers:
        receiver["Receiver"] = True
    signature["Arguments"] = receivers + signature["Arguments"]
    body = node.get("body")
    # What else the declaration holds (a comment inside its signature) is kept beside the Alias.
    extra = children(node)
    return nodes.function_group(name, nodes.function(signature, body), node.get("@pos"), extra or None)


def _method_elem(node: Node, context: Context) -> Node:
    """An interface's method: a FunctionGroup without a body; its FunctionType from the
    parameters (go/ast gives it no `func`)."""
    name = node.get("name")
    if not is_type(name, "uast:Identifier"):
        return node
    signature = _signature(node, _start(node.get("parameters")))
    return nodes.function_group(name, nodes.function(signature, None), node.get("@pos"))


def _function_literal(node: Node, context: Context) -> Node:
    """func(...) {...}: stays native, its signature a uast:FunctionType from `func`."""
    signature = _signature(node, _start(node))
    out: Node = {key: node[key] for key in ("@type", "@role", "@pos") if key in node}
    out["type"] = signature
    out["body"] = node.get("body")
    if node.get("children"):
        out["children"] = node["children"]
    return out


def _function_type(node: Node, context: Context) -> Node:
    return _signature(node, _start(node))


# --- declarations ----------------------------------------------------------------------------

def _blank(name: Any) -> Any:
    """Go's blank identifier `_` declares nothing where a spec or a function is named by it: the
    Anonymous role (as the Go driver gives it), and the outline lists no symbol for it."""
    if is_type(name, "uast:Identifier") and name.get("Name") == "_":
        name["@role"] = sorted({*(name.get("@role") or ()), "Anonymous"})
    return name


# Where an embedded type's own name is, past its package or type arguments.
_EMBEDDED_NAME_FIELDS = {"go:qualified_type": "name", "go:generic_type": "type"}


def _embedded_name(kind: Any) -> str | None:
    """The name Go gives an embedded field: its type's (`*goobj.Reloc` is Reloc, `List[int]` List)."""
    while type(kind) is dict and kind.get("@type") in _EMBEDDED_NAME_FIELDS:
        kind = kind.get(_EMBEDDED_NAME_FIELDS[kind["@type"]])
    return kind.get("Name") if is_type(kind, "uast:Identifier") else None


def _split_fields(node: Node, context: Context) -> Node:
    """`a, b int` in a struct: one field per name, each spanning the whole (Babelfish's). An
    embedded field (no name) has the name Go gives it as its token (the Go driver's too), not
    the `*` of a pointer."""
    out: list[Any] = []
    for field in node.get("children") or []:
        names = objects(field.get("name")) if is_type(field, "go:field_declaration") else []
        if len(names) > 1:
            out += [{**field, "name": name} for name in names]
        else:
            if not names and is_type(field, "go:field_declaration"):
                embedded = _embedded_name(field.get("type"))
                if embedded is not None:
                    field["@token"] = embedded
            out.append(field)
    if "children" in node:
        node["children"] = out
    return node


def _interface(node: Node, context: Context) -> Node:
    """An interface's embedded interface (`io.Reader`) is a field named by its type, as go/ast's
    Field and the Go driver have it; a type set (`~int | ~string`) stays what it is."""
    items = node.get("children")
    if type(items) is not list:
        return node
    for index, item in enumerate(items):
        inner = children(item) if is_type(item, "go:type_elem") else []
        name = _embedded_name(inner[0]) if len(inner) == 1 else None
        if name is not None:
            items[index] = {"@type": "go:field_declaration", "@role": ["Declaration", "Variable"],
                            "@token": name, "@pos": item.get("@pos"), "type": inner[0]}
    return node


def _split_specs(node: Node, context: Context) -> Node:
    """`var a, b int` (`const x, y = 1, 2`): one spec per name, each spanning the whole, when
    the values (if any) are one per name; `var a, b = f()` stays whole."""
    out: list[Any] = []
    for spec in node.get("children") or []:
        names = objects(spec.get("name")) if type(spec) is dict else []
        for name in names:
            _blank(name)
        value = spec.get("value") if type(spec) is dict else None
        values = children(value)
        if len(names) < 2 or (value is not None and len(values) != len(names)):
            out.append(spec)
            continue
        for index, name in enumerate(names):
            part = {**spec, "name": name}
            if value is not None:
                part["value"] = values[index]
            out.append(part)
    if "children" in node:
        node["children"] = out
    return node


def _type_spec(node: Node, context: Context) -> Node:
    _blank(node.get("name"))
    return node


# --- imports ---------------------------------------------------------------------------------

def _import_spec(node: Node, context: Context) -> Node:
    path = node.get("path")
    if not is_type(path, "uast:String"):
        return node
    imported = go_import_path(path, context.text(path))
    name = node.get("name")
    alias = context.text(name) if type(name) is dict else None
    target = None
    if alias == ".":
        target = nodes.identifier(".", name.get("@pos"))
    elif alias not in (None, "_") and is_type(name, "uast:Identifier"):
        imported = nodes.alias(name, imported)
    return nodes.import_(imported, names=[], all=alias != "_", target=target, pos=node.get("@pos"))


TABLE = LanguageTable(
    identifiers=("identifier", "field_identifier", "type_identifier", "package_identifier", "label_name",
                 "blank_identifier"),
    strings=("interpreted_string_literal", "raw_string_literal"),
    roles={
        "type_spec": ("Declaration", "Type"),
        "type_alias": ("Declaration", "Type"),
        # A struct or interface type is written where it is used (go/ast's roles): its fields are
        # those of the field or variable it is the type of, else of no symbol.
        "struct_type": ("Expression", "Type"),
        "interface_type": ("Expression", "Type"),
        "func_literal": ("Anonymous", "Expression", "Function"),
        "call_expression": ("Call", "Expression"),
        "import_declaration": ("Declaration", "List"),
        "var_declaration": ("Declaration", "List"),
        "const_declaration": ("Declaration", "List"),
        "short_var_declaration": ("Assignment", "Binary", "Statement"),
        "assignment_statement": ("Assignment", "Binary", "Statement"),
        "binary_expression": ("Binary", "Expression"),
        "unary_expression": ("Expression", "Unary"),
        "return_statement": ("Return", "Statement"),
        "if_statement": ("If", "Statement"),
        "for_statement": ("For", "Statement"),
    },
    field_roles={
        ("call_expression", "function"): ("Callee",),
        ("call_expression", "arguments"): ("Argument", "Positional"),
        ("binary_expression", "left"): ("Left",),
        ("binary_expression", "right"): ("Right",),
        ("import_spec", "name"): ("Alias", "Import"),
        ("import_spec", "path"): ("Import", "Pathname"),
    },
    # `*x` is go/ast's StarExpr, no operator; `:=`, `++`, `--` are no field, but the node's token.
    operators={
        "binary_expression": Operator(),
        "unary_expression": Operator(keep=("*",)),
        "assignment_statement": Operator(),
        **dict.fromkeys(("short_var_declaration", "inc_statement", "dec_statement", "receive_statement"),
                        Operator(token=True)),
    },
    symbols={
        "struct_type": "struct",
        "interface_type": "interface",
        "field_declaration": "field",
        "var_spec": "variable",
        "const_spec": "constant",
    },
    transforms={
        "true": identifier,
        "false": identifier,
        "nil": identifier,
        "iota": identifier,
        "interpreted_string_literal": _string,
        "raw_string_literal": _string,
        "comment": _comment,
        "block": _block,
        "expression_switch_statement": _switch,
        "type_switch_statement": _switch,
        "select_statement": _switch,
        "type_parameter_list": _type_parameters,
        "type_spec": _type_spec,
        "type_alias": _type_spec,
        "function_declaration": _function,
        "method_declaration": _function,
        "method_elem": _method_elem,
        "func_literal": _function_literal,
        "function_type": _function_type,
        "field_declaration_list": _split_fields,
        "interface_type": _interface,
        "var_declaration": _split_specs,
        "var_spec_list": _split_specs,
        "const_declaration": _split_specs,
        "import_spec": _import_spec,
    },
    # None of these changes its children but by `_blank` and an embedded field's token, which
    # give a node a role or a token from what it holds itself, the same each time: the others
    # build new nodes of them (functions, signatures, blocks, a case's body, an import, a spec or
    # field per name as a copy) or change only their own lists and fields.
    keeps_children=("block", "expression_switch_statement", "type_switch_statement", "select_statement",
                    "type_parameter_list", "type_spec", "type_alias", "function_declaration", "method_declaration",
                    "method_elem", "func_literal", "function_type", "field_declaration_list", "interface_type",
                    "var_declaration", "var_spec_list", "const_declaration", "import_spec"),
)
