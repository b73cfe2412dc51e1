"""The transformation table of the Ruby driver: native nodes -> Babelfish's semantic uast:*.

One small function per concept; the walk is bottom-up, so each sees semantic children.  The
shapes follow Babelfish's Ruby driver (its `.sem.uast` fixtures):

* a method (`def`) is a uast:FunctionGroup -> uast:Alias -> uast:Function, with the
  parameters as uast:Argument in its uast:FunctionType; blocks keep their parameters as
  uast:Argument too;
* local, instance, class and global variables are uast:Identifier; strings uast:String;
  `true`/`false` uast:Bool; statement sequences, parentheses and `#{}` uast:Block; `require`
  a uast:RuntimeImport; comments uast:Comment;
* classes, modules, singleton methods (`def self.x`), constants, symbols and assignments stay
  native, named by their token and, as in Babelfish, by a uast:Identifier without a position
  (Babelfish put it in `@token`; here it is the `name` field, so that the token stays the
  name, which queries print);
* calls stay native, sorted as Babelfish did (send_qualified, send_call, send_identifier,
  send_array, send_assign, send_operator, send_statement, send_require).

Positions are true UTF-8 byte offsets (Babelfish's counted characters after non-ASCII text),
and follow Babelfish where it gave one: a method's uast:FunctionGroup spans its `def` keyword,
a parameter its name, a string its quotes.  Where Babelfish gave none, a position is added
only where it locates what a user looks for: a method's name (the uast:Alias's identifier), a
singleton method's name, and a method's whole definition, `end` included (on Babelfish's map
beside the alias).  A call with a receiver also names the method it calls with a
uast:Identifier that spans the whole call (`a.even?` for `even?`), as Babelfish did; Babelfish
collected those in the next receiverless call it met, here each stays on its own call
(`qname`).  Comments are all in the file's `comments` (Babelfish kept them only in files of
one statement, one byte short).
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.ruby import annotation
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context
from driver_runtime.sdk.uast import POS

Node = dict[str, Any]


def _pos(node: Node) -> dict[str, int] | None:
    return node.get(POS)


def _name_pos(context: Context, name: str, start: int | None) -> dict[str, int] | None:
    """The span of `name` at or after `start` in the source (a definition's name after its
    keyword), or None."""
    if start is None or not name:
        return None
    encoded = name.encode("utf-8")
    found = context.data.find(encoded, start)
    return {"start": found, "end": found + len(encoded)} if found >= 0 else None


# --- names ------------------------------------------------------------------------------------

def variable(node: Node, _context: Context) -> Node:
    """lvar, ivar, cvar, gvar -> uast:Identifier spanning the name."""
    return nodes.identifier(node.get("@token"), _pos(node))


def named(node: Node, _context: Context) -> Node:
    """A node named by its token (assignments, constants, symbols, classes, modules): the token
    stays the name (a query's label, the outline's name) and Babelfish's uast:Identifier of the
    name, without a position, is its `name`."""
    token = node.get("@token")
    if isinstance(token, str):
        node["name"] = nodes.identifier(token)
    return node


def singleton_method(node: Node, context: Context) -> Node:
    """def self.x: a native node (Babelfish had no FunctionGroup for it) whose `name` is a
    uast:Identifier spanning the name, found after the receiver."""
    token = node.get("@token")
    if isinstance(token, str):
        base = node.get("base")
        after = (base.get(POS) or {}).get("end") if isinstance(base, dict) else None
        start = after if after is not None else (_pos(node) or {}).get("start")
        node["name"] = nodes.identifier(token, _name_pos(context, token, start))
    return node


# --- literals ---------------------------------------------------------------------------------

def string(node: Node, _context: Context) -> Node:
    return nodes.string(node.get("@token") or "", _pos(node))


def true(node: Node, _context: Context) -> Node:
    return nodes.boolean(True, _pos(node))


def false(node: Node, _context: Context) -> Node:
    return nodes.boolean(False, _pos(node))


def block(node: Node, _context: Context) -> Node:
    """A statement sequence, parentheses or an interpolation -> uast:Block."""
    return nodes.block(node.get("body") or [], _pos(node))


def comment(node: Node, _context: Context) -> Node:
    raw = node.get("@token") or ""
    if node.get("block"):
        prefix, text, suffix = nodes.split_comment(raw, "=begin", "=end")
        return nodes.comment(text, _pos(node), block=True, prefix=prefix, suffix=suffix)
    prefix, text, suffix = nodes.split_comment(raw, "#")
    return nodes.comment(text, _pos(node), prefix=prefix, suffix=suffix)


# --- methods ----------------------------------------------------------------------------------

def argument(node: Node, _context: Context) -> Node:
    """A parameter (arg, optarg, restarg, kwarg, kwoptarg, kwrestarg, blockarg, shadowarg)
    -> uast:Argument spanning its name."""
    pos = _pos(node)
    name = node.get("@token")
    kind = node["@type"].partition(":")[2]
    return nodes.argument(
        name=nodes.identifier(name, pos) if name is not None else None,
        init=node.get("default"),
        variadic=kind == "restarg",
        map_variadic=kind == "kwrestarg",
        pos=pos,
    )


def method(node: Node, context: Context) -> Node:
    """def -> uast:FunctionGroup spanning `def` (Babelfish's span) -> uast:Alias, named by a
    uast:Identifier spanning the name -> uast:Function (without a position, as Babelfish).

    Beside the alias is Babelfish's map (it held the method's comments, when it had any); here
    it has the span of the whole definition, `end` included, and nothing else: the extent of
    the method, which no uast node of Babelfish's shape gives.
    """
    pos = _pos(node)
    start = pos.get("start") if pos else None
    name = node.get("@token") or ""
    args = node.get("args")
    arguments = args.get("children", []) if isinstance(args, dict) else []
    body = node.get("body")
    function = nodes.function(nodes.function_type(arguments), nodes.block([body] if body is not None else []))
    keyword = {"start": start, "end": start + 3} if start is not None else None
    name_pos = _name_pos(context, name, start + 3) if start is not None else None
    extent: Node = {POS: pos} if pos else {}
    return nodes.function_group(nodes.identifier(name, name_pos), function, pos=keyword, extra=[extent])


# --- calls --------------------------------------------------------------------------------------

def _call_name(node: Node, name: str) -> Node:
    """Babelfish's name of a call with a receiver: a uast:Identifier spanning the whole call."""
    if node.get("base") is not None:
        node["qname"] = nodes.identifier(name, _pos(node))
    return node


def send_qualified(node: Node, _context: Context) -> Node:
    """foo(...) without a receiver; qnames lists the name (Babelfish's shape)."""
    node["qnames"] = [node.get("selector")]
    return node


def send_call(node: Node, _context: Context) -> Node:
    """a.foo(x): named by a uast:Identifier (Babelfish's), and by the call's name."""
    selector = node.get("selector") or ""
    node["name"] = nodes.identifier(selector)
    return _call_name(node, selector)


def send_identifier(node: Node, _context: Context) -> Node:
    """a.foo, a[i]: the call's name only."""
    return _call_name(node, node.get("selector") or "")


def send_assign(node: Node, _context: Context) -> Node:
    """a.b = 1, a[i] = 1: named by the attribute (b, []), as Babelfish."""
    name = (node.get("selector") or "").removesuffix("=")
    node["name"] = nodes.identifier(name)
    return _call_name(node, name)


def send_operator(node: Node, _context: Context) -> Node:
    selector = node.get("selector") or ""
    annotation.operator_roles(node, selector, unary=not node.get("values"))
    return node


def send_statement(node: Node, _context: Context) -> Node:
    selector = node.get("selector") or ""
    annotation.statement_roles(node, selector)
    return node


def send_require(node: Node, _context: Context) -> Node:
    """require "x" -> the call, with a uast:RuntimeImport of each path in Names."""
    node["Names"] = [nodes.import_(value, kind="uast:RuntimeImport") for value in node.pop("values", None) or []]
    node["Path"] = node.pop("base", None)
    return node


def op_assign(node: Node, _context: Context) -> Node:
    """a += 1: the operator as uast:Operator."""
    operator = node.get("operator")
    if isinstance(operator, str):
        op: Node = {"@type": "uast:Operator", "@token": operator}
        annotation.operator_roles(op, operator, unary=False)
        op["@role"] = sorted(set(op["@role"]) | {"Expression", "Operator"})
        node["operator"] = op
        annotation.operator_roles(node, operator, unary=False)
    return node


def flipflop(node: Node, _context: Context) -> Node:
    """if a..b (a flip-flop): a bare name at either end is a uast:Identifier (Babelfish)."""
    for field in ("flip_1", "flip_2"):
        part = node.get(field)
        if isinstance(part, dict) and part.get("@type") == "ruby:send_qualified" and not part.get("values"):
            node[field] = nodes.identifier(part.get("selector"), _pos(part))
    return node


TRANSFORMS = {
    "lvar": variable, "ivar": variable, "cvar": variable, "gvar": variable,
    "lvasgn": named, "ivasgn": named, "cvasgn": named, "gvasgn": named, "casgn": named,
    "const": named, "sym": named, "attribute": named, "class": named, "module": named,
    "defs": singleton_method,
    "str": string, "true": true, "false": false,
    "begin": block,
    "comment": comment,
    "def": method,
    "arg": argument, "optarg": argument, "restarg": argument, "kwarg": argument, "kwoptarg": argument,
    "kwrestarg": argument, "blockarg": argument, "shadowarg": argument,
    "send_qualified": send_qualified, "send_call": send_call, "send_identifier": send_identifier,
    "send_array": send_identifier, "send_assign": send_assign, "send_operator": send_operator,
    "send_statement": send_statement, "send_require": send_require,
    "op_asgn": op_assign,
    "iflipflop": flipflop, "eflipflop": flipflop,
}
