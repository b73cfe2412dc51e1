"""The transformation table (semantic mode): native Java nodes -> Babelfish's uast:* nodes.

One small function per concept, as Babelfish's Java driver mapped JDT's nodes (its fixtures
show the shapes): names are uast:Identifier / uast:QualifiedIdentifier, string literals
uast:String, blocks uast:Block, comments uast:Comment, a Javadoc a uast:Group of its
description (a uast:Group) and tags, imports uast:Import, methods and constructors the
uast:FunctionGroup -> uast:Alias -> uast:Function chain, operators uast:Operator.  Types stay
native (Declaration and Type roles, the name a uast:Identifier).  Children are transformed
before their parent.

Positions are UTF-8 byte offsets (the host converted javac's UTF-16 offsets) and are the
spans JDT gave: a method or type starts at its Javadoc; a parameter spans its modifiers, type
and name; an import spans its statement.  As in Babelfish, the Alias, Function and
FunctionType of a method and its return uast:Argument have no position, and neither has a
uast:Operator (JDT gives operators none).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.sdk import nodes
from driver_runtime.sdk.literals import java_unescape
from driver_runtime.sdk.normalizer import Context, Transform

Node = dict[str, Any]

# --- names and literals ------------------------------------------------------------------------


def _simple_name(node: Node, _ctx: Context) -> Node:
    return nodes.identifier(node.get("@token", ""), node.get("@pos"))


def _names(node: Any) -> list[Node]:
    """The identifiers of a name (uast:Identifier or uast:QualifiedIdentifier)."""
    if isinstance(node, dict):
        if node.get("@type") == "uast:QualifiedIdentifier":
            return list(node.get("Names") or [])
        if node.get("@type") == "uast:Identifier":
            return [node]
    return [node] if node is not None else []


def _qualified_name(node: Node, _ctx: Context) -> Node:
    """a.b.c: QualifiedName(QualifiedName(a, b), c) -> QualifiedIdentifier [a, b, c]."""
    return nodes.qualified_identifier(_names(node.get("qualifier")) + _names(node.get("name")), node.get("@pos"))


def _string(node: Node, _ctx: Context) -> Node:
    text = node.get("escapedValue") or '""'
    return nodes.string(java_unescape(text[1:-1] if len(text) >= 2 else ""), node.get("@pos"))


def _text_block(node: Node, _ctx: Context) -> Node:
    return nodes.string(node.get("literalValue", ""), node.get("@pos"))


# --- comments ----------------------------------------------------------------------------------

# Java's String.trim(): every char up to U+0020.
_JAVA_BLANKS = "".join(chr(code) for code in range(0x21))


def _comment_text(raw: str) -> str:
    """The comment's text as Babelfish's Java driver read it: each line trimmed."""
    return "\n".join(line.strip(_JAVA_BLANKS) for line in raw.split("\n"))


def _comment(opener: str, closer: str, block: bool) -> Transform:
    def transform(node: Node, _ctx: Context) -> Node:
        prefix, text, suffix, tab = nodes.split_comment_tab(_comment_text(node.get("text") or ""), opener, closer)
        return nodes.comment(text, node.get("@pos"), block=block, prefix=prefix, suffix=suffix, tab=tab)
    return transform


_line_comment = _comment("//", "", False)
_block_comment = _comment("/*", "*/", True)
_javadoc_comment = _comment("/**", "*/", True)


def _javadoc(node: Node, ctx: Context) -> Node:
    """A Javadoc: a free one (in the unit's comments) is a uast:Comment; one attached to a
    declaration is a uast:Group of its tags."""
    if "text" in node:
        return _javadoc_comment(node, ctx)
    return nodes.group(node.get("tags") or [], node.get("@pos"))


def _tag(node: Node, _ctx: Context) -> Node:
    """The description of a Javadoc (a tag without a name) is a uast:Group; named tags stay."""
    if node.get("tagName") is None:
        return nodes.group(node.get("fragments") or [], node.get("@pos"))
    return node


def _text_element(node: Node, _ctx: Context) -> Node:
    prefix, text, suffix = nodes.split_comment(node.get("text") or "", "")
    return nodes.comment(text, node.get("@pos"), block=False, prefix=prefix, suffix=suffix)


# --- blocks, imports ---------------------------------------------------------------------------


def _block(node: Node, _ctx: Context) -> Node:
    return nodes.block(node.get("statements"), node.get("@pos"))


def _import(node: Node, _ctx: Context) -> Node:
    """import a.b.C -> Import {Path: a.b, Names: [C]}; import a.b.* -> {Path: a.b, All};
    static imports say so in Target, as in Babelfish."""
    name = node.get("name")
    # Babelfish put {static} untyped in Target; typed here, as every node the server walks must be
    target = {"@type": "java:ImportTarget", "static": node.get("static", "false")}
    if node.get("onDemand") == "true":
        return nodes.import_(name, names=[], all=True, target=target, pos=node.get("@pos"))
    names = _names(name)
    path = None
    if len(names) > 1:
        path = nodes.qualified_identifier(names[:-1], name.get("@pos") if isinstance(name, dict) else None)
    return nodes.import_(path, names=names[-1:], all=False, target=target, pos=node.get("@pos"))


def _package(node: Node, _ctx: Context) -> Node:
    """The package's dotted name as its token (the outline's name for it)."""
    names = _names(node.get("name"))
    node["@token"] = ".".join(str(n.get("Name")) for n in names if isinstance(n, dict))
    return node


# --- methods -----------------------------------------------------------------------------------


def _argument(parameter: Node) -> Node:
    """A parameter (SingleVariableDeclaration) as a uast:Argument spanning it."""
    return nodes.argument(name=parameter.get("name"), type=parameter.get("type"), init=parameter.get("initializer"),
                          variadic=parameter.get("varargs") == "true", pos=parameter.get("@pos"))


def _is_void(node: Any) -> bool:
    return isinstance(node, dict) and node.get("@type") == "java:PrimitiveType" and node.get("@token") == "void" \
        and not node.get("annotations")


def _method(node: Node, _ctx: Context) -> Node:
    """A method or constructor: uast:FunctionGroup [javadoc, modifiers, Alias(name -> Function),
    MethodDeclarationRest {constructor, thrownExceptionTypes, typeParameters}] spanning the
    whole declaration."""
    arguments = [_argument(p) for p in node.get("parameters") or [] if isinstance(p, dict)]
    if node.get("receiverType") is not None:
        arguments.insert(0, nodes.argument(name=node.get("receiverQualifier"), type=node["receiverType"],
                                           receiver=True))
    returned = node.get("returnType2")
    returns = None if returned is None or _is_void(returned) else [nodes.argument(type=returned)]
    function = nodes.function(nodes.function_type(arguments, returns), node.get("body"))
    group = nodes.function_group(node.get("name"), function, node.get("@pos"),
                                 extra=[node.get("javadoc"), node.get("modifiers")])
    # Babelfish kept the rest of the declaration in an untyped map; it has a type here, as
    # every node the language server walks must (see the driver's report).
    group["Nodes"].append({
        "@type": "java:MethodDeclarationRest",
        "constructor": node.get("constructor", "false"),
        "thrownExceptionTypes": node.get("thrownExceptionTypes"),
        "typeParameters": node.get("typeParameters"),
    })
    return group


# --- operators ---------------------------------------------------------------------------------


def _operator(roles: tuple[str, ...]) -> Transform:
    """The operator string of an expression as a uast:Operator with the expression's roles
    (JDT gives an operator no position, nor does this)."""
    def transform(node: Node, _ctx: Context) -> Node:
        operator = node.get("operator")
        if isinstance(operator, str):
            own = [role for role in node.get("@role") or () if role not in ("Left", "Right", "Body", "Function",
                                                                           "Condition", "If", "While", "DoWhile")]
            node["operator"] = {"@type": "uast:Operator", "@token": operator,
                                "@role": sorted(set(own) | set(roles))}
        return node
    return transform


# --- fields (the outline's variables) ----------------------------------------------------------


def _as_variable(declarator: Any) -> None:
    """A field's declarator as the outline finds a type's variables (docs/writing-a-driver.md):
    an Assignment node whose name is its Target (JDT's "name" field, moved, not copied: a
    copy would be a second identifier at the same place)."""
    if isinstance(declarator, dict) and isinstance(declarator.get("name"), dict):
        declarator["@role"] = sorted(set(declarator.get("@role") or ()) | {"Assignment"})
        declarator["Target"] = declarator.pop("name")


def _field(node: Node, _ctx: Context) -> Node:
    for fragment in node.get("fragments") or ():
        _as_variable(fragment)
    return node


def _record(node: Node, _ctx: Context) -> Node:
    """A record's components are its fields."""
    for component in node.get("recordComponents") or ():
        _as_variable(component)
    return node


TRANSFORMS: dict[str, Transform] = {
    "SimpleName": _simple_name,
    "QualifiedName": _qualified_name,
    "StringLiteral": _string,
    "TextBlock": _text_block,
    "LineComment": _line_comment,
    "BlockComment": _block_comment,
    "Javadoc": _javadoc,
    "TagElement": _tag,
    "TextElement": _text_element,
    "Block": _block,
    "ImportDeclaration": _import,
    "PackageDeclaration": _package,
    "MethodDeclaration": _method,
    "InfixExpression": _operator(("Binary",)),
    "Assignment": _operator(("Assignment", "Binary")),
    "PrefixExpression": _operator(("Unary",)),
    "PostfixExpression": _operator(("Postfix", "Unary")),
    "FieldDeclaration": _field,
    "RecordDeclaration": _record,
}
