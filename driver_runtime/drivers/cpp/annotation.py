"""Babelfish roles for clang's nodes (annotated mode), as Babelfish's C++ driver gave them to
the same constructs (its annotation.go, for Eclipse CDT's nodes).

`OPERATOR_ROLES` and `LITERAL_ROLES` depend on a node's token (the operator, the keyword): the
SDK's tables keyed by type cannot say them: `operator_roles` says them for each type of
OPERATOR_TYPES, the SDK's content roles (driver.TABLES).
"""

from __future__ import annotations

from typing import Any

FUNCTION = ("Declaration", "Function")
TYPE = ("Declaration", "Type")
VARIABLE = ("Declaration", "Variable")
NAME = ("Identifier",)

ROLES: dict[str, tuple[str, ...]] = {
    # declarations
    "TranslationUnit": ("File", "Module"),
    "Namespace": ("Declaration", "Module"),
    "NamespaceAlias": ("Alias", "Declaration", "Module"),
    "ClassDecl": TYPE,
    "StructDecl": TYPE,
    "UnionDecl": ("Declaration", "Incomplete", "Type"),
    "ClassTemplate": TYPE,
    "ClassTemplatePartialSpecialization": TYPE,
    "EnumDecl": ("Declaration", "Enumeration", "Type"),
    "EnumConstantDecl": ("Declaration", "Enumeration", "Variable"),
    "FieldDecl": VARIABLE,
    "VarDecl": VARIABLE,
    "ParmDecl": ("Argument", "Declaration", "Variable"),
    "FunctionDecl": FUNCTION,
    "CXXMethod": FUNCTION,
    "FunctionTemplate": FUNCTION,
    "CXXConstructor": FUNCTION,
    "CXXDestructor": FUNCTION,
    "CXXConversion": FUNCTION,
    # Not Declaration: a template's parameters are not symbols of the outline.
    "TemplateTypeParameter": ("Argument", "Incomplete", "Type"),
    "NonTypeTemplateParameter": ("Argument", "Incomplete", "Variable"),
    "TemplateTemplateParameter": ("Argument", "Incomplete", "Type"),
    "TypedefDecl": ("Alias", "Declaration", "Type"),
    "TypeAliasDecl": ("Alias", "Declaration", "Type"),
    "UsingDirective": ("Alias", "Scope"),
    "UsingDeclaration": ("Alias", "Scope"),
    "CXXBaseSpecifier": ("Base", "Type"),
    "CXXAccessSpecifier": ("Visibility",),
    "CXXCtorInitializer": ("Initialization",),
    "LinkageSpec": ("Block", "Declaration", "Incomplete"),
    "StaticAssert": ("Assert", "Incomplete"),
    "FriendDecl": ("Declaration", "Incomplete"),
    "TypeLoc": ("Type",),
    "DeclarationName": NAME,
    "TypeRef": ("Identifier", "Type"),
    "TemplateRef": ("Identifier", "Type"),
    "NamespaceRef": ("Identifier", "Module"),
    "MemberRef": NAME,
    "LabelRef": NAME,
    "VariableRef": NAME,
    "OverloadedDeclRef": NAME,
    # preprocessing and comments
    "InclusionDirective": ("Import",),
    "MacroDefinition": ("Declaration", "Incomplete"),
    "Comment": ("Comment", "Noop"),
    # statements
    "CompoundStmt": ("Block", "Body"),
    "DeclStmt": ("Declaration", "Statement"),
    "ReturnStmt": ("Return", "Statement"),
    "IfStmt": ("If", "Statement"),
    "SwitchStmt": ("Statement", "Switch"),
    "CaseStmt": ("Case", "Switch"),
    "DefaultStmt": ("Case", "Default", "Switch"),
    "WhileStmt": ("Statement", "While"),
    "DoStmt": ("DoWhile", "Statement"),
    "ForStmt": ("For", "Statement"),
    "CXXForRangeStmt": ("For", "Iterator", "Statement"),
    "BreakStmt": ("Break", "Statement"),
    "ContinueStmt": ("Continue", "Statement"),
    "GotoStmt": ("Goto", "Statement"),
    "LabelStmt": ("Incomplete", "Name"),
    "NullStmt": ("Noop", "Statement"),
    "CXXTryStmt": ("Statement", "Try"),
    "CXXCatchStmt": ("Catch", "Statement"),
    "MSAsmStmt": ("Incomplete", "Statement"),
    "GCCAsmStmt": ("Incomplete", "Statement"),
    "UnexposedStmt": ("Incomplete", "Statement"),
    # expressions
    "DeclRefExpr": ("Expression", "Variable"),
    "MemberRefExpr": ("Expression", "Qualified"),
    "CallExpr": ("Call", "Expression", "Function"),
    "CXXOperatorCallExpr": ("Expression", "Operator"),
    "BinaryOperator": ("Binary", "Expression", "Operator"),
    "CompoundAssignOperator": ("Assignment", "Binary", "Expression", "Operator"),
    "UnaryOperator": ("Expression", "Operator", "Unary"),
    "UnaryExpr": ("Expression", "Incomplete", "Unary"),
    "ArraySubscriptExpr": ("Expression", "List", "Value"),
    "ConditionalOperator": ("Condition", "Expression"),
    "ParenExpr": ("Expression",),
    "CStyleCastExpr": ("Expression", "Incomplete"),
    "CXXStaticCastExpr": ("Expression", "Incomplete"),
    "CXXDynamicCastExpr": ("Expression", "Incomplete"),
    "CXXReinterpretCastExpr": ("Expression", "Incomplete"),
    "CXXConstCastExpr": ("Expression", "Incomplete"),
    "CXXFunctionalCastExpr": ("Expression", "Incomplete"),
    "InitListExpr": ("Initialization", "List"),
    "LambdaExpr": ("Anonymous", "Declaration", "Expression", "Function"),
    "CXXNewExpr": ("Expression", "Instance", "Value"),
    "CXXDeleteExpr": ("Call", "Expression", "Incomplete"),
    "CXXThrowExpr": ("Expression", "Throw"),
    "CXXThisExpr": ("Expression", "This"),
    "IntegerLiteral": ("Expression", "Literal", "Number"),
    "FloatingLiteral": ("Expression", "Literal", "Number"),
    "ImaginaryLiteral": ("Expression", "Literal", "Number"),
    "StringLiteral": ("Expression", "Literal", "String"),
    "CharacterLiteral": ("Character", "Expression", "Literal"),
    "CXXBoolLiteralExpr": ("Boolean", "Expression", "Literal"),
    "CXXNullPtrLiteralExpr": ("Expression", "Literal", "Null"),
    "UnexposedExpr": ("Expression", "Incomplete"),
    "PackExpansionExpr": ("Expression", "Incomplete"),
    "SizeOfPackExpr": ("Expression", "Incomplete"),
    "StmtExpr": ("Expression", "Incomplete"),
    "CXXTypeidExpr": ("Expression", "Incomplete"),
    "UnexposedDecl": ("Declaration", "Incomplete"),
    "UnexposedAttr": ("Incomplete",),
    "FinalAttr": ("Incomplete",),
    "OverrideAttr": ("Incomplete",),
}

FIELD_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "Body"): ("Body",),
    ("*", "Condition"): ("Condition",),
    ("*", "Then"): ("Then",),
    ("*", "Else"): ("Else",),
    ("*", "Parameters"): ("Argument",),
    ("*", "ReturnType"): ("Return", "Type"),
    ("*", "Init"): ("Initialization",),
    ("*", "LHS"): ("Left",),
    ("*", "RHS"): ("Right",),
    ("*", "Callee"): ("Callee",),
    ("*", "Arguments"): ("Argument", "Positional"),
    ("*", "Bases"): ("Base",),
    ("*", "Qualifier"): ("Qualified",),
    ("*", "TemplateParameters"): ("Argument", "Type"),
    ("ReturnStmt", "Value"): ("Return", "Value"),
    ("IfStmt", "Then"): ("If", "Then"),
    ("IfStmt", "Else"): ("Else", "If"),
    ("IfStmt", "Condition"): ("Condition", "If"),
    ("WhileStmt", "Body"): ("Body", "While"),
    ("WhileStmt", "Condition"): ("Condition", "While"),
    ("DoStmt", "Body"): ("Body", "DoWhile"),
    ("DoStmt", "Condition"): ("Condition", "DoWhile"),
    ("ForStmt", "Init"): ("For", "Initialization"),
    ("ForStmt", "Condition"): ("Condition", "For"),
    ("ForStmt", "Increment"): ("For", "Update"),
    ("ForStmt", "Body"): ("Body", "For"),
    ("CXXForRangeStmt", "Variable"): ("Declaration", "For", "Variable"),
    ("CXXForRangeStmt", "Range"): ("For", "Iterator"),
    ("CXXForRangeStmt", "Body"): ("Body", "For"),
    ("SwitchStmt", "Condition"): ("Condition", "Switch"),
    ("SwitchStmt", "Body"): ("Body", "Switch"),
    ("CXXTryStmt", "Body"): ("Body", "Try"),
    ("CXXTryStmt", "Handlers"): ("Catch", "Try"),
    ("CXXCatchStmt", "Body"): ("Body", "Catch"),
    ("MemberRefExpr", "Base"): ("Receiver",),
    ("ArraySubscriptExpr", "Index"): ("Key",),
    ("LambdaExpr", "Captures"): ("Incomplete",),
}

# Roles that depend on the operator (the node's token).
OPERATOR_ROLES: dict[str, tuple[str, ...]] = {
    "=": ("Assignment",),
    "+": ("Add", "Arithmetic"), "-": ("Arithmetic", "Substract"), "*": ("Arithmetic", "Multiply"),
    "/": ("Arithmetic", "Divide"), "%": ("Arithmetic", "Modulo"),
    "+=": ("Add", "Arithmetic", "Assignment"), "-=": ("Arithmetic", "Assignment", "Substract"),
    "*=": ("Arithmetic", "Assignment", "Multiply"), "/=": ("Arithmetic", "Assignment", "Divide"),
    "%=": ("Arithmetic", "Assignment", "Modulo"),
    "&": ("And", "Bitwise"), "|": ("Bitwise", "Or"), "^": ("Bitwise", "Xor"), "~": ("Bitwise", "Not"),
    "&=": ("And", "Assignment", "Bitwise"), "|=": ("Assignment", "Bitwise", "Or"),
    "^=": ("Assignment", "Bitwise", "Xor"),
    "<<": ("Bitwise", "LeftShift"), ">>": ("Bitwise", "RightShift"),
    "<<=": ("Assignment", "Bitwise", "LeftShift"), ">>=": ("Assignment", "Bitwise", "RightShift"),
    "==": ("Equal", "Relational"), "!=": ("Equal", "Not", "Relational"),
    "<": ("LessThan", "Relational"), "<=": ("LessThanOrEqual", "Relational"),
    ">": ("GreaterThan", "Relational"), ">=": ("GreaterThanOrEqual", "Relational"),
    "&&": ("And", "Boolean"), "||": ("Boolean", "Or"), "!": ("Boolean", "Not"),
    "++": ("Arithmetic", "Increment"), "--": ("Arithmetic", "Decrement"),
    "()": ("Call",), "[]": ("List", "Value"), ",": ("Incomplete",),
    "->": ("Incomplete",),
}
UNARY_ROLES: dict[str, tuple[str, ...]] = {
    "*": ("Dereference",), "&": ("TakeAddress",), "-": ("Arithmetic", "Negative"),
    "+": ("Arithmetic", "Positive"),
}
OPERATOR_TYPES = frozenset(("BinaryOperator", "CompoundAssignOperator", "UnaryOperator", "CXXOperatorCallExpr"))


def operator_roles(node: dict[str, Any]) -> list[str]:
    """The roles an operator's token gives (annotated and semantic modes; Tables.content_roles
    of OPERATOR_TYPES): they replace the native node's, which it keeps without them."""
    token = node.get("@token")
    unary = node.get("@type") == "UnaryOperator" or "Operand" in node
    roles = (UNARY_ROLES.get(token) if unary else None) or OPERATOR_ROLES.get(token)
    if unary and node.get("Postfix"):
        roles = (*(roles or ()), "Postfix")
    return list(roles) if roles else node.get("@role") or []
