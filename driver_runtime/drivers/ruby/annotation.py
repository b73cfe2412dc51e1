"""The role tables of the Ruby driver (annotated mode): Babelfish roles by native node type and
by the field a node is found in.

The native types are those of Babelfish's Ruby driver (the `parser` gem's node types, with
its kinds of `send`); the roles are the ones its fixtures show, except where they were plain
mistakes (`||=` was `Bitwise`, `return x` made `x` a `Binary` `Left`, a call without a receiver,
`helper(a)`, was no `Call`).  Roles that depend on
an operator (`+` is `Add`, `<<` is `LeftShift`) are in OPERATOR_ROLES and are added by
`operator_roles`.  Role names are Babelfish's (`uast/role`) only.
"""

from __future__ import annotations

from typing import Any

ASSIGNMENT = ("Assignment", "Binary", "Expression", "Identifier", "Left")
ARGUMENT = ("Argument", "Expression", "Identifier", "Name")

ROLES: dict[str, tuple[str, ...]] = {
    "file": ("File",),
    "comment": ("Comment", "Noop"),
    # definitions
    "module": ("Identifier", "Module", "Statement"),
    "class": ("Declaration", "Identifier", "Statement", "Type"),
    "sclass": ("Declaration", "Expression", "Incomplete", "Type"),
    "def": ("Declaration", "Function", "Identifier", "Statement"),
    "defs": ("Declaration", "Function", "Identifier", "Incomplete", "Statement"),
    "args": ("Argument", "Expression", "Incomplete"),
    "arg": ARGUMENT,
    "optarg": ARGUMENT,
    "restarg": ("Argument", "Expression", "Identifier", "List"),
    "kwarg": ("Argument", "Expression", "Map", "Name"),
    "kwoptarg": ("Argument", "Expression", "Incomplete", "Map", "Name"),
    "kwrestarg": ("Argument", "Expression", "Identifier", "Incomplete", "Map"),
    "kwnilarg": ("Argument", "Expression", "Incomplete", "Map"),
    "blockarg": ("Argument", "Expression", "Identifier", "Incomplete"),
    "shadowarg": ("Argument", "Expression", "Identifier", "Incomplete"),
    "forwarded_args": ("Argument", "Expression", "Incomplete"),
    "block": ("Block",),
    "lambda": ("Anonymous", "Declaration", "Expression", "Function"),
    "block_pass": ("Argument", "Expression", "Incomplete"),
    # statements and blocks
    "begin": ("Block",),
    "kwbegin": ("Block", "Expression"),
    "preexe": ("Block", "Incomplete", "Statement"),
    "postexe": ("Block", "Incomplete", "Statement"),
    "if": ("If", "Statement"),
    "case": ("Statement", "Switch"),
    "when": ("Case", "Expression", "Switch"),
    "case_match": ("Incomplete", "Statement", "Switch"),
    "in_pattern": ("Case", "Expression", "Incomplete", "Switch"),
    "aryptn": ("Expression", "Incomplete", "List"),
    "fndptn": ("Expression", "Incomplete", "List"),
    "hshptn": ("Expression", "Incomplete", "Map"),
    "match_as": ("Assignment", "Expression", "Incomplete"),
    "while": ("Statement", "While"),
    "until": ("Statement", "While"),
    "while_post": ("Statement", "While"),
    "until_post": ("Statement", "While"),
    "for": ("For", "Iterator", "Statement"),
    "return": ("Return", "Statement"),
    "break": ("Break", "Statement"),
    "next": ("Continue", "Statement"),
    "redo": ("Incomplete", "Statement"),
    "retry": ("Call", "Expression", "Incomplete", "Statement"),
    "rescue": ("Expression", "Try"),
    "resbody": ("Catch", "Expression"),
    "ensure": ("Expression", "Finally"),
    "alias": ("Alias", "Statement"),
    "undef": ("Incomplete", "Statement"),
    "defined?": ("Expression", "Incomplete"),
    "yield": ("Call", "Expression", "Incomplete"),
    "super": ("Call", "Expression", "Function", "Incomplete"),
    "zsuper": ("Call", "Expression", "Function", "Incomplete"),
    # assignments
    "lvasgn": ASSIGNMENT,
    "ivasgn": ASSIGNMENT,
    "cvasgn": ASSIGNMENT,
    "gvasgn": ASSIGNMENT,
    "casgn": ASSIGNMENT,
    "masgn": ("Assignment", "Expression", "Incomplete"),
    "mlhs": ("Incomplete", "Left"),
    "op_asgn": ("Assignment", "Binary", "Expression", "Operator"),
    "or_asgn": ("Assignment", "Binary", "Boolean", "Expression", "Operator", "Or"),
    "and_asgn": ("And", "Assignment", "Binary", "Boolean", "Expression", "Operator"),
    # calls (Babelfish's kinds of the parser gem's `send`)
    "send_qualified": ("Call", "Expression", "Identifier", "Qualified"),
    "send_identifier": ("Expression", "Identifier"),
    "send_call": ("Call", "Expression", "Function"),
    "send_array": ("Expression", "List"),
    "send_assign": ("Assignment", "Expression", "Left"),
    "send_operator": ("Expression", "Operator"),
    "send_statement": ("Statement",),
    "send_require": ("Expression", "Import", "Statement"),
    "and": ("And", "Binary", "Boolean", "Expression", "Operator"),
    "or": ("Binary", "Boolean", "Expression", "Operator", "Or"),
    # names
    "lvar": ("Expression", "Identifier"),
    "ivar": ("Expression", "Identifier", "Instance", "Visibility"),
    "gvar": ("Expression", "Identifier", "Visibility", "World"),
    "cvar": ("Expression", "Identifier", "Type", "Visibility"),
    "const": ("Expression", "Identifier", "Incomplete"),
    "cbase": ("Expression", "Identifier", "Incomplete", "Qualified"),
    "self": ("Expression", "This"),
    "nth_ref": ("Expression", "Incomplete", "Regexp"),
    "back_ref": ("Expression", "Incomplete", "Regexp"),
    # literals
    "nil": ("Null",),
    "true": ("Boolean", "Expression", "Literal"),
    "false": ("Boolean", "Expression", "Literal"),
    "int": ("Expression", "Literal", "Number", "Primitive"),
    "float": ("Expression", "Literal", "Number", "Primitive"),
    "rational": ("Expression", "Incomplete", "Literal", "Number", "Primitive"),
    "complex": ("Expression", "Incomplete", "Literal", "Number", "Primitive"),
    "str": ("Expression", "Literal", "Primitive", "String"),
    "dstr": ("Block", "Expression", "Incomplete", "String"),
    "xstr": ("Block", "Expression", "Incomplete", "Literal", "String"),
    "sym": ("Expression", "Identifier"),
    "attribute": ("Declaration", "Expression", "Identifier"),
    "dsym": ("Expression", "Incomplete", "String"),
    "Symbol": ("Expression", "Identifier"),
    "regexp": ("Expression", "Regexp"),
    "regopt": ("Expression", "Incomplete", "Regexp"),
    "array": ("Expression", "List", "Literal", "Primitive"),
    "hash": ("Expression", "Literal", "Map", "Primitive"),
    "pair": ("Expression", "Literal", "Primitive", "Tuple"),
    "splat": ("Expression", "Identifier", "Incomplete"),
    "kwsplat": ("Expression", "Incomplete"),
    "irange": ("Expression", "Incomplete", "Tuple"),
    "erange": ("Expression", "Incomplete", "Tuple"),
    "iflipflop": ("Expression", "Incomplete", "List"),
    "eflipflop": ("Expression", "Incomplete", "List"),
    "__FILE__": ("Expression", "Incomplete", "Literal", "String"),
    "__LINE__": ("Expression", "Incomplete", "Literal", "Number"),
    "__ENCODING__": ("Expression", "Incomplete", "Literal"),
}

# Roles from a node's place: (parent type or "*", field) -> roles added to the child there.
_VALUE_RIGHT = ("Binary", "Right")
FIELD_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "body"): ("Body",),
    ("*", "condition"): ("Condition", "Expression"),
    ("*", "left"): ("Left",),
    ("*", "right"): ("Right",),
    ("*", "_1"): ("Tuple", "Value"),
    ("*", "_2"): ("Tuple", "Value"),
    ("if", "body"): ("Body", "Expression", "Then"),
    ("if", "else"): ("Else", "Expression"),
    ("for", "body"): ("Body", "Expression", "For"),
    ("for", "iterated"): ("Expression", "For", "Update"),
    ("for", "iterators"): ("Expression", "For", "Iterator"),
    ("send_operator", "base"): ("Left",),
    ("send_operator", "values"): ("Right",),
    ("send_call", "values"): ("Argument", "Call", "Function"),
    ("send_qualified", "values"): ("Argument", "Call"),
    ("send_identifier", "values"): ("Argument", "Call"),
    ("send_statement", "values"): ("Argument", "Call"),
    ("send_assign", "values"): ("Assignment", "Right"),
    ("op_asgn", "target"): ("Left",),
    ("or_asgn", "target"): ("Left",),
    ("and_asgn", "target"): ("Left",),
    **{(parent, "value"): _VALUE_RIGHT
       for parent in ("lvasgn", "ivasgn", "cvasgn", "gvasgn", "casgn", "op_asgn", "or_asgn", "and_asgn")},
    ("class", "parent"): ("Base", "Type"),
    ("resbody", "exceptions"): ("Catch", "Type"),
    ("resbody", "alias"): ("Catch", "Identifier"),
    ("ensure", "ensure_body"): ("Body", "Finally"),
    ("rescue", "handlers"): ("Catch",),
}

# Operators (the parser gem's `send` selector, or op_asgn's operator) and their roles.
OPERATOR_ROLES: dict[str, tuple[str, ...]] = {
    "+": ("Add", "Arithmetic"),
    "-": ("Arithmetic", "Substract"),
    "*": ("Arithmetic", "Multiply"),
    "/": ("Arithmetic", "Divide"),
    "%": ("Arithmetic", "Modulo"),
    "**": ("Arithmetic", "Incomplete"),
    "&": ("And", "Bitwise"),
    "|": ("Bitwise", "Or"),
    "^": ("Bitwise", "Xor"),
    "~": ("Bitwise", "Incomplete"),
    "<<": ("Bitwise", "LeftShift"),
    ">>": ("Bitwise", "RightShift"),
    "==": ("Equal", "Relational"),
    "===": ("Identical", "Relational"),
    "<=": ("LessThanOrEqual", "Relational"),
    ">=": ("GreaterThanOrEqual", "Relational"),
    "<": ("LessThan", "Relational"),
    ">": ("GreaterThan", "Relational"),
    "!=": ("Equal", "Not", "Relational"),
    "!": ("Not", "Relational"),
    "eql?": ("Identical", "Relational"),
    "equal?": ("Identical", "Relational"),
    "||": ("Boolean", "Or"),
    "&&": ("And", "Boolean"),
}

# Babelfish's `send_statement` kinds, by method name.
STATEMENT_ROLES: dict[str, tuple[str, ...]] = {
    "each": ("For", "Iterator", "Statement"),
    "lambda": ("Anonymous", "Declaration", "Expression", "Function"),
    "private": ("Instance", "Statement", "Visibility"),
    "protected": ("Statement", "Subtype", "Visibility"),
    "public": ("Statement", "Visibility", "World"),
    "continue": ("Continue", "Statement"),
}


def operator_roles(node: dict[str, Any], operator: str, unary: bool) -> None:
    """Add the roles of an operator expression: Binary or Unary, and the operator's own."""
    roles = set(node.get("@role") or ())
    roles.add("Unary" if unary else "Binary")
    roles.update(OPERATOR_ROLES.get(operator, ("Incomplete",)))
    node["@role"] = sorted(roles)


def statement_roles(node: dict[str, Any], selector: str) -> None:
    kind = STATEMENT_ROLES.get(selector)
    if kind:
        roles = (set(node.get("@role") or ()) - {"Statement"}) | set(kind)
        node["@role"] = sorted(roles)
