"""The role table: which Babelfish roles each native Python node carries (annotated mode).

Roles follow what Babelfish's Python driver gave each native node (its fixtures show them),
except where those were plain mistakes: ``Mod`` was ``Module`` (here ``Modulo``), unary ``+``/``-``
were ``Bitwise`` (here ``Arithmetic``), every ``UnaryOp`` was ``Boolean`` and every ``If`` an
``Expression`` (here a ``Statement``), ``AnnAssign`` an ``Operator`` (here an ``Expression`` like
``Assign``), and ``BoolOp`` a ``Literal``.  Babelfish also added roles from a node's place in its
parent (``Left``, ``Callee``, ``Argument``...); those are not given here.  Role names are
Babelfish's (``uast/role``) only.
"""

from __future__ import annotations

import ast

from driver_runtime.drivers.python.native import Node

# Roles by native node type.  Sorted when attached, as Babelfish prints them.
ROLES: dict[str, tuple[str, ...]] = {
    "Module": ("File", "Module"),
    "ClassDef": ("Declaration", "Identifier", "Statement", "Type"),
    "FunctionDef": ("Declaration", "Function", "Identifier", "Statement"),
    "AsyncFunctionDef": ("Declaration", "Function", "Identifier", "Incomplete", "Statement"),
    "Lambda": ("Anonymous", "Declaration", "Expression", "Function"),
    "arguments": ("Argument", "Declaration", "Function", "Incomplete"),
    "arg": ("Argument", "Identifier", "Name"),
    "Return": ("Return", "Statement"),
    "Yield": ("Expression", "Incomplete", "Return", "Statement"),
    "YieldFrom": ("Expression", "Incomplete", "Return", "Statement"),
    "Await": ("Expression", "Incomplete"),
    "Assign": ("Assignment", "Binary", "Expression"),
    "AnnAssign": ("Assignment", "Binary", "Expression"),
    "AugAssign": ("Assignment", "Binary", "Expression", "Operator"),
    "NamedExpr": ("Assignment", "Binary", "Expression"),
    "Delete": ("Incomplete", "Statement"),
    "Expr": ("Expression",),
    "Pass": ("Noop", "Statement"),
    "Break": ("Break", "Statement"),
    "Continue": ("Continue", "Statement"),
    "If": ("If", "Statement"),
    "IfExp": ("Expression", "If"),
    "For": ("For", "Iterator", "Statement"),
    "AsyncFor": ("For", "Incomplete", "Iterator", "Statement"),
    "While": ("Statement", "While"),
    "With": ("Block", "Scope", "Statement"),
    "AsyncWith": ("Block", "Incomplete", "Scope", "Statement"),
    "withitem": ("Expression", "Identifier", "Incomplete"),
    "Try": ("Statement", "Try"),
    "TryStar": ("Statement", "Try"),
    "ExceptHandler": ("Catch", "Identifier", "Try"),
    "Raise": ("Statement", "Throw"),
    "Assert": ("Assert", "Statement"),
    "Global": ("Incomplete", "Statement", "Visibility", "World"),
    "Nonlocal": ("Incomplete", "Module", "Statement", "Visibility"),
    "Import": ("Declaration", "Import", "Statement"),
    "ImportFrom": ("Declaration", "Import", "Statement"),
    "alias": ("Alias", "Identifier", "Import", "Pathname"),
    "Call": ("Call", "Expression", "Function"),
    "keyword": ("Argument", "Call", "Function", "Name"),
    "Attribute": ("Expression", "Identifier", "Qualified"),
    "Subscript": ("Expression", "Incomplete"),
    "Slice": ("Expression", "Incomplete"),
    "Starred": ("Expression", "Identifier", "Incomplete"),
    "Name": ("Expression", "Identifier"),
    # Constant: see CONSTANT_ROLES
    "JoinedStr": ("Expression", "Incomplete", "Literal", "Primitive", "String"),
    "FormattedValue": ("Expression", "Incomplete"),
    "List": ("Expression", "List", "Literal", "Primitive"),
    "Tuple": ("Expression", "Literal", "Primitive", "Tuple"),
    "Set": ("Expression", "Literal", "Primitive", "Set"),
    "Dict": ("Expression", "Literal", "Map", "Primitive"),
    "ListComp": ("Expression", "For", "List"),
    "SetComp": ("Expression", "For", "List"),
    "DictComp": ("Expression", "For", "Map"),
    "GeneratorExp": ("Expression", "For", "Iterator"),
    "comprehension": ("Expression", "For", "Incomplete", "Iterator"),
    "BinOp": ("Binary", "Expression"),
    "BoolOp": ("Binary", "Boolean", "Expression", "Operator"),
    "UnaryOp": ("Expression", "Operator", "Unary"),
    "Compare": ("Binary", "Condition", "Expression"),
    "Match": ("Case", "Statement", "Switch"),
    "match_case": ("Case", "Statement"),
    # operators
    "Add": ("Add", "Arithmetic", "Binary", "Operator"),
    "Sub": ("Arithmetic", "Binary", "Operator", "Substract"),
    "Mult": ("Arithmetic", "Binary", "Multiply", "Operator"),
    "MatMult": ("Arithmetic", "Binary", "Incomplete", "Multiply", "Operator"),
    "Div": ("Arithmetic", "Binary", "Divide", "Operator"),
    "FloorDiv": ("Arithmetic", "Binary", "Divide", "Incomplete", "Operator"),
    "Mod": ("Arithmetic", "Binary", "Modulo", "Operator"),
    "Pow": ("Arithmetic", "Binary", "Incomplete", "Operator"),
    "LShift": ("Binary", "Bitwise", "LeftShift", "Operator"),
    "RShift": ("Binary", "Bitwise", "Operator", "RightShift"),
    "BitOr": ("Binary", "Bitwise", "Operator", "Or"),
    "BitXor": ("Binary", "Bitwise", "Operator", "Xor"),
    "BitAnd": ("And", "Binary", "Bitwise", "Operator"),
    "And": ("And", "Boolean", "Operator"),
    "Or": ("Boolean", "Operator", "Or"),
    "Not": ("Boolean", "Not", "Operator"),
    "Invert": ("Bitwise", "Not", "Operator", "Unary"),
    "UAdd": ("Arithmetic", "Operator", "Positive", "Unary"),
    "USub": ("Arithmetic", "Negative", "Operator", "Unary"),
    "Eq": ("Equal", "Operator", "Relational"),
    "NotEq": ("Equal", "Not", "Operator", "Relational"),
    "Lt": ("LessThan", "Operator", "Relational"),
    "LtE": ("LessThanOrEqual", "Operator", "Relational"),
    "Gt": ("GreaterThan", "Operator", "Relational"),
    "GtE": ("GreaterThanOrEqual", "Operator", "Relational"),
    "Is": ("Identical", "Operator", "Relational"),
    "IsNot": ("Identical", "Not", "Operator", "Relational"),
    "In": ("Contains", "Operator", "Relational"),
    "NotIn": ("Contains", "Not", "Operator", "Relational"),
    # Python 2 statements (python2.py)
    "Print": ("Call", "Callee", "Expression", "Function", "Identifier"),
    "Exec": ("Call", "Expression", "Function", "Incomplete"),
}


# Python 3.8 merged Num, Str, Bytes, NameConstant and Ellipsis into Constant; Babelfish's roles
# for those depended on the kind of value.
CONSTANT_ROLES: dict[type, tuple[str, ...]] = {
    str: ("Expression", "Literal", "Primitive", "String"),
    bytes: ("Byte", "Expression", "Literal", "Primitive", "String"),
    bool: ("Boolean", "Expression", "Literal", "Primitive"),
    int: ("Expression", "Literal", "Number", "Primitive"),
    float: ("Expression", "Literal", "Number", "Primitive"),
    complex: ("Expression", "Literal", "Number", "Primitive"),
    type(None): ("Expression", "Literal", "Null", "Primitive"),
    type(Ellipsis): ("Expression", "Identifier", "Incomplete"),
}


UNANNOTATED: tuple[str, ...] = ("Unannotated",)

# Native types whose roles depend on the class of a field's value: type -> (field, class -> roles);
# a class that is not there is Unannotated.
ROLES_BY_VALUE: dict[str, tuple[str, dict[type, tuple[str, ...]]]] = {"Constant": ("value", CONSTANT_ROLES)}


def annotate(name: str, out: Node, node: ast.AST) -> None:
    roles = ROLES.get(name)
    if roles is None:
        by_value = ROLES_BY_VALUE.get(name)
        if by_value is not None:
            field, table = by_value
            roles = table.get(getattr(node, field).__class__)
    out["@role"] = list(roles) if roles is not None else list(UNANNOTATED)


# The converter (native.py) reads the tables the function reads, so that it attaches those roles
# itself, without a call per node (Constant is a third of the nodes of a data file).
annotate.roles_by_value = {  # type: ignore[attr-defined]
    name: rule for name, rule in ROLES_BY_VALUE.items() if name not in ROLES}
annotate.unannotated = UNANNOTATED  # type: ignore[attr-defined]
