"""Bash (tree-sitter-bash), shaped as Babelfish's Bash driver (IntelliJ's BashSupport parser) gave it.

Babelfish made a uast:Identifier of every shell *word*, a uast:String of every quoted literal and
a uast:FunctionGroup of every function, and left the rest native.  Its conventions, followed here:

* a word is an Identifier whatever its place: a command's name and arguments (`echo`, `-n`,
  `/dev/null`, `\\*`), an assignment's name and word value, a `for` variable and its list, a
  case pattern, a test operand, a name in arithmetic (`$(( n - 1 ))`: ``n``);
* the keyword of a declaration (`local`, `declare`, `export`, `readonly`, `typeset`) and of
  `unset` is a word too: an Identifier (tree-sitter drops it as an anonymous token);
* ``$x`` (and ``$1``, ``$@``, ``$#``) is one Identifier spelt with its ``$``; in ``${x}`` the
  Identifier is the name alone;
* a brace expansion (``{1..10}``) is one word;
* a decimal number (``0``, ``17``) is a number, not a word, as a command argument, an
  assignment's value or in arithmetic; any other spelling (``032``, ``0x64``, ``4#777``,
  ``-1``) is a word; inside a test (``[ $n -lt 2 ]``, ``[[ ]]``) and as a case pattern a number
  is a word; a test's operators (``-lt``, ``-n``) are not words;
* a double-quoted string of plain text is a String of the text between its quotes (escapes as
  written); one with expansions is no String: its expansions are there as they are, and each
  run of literal text between them is a String; a single-quoted (``'x'``) or ANSI-C
  (``$'x'``) string is a String spelt with its quotes;
* a function (``f() {...}`` or ``function f {...}``) is a FunctionGroup spanning the definition,
  whose Alias, name, Function, FunctionType and body Block have no positions;
* a comment is a Comment (its text after its one ``#``), but the shebang (``#!`` at the start of the file) is not;
* ``let`` and ``source``/``.`` were statements of their own in BashSupport: `let`'s arithmetic is
  no word at all, and the keyword `source` no Identifier (its file is, or is a String).

Outline: functions (FunctionGroup); top-level assignments are variables, those of ``readonly``
and ``declare -r`` constants (their nodes become ``bash:constant_assignment``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from driver_runtime.drivers.universal.rules import IDENTIFIER, children, children_of, is_type, objects
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
B = "bash:"
STRING = "uast:String"

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
# Where a plain decimal number is a number, and any other spelling a word: a command's arguments,
# an assignment's value, a redirect, an array's or a `for`'s items.  In arithmetic numbers are
# numbers whatever their spelling; in tests and case patterns they are words.  (A transform's
# context names its parent by its grammar type, without the language prefix.)
_WORD_PLACES = frozenset({"command", "variable_assignment", "concatenation", "array", "file_redirect",
                          "declaration_command", "for_statement"})
# Expansions that do not hold a test's or a let's words: their content is a language of its own.
_OPAQUE = frozenset({B + "arithmetic_expansion", B + "command_substitution", B + "process_substitution"})


def _pos(start: int, end: int) -> dict[str, int]:
    return {"start": start, "end": end}


def _descend(node: Node, visit: Callable[[Node], Node], stop: frozenset[str] = frozenset()) -> None:
    """Calls visit(child) on every object below node, in no set order (not below the `stop`
    types): what visit returns replaces the child."""
    for key, value in list(node.items()):
        if key.startswith("@"):
            continue
        items = value if type(value) is list else [value]
        for index, child in enumerate(items):
            if type(child) is not dict:
                continue
            replaced = visit(child)
            if replaced is not child:
                if type(value) is list:
                    value[index] = replaced
                else:
                    node[key] = replaced
                child = replaced
            if child.get("@type") not in stop:
                _descend(child, visit, stop)


def _word(node: Node) -> Node:
    """A uast node made native again (a `let`'s arithmetic, `source`'s keyword)."""
    kind = node.get("@type")
    if kind == IDENTIFIER:
        return {"@type": B + "word", "@token": node["Name"], "@pos": node.get("@pos")}
    if kind == STRING:
        return {"@type": B + "string", "@token": node["Value"], "@pos": node.get("@pos")}
    return node


def _leaf_identifier(node: Node, context: Context) -> Node:
    return nodes.identifier(context.text(node), node.get("@pos"))


def number(node: Node, context: Context) -> Node:
    text = context.text(node)
    if context.parent_type == "case_item" or (
            context.parent_type in _WORD_PLACES and not _DECIMAL.fullmatch(text)):
        return nodes.identifier(text, node.get("@pos"))
    return node


def simple_expansion(node: Node, context: Context) -> Node:
    """`$x`: one Identifier spelt with its `$` (tree-sitter starts it at the blanks before `$`
    in a string: they are the string's)."""
    text = context.text(node)
    dollar = text.find("$")
    if dollar < 0 or not any(child.get("@type") == IDENTIFIER for child in children_of(node)):
        return node
    start = node["@pos"]["start"] + len(text[:dollar].encode("utf-8"))
    return nodes.identifier(text[dollar:], _pos(start, node["@pos"]["end"]))


def raw_string(node: Node, context: Context) -> Node:
    """'x' and $'x': a String spelt with its quotes, as BashSupport's token was."""
    return nodes.string(context.text(node), node.get("@pos"))


def string(node: Node, context: Context) -> Node:
    """"x": a String of the text between the quotes; with expansions, a String of each run of
    literal text between them (the expansions stay as they are)."""
    pos = node.get("@pos")
    if not pos:
        return node
    data = context.data
    start, end = pos["start"], pos["end"]
    if data[start:start + 1] != b'"' or data[end - 1:end] != b'"' or end - start < 2:
        return node
    parts = [child for child in children_of(node) if child.get("@type") != B + "string_content"]
    if not parts:
        return nodes.string(data[start + 1:end - 1].decode("utf-8", "replace"), pos)
    pieces: list[Node] = []
    cursor = start + 1
    for part in parts:
        part_pos = part.get("@pos")
        if not part_pos:
            continue
        if part_pos["start"] > cursor:
            pieces.append(nodes.string(data[cursor:part_pos["start"]].decode("utf-8", "replace"),
                                       _pos(cursor, part_pos["start"])))
        pieces.append(part)
        cursor = max(cursor, part_pos["end"])
    if end - 1 > cursor:
        pieces.append(nodes.string(data[cursor:end - 1].decode("utf-8", "replace"), _pos(cursor, end - 1)))
    kept = {key: value for key, value in node.items() if key.startswith("@")}
    kept["children"] = pieces
    return kept


def shell_comment(node: Node, context: Context) -> Node:
    """A comment, its text after its one `#` (`## x` is the text `# x`); the shebang line is
    none (Babelfish's Bash driver left it native)."""
    raw = node.get("@token")
    if not isinstance(raw, str) or not raw.startswith("#"):
        return node
    if (node.get("@pos") or {}).get("start") == 0 and raw.startswith("#!"):
        return node
    prefix, text, suffix = nodes.split_comment(raw.rstrip("\r\n"), "#")
    return nodes.comment(text, node.get("@pos"), prefix=prefix, suffix=suffix)


def function_definition(node: Node, context: Context) -> Node:
    """`f() {...}`, `function f {...}`: a FunctionGroup over the definition; its name, Alias,
    Function, FunctionType and body Block have no positions (as Babelfish's)."""
    name = node.get("name")
    if is_type(name, IDENTIFIER):
        name = nodes.identifier(name["Name"])
    elif type(name) is dict and isinstance(name.get("@token"), str):
        name = nodes.identifier(name["@token"])
    else:
        return node
    body = node.get("body")
    if is_type(body, B + "compound_statement"):
        statements = children_of(body)
    else:
        statements = objects(body)
    extra = children_of(node, {"name", "body"})
    signature = nodes.function_type([], None)
    return nodes.function_group(name, nodes.function(signature, nodes.block(statements)), node.get("@pos"),
                                extra or None)


def declaration(node: Node, context: Context) -> Node:
    """`local`/`declare`/`export`/`readonly`/`typeset`/`unset`: the keyword is a word (an
    Identifier); `readonly` and `declare -r` declare constants."""
    text = context.text(node)
    keyword = re.match(r"[A-Za-z_]+", text)
    if not keyword:
        return node
    start = node["@pos"]["start"]
    word = nodes.identifier(keyword.group(), _pos(start, start + len(keyword.group())))
    held = node.get("children")
    node["children"] = [word, *(held if type(held) is list else objects(held))]
    flags = [child["Name"] for child in node["children"][1:]
             if child.get("@type") == IDENTIFIER and child["Name"].startswith("-")]
    if keyword.group() == "readonly" or (keyword.group() in ("declare", "typeset", "local") and
                                         any("r" in flag[1:] for flag in flags)):
        for child in node["children"]:
            if child.get("@type") == B + "variable_assignment":
                child["@type"] = B + "constant_assignment"
    return node


def command(node: Node, context: Context) -> Node:
    """`let` holds arithmetic, no words; `source`/`.` is no word itself."""
    name = node.get("name")
    word = None
    if type(name) is dict:
        inner = children_of(name)
        if len(inner) == 1 and inner[0].get("@type") == IDENTIFIER:
            word = inner[0]["Name"]
    if word == "let":
        _descend(node, _word)
    elif word in ("source", "."):
        _descend(name, _word)
    return node


def test_command(node: Node, context: Context) -> Node:
    """`[ ... ]`, `[[ ... ]]`: its numbers are words.  A bracket glued to the next word (`[a`,
    `b]`) is no test syntax in the shell but part of that word (tree-sitter reads a test)."""
    leaves: list[Node] = []

    def visit(child: Node) -> Node:
        if child.get("@type") == B + "number":
            child = _leaf_identifier(child, context)
        if child.get("@type") in (IDENTIFIER, STRING, B + "test_operator") and child.get("@pos"):
            leaves.append(child)
        return child
    _descend(node, visit, _OPAQUE)
    text = context.text(node)
    if not text.startswith("[") or not leaves:
        return node
    leaves.sort(key=lambda leaf: leaf["@pos"]["start"])
    start, end = node["@pos"]["start"], node["@pos"]["end"]
    opener = "[[" if text.startswith("[[") else "["
    closer = "]" * len(opener)
    replaced: dict[int, Node] = {}
    added: list[Node] = []
    if len(text) > len(opener) and not text[len(opener)].isspace():
        first = leaves[0]
        if first["@pos"]["start"] == start + len(opener) and first["@type"] != STRING:
            name = opener + context.text(first)
            replaced[id(first)] = nodes.identifier(name, _pos(start, first["@pos"]["end"]))
        else:
            added.append(nodes.identifier(opener, _pos(start, start + len(opener))))
    close_start = end - len(closer)
    if text.endswith(closer) and len(text) > 2 * len(opener) and not text[-len(closer) - 1].isspace():
        # tree-sitter may have read the brackets of a glued `]]` as words: they are the closer.
        while leaves and leaves[-1]["@type"] == IDENTIFIER and leaves[-1]["Name"] == "]" and \
                leaves[-1]["@pos"]["start"] >= close_start:
            bracket = leaves.pop()
            replaced[id(bracket)] = _word(bracket)
        last = leaves[-1] if leaves else None
        if last is not None and last["@type"] == IDENTIFIER and last["@pos"]["end"] == close_start:
            base = replaced.get(id(last), last)
            replaced[id(last)] = nodes.identifier(base["Name"] + closer, _pos(base["@pos"]["start"], end))
        else:
            added.append(nodes.identifier(closer, _pos(close_start, end)))
    if replaced:
        _descend(node, lambda child: replaced.get(id(child), child), _OPAQUE)
    if added:
        node["children"] = sorted([*children(node), *added],
                                  key=lambda child: (child.get("@pos") or {}).get("start", 0))
    return node


TABLE = LanguageTable(
    # `let` and `source` make the words below them native again, in the lists that hold them (_descend).
    deep=("command", "test_command"),
    identifiers=("word", "special_variable_name", "extglob_pattern", "regex"),
    symbols={"variable_assignment": "variable", "constant_assignment": "constant"},
    transforms={
        "comment": shell_comment,
        "number": number,
        "simple_expansion": simple_expansion,
        "raw_string": raw_string,
        "ansi_c_string": raw_string,
        "string": string,
        "function_definition": function_definition,
        "declaration_command": declaration,
        "unset_command": declaration,
        "command": command,
        "test_command": test_command,
        "brace_expression": _leaf_identifier,
    },
)
