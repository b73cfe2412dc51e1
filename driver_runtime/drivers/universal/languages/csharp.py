"""C# (tree-sitter-c-sharp), shaped as Babelfish's C# driver (Roslyn) gave it.

Babelfish's conventions for C#, and how this table follows them:

* Names: every identifier token is a uast:Identifier, ``@for`` named ``for``; ``var`` is one too
  (Roslyn's IdentifierName), while keyword types (``int``, ``string``) stay native, as do
  ``global`` (``global::X``) and an ``extern alias``'s name.  Only a qualified *type or namespace
  name* (Roslyn's QualifiedName: tree-sitter's ``qualified_name``) is a uast:QualifiedIdentifier
  (a generic last name stays native in it); ``a.b`` in an expression stays a member access.
* Literals: strings (regular, verbatim, raw) are uast:String whose Value is the decoded text; a
  character literal stays native, as does an interpolated string (its parts too).
* Functions: methods, constructors, destructors and the functions of a file's top level are
  uast:FunctionGroup (Alias, Function, FunctionType: none of the three with a position; the
  modifiers, attributes and type parameters beside the Alias); a method returns one uast:Argument
  whose Type is its return type (no position), a constructor returns nothing; an expression body
  (``=> x``) is a Block from the arrow to the end of the expression.  Lambdas, anonymous methods,
  local functions, operators, accessors stay native.
* Parameters, of any function or lambda, are uast:Argument spanning the whole parameter
  (modifiers included): ``this`` makes a Receiver, ``params`` a Variadic (tree-sitter gives that
  one no node), a default value the Init, ``ref``/``out``/``in`` hold the Type.
* ``using X;`` is a uast:Import of its name (All), ``using A = X;`` imports a uast:Alias (A, X).
* Comments: ``//`` and ``/* */`` as usual; consecutive ``///`` lines are ONE doc comment, from
  the first ``///`` to the end of the last line (its newline included), its text the lines
  without their ``///`` prefix.  Roslyn hangs comments on tokens (trivia): one on a line of its
  own belongs to the next token, one after a token on its line to that token.  The token's node
  takes it: a Block or the file as one of its statements, a FunctionGroup (its modifiers, name,
  keyword return type) among its Nodes, any other node in a uast:Group that wraps the node and
  its comments, where the node was.  Directives that hold no code (``#region``, ``#pragma``...)
  are trivia too, and no name or string in a directive is the program's.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from driver_runtime.drivers.universal import normalization
from driver_runtime.drivers.universal.rules import is_type, names_in, objects, quoted
from driver_runtime.drivers.universal.tables import Argument, Function, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]

P = "csharp:"


def _with_comments(new: Node, old: Node) -> Node:
    """The comments `old` held, kept in `new` (the file's transform puts them in their place)."""
    comments = [child for child in old.get("children") or () if is_type(child, "uast:Comment")]
    if comments and type(new) is dict:
        new.setdefault("children", []).extend(comments)
    return new


# --- names -------------------------------------------------------------------------------------

def identifier(node: Node, context: Context) -> Node:
    """An identifier, without the ``@`` that lets a keyword be one (``@for`` is ``for``); none
    for the empty one that the parser's recovery makes up."""
    name = node.get("@token")
    if not isinstance(name, str) or not name or "children" in node:
        return node
    return nodes.identifier(name.removeprefix("@"), node.get("@pos"))


def _native_identifier(name: Node) -> Node:
    return {"@type": P + "identifier", "@pos": name.get("@pos"), "@token": name.get("Name")}


def alias_qualified_name(node: Node, context: Context) -> Node:
    """``global::X``: ``global`` is a keyword, no name."""
    alias = node.get("alias")
    if is_type(alias, "uast:Identifier") and alias.get("Name") == "global":
        node["alias"] = _native_identifier(alias)
    return node


def extern_alias_directive(node: Node, context: Context) -> Node:
    """``extern alias A;``: Babelfish's C# left its name native."""
    name = node.get("name")
    if is_type(name, "uast:Identifier"):
        node["name"] = _native_identifier(name)
    return node


def qualified_name(node: Node, context: Context) -> Node:
    """``A.B.C`` as a type or namespace name: a QualifiedIdentifier of its names (the last one
    may be a generic name, kept native as Roslyn's QualifiedName.Right)."""
    names, right = names_in(node.get("qualifier")), node.get("name")
    if names is None or right is None:
        return node
    return _with_comments(nodes.qualified_identifier([*names, right], node.get("@pos")), node)


# --- literals ----------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{1,4}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "n": "\n",
                   "r": "\r", "t": "\t", "v": "\v"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uUx" and len(code) > 1:
        try:
            return chr(int(code[1:], 16))
        except ValueError:
            return match.group(0)
    return _SIMPLE_ESCAPES.get(code, match.group(0))


def string(node: Node, context: Context) -> Node:
    """A string literal's value, as the compiler reads it: escapes decoded in a regular string,
    ``""`` a quote in a verbatim one, a raw string's content as it is."""
    kind = node["@type"]
    text = context.text(node)
    if kind.endswith("raw_string_literal"):
        contents = [part for part in node.get("children") or () if is_type(part, P + "raw_string_content")]
        if any(not is_type(part, P + "raw_string_content") and not part.get("@type", "").startswith(P + "raw_string_")
               for part in node.get("children") or ()):
            return node
        return nodes.string("".join(part.get("@token", "") for part in contents), node.get("@pos"))
    body = text.removesuffix("u8")  # a UTF-8 string's suffix
    verbatim = kind.endswith("verbatim_string_literal")
    value = quoted(body, '@"', '"') if verbatim else quoted(body, '"')
    if value is None:
        return node
    return nodes.string(value.replace('""', '"') if verbatim else _ESCAPE.sub(_unescape, value), node.get("@pos"))


# --- functions ---------------------------------------------------------------------------------

def _returns_argument(group: Node) -> Node:
    """Babelfish's C# returns a function's type as an Argument without a name or a position."""
    if not is_type(group, "uast:FunctionGroup"):
        return group
    for member in group["Nodes"]:
        if is_type(member, "uast:Alias"):
            signature = member["Node"]["Type"]
            returns = signature.get("Returns")
            if returns:
                signature["Returns"] = [nodes.argument(type=value) for value in returns]
    return group


def function(spec: Function):
    """A FunctionGroup as Babelfish's C# has it: its return type an Argument, an expression body
    (``=> x``) a Block from the arrow to the end of the expression (Roslyn's driver made it one
    statement returning the expression), the comments of its parameter list kept."""
    build = normalization.function(spec)

    def transform(node: Node, context: Context) -> Node:
        body = node.get(spec.body) if spec.body else None
        if is_type(body, P + "arrow_expression_clause"):
            node[spec.body] = nodes.block([body], body.get("@pos"))
        parameters = node.get(spec.parameters) if spec.parameters else None
        comments = [child for child in (parameters.get("children") or ()) if is_type(child, "uast:Comment")] \
            if type(parameters) is dict else []
        group = _returns_argument(build(node, context))
        if comments and is_type(group, "uast:FunctionGroup"):
            group["Nodes"] = [*comments, *group["Nodes"]]
        return group
    return transform


_method = function(Function(returns="returns"))
_constructor = function(Function())
_top_level_function = function(Function(returns="type"))


def global_statement(node: Node, context: Context) -> Any:
    """A function at a file's top level is a method there for Roslyn (C# 7): a FunctionGroup,
    where a local function in a body stays native."""
    children = node.get("children") or []
    statements = [child for child in children if not is_type(child, "uast:Comment")]
    if len(statements) == 1 and is_type(statements[0], P + "local_function_statement"):
        group = _top_level_function(statements[0], context)
        if len(children) == 1:
            return group
        node["children"] = [group if child is statements[0] else child for child in children]
    return node


# --- parameters --------------------------------------------------------------------------------

_NOT_INIT = frozenset({P + "attribute_list", P + "modifier"})


def parameter(node: Node, context: Context) -> Node:
    """A parameter: ``this`` makes the Argument a Receiver, ``params`` a Variadic; another
    modifier (``ref``, ``out``, ``in``) holds the type, as Babelfish chained them."""
    children = node.get("children") or ()
    modifiers = [child for child in children if is_type(child, P + "modifier")]
    tokens = [modifier.get("@token") for modifier in modifiers]
    init = None
    for child in children:
        if type(child) is dict and child.get("@type") not in _NOT_INIT and not is_type(child, "uast:Comment"):
            init = child
    kind = node.get("type")
    for modifier in modifiers:
        if modifier.get("@token") not in ("this", "params"):
            modifier["type"] = kind
            kind = modifier
    return _with_comments(nodes.argument(node.get("name"), kind, init, variadic="params" in tokens,
                                         receiver="this" in tokens, pos=node.get("@pos")), node)


def implicit_parameter(node: Node, context: Context) -> Node:
    """``x`` in ``x => x + 1``: an Argument named x, spanning it."""
    name = identifier(node, context)
    if not is_type(name, "uast:Identifier"):
        return node
    return nodes.argument(name, pos=node.get("@pos"))


def parameter_list(node: Node, context: Context) -> Node:
    """``params T[] xs`` is no node of its own in tree-sitter-c-sharp: its `type` and `name` are
    the list's fields.  It becomes the Variadic Argument Roslyn has, in its place."""
    name, kind = node.get("name"), node.get("type")
    if name is None or kind is None:
        return node
    end = (name.get("@pos") or {}).get("end")
    start = (kind.get("@pos") or {}).get("start")
    if start is None or end is None:
        return node
    found = context.data.rfind(b"params", 0, start)
    if found >= 0 and not context.data[found + 6:start].strip():
        start = found
    variadic = nodes.argument(node.pop("name"), node.pop("type"), variadic=True, pos={"start": start, "end": end})
    children = node.get("children") or []
    children.append(variadic)
    children.sort(key=lambda child: (child.get("@pos") or {}).get("start", 0))
    node["children"] = children
    return node


# --- declarations ------------------------------------------------------------------------------

def member_variables(node: Node, context: Context) -> Node:
    """A field's (or an event's) declarators are the outline's symbols, named by their `name`:
    a ``const`` field's are constants, an event field's events (their type says so, as a
    symbol's kind goes by its node's type)."""
    if node["@type"] == P + "event_field_declaration":
        kind = "event_declarator"
    elif any(is_type(child, P + "modifier") and child.get("@token") == "const" for child in node.get("children") or ()):
        kind = "constant_declarator"
    else:
        return node
    for declaration in node.get("children") or ():
        if is_type(declaration, P + "variable_declaration"):
            for declarator in declaration.get("children") or ():
                if is_type(declarator, P + "variable_declarator"):
                    declarator["@type"] = P + kind
    return node


def namespace(node: Node, context: Context) -> Node:
    """A namespace named ``A.B`` (a QualifiedIdentifier) has its dotted name as its token, which
    the outline names it by (it takes only an Identifier from the `name` field)."""
    name = node.get("name")
    if is_type(name, "uast:QualifiedIdentifier"):
        node["@token"] = ".".join(str(part.get("Name")) for part in name["Names"] if type(part) is dict)
    else:
        node.pop("@token", None)
    return node


# --- imports -----------------------------------------------------------------------------------

_STATIC_USING = re.compile(r"(?:global\s+)?using\s+static\b")


def using_directive(node: Node, context: Context) -> Node:
    """``using X;`` imports all of X; ``using A = X;`` imports X as A (an Alias: no position)."""
    alias = node.get("name")
    paths = [child for child in node.get("children") or () if not is_type(child, "uast:Comment")]
    if len(paths) != 1:
        return node
    path = paths[0]
    if alias is not None:
        path = nodes.alias(alias, path)
    target = {"static": True} if _STATIC_USING.match(context.text(node)) else None
    return _with_comments(nodes.import_(path, all=True, target=target, pos=node.get("@pos")), node)


_NATIVE = {"uast:Identifier": "identifier", "uast:String": "string_literal", "uast:Bool": "boolean_literal"}


def _verbatim(value: Any, context: Context) -> Any:
    """A subtree with its names and literals native again: a directive's are no code."""
    if type(value) is list:
        return [_verbatim(item, context) for item in value]
    if type(value) is not dict:
        return value
    kind = value.get("@type", "")
    if kind in _NATIVE:
        return {"@type": P + _NATIVE[kind], "@pos": value.get("@pos"), "@token": context.text(value)}
    return {key: item if key[0] == "@" else _verbatim(item, context) for key, item in value.items()}


def directive(node: Node, context: Context) -> Node:
    """A preprocessor directive: Roslyn's trivia, with no names or strings of the program (the
    code an ``#if`` holds is the program's)."""
    fields = ("condition",) if node["@type"] in (P + "preproc_if", P + "preproc_elif") else None
    for key in list(node):
        if key[0] != "@" and (fields is None or key in fields):
            node[key] = _verbatim(node[key], context)
    return node


# --- comments (Roslyn's trivia) ----------------------------------------------------------------

# Nodes of tree-sitter's that Roslyn has not: a brace of theirs is their parent's token.
_NO_ROSLYN_NODE = frozenset({P + "declaration_list", P + "enum_member_declaration_list", P + "switch_body"})
# Directives that hold no code: trivia for Roslyn, as comments are.
_DIRECTIVES = frozenset(P + kind for kind in (
    "preproc_region", "preproc_endregion", "preproc_pragma", "preproc_define", "preproc_undef", "preproc_error",
    "preproc_warning", "preproc_line", "preproc_nullable"))
_BLANKS = b" \t\r\n\f\v"


def _span(node: Any) -> tuple[int, int] | None:
    pos = node.get("@pos") if type(node) is dict else None
    if not pos or pos.get("start") is None or pos.get("end") is None:
        return None
    return pos["start"], pos["end"]


def _first_start(value: Any) -> int | None:
    """Where a node (or the first of a list) starts; a node without a position by its content."""
    if type(value) is list:
        for item in value:
            found = _first_start(item)
            if found is not None:
                return found
        return None
    if type(value) is not dict:
        return None
    own = _span(value)
    if own is not None:
        return own[0]
    starts = [found for key, item in value.items() if key[0] != "@" and (found := _first_start(item)) is not None]
    return min(starts) if starts else None


def _is_trivia(item: Any) -> bool:
    return type(item) is dict and (item.get("@type") == "uast:Comment" or item.get("@type") in _DIRECTIVES)


def _detach_trivia(root: Node) -> list[Node]:
    """Every comment and directive of the tree, taken out of the lists that held them."""
    found: list[Node] = []
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        in_directive = node.get("@type", "").startswith(P + "preproc_")
        for key, value in list(node.items()):
            if type(value) is dict:
                if key[0] != "@":
                    stack.append(value)
            elif type(value) is list:
                kept = []
                for item in value:
                    if _is_trivia(item) and not (in_directive and item.get("@type") != "uast:Comment"):
                        found.append(item)
                    else:
                        kept.append(item)
                        if type(item) is dict:
                            stack.append(item)
                if len(kept) != len(value):
                    if kept or key != "children":
                        node[key] = kept
                    else:
                        del node[key]
    found.sort(key=lambda item: item["@pos"]["start"])
    return found


def _doc_comment(raw: str, pos: dict[str, int]) -> Node:
    prefix, text, suffix, tab = nodes.split_comment_tab(raw, "///")
    return nodes.comment(text, pos, prefix=prefix, suffix=suffix, tab=tab)


def _merge_doc_comments(trivia: list[Node], data: bytes) -> list[Node]:
    """Consecutive lines of ``///`` are one documentation comment for Roslyn, its span up to the
    end of the last line, newline included."""
    merged: list[Node] = []
    run: list[tuple[int, int]] = []

    def flush() -> None:
        if not run:
            return
        start, end = run[0][0], run[-1][1]
        if data[end:end + 2] == b"\r\n":
            end += 2
        elif data[end:end + 1] == b"\n":
            end += 1
        merged.append(_doc_comment(data[start:end].decode("utf-8", "replace"), {"start": start, "end": end}))
        run.clear()

    for item in trivia:
        start, end = item["@pos"]["start"], item["@pos"]["end"]
        raw = data[start:end]
        line_start = data.rfind(b"\n", 0, start) + 1
        is_doc = raw.startswith(b"///") and not raw.startswith(b"////") and not data[line_start:start].strip()
        if (is_doc and run and data[run[-1][1]:start].strip(_BLANKS) == b""
                and data.count(b"\n", run[-1][1], start) == 1):
            run.append((start, end))
            continue
        flush()
        if is_doc:
            run.append((start, end))
        else:
            merged.append(item)
    flush()
    return merged


Chain = list[tuple[Any, Any, Node]]  # (holder, key, node) steps: holder[key] is the node or a list holding it


def _positioned_children(node: Node) -> tuple[list[int], list[tuple[int, int, Chain]]]:
    """A node's children that have a position, in source order, each with the chain to it
    through the children without one (an Alias, a Function): their starts, and (start, end,
    chain)."""
    found: list[tuple[int, int, Chain]] = []
    stack: list[tuple[Node, str, Any, Chain]] = [
        (node, key, value, []) for key, value in node.items() if key[0] != "@"]
    while stack:
        holder, key, value, chain = stack.pop()
        if type(value) is list:
            stack.extend((holder, key, item, chain) for item in value)
        elif type(value) is dict:
            step = [*chain, (holder, key, value)]
            span = _span(value)
            if span is None:
                stack.extend((value, child_key, child, step)
                             for child_key, child in value.items() if child_key[0] != "@")
            else:
                found.append((span[0], span[1], step))
    found.sort(key=lambda entry: entry[0])
    return [entry[0] for entry in found], found


def _locate(root: Node, offset: int, index: dict[int, Any]) -> Chain:
    """The path to the innermost node that spans `offset`: (holder, key, node) from the root,
    through the nodes without a position on the way.  `index` keeps each node's children in
    source order for the next look-up."""
    path: Chain = [(None, None, root)]
    node = root
    while True:
        children = index.get(id(node))
        if children is None:
            children = index[id(node)] = _positioned_children(node)
        starts, entries = children
        at = bisect.bisect_right(starts, offset) - 1
        if at < 0 or entries[at][1] <= offset:
            return path
        chain = entries[at][2]
        path.extend(chain)
        node = chain[-1][2]


def _has_children(node: Node) -> bool:
    return any(key[0] != "@" and objects(value) for key, value in node.items())


def _directive_line(data: bytes, offset: int) -> tuple[int, int] | None:
    """The line around `offset`, if it is a preprocessor directive's (``#`` first on it)."""
    start = data.rfind(b"\n", 0, offset) + 1
    if data[start:offset + 1].lstrip(b" \t\f\v")[:1] != b"#":
        return None
    end = data.find(b"\n", offset)
    return start, len(data) if end < 0 else end


def _next_token(data: bytes, offset: int, ends: dict[int, int]) -> int | None:
    """Where the token after `offset` starts, blanks, other trivia and directives skipped."""
    size = len(data)
    while True:
        while offset < size and data[offset] in _BLANKS:
            offset += 1
        if offset >= size:
            return None
        if offset in ends:
            offset = ends[offset]
            continue
        if data[offset] == 35 and (line := _directive_line(data, offset)) is not None:  # '#'
            offset = line[1]
            continue
        return offset


def _previous_token(data: bytes, offset: int, starts: dict[int, int]) -> tuple[int | None, bool]:
    """Where the token before `offset` ends, and whether a line ends between the two (blanks and
    other trivia skipped)."""
    newline = False
    while True:
        while offset > 0 and data[offset - 1] in _BLANKS:
            offset -= 1
            newline = newline or data[offset] == 10
        if offset <= 0:
            return None, newline
        if offset in starts:
            offset = starts[offset]
            continue
        line = _directive_line(data, offset - 1)
        if line is not None:
            offset, newline = line[0], True
            continue
        return offset, newline


# What a FunctionGroup's header holds on the way to its tokens (no position of their own).
_SIGNATURE = frozenset({"uast:Alias", "uast:Function", "uast:FunctionType", "uast:Argument"})


def _function_token(path: list[tuple[Any, Any, Node]]) -> Node | None:
    """The FunctionGroup whose own token the path's last node is, Roslyn's trivia of which the
    method takes: a modifier, its name, a keyword return type."""
    node = path[-1][2]
    for index in range(len(path) - 2, 0, -1):
        outer = path[index][2]
        kind = outer.get("@type")
        if kind == "uast:FunctionGroup":
            inner = path[index + 1][2]
            if inner is node:
                return outer if is_type(node, P + "modifier") else None
            if is_type(inner, "uast:Alias") and (inner.get("Name") is node or (
                    is_type(node, P + "predefined_type") and path[-1][1] == "Type"
                    and is_type(path[-1][0], "uast:Argument") and path[-2][1] == "Returns")):
                return outer
            return None
        if kind not in _SIGNATURE:
            return None
    return None


def _anchor(root: Node, offset: int, index: dict[int, Any]) -> tuple[str, Any, Any, Node]:
    """Where Roslyn's trivia of the token at `offset` ends up: ("statements", holder, key, node)
    for a block or the file, ("function", ..., the FunctionGroup) for a method's header, or
    ("wrap", holder, key, node) for the node that a Group wraps with it."""
    path = _locate(root, offset, index)
    holder, key, node = path[-1]
    kind = node.get("@type", "")
    leaf = not _has_children(node)
    if not leaf and kind in _NO_ROSLYN_NODE and len(path) > 1:
        holder, key, node = path[-2]
        kind = node.get("@type", "")
    if kind == "uast:Block":
        return "statements", node, "Statements", node
    if len(path) == 1:
        return "statements", node, "children", node
    if kind == "uast:FunctionGroup":
        return "function", None, None, node
    if leaf:
        function = _function_token(path)
        if function is not None:
            return "function", None, None, function
    return "wrap", holder, key, node


def _insert_sorted(items: list[Any], new: Node) -> None:
    start = new["@pos"]["start"]
    index = len(items)
    while index > 0:
        before = _first_start(items[index - 1])
        if before is None or before <= start:
            break
        index -= 1
    items.insert(index, new)


def place_trivia(root: Node, context: Context) -> None:
    """Comments where Roslyn has them (see the module's docstring)."""
    data = context.data
    trivia = _merge_doc_comments(_detach_trivia(root), data)
    if not trivia:
        return
    ends = {item["@pos"]["start"]: item["@pos"]["end"] for item in trivia}
    starts = {item["@pos"]["end"]: item["@pos"]["start"] for item in trivia}
    groups: dict[int, tuple[Any, Any, Node, list[Node], list[Node]]] = {}
    functions: dict[int, tuple[Node, list[Node], list[Node]]] = {}
    index: dict[int, Any] = {}
    for item in trivia:
        start, end = item["@pos"]["start"], item["@pos"]["end"]
        previous, newline = _previous_token(data, start, starts)
        if previous is not None and not newline:
            trailing, offset = True, previous - 1
        else:
            trailing, offset = False, _next_token(data, end, ends)
        if offset is None:
            _insert_sorted(root.setdefault("children", []), item)
            continue
        how, holder, key, node = _anchor(root, offset, index)
        if how == "statements":
            _insert_sorted(holder.setdefault(key, []) if key == "children" else holder[key], item)
        elif how == "function":
            entry = functions.setdefault(id(node), (node, [], []))
            (entry[2] if trailing else entry[1]).append(item)
        else:
            entry = groups.setdefault(id(node), (holder, key, node, [], []))
            (entry[4] if trailing else entry[3]).append(item)
    for node, leading, trailing in functions.values():
        node["Nodes"] = [*leading, *node["Nodes"], *trailing]
    for holder, key, node, leading, trailing in groups.values():
        group = nodes.group([*leading, node, *trailing])
        value = holder[key]
        if value is node:
            holder[key] = group
        elif type(value) is list:
            for index, item in enumerate(value):
                if item is node:
                    value[index] = group
                    break


def _file_scoped_namespace(node: Node) -> None:
    """``namespace N;`` holds the rest of the file (tree-sitter has it end at its ``;``): what
    follows moves into it, as its members, and its span grows to theirs."""
    children = node.get("children") or []
    for index, child in enumerate(children):
        if is_type(child, P + "file_scoped_namespace_declaration"):
            members = children[index + 1:]
            if members:
                del children[index + 1:]
                child.setdefault("children", []).extend(members)
                end = max((span[1] for member in members if (span := _span(member)) is not None), default=None)
                if end is not None and child.get("@pos"):
                    child["@pos"] = {**child["@pos"], "end": max(end, child["@pos"]["end"])}
            return


def compilation_unit(node: Node, context: Context) -> Node:
    _file_scoped_namespace(node)
    if b"//" in context.data or b"/*" in context.data or b"#" in context.data:
        place_trivia(node, context)
    return node


TABLE = LanguageTable(
    # The file's transform moves every comment and directive of the tree to where Roslyn hangs it.
    deep=("compilation_unit",),
    identifiers=("identifier", "implicit_type"),
    strings=("string_literal", "verbatim_string_literal", "raw_string_literal"),
    # Roslyn's CharacterLiteralExpression stays native.
    not_generic=("character_literal",),
    blocks=("block",),
    # Their transforms are this file's (Babelfish's C# shape), the specs give their roles.
    functions={
        "method_declaration": Function(returns="returns"),
        "constructor_declaration": Function(),
        "destructor_declaration": Function(),
    },
    arguments={"parameter": Argument()},
    roles={
        "invocation_expression": ("Call", "Expression"),
        "implicit_parameter": ("Argument",),
        "qualified_name": ("Identifier", "Qualified"),
        "using_directive": ("Declaration", "Import"),
        "local_function_statement": ("Declaration", "Function"),
        "lambda_expression": ("Declaration", "Function"),  # a function expression, as Babelfish marks one
        "anonymous_method_expression": ("Declaration", "Function"),
    },
    field_roles={("invocation_expression", "function"): ("Callee",),
                 ("invocation_expression", "arguments"): ("Argument",)},
    symbols={
        "class_declaration": "class",
        "struct_declaration": "struct",
        "interface_declaration": "interface",
        "enum_declaration": "enum",
        "enum_member_declaration": "enum_member",
        "record_declaration": "class",
        "variable_declarator": "field",  # locals are none: the outline leaves a function's out
        "constant_declarator": "constant",
        "event_declarator": "event",
        "namespace_declaration": "namespace",
        "file_scoped_namespace_declaration": "namespace",
        "property_declaration": "property",
        "event_declaration": "event",
        "delegate_declaration": "function",
    },
    transforms={
        "identifier": identifier,
        "implicit_type": identifier,
        "qualified_name": qualified_name,
        "alias_qualified_name": alias_qualified_name,
        "extern_alias_directive": extern_alias_directive,
        "string_literal": string,
        "verbatim_string_literal": string,
        "raw_string_literal": string,
        "method_declaration": _method,
        "constructor_declaration": _constructor,
        "destructor_declaration": _constructor,
        "global_statement": global_statement,
        "parameter": parameter,
        "implicit_parameter": implicit_parameter,
        "parameter_list": parameter_list,
        "using_directive": using_directive,
        "compilation_unit": compilation_unit,
        "field_declaration": member_variables,
        "namespace_declaration": namespace,
        "file_scoped_namespace_declaration": namespace,
        "event_field_declaration": member_variables,
        **dict.fromkeys(("preproc_if", "preproc_elif", "preproc_region", "preproc_endregion", "preproc_pragma",
                         "preproc_define", "preproc_undef", "preproc_error", "preproc_warning", "preproc_line",
                         "preproc_nullable"), directive),
    },
)
