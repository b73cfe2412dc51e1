"""Ruby (tree-sitter-ruby), close to Babelfish's Ruby driver (the `parser` gem), as the native
driver (drivers/ruby) is:

- a method (`def`) is a uast:FunctionGroup spanning its `def` keyword (Babelfish's span; the
  whole definition is the span of a map beside the alias) -> uast:Alias named by the method's
  name -> uast:Function whose body is a positionless uast:Block; its parameters, and a block's,
  are uast:Argument spanning the parameter's name (`*a` variadic, `**a` map-variadic);
- a sequence of several statements (a file's, a body's, a branch's) is a uast:Block spanning
  them, and so are parentheses and `#{...}`; a lone statement stands by itself;
- variables read (`a`, `@a`, `@@a`, `$a`) are uast:Identifier at the name; an assignment is
  Babelfish's lvasgn / ivasgn / cvasgn / gvasgn / casgn (masgn for `a, b = ...`, op_asgn for
  `a += 1`, whose operator is a uast:Operator), named by its token and by a positionless
  uast:Identifier; so are constants (const), symbols (sym), classes and modules;
- a call is named by its method as a string (Babelfish's selector), not an identifier; a call
  with a receiver also has Babelfish's identifiers of its method: a positionless one when it
  has arguments, and one spanning the call (its `qname`); `a < b` is such a call, `a + b` an
  operator (no name); `require "x"` holds a uast:RuntimeImport of "x";
- strings are uast:String (their quotes in their span; the literal runs of an interpolated or
  backquoted string each a String); `true`/`false` are uast:Bool; comments uast:Comment.
"""

from __future__ import annotations

import re
from typing import Any

from driver_runtime.drivers.universal.rules import children_of, is_type, kind, literal_runs, operator, position, span
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]

# Babelfish's operators (its send_operator); any other binary method is a call (`a < b`).
OPERATORS = frozenset({"+", "-", "*", "/", "%", "**", "&", "|", "^", "~", "<<", ">>", "==", "===", "<=", ">=", "!=",
                       "!", "eql?", "equal?"})
LOGICAL = frozenset({"&&", "||", "and", "or", "not"})
REQUIRES = frozenset({"require", "require_relative"})
ATTRIBUTES = frozenset({"attr", "attr_reader", "attr_writer", "attr_accessor"})
# Clauses of a body that are no statements of its sequence.
CLAUSES = frozenset({"rescue", "else", "ensure", "then", "when", "in"})


def _prefix(node: Node) -> str:
    return node["@type"].partition(":")[0]


def sequence(items: list[Any]) -> Any:
    """Statements as Babelfish's: several are a uast:Block spanning them, one is itself (a copy:
    its conversion may be kept for the next parse, memo.py, and what replaces a body takes the
    body's roles, carry_roles); their comments stay beside them (a Block's statements, or the
    lone statement's `comments`)."""
    statements = [item for item in items if not is_type(item, "uast:Comment")]
    comments = [item for item in items if is_type(item, "uast:Comment")]
    if len(statements) > 1:
        return nodes.block(items, span(statements[0], statements[-1]))
    if not statements:
        return nodes.block(items) if comments else None
    single = statements[0]
    if type(single) is dict:
        single = dict(single)
        if comments:
            single["comments"] = [*(single.get("comments") or ()), *comments]
    return single


def body(node: Node, context: Context) -> Any:
    """body_statement, then, else, do, block_body: a sequence; clauses (rescue, ensure...) stay
    in a native node around it."""
    items = children_of(node)
    clauses = [item for item in items if kind(item) in CLAUSES]
    if not clauses:
        result = sequence(items)
        return result if result is not None else node
    node["children"] = [item for item in items if kind(item) in CLAUSES]
    statements = sequence([item for item in items if kind(item) not in CLAUSES])
    if statements is not None:
        node["body"] = statements
    return node


def program(node: Node, context: Context) -> Node:
    items = node.get("children") or []
    statements = [item for item in items if not is_type(item, "uast:Comment")]
    if len(statements) > 1:
        comments = [item for item in items if is_type(item, "uast:Comment")]
        node["children"] = [nodes.block(statements, span(statements[0], statements[-1])), *comments]
    return node


def parenthesized(node: Node, context: Context) -> Node:
    """`(a; b)`: a uast:Block spanning the parentheses."""
    return nodes.block(children_of(node), position(node))


def interpolation(node: Node, context: Context) -> Node:
    """`#{...}`: a uast:Block spanning it."""
    return nodes.block([item for item in children_of(node)], position(node))


# --- names -------------------------------------------------------------------------------------

def name_of(node: Any) -> str | None:
    """The name a node spells: an identifier's, a constant's or a native named node's token."""
    if is_type(node, "uast:Identifier"):
        return node["Name"]
    if type(node) is dict and isinstance(node.get("@token"), str):
        return node["@token"]
    return None


def named(node: Node, name: str) -> Node:
    """A native node named as Babelfish's: its token the name, a positionless identifier its
    `name`."""
    node["@token"] = name
    node["name"] = nodes.identifier(name)
    return node


def constant(node: Node, context: Context) -> Node:
    """`Foo`: Babelfish's const, named by a positionless identifier."""
    text = context.text(node)
    node["@type"] = f"{_prefix(node)}:const"
    return named(node, text)


def symbol(node: Node, context: Context) -> Node:
    """`:foo`, `foo:` (a hash key): Babelfish's sym, named by a positionless identifier."""
    text = context.text(node).strip()
    name = text[1:] if text.startswith(":") else text.removesuffix(":")
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1]
    node["@type"] = f"{_prefix(node)}:sym"
    return named(node, name)


_ASSIGNMENTS = {"@@": "cvasgn", "@": "ivasgn", "$": "gvasgn"}


def target(value: Any, prefix: str) -> Any:
    """What an assignment assigns to, as Babelfish's: a variable is an lvasgn, ivasgn, cvasgn
    or gvasgn, a constant a casgn (each named by a positionless identifier; a constant's a copy:
    its conversion may be kept for the next parse, memo.py, where it may be no target); other
    targets (an attribute, an element) stay as they are."""
    if is_type(value, "uast:Identifier"):
        name = value["Name"]
        kind_ = next((kind_ for sigil, kind_ in _ASSIGNMENTS.items() if name.startswith(sigil)), "lvasgn")
        node: Node = {"@type": f"{prefix}:{kind_}", "@role": ["Assignment", "Identifier", "Left"]}
        if "@pos" in value:
            node["@pos"] = value["@pos"]
        return named(node, name)
    if kind(value) == "const":
        roles = sorted({"Assignment", "Constant", "Declaration", "Variable"})
        return {**value, "@type": f"{prefix}:casgn", "@role": roles}
    if kind(value) == "scope_resolution":  # A::B = 1
        value = {**value, "@type": f"{prefix}:casgn"}
        name = name_of(value.get("name"))
        if name:
            value["@token"] = name
        return value
    return value


def assignment(node: Node, context: Context) -> Node:
    """`a = 1`: Babelfish's lvasgn (ivasgn...) named a, valued 1; `a, b = ...`: a masgn."""
    prefix = _prefix(node)
    left, right = node.get("left"), node.get("right")
    assigned = target(left, prefix)
    if type(assigned) is dict and assigned is not left or kind(assigned) == "casgn":
        assigned.pop("children", None)
        assigned["value"] = right
        if assigned.get("@pos") and node.get("@pos"):
            assigned["@pos"] = node["@pos"]
        for key, value in node.items():
            if key not in ("@type", "@pos", "@role", "@token", "left", "right"):
                assigned[key] = value
        return assigned
    if kind(left) == "left_assignment_list":
        node["@type"] = f"{prefix}:masgn"
    node.pop("@token", None)
    return node


def targets(node: Node, context: Context) -> Node:
    """`a, (b, c)`: Babelfish's mlhs of lvasgn."""
    prefix = _prefix(node)
    node["children"] = [target(item, prefix) for item in node.get("children") or []]
    node["@type"] = f"{prefix}:mlhs"
    return node


def operator_assignment(node: Node, context: Context) -> Node:
    """`a += 1`: Babelfish's op_asgn, its operator `+` a uast:Operator, its target an lvasgn."""
    symbol_ = node.get("operator")
    if isinstance(symbol_, str):
        node["operator"] = operator(symbol_.removesuffix("=") or symbol_, ("Operator",))
    left = node.pop("left", None)
    node["target"] = target(left, _prefix(node))
    node["value"] = node.pop("right", None)
    node["@type"] = f"{_prefix(node)}:op_asgn"
    return node


# --- literals ----------------------------------------------------------------------------------

_ESCAPES = re.compile(
    r"\\(?:([ntrsvfbae0\\\"#])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f ]+)\}|(.))", re.DOTALL)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "s": " ", "v": "\v", "f": "\f", "b": "\b", "a": "\a", "e": "\x1b",
           "0": "\0", "\\": "\\", '"': '"', "#": "#"}


def _decoded(text: str) -> str:
    def one(match: re.Match) -> str:
        simple, octal, hexa, short, braced, other = match.groups()
        try:
            if simple:
                return _SIMPLE[simple]
            if octal:
                return chr(int(octal, 8))
            if hexa:
                return chr(int(hexa, 16))
            if short:
                return chr(int(short, 16))
            if braced:
                return "".join(chr(int(part, 16)) for part in braced.split())
        except ValueError:
            return match.group(0)
        return "\\" + other if other is not None else match.group(0)
    return _ESCAPES.sub(one, text)


_LITERAL_PARTS = frozenset({"string_content", "escape_sequence"})


def string(node: Node, context: Context) -> Node:
    """"a", 'a', %q(a): a uast:String spanning its quotes; interpolated: Babelfish's dstr, its
    literal runs uast:String."""
    parts = children_of(node)
    text = context.text(node)
    single = text.startswith(("'", "%q"))
    decode = (lambda raw: re.sub(r"\\([\\'])", r"\1", raw)) if single else _decoded
    if all(kind(part) in _LITERAL_PARTS for part in parts):
        if not parts:
            return nodes.string("", position(node))
        start, end = parts[0]["@pos"]["start"], parts[-1]["@pos"]["end"]
        return nodes.string(decode(context.data[start:end].decode("utf-8", "replace")), position(node))
    node["children"] = literal_runs(parts, _LITERAL_PARTS, context, decode)
    node["@type"] = f"{_prefix(node)}:dstr"
    return node


def bare_string(node: Node, context: Context) -> Node:
    """A word of %w(...): a uast:String; with interpolation (%W), its runs."""
    parts = children_of(node)
    if all(kind(part) in _LITERAL_PARTS for part in parts):
        return nodes.string(_decoded(context.text(node)), position(node))
    node["children"] = literal_runs(parts, _LITERAL_PARTS, context, _decoded)
    return node


def regex(node: Node, context: Context) -> Node:
    """/text/im: Babelfish's regexp, its text a uast:String (its runs when it interpolates)."""
    node["children"] = literal_runs(children_of(node), _LITERAL_PARTS, context, lambda raw: raw)
    node["@type"] = f"{_prefix(node)}:regexp"
    return node


def delimited_symbol(node: Node, context: Context) -> Node:
    """:"foo": a sym; :"a#{b}": Babelfish's dsym, its literal runs uast:String."""
    parts = children_of(node)
    if all(kind(part) in _LITERAL_PARTS for part in parts):
        return symbol(node, context)
    node["children"] = literal_runs(parts, _LITERAL_PARTS, context, _decoded)
    node["@type"] = f"{_prefix(node)}:dsym"
    return node


def pair(node: Node, context: Context) -> Node:
    """`"a": 1` in a hash: its key is a symbol (a sym named a), as `a: 1`'s."""
    key, value = node.get("key"), node.get("value")
    key_pos, value_pos = position(key), position(value)
    if is_type(key, "uast:String") and key_pos and value_pos:
        between = context.data[key_pos["end"]:value_pos["start"]]
        if b"=>" not in between and b":" in between:
            sym: Node = {"@type": f"{_prefix(node)}:sym", "@role": ["Literal", "Symbol"], "@pos": key_pos}
            node["key"] = named(sym, key["Value"])
    return node


def subshell(node: Node, context: Context) -> Node:
    """`ls`: Babelfish's xstr, its literal runs uast:String."""
    node["children"] = literal_runs(children_of(node), _LITERAL_PARTS, context, _decoded)
    node["@type"] = f"{_prefix(node)}:xstr"
    return node


def comment(node: Node, context: Context) -> Node:
    raw = str(node.get("@token") or "")
    if raw.startswith("=begin"):
        prefix, text, suffix = nodes.split_comment(raw.rstrip("\r\n"), "=begin", "=end")
        return nodes.comment(text, position(node), block=True, prefix=prefix, suffix=suffix)
    prefix, text, suffix = nodes.split_comment(raw.rstrip("\r\n"), "#")
    return nodes.comment(text, position(node), prefix=prefix, suffix=suffix)


# --- methods -----------------------------------------------------------------------------------

_PARAMETERS = {
    "optional_parameter": {}, "keyword_parameter": {}, "block_parameter": {},
    "splat_parameter": {"variadic": True}, "hash_splat_parameter": {"map_variadic": True},
}


def parameter(item: Any) -> Any:
    """A parameter as Babelfish's uast:Argument, spanning its name."""
    if is_type(item, "uast:Identifier"):
        return nodes.argument(name=item, pos=position(item))
    native = kind(item)
    if native in _PARAMETERS:
        name = item.get("name")
        return nodes.argument(name=name, init=item.get("value"), pos=position(name) if name else position(item),
                              **_PARAMETERS[native])
    return item


def parameters(node: Node, context: Context) -> Node:
    """method_parameters, block_parameters, lambda_parameters: their parameters as Arguments."""
    for key in ("children", "locals"):
        value = node.get(key)
        if type(value) is list:
            node[key] = [parameter(item) for item in value]
        elif type(value) is dict:
            node[key] = parameter(value)
    return node


def method(node: Node, context: Context) -> Node:
    """def -> FunctionGroup spanning `def`; its whole definition is the span of the map beside
    the alias; its body a positionless Block holding the body (none: empty)."""
    pos = position(node)
    start = pos.get("start") if pos else None
    params = node.get("parameters")
    arguments = [item for item in children_of(params) if not is_type(item, "uast:Comment")] if params else []
    inner = node.get("body")
    function = nodes.function(nodes.function_type(arguments), nodes.block([inner] if inner is not None else []))
    keyword = {"start": start, "end": start + 3} if start is not None else None
    name = node.get("name")
    if not is_type(name, "uast:Identifier"):  # an operator (`def +(o)`), a setter (`def c=(v)`)
        text = context.text(name) if type(name) is dict else ""
        name = nodes.identifier(text, position(name)) if text else None
    extent = {key: value for key, value in node.items()
              if key not in ("@type", "@role", "@token", "name", "parameters", "body")}
    return nodes.function_group(name, function, pos=keyword, extra=[extent])


def singleton_method(node: Node, context: Context) -> Node:
    """def self.x: native (Babelfish's defs), named by its name; its body a sequence."""
    name = node.get("name")
    text = name_of(name) or (context.text(name) if type(name) is dict else "")
    if text:
        node["@token"] = text
    return node


def declaration(node: Node, context: Context) -> Node:
    """class, module: native, named by its token and a positionless identifier; its body, as
    Babelfish's, a list."""
    name = node.get("name")
    text = _written_name(name, context)
    if text:
        named(node, text)
    inner = node.get("body")
    if inner is not None:
        node["body"] = [inner]
    superclass = node.get("superclass")
    if kind(superclass) == "superclass":
        items = children_of(superclass)
        node["superclass"] = items[0] if len(items) == 1 else superclass
    return node


def singleton_class(node: Node, context: Context) -> Node:
    """class << self: Babelfish's sclass, named "<< self" (what it opens)."""
    value = node.get("value")
    node["@token"] = "<< " + (" ".join(context.text(value).split()) if type(value) is dict else "self")
    return node


def _written_name(name: Any, context: Context) -> str:
    if type(name) is not dict:
        return ""
    if kind(name) == "scope_resolution" and name.get("@pos"):
        return context.text(name)
    return name_of(name) or ""


# --- calls -------------------------------------------------------------------------------------

def _selector(value: Any, context: Context) -> str:
    if value is None:
        return "call"
    return name_of(value) or context.text(value)


def _call_span(node: Node, method_node: Any) -> Any:
    """Babelfish's span of a call's name: the call without its block (`a.map(x)` of
    `a.map(x) { ... }`)."""
    pos = position(node)
    if not pos or node.get("block") is None:
        return pos
    ends = [part["end"] for part in (position(method_node), position(node.get("arguments"))) if part]
    return {"start": pos["start"], "end": max(ends)} if ends else pos


def call(node: Node, context: Context) -> Node:
    """A call: its method a string (Babelfish's selector); with a receiver, Babelfish's
    identifiers of the method (positionless with arguments, and one spanning the call)."""
    method_node = node.pop("method", None)
    selector = _selector(method_node, context)
    node["selector"] = selector
    receiver = node.get("receiver")
    arguments = [item for item in children_of(node.get("arguments")) if not is_type(item, "uast:Comment")]
    if receiver is None:
        if selector in REQUIRES:
            node["Names"] = [nodes.import_(value, kind="uast:RuntimeImport") for value in arguments]
            node.pop("arguments", None)  # its paths are the imports' paths
        elif selector in ATTRIBUTES and type(node.get("arguments")) is dict:
            node["arguments"] = _attributes(node["arguments"])
        return node
    if arguments:
        node["name"] = nodes.identifier(selector)
    node["qname"] = nodes.identifier(selector, _call_span(node, method_node))
    return node


def _attributes(listed: Node) -> Node:
    """The arguments of `attr_reader :a, :b`: its symbols are attributes (in a copy of the list:
    its conversion may be kept for the next parse, memo.py, and be taken for another call)."""
    def attribute(value: Any) -> Any:
        return {**value, "@type": f"{_prefix(value)}:attribute"} if kind(value) == "sym" else value

    copy = dict(listed)
    for key, value in listed.items():
        if key[0] != "@":
            copy[key] = [attribute(item) for item in value] if type(value) is list else attribute(value)
    return copy


def binary(node: Node, context: Context) -> Node:
    """`a + b`: an operator; `a < b`: a call of `<` (Babelfish's send_call), named as one."""
    symbol_ = node.get("operator")
    if not isinstance(symbol_, str) or symbol_ in OPERATORS or symbol_ in LOGICAL:
        return node
    node["name"] = nodes.identifier(symbol_)
    node["qname"] = nodes.identifier(symbol_, position(node))
    return node


def element_reference(node: Node, context: Context) -> Node:
    """`a[i]`: a call of `[]` (Babelfish's send_array)."""
    node["qname"] = nodes.identifier("[]", position(node))
    return node


_SEQUENCE = body

TABLE = LanguageTable(
    identifiers=("instance_variable", "class_variable", "global_variable"),
    strings=("string",),
    # Babelfish's Ruby: `nil` and `self` stay native; a constant is a const (see `constant`).
    not_generic=("constant", "method"),
    roles={
        "call": ("Call", "Expression"),
        "binary": ("Binary", "Expression", "Operator"),
        "unary": ("Expression", "Operator", "Unary"),
        "assignment": ("Assignment", "Binary", "Expression"),
        "operator_assignment": ("Assignment", "Binary", "Expression", "Operator"),
        "if": ("If", "Statement"),
        "unless": ("If", "Statement"),
        "while": ("Statement", "While"),
        "until": ("Statement", "While"),
        "for": ("For", "Iterator", "Statement"),
        "case": ("Statement", "Switch"),
        "when": ("Case",),
        "return": ("Return", "Statement"),
        "integer": ("Literal", "Number"),
        "float": ("Literal", "Number"),
        "nil": ("Literal", "Null"),
        "self": ("Expression", "This"),
        "block": ("Anonymous", "Declaration", "Function"),
        "do_block": ("Anonymous", "Declaration", "Function"),
        "lambda": ("Anonymous", "Declaration", "Function"),
        "method": ("Declaration", "Function"),
        "singleton_method": ("Declaration", "Function"),
    },
    field_roles={
        ("call", "receiver"): ("Callee",),
        ("call", "arguments"): ("Argument",),
        ("binary", "left"): ("Left",),
        ("binary", "right"): ("Right",),
        ("assignment", "left"): ("Left",),
        ("assignment", "right"): ("Right",),
        ("if", "condition"): ("Condition",),
        ("*", "body"): ("Body",),
    },
    symbols={
        "class": "class",
        "module": "module",
        "singleton_class": "class",
        "singleton_method": "method",
        "casgn": "constant",
        "attribute": "property",
    },
    transforms={
        "program": program,
        "body_statement": _SEQUENCE,
        "then": _SEQUENCE,
        "else": _SEQUENCE,
        "do": _SEQUENCE,
        "block_body": _SEQUENCE,
        "ensure": _SEQUENCE,
        "begin": _SEQUENCE,
        "parenthesized_statements": parenthesized,
        "interpolation": interpolation,
        "constant": constant,
        "simple_symbol": symbol,
        "hash_key_symbol": symbol,
        "delimited_symbol": delimited_symbol,
        "bare_string": bare_string,
        "bare_symbol": symbol,
        "regex": regex,
        "pair": pair,
        "assignment": assignment,
        "left_assignment_list": targets,
        "destructured_left_assignment": targets,
        "operator_assignment": operator_assignment,
        "string": string,
        "subshell": subshell,
        "comment": comment,
        "method_parameters": parameters,
        "block_parameters": parameters,
        "lambda_parameters": parameters,
        "method": method,
        "singleton_method": singleton_method,
        "class": declaration,
        "module": declaration,
        "singleton_class": singleton_class,
        "call": call,
        "binary": binary,
        "element_reference": element_reference,
    },
    # None of these changes its children: they build new nodes of them (a method, a sequence's
    # Block, parameters' Arguments, a string's runs, a name), put a changed copy in their own
    # place of one (a lone statement, an assignment's target, an attribute's symbols), or change
    # only the node they are given.
    keeps_children=("program", "body_statement", "then", "else", "do", "block_body", "ensure", "begin",
                    "parenthesized_statements", "interpolation", "delimited_symbol", "bare_string", "regex", "pair",
                    "assignment", "left_assignment_list", "destructured_left_assignment", "operator_assignment",
                    "string", "subshell", "method_parameters", "block_parameters", "lambda_parameters", "method",
                    "singleton_method", "class", "module", "singleton_class", "call", "binary", "element_reference"),
)
