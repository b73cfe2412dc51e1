"""Python (tree-sitter-python), the universal driver's fallback for Babelfish's Python driver.

Babelfish's shapes (its Python driver's fixtures; driver_runtime/drivers/python shows them too):

* a ``def`` is a uast:FunctionGroup spanning its name, its Alias, Function, FunctionType and
  Block without positions, each parameter a uast:Argument spanning its name (a default is its
  Init, ``*a`` Variadic, ``**k`` MapVariadic, the annotation its Type), and one returned
  uast:Argument whose Init is the identifier ``None`` (Python returns None when a function
  returns nothing) and whose Type is the annotation; its decorators are inside it;
* a ``lambda`` stays native, its parameters uast:Argument;
* a class stays native, named by its token and spanning its name (as Babelfish's ClassDef);
* ``import a, b`` is a uast:Group of uast:RuntimeImport, one import a RuntimeImport; ``from
  ..a import b as c`` a RuntimeImport whose Path is [.., .., a] (one ``..`` per level) and
  whose Names are b (an Alias c -> b); ``*`` is All.  Their names have no positions;
* a string is a uast:String whose Value is the value Python reads (escapes read, adjacent
  literals joined, bytes decoded); an f-string stays native, its literal texts uast:String
  (joined as Python joins them, ``{x=}``'s text too) between its interpolations;
* names are uast:Identifier, but for the name of ``except E as name`` (a plain name in
  Python's tree); ``**kw`` in a call is a keyword argument named null, as in Babelfish;
* comments are uast:Comment (the text after the one ``#``); True/False uast:Bool; None stays
  native.

Not reproduced: the Python 2 parser Babelfish fell back to (a file with ``print x``), whose
functions have no returned Argument and whose True/False/None are names; Babelfish's partial
positions (a start only for imports, comments and an attribute's last name).
"""

from __future__ import annotations

import ast
from typing import Any

from driver_runtime.drivers.universal.normalization import comment_with
from driver_runtime.drivers.universal.rules import children, first, is_type, unpositioned
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]


# --- strings ---------------------------------------------------------------------------------

def _value(text: str) -> str | None:
    """A literal's value as Python reads it (bytes decoded), or None."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return value if isinstance(value, str) else None


def _is_fstring(node: Any) -> bool:
    return is_type(node, "python:string") and any(is_type(part, "python:interpolation")
                                                  for part in node.get("children") or [])


def _pieces(node: Node, context: Context) -> list[Any]:
    """An f-string's parts: (value, start, end) for each literal text, the interpolations as
    they are."""
    parts = node.get("children") or []
    start = first(parts, "python:string_start")
    opener = (start or {}).get("@token", '"')
    quote = opener.lstrip("fFrRbBuUtT") or '"'
    raw = "r" in opener.lower()
    out: list[Any] = []
    for part in parts:
        if is_type(part, "python:string_content"):
            text = context.text(part).replace("{{", "{").replace("}}", "}")
            value = text if raw else _value(quote + text + quote)
            pos = part.get("@pos") or {}
            out.append((text if value is None else value, pos.get("start"), pos.get("end")))
        elif is_type(part, "uast:String"):  # a text of an f-string already joined
            pos = part.get("@pos") or {}
            out.append((part["Value"], pos.get("start"), pos.get("end")))
        elif is_type(part, "python:interpolation"):
            equals = _self_documenting(part, context)
            if equals is not None:
                out.append(equals)
            out.append(part)
    return out


def _self_documenting(node: Node, context: Context) -> tuple[str, int, int] | None:
    """`{x=}`: Python puts the text `x=` (with its blanks) before the value."""
    expression = node.get("expression")
    pos, inner = node.get("@pos") or {}, (expression or {}).get("@pos") if type(expression) is dict else None
    if not inner or pos.get("start") is None:
        return None
    at = inner["end"]
    data = context.data
    while at < pos["end"] and data[at:at + 1] in (b" ", b"\t"):
        at += 1
    if data[at:at + 1] != b"=" or data[at:at + 2] == b"==":
        return None
    at += 1
    while at < pos["end"] and data[at:at + 1] in (b" ", b"\t"):
        at += 1
    start = pos["start"] + 1
    return data[start:at].decode("utf-8", "replace"), start, at


def _joined(node: Node, pieces: list[Any]) -> Node:
    """Literal texts next to each other as one uast:String (Python joins them), empty ones
    dropped; the interpolations between them."""
    merged: list[Any] = []
    for piece in pieces:
        if type(piece) is tuple and merged and type(merged[-1]) is tuple:
            value, start, _ = merged[-1]
            merged[-1] = (value + piece[0], start, piece[2])
        else:
            merged.append(piece)
    node["children"] = [
        nodes.string(piece[0], {"start": piece[1], "end": piece[2]} if None not in piece[1:] else None)
        if type(piece) is tuple else piece
        for piece in merged if type(piece) is not tuple or piece[0]
    ]
    return node


def _string(node: Node, context: Context) -> Node:
    """A plain string: its value.  An f-string with replacements stays native: its literal
    texts uast:String and its interpolations (Babelfish's JoinedStr of Str and FormattedValue)."""
    if not _is_fstring(node):
        text = context.text(node)
        value = _value(text)
        if value is None and text[:2].lower() in ("f'", 'f"', "rf", "fr"):  # an f-string of text only
            value = _value(text.replace("f", "", 1).replace("F", "", 1))
        return node if value is None else nodes.string(value, node.get("@pos"))
    return _joined(node, _pieces(node, context))


def _concatenated(node: Node, context: Context) -> Node:
    """'a' "b" f"{c}": one string as Python reads it (a uast:String, or an f-string's parts)."""
    parts = children(node)
    comments = [part for part in parts if is_type(part, "uast:Comment")]  # between the parts
    pieces: list[Any] = []
    for part in parts:
        if part in comments:
            continue
        if is_type(part, "uast:String"):
            pos = part.get("@pos") or {}
            pieces.append((part["Value"], pos.get("start"), pos.get("end")))
        elif _is_fstring(part):
            pieces += _pieces(part, context)
        else:
            return node
    if all(type(piece) is tuple for piece in pieces):
        joined = nodes.string("".join(piece[0] for piece in pieces), node.get("@pos"))
        if not comments:
            return joined
        node["children"] = [joined, *comments]
        return node
    _joined(node, pieces)
    node["children"] += comments
    return node


def _format_specifier(node: Node, context: Context) -> Node:
    """`:>{w}` in an f-string: its literal texts uast:String (the spec is an f-string)."""
    pos = node.get("@pos") or {}
    start, end = pos.get("start"), pos.get("end")
    if start is None or end is None:
        return node
    at = start + 1 if context.data[start:start + 1] == b":" else start
    pieces: list[Any] = []
    for child in children(node):
        child_pos = child.get("@pos") or {}
        if child_pos.get("start", at) > at:
            pieces.append((context.data[at:child_pos["start"]].decode("utf-8", "replace"), at, child_pos["start"]))
        pieces.append(child)
        at = child_pos.get("end", at)
    if end > at:
        pieces.append((context.data[at:end].decode("utf-8", "replace"), at, end))
    node.pop("@token", None)
    return _joined(node, pieces)


def _keywords(node: Node, context: Context) -> Node:
    """`**kw` among a call's arguments: a keyword argument without a name (Python's keyword
    whose arg is None; Babelfish's token was a uast:Identifier named null)."""
    if context.parent_type == "argument_list":
        node["@token"] = nodes.identifier(None)  # type: ignore[arg-type]
    return node


def _plain_alias(pattern: Any) -> Any:
    """`E as name` with its name a plain name: a copy (the pattern's conversion may be kept for
    the next parse, memo.py, and be taken where its name is an expression: `with`)."""
    alias = pattern.get("alias") if is_type(pattern, "python:as_pattern") else None
    names = children(alias)
    if len(names) != 1 or not is_type(names[0], "uast:Identifier"):
        return pattern
    plain = {key: value for key, value in alias.items() if key != "children"}
    plain["@token"] = names[0]["Name"]
    return {**pattern, "alias": plain}


def _except(node: Node, context: Context) -> Node:
    """`except E as name`: the name is a plain name (Python's ExceptHandler.name), not an
    expression."""
    for key, value in node.items():
        if key[0] != "@" and type(value) is dict:
            node[key] = _plain_alias(value)
    if type(node.get("children")) is list:
        node["children"] = [_plain_alias(child) for child in node["children"]]
    return node


# --- functions -------------------------------------------------------------------------------

def _parameter(node: Node) -> Node | None:
    """A parameter as uast:Argument spanning its name (None for the `*` and `/` markers)."""
    kind = node.get("@type", "")
    if kind == "uast:Identifier":
        return nodes.argument(name=node, pos=node.get("@pos"))
    if kind in ("python:list_splat_pattern", "python:dictionary_splat_pattern"):
        inner = next(iter(children(node)), None)
        if not is_type(inner, "uast:Identifier"):
            return node
        return nodes.argument(name=inner, variadic=kind == "python:list_splat_pattern",
                              map_variadic=kind == "python:dictionary_splat_pattern", pos=inner.get("@pos"))
    if kind in ("python:typed_parameter", "python:default_parameter", "python:typed_default_parameter"):
        name = node.get("name") or next(iter(children(node)), None)
        argument = _parameter(name) if type(name) is dict else None
        if argument is None or argument.get("@type") != "uast:Argument":
            return node
        argument["Type"] = node.get("type")
        argument["Init"] = node.get("value")
        return argument
    if kind in ("python:keyword_separator", "python:positional_separator"):
        return None
    return node  # a tuple parameter (Python 2), a comment


def _parameters(node: Node, context: Context) -> Node:
    """The parameters of a def or a lambda, each a uast:Argument."""
    arguments = [_parameter(child) for child in children(node)]
    node["children"] = [argument for argument in arguments if argument is not None]
    return node


def _function(node: Node, context: Context) -> Node:
    name = node.get("name")
    if not is_type(name, "uast:Identifier"):
        return node
    parameters = node.get("parameters")
    arguments = children(parameters) if type(parameters) is dict else []
    returns = [nodes.argument(init=nodes.identifier("None"), type=node.get("return_type"))]
    body = node.get("body")
    statements = children(body) if is_type(body, "python:block") else ([body] if body else [])
    function = nodes.function(nodes.function_type(arguments, returns), nodes.block(statements))
    # What else the def holds (a comment after its colon) is kept beside the Alias.
    extra = children(node)
    return nodes.function_group(unpositioned(name), function, name.get("@pos"), extra or None)


def _decorated(node: Node, context: Context) -> Any:
    """@decorator def/class: the definition, its decorators inside it (Babelfish's
    decorator_list), so that it starts at the first of them."""
    definition = node.get("definition")
    decorators = [child for child in children(node)]
    if type(definition) is not dict or not decorators:
        return node
    # A copy of the definition: its conversion may be kept for the next parse (memo.py), and
    # what replaces this node takes its roles (carry_roles).
    if is_type(definition, "uast:FunctionGroup"):
        opening, closing = decorators[0].get("@pos") or {}, decorators[-1].get("@pos") or {}
        holder: Node = {"@type": "python:decorators"}
        if "start" in opening and "end" in closing:
            holder["@pos"] = {"start": opening["start"], "end": closing["end"]}
        holder["children"] = decorators
        return {**definition, "Nodes": [holder, *definition["Nodes"]]}
    return {**definition, "decorators": decorators}


def _type(node: Node, context: Context) -> Any:
    """An annotation: the expression it holds."""
    inner = children(node)
    return inner[0] if len(inner) == 1 and len(node) <= 4 else node


def _class(node: Node, context: Context) -> Node:
    """A class: named by its token, spanning its name (Babelfish's ClassDef)."""
    name = node.get("name")
    if is_type(name, "uast:Identifier"):
        del node["name"]
        node["@token"] = name["Name"]
        if name.get("@pos"):
            node["@pos"] = name["@pos"]
    return node


def _targets(node: Node, context: Context) -> Node:
    """`a, b = ...`: the names, as the elements of a tuple (where the outline finds the names an
    assignment binds)."""
    if "children" in node:
        node["elts"] = node.pop("children")
    return node


# --- imports ---------------------------------------------------------------------------------

def _dotted(node: Any) -> Node | None:
    """A dotted_name as an Identifier or a QualifiedIdentifier, its names without positions."""
    if is_type(node, "uast:Identifier"):
        return unpositioned(node)
    parts = [unpositioned(part) for part in children(node) if is_type(part, "uast:Identifier")]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else nodes.qualified_identifier(parts)


def _imported(node: Any) -> Node | None:
    """`a.b` or `a.b as c` (an Alias c -> a.b)."""
    if is_type(node, "python:aliased_import"):
        path = _dotted(node.get("name"))
        alias = node.get("alias")
        if path is None or not is_type(alias, "uast:Identifier"):
            return None
        return nodes.alias(unpositioned(alias), path)
    return _dotted(node)


def _import(node: Node, context: Context) -> Node:
    names = node.get("name")
    paths = [_imported(name) for name in (names if type(names) is list else [names])]
    if not paths or any(path is None for path in paths):
        return node
    if len(paths) == 1:
        return nodes.import_(paths[0], pos=node.get("@pos"), kind="uast:RuntimeImport")
    return nodes.group([nodes.import_(path, kind="uast:RuntimeImport") for path in paths], node.get("@pos"))


def _import_from(node: Node, context: Context) -> Node:
    module = node.get("module_name")
    parts: list[Node] = []
    if is_type(module, "python:relative_import"):
        for child in children(module):
            if is_type(child, "python:import_prefix"):
                parts += [nodes.identifier("..") for _ in range(context.text(child).count("."))]
            else:
                path = _dotted(child)
                parts += path["Names"] if is_type(path, "uast:QualifiedIdentifier") else [path] if path else []
    elif is_type(node, "python:future_import_statement"):
        parts = [nodes.identifier("__future__")]
    else:
        path = _dotted(module)
        if path is None:
            return node
        parts = path["Names"] if is_type(path, "uast:QualifiedIdentifier") else [path]
    if not parts:
        return node
    star = any(is_type(child, "python:wildcard_import") for child in children(node))
    names = node.get("name")
    imported = [_imported(name) for name in (names if type(names) is list else [names] if names else [])]
    if any(name is None for name in imported):
        return node
    path = parts[0] if len(parts) == 1 else nodes.qualified_identifier(parts)
    return nodes.import_(path, None if star else imported, all=star, pos=node.get("@pos"), kind="uast:RuntimeImport")


TABLE = LanguageTable(
    identifiers=("identifier",),
    strings=("string",),
    booleans=("true", "false"),
    roles={
        "assignment": ("Assignment", "Binary"),  # `a = b = 1`: both at statement level
        "augmented_assignment": ("Assignment", "Binary", "Operator"),
        "call": ("Call", "Expression"),
        "import_statement": ("Declaration", "Import"),
        "import_from_statement": ("Declaration", "Import"),
        "future_import_statement": ("Declaration", "Import"),
        "lambda": ("Anonymous", "Declaration", "Expression", "Function"),
        "function_definition": ("Declaration", "Function"),
        # Compound statements (what is assigned in them is no module or class attribute of the
        # outline, as with the native driver).
        "if_statement": ("If", "Statement"),
        "for_statement": ("For", "Iterator", "Statement"),
        "while_statement": ("Statement", "While"),
        "try_statement": ("Statement", "Try"),
        "with_statement": ("Block", "Scope", "Statement"),
        "match_statement": ("Statement", "Switch"),
        "pattern_list": ("Expression", "Tuple"),
        "tuple_pattern": ("Expression", "Tuple"),
        "list_pattern": ("Expression", "List"),
    },
    field_roles={("call", "function"): ("Callee",), ("call", "arguments"): ("Argument",),
                 ("assignment", "left"): ("Left",), ("assignment", "right"): ("Right",)},
    symbols={"class_definition": "class"},
    transforms={
        "comment": comment_with(("#", "")),
        "string": _string,
        "concatenated_string": _concatenated,
        "format_specifier": _format_specifier,
        "except_clause": _except,
        "dictionary_splat": _keywords,
        "parameters": _parameters,
        "lambda_parameters": _parameters,
        "function_definition": _function,
        "decorated_definition": _decorated,
        "type": _type,
        "pattern_list": _targets,
        "tuple_pattern": _targets,
        "list_pattern": _targets,
        "class_definition": _class,
        "import_statement": _import,
        "import_from_statement": _import_from,
        "future_import_statement": _import_from,
    },
    # None of these changes its children: they build new nodes of them (a def, its parameters'
    # Arguments, the imports, a joined string), change only the node they are given (a class, an
    # f-string, a target list, a keyword splat), or put a changed copy in their own place of one
    # (a decorated definition, an except's `as` name).  Not `type`: it returns its child, which
    # then takes its roles (carry_roles).
    keeps_children=("class_definition", "function_definition", "decorated_definition", "parameters",
                    "lambda_parameters", "except_clause", "concatenated_string", "string", "format_specifier",
                    "dictionary_splat", "pattern_list", "tuple_pattern", "list_pattern", "import_statement",
                    "import_from_statement", "future_import_statement"),
)
