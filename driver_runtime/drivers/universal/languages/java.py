"""Java (tree-sitter-java), the universal driver's fallback for Babelfish's Java driver.

Babelfish's shapes (its Java driver's fixtures, from Eclipse JDT; driver_runtime/drivers/java
shows them too):

* names are uast:Identifier, and a dotted name (a package, an import, ``a.b`` of plain names in
  an expression, a type ``a.B``, an annotation's name) a uast:QualifiedIdentifier; ``this.x``
  or ``f().x`` stay native (JDT's FieldAccess);
* a method or constructor is a uast:FunctionGroup [javadoc, modifiers, Alias (the name) ->
  uast:Function (uast:FunctionType, uast:Block)] spanning the declaration (from its Javadoc);
  Alias, Function and FunctionType have no position; each parameter is a uast:Argument spanning
  it (``T... a`` Variadic), the return type one uast:Argument without a name (none for void);
* every block is a uast:Block; lambdas stay native;
* an import is a uast:Import: ``a.b.C`` has the Path a.b (spanning the whole name) and the Names
  [C], ``a.b.*`` the Path a.b and All; ``static`` is in its Target;
* a Javadoc before a declaration is that declaration's (it starts there): a uast:Group of its
  description (a uast:Group of a uast:Comment per text) and its tags; any other comment is a
  uast:Comment, its lines trimmed and their common margin taken off;
* string literals are uast:String (escapes read); characters and booleans stay native;
* the operator of an infix (``a + b + c`` is one, as JDT's extended operands), prefix, postfix
  or assignment expression is a uast:Operator without a position.
"""

from __future__ import annotations

import re
from typing import Any

from driver_runtime.drivers.universal.rules import (
    children,
    first,
    is_type,
    names_in,
    operator,
    quoted,
    with_roles,
)
from driver_runtime.drivers.universal.tables import LanguageTable, Operator
from driver_runtime.sdk import nodes
from driver_runtime.sdk.literals import java_unescape
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]


def _pos(start: int, end: int) -> dict[str, int]:
    return {"start": start, "end": end}


def _name(names: list[Node], pos: Any) -> Node:
    return names[0] if len(names) == 1 else nodes.qualified_identifier(names, pos)


# --- names -----------------------------------------------------------------------------------

def _qualified(*fields: str) -> Any:
    """a.b (in these fields, else the children) as a uast:QualifiedIdentifier when every part is
    a name (JDT's QualifiedName); else native (FieldAccess, a generic type)."""
    def transform(node: Node, context: Context) -> Node:
        parts = [node.get(field) for field in fields] if fields else children(node)
        names: list[Node] = []
        for part in parts:
            found = names_in(part)
            if found is None:
                return node
            names += found
        return nodes.qualified_identifier(names, node.get("@pos")) if len(names) > 1 else node
    return transform


# --- literals and comments -------------------------------------------------------------------

def _string(node: Node, context: Context) -> Node:
    text = context.text(node)
    block = quoted(text, '"""')
    if block is not None:  # a text block: from its second line, its margin off
        block = block[block.find("\n") + 1:] if "\n" in block else block
        lines = block.split("\n")
        margin = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        return nodes.string(java_unescape("\n".join(line[margin:].rstrip() for line in lines)), node.get("@pos"))
    value = quoted(text, '"')
    return node if value is None else nodes.string(java_unescape(value), node.get("@pos"))


# Java's String.trim(): every char up to U+0020.
_BLANKS = "".join(chr(code) for code in range(0x21))


def _comment(node: Node, context: Context) -> Node:
    """A comment as Babelfish's Java driver read it: each line trimmed, the markers and the
    margin common to the lines after the first taken off."""
    raw = "\n".join(line.strip(_BLANKS) for line in (node.get("@token") or context.text(node)).split("\n"))
    if raw.startswith("/*"):
        opener = "/**" if raw.startswith("/**") and raw != "/**/" else "/*"
        prefix, text, suffix, tab = nodes.split_comment_tab(raw, opener, "*/")
        return nodes.comment(text, node.get("@pos"), block=True, prefix=prefix, suffix=suffix, tab=tab)
    prefix, text, suffix, tab = nodes.split_comment_tab(raw, "//", "")
    return nodes.comment(text, node.get("@pos"), prefix=prefix, suffix=suffix, tab=tab)


# --- Javadoc ---------------------------------------------------------------------------------

_REFERENCE_TAGS = frozenset({"@link", "@linkplain", "@see", "@throws", "@exception", "@value", "@param"})
_TAG = re.compile(rb"\{@[A-Za-z]+[^}]*\}")
_WORD = re.compile(rb"\S+")


def _identifier(data: bytes, start: int, end: int) -> Node:
    return nodes.identifier(data[start:end].decode("utf-8", "replace"), _pos(start, end))


def _dotted(data: bytes, start: int, end: int) -> Node | None:
    """a.b.C in a Javadoc reference: an Identifier or a QualifiedIdentifier."""
    text = data[start:end]
    if not text or not re.fullmatch(rb"[\w$]+(\.[\w$]+)*", text):
        return None
    parts, at = [], start
    for part in text.split(b"."):
        parts.append(_identifier(data, at, at + len(part)))
        at += len(part) + 1
    return _name(parts, _pos(start, end))


_PRIMITIVES = frozenset({b"boolean", b"byte", b"char", b"short", b"int", b"long", b"float", b"double", b"void"})


def _type_name(data: bytes, start: int, end: int) -> Node:
    """A type in a Javadoc reference: a primitive type (native), or a named type (JDT's
    SimpleType, its name an identifier)."""
    text = data[start:end]
    name = None if text in _PRIMITIVES else _dotted(data, start, end)
    if name is None:
        return {"@type": "java:PrimitiveType" if text in _PRIMITIVES else "java:Type", "@pos": _pos(start, end),
                "@token": text.decode("utf-8", "replace")}
    return {"@type": "java:SimpleType", "@pos": _pos(start, end), "name": name}


def _reference(data: bytes, start: int, end: int) -> Node | None:
    """A Javadoc reference: a name, or Type#member / Type#method(T a, ...) (JDT's MemberRef and
    MethodRef, native, their names uast:Identifier)."""
    text = data[start:end]
    hash_at = text.find(b"#")
    if hash_at < 0:
        return _dotted(data, start, end)
    qualifier = _dotted(data, start, start + hash_at) if hash_at else None
    paren = text.find(b"(", hash_at)
    name_end = start + (paren if paren >= 0 else len(text))
    name = _dotted(data, start + hash_at + 1, name_end)
    if name is None:
        return None
    ref: Node = {"@type": "java:MemberRef", "@pos": _pos(start, end), "name": name}
    if paren >= 0:
        ref["@type"] = "java:MethodRef"
        parameters = []
        inner_start = name_end + 1
        inner_end = start + (text.rfind(b")") if text.rfind(b")") > paren else len(text))
        at = inner_start
        for chunk in data[inner_start:inner_end].split(b","):
            words = [(at + match.start(), at + match.end()) for match in _WORD.finditer(chunk)]
            at += len(chunk) + 1
            if not words:
                continue
            parameter: Node = {"@type": "java:MethodRefParameter", "@pos": _pos(words[0][0], words[-1][1]),
                               "type": _type_name(data, *words[0])}
            if len(words) > 1:
                parameter["name"] = _identifier(data, *words[-1])
            parameters.append(parameter)
        ref["parameters"] = parameters
    if qualifier is not None:
        ref["qualifier"] = qualifier
    return ref


def _text(data: bytes, start: int, end: int) -> Node:
    prefix, text, suffix = nodes.split_comment(data[start:end].decode("utf-8", "replace"), "")
    return nodes.comment(text, _pos(start, end), prefix=prefix, suffix=suffix)


def _tag(data: bytes, start: int, end: int, name_end: int, pieces: list[tuple[int, int]]) -> Node:
    """A tag (`@param x text`, `{@link a.B}`): native, its reference first among its fragments
    (a name), then its text."""
    tag_name = data[start:name_end].decode("utf-8", "replace").lstrip("{")
    fragments: list[Node] = []
    if tag_name == "@param" and pieces:  # `@param <T> text`: a type parameter's name between < and >
        first_start, first_end = pieces[0]
        found = re.compile(rb"\s*<([\w$]+)>").match(data, first_start, first_end)
        if found is not None:
            name_start, name_end = found.start(1), found.end(1)
            fragments += [_text(data, name_start - 1, name_start), _identifier(data, name_start, name_end),
                          _text(data, name_end, name_end + 1)]
            pieces = [(name_end + 1, first_end)] + pieces[1:]
    elif tag_name in _REFERENCE_TAGS and pieces:
        first_start, first_end = pieces[0]
        word = _WORD.search(data, first_start, first_end)
        if word is not None:
            reference_end = word.end()
            if b"(" in data[word.start():word.end()] and b")" not in data[word.start():word.end()]:
                close = data.find(b")", word.end(), first_end)
                reference_end = close + 1 if close >= 0 else word.end()
            reference = _reference(data, word.start(), reference_end)
            if reference is not None:
                fragments.append(reference)
                pieces = [(reference_end, first_end)] + pieces[1:]
    fragments += [_text(data, a, b) for a, b in pieces if b > a and (fragments or data[a:b].strip())]
    return {"@type": "java:TagElement", "@pos": _pos(start, end), "tagName": tag_name, "fragments": fragments}


def _lines(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """The text of each line of a Javadoc body, its margin (blanks and `*`) off."""
    out, at = [], start
    while at <= end:
        line_end = data.find(b"\n", at, end)
        line_end = end if line_end < 0 else line_end
        text_start = at
        while text_start < line_end and data[text_start] in b" \t\r\f":
            text_start += 1
        while text_start < line_end and data[text_start] == ord("*"):
            text_start += 1
        while text_start < line_end and data[text_start] in b" \t\r\f":
            text_start += 1
        text_end = line_end
        while text_end > text_start and data[text_end - 1] in b"\r":
            text_end -= 1
        if text_end > text_start:
            out.append((text_start, text_end))
        at = line_end + 1
    return out


def _inline(data: bytes, start: int, end: int) -> list[Node]:
    """A stretch of description: texts and inline tags ({@link X})."""
    out: list[Node] = []
    at = start
    for match in _TAG.finditer(data, start, end):
        if match.start() > at:
            out.append(_text(data, at, match.start()))
        name = re.match(rb"\{@[A-Za-z]+", data[match.start():match.end()])
        name_end = match.start() + (name.end() if name else 2)
        out.append(_tag(data, match.start(), match.end(), name_end, [(name_end, match.end() - 1)]))
        at = match.end()
    if end > at:
        out.append(_text(data, at, end))
    return out


def javadoc(data: bytes, start: int, end: int) -> Node:
    """A /** */ comment attached to a declaration: a uast:Group of its description (a uast:Group)
    and its block tags (java:TagElement)."""
    lines = _lines(data, start + 3, end - 2)
    # A trailing run of `*` before the closing `*/` is margin, not text.
    lines = [(a, b) for a, b in lines if data[a:b].strip(b"* \t")]
    groups: list[Node] = []
    description: list[Node] = []
    tag: list[Any] | None = None  # [start, name end, pieces]
    for line_start, line_end in lines:
        if data[line_start:line_start + 1] == b"@":
            if tag is not None:
                groups.append(_tag(data, tag[0], tag[2][-1][1] if tag[2] else tag[1], tag[1], tag[2]))
            word = _WORD.search(data, line_start, line_end)
            name_end = word.end() if word else line_end
            tag = [line_start, name_end, [(name_end, line_end)] if line_end > name_end else []]
        elif tag is not None:
            tag[2].append((line_start, line_end))
        else:
            description += _inline(data, line_start, line_end)
    if tag is not None:
        groups.append(_tag(data, tag[0], tag[2][-1][1] if tag[2] else tag[1], tag[1], tag[2]))
    if description:
        opening, closing = description[0]["@pos"]["start"], description[-1]["@pos"]["end"]
        groups.insert(0, nodes.group(description, _pos(opening, closing)))
    return nodes.group(groups, _pos(start, end))


_DOCUMENTED = frozenset({
    "java:class_declaration", "java:interface_declaration", "java:enum_declaration", "java:record_declaration",
    "java:annotation_type_declaration", "java:annotation_type_element_declaration", "java:field_declaration",
    "java:enum_constant", "java:constant_declaration", "uast:FunctionGroup",
})


def _attach_javadoc(node: Node, context: Context) -> Node:
    """A /** */ comment right before a declaration is its Javadoc (JDT's), and the declaration
    starts there: a copy of the declaration, whose conversion may be kept for the next parse
    (memo.py), where its comment may have changed."""
    items = node.get("children")
    if type(items) is not list:
        return node
    out: list[Any] = []
    for child in items:
        previous = out[-1] if out else None
        if (type(child) is dict and child.get("@type") in _DOCUMENTED and is_type(previous, "uast:Comment")
                and previous.get("Block") and context.data.startswith(b"/**", previous["@pos"]["start"])
                and previous["@pos"]["end"] - previous["@pos"]["start"] > 4):
            start, end = previous["@pos"]["start"], previous["@pos"]["end"]
            doc = javadoc(context.data, start, end)
            out.pop()
            if child["@type"] == "uast:FunctionGroup":
                child = {**child, "Nodes": [doc, *child["Nodes"]]}
            else:
                child = {**child, "javadoc": doc}
            if child.get("@pos"):
                child["@pos"] = {**child["@pos"], "start": start}
        out.append(child)
    node["children"] = out
    return node


# --- methods ---------------------------------------------------------------------------------

_ANNOTATIONS = frozenset({"java:marker_annotation", "java:annotation", "java:modifiers"})


def _parameter(node: Node) -> Node:
    kind = node.get("@type")
    if kind == "java:formal_parameter":
        return nodes.argument(name=node.get("name"), type=node.get("type"), pos=node.get("@pos"))
    if kind == "java:spread_parameter":
        parts = children(node)
        declarator = first(parts, "java:variable_declarator")
        kind_node = next((part for part in parts if part is not declarator and not is_type(part, "java:modifiers")),
                         None)
        name = declarator.get("name") if declarator else None
        return nodes.argument(name=name, type=kind_node, variadic=True, pos=node.get("@pos"))
    if kind == "java:receiver_parameter":  # `A.@Y B B.this`: the annotations before go on the type
        parts = children(node)
        annotations = [part for part in parts if part.get("@type") in _ANNOTATIONS]
        rest = [part for part in parts if part.get("@type") not in _ANNOTATIONS]
        kind_node = rest[0] if rest else None
        if annotations and type(kind_node) is dict:  # a copy: the type's conversion may be kept (memo.py)
            kind_node = {**kind_node, "annotations": annotations}
        name = first(rest[1:], "uast:Identifier")
        return nodes.argument(name=name, type=kind_node, receiver=True)
    return node


def _method(node: Node, context: Context) -> Node:
    """A method or constructor: uast:FunctionGroup [modifiers, Alias -> Function] spanning the
    declaration; the rest (type parameters, throws) kept beside, as JDT's."""
    name = node.get("name")
    if not is_type(name, "uast:Identifier"):
        return node
    arguments = [_parameter(parameter) for parameter in children(node.get("parameters"))
                 if not is_type(parameter, "uast:Comment")]
    returned = node.get("type")
    returns = None if returned is None or is_type(returned, "java:void_type") else [nodes.argument(type=returned)]
    body = node.get("body")
    function = nodes.function(nodes.function_type(arguments, returns), body)
    modifiers = [child for child in children(node) if is_type(child, "java:modifiers")]
    group = nodes.function_group(name, function, node.get("@pos"), modifiers or None)
    rest = {key: value for key, value in node.items()
            if key in ("type_parameters", "dimensions") or (key == "children" and value)}
    rest["children"] = [child for child in children(node) if not is_type(child, "java:modifiers")]
    if not rest["children"]:
        del rest["children"]
    if rest:
        group["Nodes"].append({"@type": "java:method_rest", **rest})
    return group


# --- fields, records, package, imports -------------------------------------------------------

def _as_variable(declarator: Any) -> Any:
    """A field's declarator as the outline finds a type's variables: an Assignment whose name
    is its Target (moved, not copied).  A copy: the declarator's conversion may be kept for the
    next parse (memo.py); a record's component, for a method's parameter list."""
    if type(declarator) is not dict or type(declarator.get("name")) is not dict:
        return declarator
    variable = {key: value for key, value in declarator.items() if key not in ("name", "@token")}
    with_roles(variable, "Assignment")
    variable["Target"] = declarator["name"]
    return variable


def _field(node: Node, context: Context) -> Node:
    declarators = node.get("declarator")
    if type(declarators) is list:
        node["declarator"] = [_as_variable(item) for item in declarators]
    elif declarators is not None:
        node["declarator"] = _as_variable(declarators)
    return node


def _record(node: Node, context: Context) -> Node:
    """A record's components are its fields."""
    parameters = node.get("parameters")
    if type(parameters) is dict and type(parameters.get("children")) is list:
        node["parameters"] = {**parameters, "children": [_as_variable(item) for item in parameters["children"]]}
    return node


def _package(node: Node, context: Context) -> Node:
    """The package's dotted name as its token (the outline's name for it)."""
    for child in children(node):
        names = names_in(child)
        if names:
            node["@token"] = ".".join(str(name.get("Name")) for name in names)
            break
    return node


def _import(node: Node, context: Context) -> Node:
    """import a.b.C -> Path a.b (spanning a.b.C), Names [C]; import a.b.* -> Path a.b, All;
    static in Target."""
    parts = children(node)
    name = next((part for part in parts if names_in(part)), None)
    if name is None:
        return node
    names = names_in(name) or []
    star = any(is_type(part, "java:asterisk") for part in parts)
    static = "true" if re.match(r"import\s+static\b", context.text(node)) else "false"
    target = {"@type": "java:ImportTarget", "static": static}
    if star:
        return nodes.import_(name, names=[], all=True, target=target, pos=node.get("@pos"))
    path = nodes.qualified_identifier(names[:-1], name.get("@pos")) if len(names) > 2 else \
        names[0] if len(names) == 2 else None
    return nodes.import_(path, names=names[-1:], all=False, target=target, pos=node.get("@pos"))


# --- operators -------------------------------------------------------------------------------

def _infix(node: Node, context: Context) -> Node:
    """a + b + c: one expression, its operator once, c an extended operand (JDT's)."""
    token = node.get("operator")
    if not isinstance(token, str):
        return node
    left = node.get("left")
    if (is_type(left, "java:binary_expression") and is_type(left.get("operator"), "uast:Operator")
            and left["operator"].get("@token") == token):
        extended = left.get("extended_operands") or []
        out = {key: value for key, value in node.items() if key not in ("left", "right", "operator")}
        out.update(left=left.get("left"), operator=left["operator"], right=left.get("right"),
                   extended_operands=[*extended, node.get("right")])
        return out
    node["operator"] = operator(token)
    return node


TABLE = LanguageTable(
    identifiers=("identifier", "type_identifier"),
    strings=("string_literal",),
    blocks=("block", "constructor_body"),
    not_generic=("character_literal", "true", "false"),
    roles={
        "method_declaration": ("Declaration", "Function"),
        "constructor_declaration": ("Declaration", "Function"),
        "compact_constructor_declaration": ("Declaration", "Function"),
        "field_declaration": ("Declaration", "Variable"),
        "constant_declaration": ("Declaration", "Variable"),
        # Statements (what is assigned in an initializer block is no field of the outline).
        "expression_statement": ("Statement",),
        "local_variable_declaration": ("Declaration", "Statement", "Variable"),
        "method_invocation": ("Call", "Expression"),
        "object_creation_expression": ("Call", "Expression", "Instance"),
        "lambda_expression": ("Anonymous", "Declaration", "Function"),
        "import_declaration": ("Declaration", "Import"),
        "binary_expression": ("Binary", "Expression"),
        "assignment_expression": ("Assignment", "Binary", "Expression"),
        "return_statement": ("Return", "Statement"),
        "if_statement": ("If", "Statement"),
        "true": ("Boolean", "Expression", "Literal"),
        "false": ("Boolean", "Expression", "Literal"),
    },
    field_roles={
        # An anonymous class's body (`new T() {...}`, an enum constant's `{...}`) is a type
        # written in place, as javac's and JDT's AnonymousClassDeclaration (the Java driver): the
        # outline lists its members under the enum constant, and under nothing else.
        ("object_creation_expression", "children"): ("Anonymous", "Declaration", "Expression", "Type"),
        ("enum_constant", "body"): ("Anonymous", "Declaration", "Expression", "Type"),
        ("method_invocation", "name"): ("Callee",),
        ("method_invocation", "arguments"): ("Argument", "Positional"),
        ("binary_expression", "left"): ("Left",),
        ("binary_expression", "right"): ("Right",),
    },
    # `++`, `--` are no field, but the node's token (a binary expression's: `_infix`).
    operators={
        "assignment_expression": Operator(),
        "unary_expression": Operator(),
        "update_expression": Operator(token=True),
    },
    symbols={
        "package_declaration": "package",
        "class_declaration": "class",
        "interface_declaration": "interface",
        "annotation_type_declaration": "interface",
        "annotation_type_element_declaration": "method",
        "enum_declaration": "enum",
        "enum_constant": "enum_member",
        "record_declaration": "struct",
    },
    transforms={
        "scoped_identifier": _qualified("scope", "name"),
        "scoped_type_identifier": _qualified(),
        "field_access": _qualified("object", "field"),
        "string_literal": _string,
        "line_comment": _comment,
        "block_comment": _comment,
        "program": _attach_javadoc,
        "class_body": _attach_javadoc,
        "interface_body": _attach_javadoc,
        "annotation_type_body": _attach_javadoc,
        "enum_body": _attach_javadoc,
        "enum_body_declarations": _attach_javadoc,
        "method_declaration": _method,
        "constructor_declaration": _method,
        "compact_constructor_declaration": _method,
        "field_declaration": _field,
        "constant_declaration": _field,
        "record_declaration": _record,
        "package_declaration": _package,
        "import_declaration": _import,
        "binary_expression": _infix,
    },
    # None of these changes its children: the Javadoc's declaration and a field's declarators are
    # copies; the rest build new nodes of them (a method, an import, a dotted name, `a + b + c`)
    # or change only the node they are given (a package's token).
    keeps_children=("program", "class_body", "interface_body", "annotation_type_body", "enum_body",
                    "enum_body_declarations", "method_declaration", "constructor_declaration",
                    "compact_constructor_declaration", "field_declaration", "constant_declaration",
                    "record_declaration", "package_declaration", "import_declaration", "binary_expression",
                    "scoped_identifier", "scoped_type_identifier", "field_access"),
)
