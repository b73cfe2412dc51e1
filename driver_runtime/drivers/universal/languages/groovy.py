"""Groovy (the pack's tree-sitter-groovy: a loose grammar of `command`s made of `unit`s).

The grammar has no declarations: `class Book implements Lendable {` is a command of units
(`class`, `Book`, `implements`) and a `block` whose first child is the unit before its `{`
(`Lendable`); `def lend(String who) {` is the unit `def` and a block headed by the call-like
`lend(String who)`.  It fails on some operators (`<`, `*`, `<<`, `<=>`).  The transforms here
recognise declarations in those shapes (a small heuristic, the whole of this file):

* a `unit` of one name is an Identifier, of dotted names a QualifiedIdentifier;
* `import a.b.C` (`as D`: Names) is a uast:Import;
* `class`/`interface`/`enum`/`trait` and a name: a ``groovy:class_declaration`` (interface, enum,
  trait: their own types; a trait is an interface in the outline) with its members in a Block:
  in a class body, `Type name` is a field, `Type name()` an abstract method, `Name(...) {` (the
  class's name) a constructor, an enum's names its ``groovy:enum_constant``s;
* `<modifiers or type> name(params) { ... }` is a FunctionGroup (parameters `Type name = init`);
* `<def or type> name = value` an Assignment to name (a field in a class, a variable at the top);
* any other block is a closure, a bare Function (`{ a, b -> ... }`: its Arguments), after the
  callee it is passed to; a control statement's block (`if (...) {`) a Block.

The outline follows groovy-language-server's, but for fields (it: properties when declared
without a modifier) and script functions (it: methods of the script's class).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.rules import IDENTIFIER, assigned, children, first, is_type, name_of, span
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
G = "groovy:"
NAMES = (IDENTIFIER, "uast:QualifiedIdentifier")
PREFIXES = (IDENTIFIER, G + "generics_class", G + "array_type")
TYPES = {"class": "class_declaration", "interface": "interface_declaration", "enum": "enum_declaration",
         "trait": "trait_declaration"}
CONTROL = frozenset({"if", "else", "for", "while", "switch", "try", "catch", "finally", "do", "synchronized"})
COMMANDS = (G + "command", G + "end_command")


def _operator(node: Any, token: str) -> bool:
    return is_type(node, G + "operators") and node.get("@token") == token


def unit(node: Node, context: Context) -> Any:
    parts = children(node)
    if parts and all(is_type(part, IDENTIFIER) for part in parts):
        return parts[0] if len(parts) == 1 else nodes.qualified_identifier(parts, node.get("@pos"))
    if len(parts) == 1:
        return parts[0]
    return node


def _split(items: list[Node]) -> list[list[Node]]:
    """Items between `,` (arg_spliter)."""
    groups: list[list[Node]] = [[]]
    for item in items:
        if is_type(item, G + "arg_spliter"):
            groups.append([])
        elif not is_type(item, "uast:Comment"):
            groups[-1].append(item)
    return [group for group in groups if group]


def _parameters(arg_block: Any) -> list[Node]:
    arguments = []
    for group in _split(children(arg_block)):
        equal = next((index for index, item in enumerate(group) if _operator(item, "=")), len(group))
        head, init = group[:equal], group[equal + 1:]
        name = head[-1] if head else None
        kind = head[-2] if len(head) > 1 else None
        pos = span(group[0], group[-1])
        arguments.append(nodes.argument(name, kind, (init[0] if len(init) == 1 else init or None), pos=pos))
    return arguments


def _function(name_call: Node, body: list[Node] | None, pos: Any, extra: list[Node], block: Node | None) -> Node:
    parts = children(name_call)
    name = parts[0] if parts else None
    arg_block = first(parts, G + "arg_block")
    declared = extra[-1] if extra else None  # `String name()`, `List<T> name()`; not `def`, `void`, modifiers
    typed = is_type(declared, G + "generics_class") or name_of(declared) not in (
        None, "def", "void", "static", "final", "private", "public", "protected", "abstract")
    returns = [declared] if declared is not None and typed else None
    block_node = nodes.block(body, block.get("@pos") if block else None) if body is not None else None
    function = nodes.function(nodes.function_type(_parameters(arg_block), returns), block_node)
    return nodes.function_group(name, function, pos, extra or None)


def _closure(block: Node) -> list[Node]:
    """A block after its callee: [the callee, a Function]."""
    items = children(block)
    head = items[0] if items and not is_type(items[0], *COMMANDS) else None
    body = items[1:] if head is not None else items
    arguments: list[Node] = []
    if body and is_type(body[0], *COMMANDS):
        opening = children(body[0])
        arrow = next((index for index, item in enumerate(opening) if _operator(item, "->")), None)
        if arrow is not None:
            arguments = [nodes.argument(group[-1], pos=group[-1].get("@pos")) for group in _split(opening[:arrow])]
            rest = opening[arrow + 1:]
            body = ([{**body[0], "children": rest}] if rest else []) + body[1:]
    if _operator(head, "="):  # `def f = { ... }`: the `=` went into the block
        head = None
    function = nodes.function(nodes.function_type(arguments), nodes.block(body, block.get("@pos")), block.get("@pos"))
    return [head, function] if head is not None else [function]


def _members(items: list[Node], name: str | None, kind: str) -> list[Node]:
    """A type's body: what the command transform could not tell without knowing it is one."""
    out: list[Node] = []
    for item in items:
        parts = children(item) if is_type(item, *COMMANDS) else []
        if not parts:
            out.append(item)
            continue
        if kind == "enum_declaration" and all(is_type(part, IDENTIFIER, G + "func", G + "arg_spliter")
                                              for part in parts):
            for group in _split(parts):
                label = group[0] if is_type(group[0], IDENTIFIER) else (children(group[0]) or [None])[0]
                out.append({"@type": G + "enum_constant", "@pos": group[0].get("@pos"), "name": label,
                            "children": group})
            continue
        last = parts[-1]
        if is_type(last, G + "func") and len(parts) > 1 and all(is_type(part, *PREFIXES) for part in parts[:-1]):
            out.append(_function(last, None, item.get("@pos"), parts[:-1], None))  # abstract
            continue
        if len(parts) == 2 and is_type(parts[0], G + "func") and is_type(last, "uast:Function") and name_of(
                (children(parts[0]) or [None])[0]) == name:  # a constructor (read as a call and a closure)
            body = last.get("Body") or {}
            out.append(_function(parts[0], body.get("Statements") or [], item.get("@pos"), [], last))
            continue
        if len(parts) > 1 and all(is_type(part, *PREFIXES) for part in parts) and is_type(last, IDENTIFIER):
            # `Type name`: a copy (the command's conversion may be kept for the next parse, memo.py,
            # and be taken into a block that is no type's body)
            out.append(assigned(dict(item), last, "Declaration"))
            continue
        out.append(item)
    return out


def command(node: Node, context: Context) -> Node:
    parts = children(node)
    if not parts:
        return node
    node["@pos"] = span(parts[0], parts[-1]) or node.get("@pos")  # not its ending newline
    word = name_of(parts[0])
    if word == "import":
        rest = [part for part in parts[1:] if name_of(part) != "static"]
        path = first(rest, *NAMES)
        alias = next((rest[index + 1] for index, part in enumerate(rest[:-1]) if name_of(part) == "as"), None)
        return nodes.import_(path, alias, pos=node.get("@pos")) if path is not None else node
    if word == "package":  # no symbol (as Kotlin's and Scala's)
        return node
    keyword = next((index for index, part in enumerate(parts) if name_of(part) in TYPES), None)
    block = parts[-1] if is_type(parts[-1], G + "block") else None
    if keyword is not None and block is not None:
        inner = children(block)
        following = parts[keyword + 1]
        name = following if is_type(following, IDENTIFIER) else (
            inner[0] if inner and is_type(inner[0], IDENTIFIER) else None)
        kind = TYPES[name_of(parts[keyword])]
        node["@type"] = G + kind
        node["name"] = name
        node["children"] = [part for part in parts[:-1] if part is not name] + (
            [inner[0]] if inner and inner[0] is not name else [])
        node["body"] = nodes.block(_members(inner[1:], name_of(name), kind), block.get("@pos"))
        return node
    if block is not None and len(parts) > 1 and all(is_type(part, *PREFIXES) for part in parts[:-1]):
        inner = children(block)
        if inner and is_type(inner[0], G + "func"):  # def name(...) { ... }
            return _function(inner[0], inner[1:], node.get("@pos"), parts[:-1], block)
    if word in CONTROL:
        node["children"] = [nodes.block(children(part), part.get("@pos")) if is_type(part, G + "block") else part
                            for part in parts]
        return node
    converted: list[Node] = []
    for part in parts:
        converted.extend(_closure(part) if is_type(part, G + "block") else [part])
    node["children"] = converted
    equal = next((index for index, part in enumerate(converted) if _operator(part, "=")), None)
    if (equal is None and len(converted) > 2 and is_type(converted[-1], "uast:Function")
            and is_type(converted[-2], IDENTIFIER)):
        equal = len(converted) - 1  # `def f = { ... }`: its `=` went into the closure
        name_index = equal - 1
    else:
        name_index = equal - 1 if equal else None
    if name_index is not None and name_index >= 1 and is_type(converted[name_index], IDENTIFIER) and all(
            is_type(part, *PREFIXES) for part in converted[:name_index]):
        return assigned(node, converted[name_index], "Declaration")
    return node


TABLE = LanguageTable(
    symbols={
        "class_declaration": "class",
        "interface_declaration": "interface",
        "trait_declaration": "interface",
        "enum_declaration": "enum",
        "enum_constant": "enum_member",
    },
    transforms={"unit": unit, "command": command, "end_command": command},
    # A command does not change its children: it builds new nodes of them (functions, closures,
    # blocks, a type's members, a field as a copy) or changes only its own fields.  Not `unit`: it
    # may return its child, which then takes its roles (carry_roles).
    keeps_children=("command", "end_command"),
)
