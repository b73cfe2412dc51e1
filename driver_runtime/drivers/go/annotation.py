"""Babelfish roles of go/ast nodes (annotated mode), after Babelfish's Go driver.

Three tables: roles by node type; roles a node gets from the field it is in; and roles that
depend on a token of the node (an operator, a literal's kind, a declaration's keyword), which
go/ast keeps in a field of the node itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ROLES: dict[str, tuple[str, ...]] = {
    "File": ("File",),
    "CommentGroup": ("Comment", "List"),
    "Comment": ("Comment",),
    "BadDecl": ("Incomplete",),
    "BadExpr": ("Incomplete",),
    "BadStmt": ("Incomplete",),
    "Ident": ("Identifier",),
    "BasicLit": ("Expression", "Literal", "Primitive"),
    "CompositeLit": ("Expression", "Literal"),
    "FuncLit": ("Anonymous", "Expression", "Function"),
    "ParenExpr": ("Expression", "Incomplete"),
    "SelectorExpr": ("Expression", "Qualified"),
    "IndexExpr": ("Expression",),
    "IndexListExpr": ("Expression",),
    "SliceExpr": ("Expression",),
    "TypeAssertExpr": ("Expression", "Incomplete"),
    "CallExpr": ("Call", "Expression"),
    "StarExpr": ("Expression",),
    "UnaryExpr": ("Expression", "Unary"),
    "BinaryExpr": ("Binary", "Expression"),
    "KeyValueExpr": ("Expression",),
    "Ellipsis": ("Expression",),
    "ArrayType": ("Expression", "List", "Type"),
    "StructType": ("Expression", "Type"),
    "FuncType": ("Expression", "Function", "Type"),
    "InterfaceType": ("Expression", "Incomplete", "Type"),
    "MapType": ("Expression", "Map", "Type"),
    "ChanType": ("Expression", "Incomplete", "Type"),
    "Field": ("Entry",),
    "FieldList": ("List",),
    "DeclStmt": ("Statement",),
    "EmptyStmt": ("Noop", "Statement"),
    "LabeledStmt": ("Statement",),
    "ExprStmt": ("Statement",),
    "SendStmt": ("Incomplete", "Statement"),
    "IncDecStmt": ("Statement", "Unary"),
    "AssignStmt": ("Assignment", "Binary", "Statement"),
    "GoStmt": ("Incomplete", "Statement"),
    "DeferStmt": ("Incomplete", "Statement"),
    "ReturnStmt": ("Return", "Statement"),
    "BranchStmt": ("Statement",),
    "BlockStmt": ("Block", "Scope"),
    "IfStmt": ("If", "Statement"),
    "CaseClause": ("Case", "Statement"),
    "SwitchStmt": ("Statement", "Switch"),
    "TypeSwitchStmt": ("Incomplete", "Statement", "Switch"),
    "CommClause": ("Case", "Incomplete", "Statement"),
    "SelectStmt": ("Incomplete", "Statement", "Switch"),
    "ForStmt": ("For", "Statement"),
    "RangeStmt": ("For", "Iterator", "Statement"),
    "ImportSpec": ("Declaration", "Import"),
    "ValueSpec": ("Declaration",),
    # Babelfish put Type (and Variable) on the GenDecl and only Declaration on its specs; here
    # each spec is the declaration of its kind (a query or the outline finds one per name), and
    # the GenDecl is the group of them.
    "TypeSpec": ("Declaration", "Type"),
    "GenDecl": ("Declaration", "List"),
    "FuncDecl": ("Declaration", "Function"),
}

FIELD_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("BinaryExpr", "X"): ("Binary", "Left"),
    ("BinaryExpr", "Y"): ("Binary", "Right"),
    ("AssignStmt", "Lhs"): ("Assignment", "Binary", "Left"),
    ("AssignStmt", "Rhs"): ("Assignment", "Binary", "Right"),
    ("CallExpr", "Fun"): ("Callee",),
    ("CallExpr", "Args"): ("Argument", "Positional"),
    ("IfStmt", "Init"): ("If", "Initialization"),
    ("IfStmt", "Cond"): ("Condition", "If"),
    ("IfStmt", "Body"): ("Body", "Then"),
    ("IfStmt", "Else"): ("Else",),
    ("SwitchStmt", "Init"): ("Initialization", "Switch"),
    ("SwitchStmt", "Body"): ("Body", "Switch"),
    ("TypeSwitchStmt", "Init"): ("Initialization", "Switch"),
    ("TypeSwitchStmt", "Body"): ("Body", "Switch"),
    ("SelectStmt", "Body"): ("Body", "Switch"),
    ("CaseClause", "Body"): ("Body", "Case"),
    ("CommClause", "Body"): ("Body", "Case"),
    ("ForStmt", "Init"): ("For", "Initialization"),
    ("ForStmt", "Cond"): ("Condition", "For"),
    ("ForStmt", "Post"): ("For", "Update"),
    ("ForStmt", "Body"): ("Body", "For"),
    ("RangeStmt", "Key"): ("For", "Iterator", "Key"),
    ("RangeStmt", "Value"): ("For", "Iterator", "Value"),
    ("RangeStmt", "Body"): ("Body", "For"),
    ("ImportSpec", "Name"): ("Alias", "Import"),
    ("ImportSpec", "Path"): ("Import", "Pathname"),
    ("ValueSpec", "Names"): ("Name",),
    ("ValueSpec", "Type"): ("Type",),
    ("TypeSpec", "Name"): ("Name", "Type"),
    ("TypeSpec", "Type"): ("Type",),
    ("ArrayType", "Elt"): ("Entry",),
    ("MapType", "Key"): ("Key",),
    ("MapType", "Value"): ("Entry",),
    ("FuncLit", "Type"): ("Type",),
    ("FuncLit", "Body"): ("Body",),
    ("Field", "Names"): ("Name",),
    ("Field", "Type"): ("Type",),
    ("StructType", "Fields"): ("Incomplete",),
    ("InterfaceType", "Methods"): ("Function",),
    ("FuncType", "Params"): ("ArgsList",),
    ("FuncType", "Results"): ("ArgsList", "Return"),
    ("FuncDecl", "Recv"): ("Function", "Receiver"),
    ("FuncDecl", "Name"): ("Function", "Name"),
    ("FuncDecl", "Type"): ("Function", "Type"),
    ("FuncDecl", "Body"): ("Body", "Function"),
    ("KeyValueExpr", "Key"): ("Key",),
    ("KeyValueExpr", "Value"): ("Value",),
    ("File", "Name"): ("Name", "Package"),
}

_ADD, _SUB = ("Add", "Arithmetic"), ("Arithmetic", "Substract")
_BINARY_OPERATORS: dict[str, tuple[str, ...]] = {
    "+": _ADD, "-": _SUB, "*": ("Arithmetic", "Multiply"), "/": ("Arithmetic", "Divide"),
    "%": ("Arithmetic", "Modulo"),
    "&": ("And", "Bitwise"), "|": ("Bitwise", "Or"), "^": ("Bitwise", "Xor"),
    "<<": ("Bitwise", "LeftShift"), ">>": ("Bitwise", "RightShift"), "&^": ("And", "Bitwise", "Negative"),
    "&&": ("And", "Boolean"), "||": ("Boolean", "Or"),
    "==": ("Equal", "Relational"), "!=": ("Equal", "Not", "Relational"),
    "<": ("LessThan", "Relational"), ">": ("GreaterThan", "Relational"),
    "<=": ("LessThanOrEqual", "Relational"), ">=": ("GreaterThanOrEqual", "Relational"),
}

# (node type, field holding a token) -> token -> roles of the node.
TOKEN_ROLES: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("BasicLit", "Kind"): {"INT": ("Number",), "FLOAT": ("Number",), "IMAG": ("Number",),
                           "CHAR": ("Character",), "STRING": ("String",)},
    ("BinaryExpr", "Op"): _BINARY_OPERATORS,
    ("UnaryExpr", "Op"): {
        "+": ("Arithmetic", "Positive"), "-": ("Arithmetic", "Negative"), "*": ("Dereference",),
        "&": ("TakeAddress",), "^": ("Bitwise", "Negative"), "!": ("Boolean", "Negative"),
        "<-": ("Incomplete",), "~": ("Incomplete",),
    },
    ("IncDecStmt", "Tok"): {"++": ("Increment",), "--": ("Decrement",)},
    ("AssignStmt", "Tok"): {
        "=": (), ":=": ("Declaration",),
        **{op + "=": tuple(sorted(("Operator", *roles))) for op, roles in _BINARY_OPERATORS.items()
           if op in ("+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&^")},
    },
    ("BranchStmt", "Tok"): {"break": ("Break",), "continue": ("Continue",), "goto": ("Goto",),
                            "fallthrough": ("Incomplete",)},
}

# (node type, field holding a token, field of children) -> token -> roles of those children.
CHILD_TOKEN_ROLES: dict[tuple[str, str, str], dict[str, tuple[str, ...]]] = {
    ("GenDecl", "Tok", "Specs"): {"var": ("Variable",)},
}

_TOKEN_FIELDS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    node_type: (field, table) for (node_type, field), table in TOKEN_ROLES.items()}
_CHILD_TOKEN_FIELDS: dict[str, tuple[str, str, dict[str, tuple[str, ...]]]] = {
    node_type: (field, children, table) for (node_type, field, children), table in CHILD_TOKEN_ROLES.items()}

# The roles of the uast:Operator that stands for a token in semantic mode, beyond the token's.
OPERATOR_ROLES: dict[str, tuple[str, ...]] = {
    "BinaryExpr": ("Binary", "Expression", "Operator"),
    "UnaryExpr": ("Expression", "Operator", "Unary"),
    "IncDecStmt": ("Expression", "Operator", "Unary"),
    "AssignStmt": ("Assignment", "Binary", "Expression", "Operator"),
}


TOKEN_TYPES = frozenset(_TOKEN_FIELDS) | frozenset(_CHILD_TOKEN_FIELDS)


def token_roles(node_type: str, node: Mapping[str, Any]) -> tuple[str, ...]:
    """The roles a node has from its own token."""
    entry = _TOKEN_FIELDS.get(node_type)
    if entry is None:
        return ()
    token = node.get(entry[0])
    return entry[1].get(token, ()) if isinstance(token, str) else ()


def own_token_roles(node: Mapping[str, Any]) -> list[str]:
    """Tables.content_roles of TOKEN_ROLES' types: the node's roles and its token's."""
    roles = token_roles(node["@type"], node)
    own = node.get("@role") or []
    return [*own, *roles] if roles else own


def children_token_roles(node: Mapping[str, Any]) -> tuple[str, ...]:
    """Tables.child_roles of CHILD_TOKEN_ROLES' types: the roles the node's token gives its
    children (a `var` spec is a Variable)."""
    field, _children, table = _CHILD_TOKEN_FIELDS[node["@type"]]
    token = node.get(field)
    return table.get(token, ()) if isinstance(token, str) else ()


# The SDK's tables of content roles (driver.TABLES).
CONTENT_ROLES = dict.fromkeys(_TOKEN_FIELDS, own_token_roles)
CHILD_ROLES = {node_type: (children, children_token_roles)
               for node_type, (_field, children, _table) in _CHILD_TOKEN_FIELDS.items()}
