"""The role tables (annotated mode): which Babelfish roles each native Java node carries.

The roles are those Babelfish's Java driver gave JDT's nodes (its annotation rules, seen in its
fixtures): by node type (ROLES), by the field a node is found in (FIELD_ROLES), and, for the
few nodes whose roles depend on their content (a modifier's keyword, an operator, a primitive
type's name, a declaration's visibility), by a small function each (DYNAMIC).  Role names are
Babelfish's only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Node = dict[str, Any]

_STATEMENT = ("Statement",)

ROLES: dict[str, tuple[str, ...]] = {
    "CompilationUnit": ("File",),
    # names
    "QualifiedName": ("Expression", "Identifier", "Qualified"),
    "SimpleName": ("Expression", "Identifier"),
    "PrimitiveType": ("Primitive", "Type"),
    # package and imports
    "PackageDeclaration": ("Declaration", "Package"),
    "ImportDeclaration": ("Declaration", "Import"),
    "ModuleDeclaration": ("Declaration", "Module"),
    # types
    "TypeDeclaration": ("Declaration", "Type"),
    "InterfaceDeclaration": ("Declaration", "Type"),
    "RecordDeclaration": ("Declaration", "Type"),
    "EnumDeclaration": ("Declaration", "Enumeration", "Type"),
    "AnnotationTypeDeclaration": ("Annotation", "Declaration", "Type"),
    "AnonymousClassDeclaration": ("Anonymous", "Declaration", "Expression", "Type"),
    "TypeDeclarationStatement": ("Declaration", "Statement", "Type"),
    # members
    "MethodDeclaration": ("Declaration", "Function"),
    "AnnotationTypeMemberDeclaration": ("Annotation", "Declaration", "Type"),
    "EnumConstantDeclaration": ("Declaration", "Enumeration"),
    "FieldDeclaration": ("Declaration", "Variable"),
    "Initializer": ("Block", "Incomplete", "Initialization"),
    "SingleVariableDeclaration": ("Declaration", "Variable"),
    "VariableDeclarationExpression": ("Declaration", "Expression", "Variable"),
    "VariableDeclarationFragment": ("Declaration", "Variable"),
    "VariableDeclarationStatement": ("Declaration", "Statement", "Variable"),
    "LambdaExpression": ("Anonymous", "Declaration", "Function"),
    "TypeMethodReference": ("Declaration", "Function"),
    # literals
    "TypeLiteral": ("Expression", "Literal", "Type"),
    "BooleanLiteral": ("Boolean", "Expression", "Literal"),
    "NumberLiteral": ("Expression", "Literal", "Number"),
    "NullLiteral": ("Expression", "Literal", "Null"),
    "StringLiteral": ("Expression", "Literal", "String"),
    "TextBlock": ("Expression", "Literal", "String"),
    "CharacterLiteral": ("Character", "Expression", "Literal"),
    # calls
    "ClassInstanceCreation": ("Call", "Expression", "Instance"),
    "ConstructorInvocation": ("Call", "Incomplete", "Statement"),
    "MethodInvocation": ("Call", "Expression"),
    "SuperConstructorInvocation": ("Base", "Call", "Incomplete", "Statement"),
    "SuperMethodInvocation": ("Base", "Call", "Expression"),
    # control flow
    "IfStatement": ("If", "Statement"),
    "ConditionalExpression": ("Expression", "If"),
    "SwitchStatement": ("Statement", "Switch"),
    "SwitchExpression": ("Expression", "Switch"),
    "SwitchCase": ("Case", "Statement", "Switch"),
    "YieldStatement": ("Return", "Statement"),
    "EnhancedForStatement": ("For", "Iterator", "Statement"),
    "ForStatement": ("For", "Statement"),
    "WhileStatement": ("Statement", "While"),
    "DoStatement": ("DoWhile", "Statement"),
    "TryStatement": ("Statement", "Try"),
    "CatchClause": ("Catch", "Try"),
    "ThrowStatement": ("Statement", "Throw"),
    "AssertStatement": ("Assert", "Statement"),
    "BreakStatement": ("Break", "Statement"),
    "ContinueStatement": ("Continue", "Statement"),
    "ReturnStatement": ("Return", "Statement"),
    "EmptyStatement": _STATEMENT,
    "ExpressionStatement": _STATEMENT,
    "LabeledStatement": ("Incomplete", "Statement"),
    "SynchronizedStatement": ("Incomplete", "Statement"),
    "Block": ("Block", "Scope", "Statement"),
    # operators (plus the operator's own roles: DYNAMIC)
    "InfixExpression": ("Binary", "Expression", "Operator"),
    "PostfixExpression": ("Expression", "Operator", "Postfix", "Unary"),
    "PrefixExpression": ("Expression", "Operator", "Unary"),
    "Assignment": ("Assignment", "Binary", "Expression", "Operator"),
    "InstanceofExpression": ("Binary", "Expression", "Operator"),
    "PatternInstanceofExpression": ("Binary", "Expression", "Operator"),
    # types
    "ArrayType": ("List", "Primitive", "Type"),
    "IntersectionType": ("And", "Type"),
    "NameQualifiedType": ("Name", "Qualified", "Type"),
    "ParameterizedType": ("Incomplete", "Type"),
    "QualifiedType": ("Qualified", "Type"),
    "SimpleType": ("Type",),
    "UnionType": ("Or", "Type"),
    "WildcardType": ("Incomplete", "Type"),
    "Dimension": ("Incomplete", "Type"),
    "TypeParameter": ("Incomplete", "Type"),
    # annotations
    "MarkerAnnotation": ("Annotation", "Incomplete"),
    "NormalAnnotation": ("Annotation", "Incomplete"),
    "SingleMemberAnnotation": ("Annotation", "Incomplete"),
    "MemberValuePair": ("Annotation", "Incomplete"),
    # comments and Javadoc
    "BlockComment": ("Comment",),
    "LineComment": ("Comment",),
    "Javadoc": ("Comment", "Documentation"),
    "MemberRef": ("Documentation", "Incomplete", "Variable"),
    "MethodRef": ("Documentation", "Function", "Incomplete"),
    "MethodRefParameter": ("Documentation", "Function", "Incomplete"),
    "TagElement": ("Comment", "Documentation", "Incomplete"),
    "TextElement": ("Comment", "Documentation", "Incomplete"),
    # other expressions
    "ArrayAccess": ("Expression", "Incomplete"),
    "ArrayCreation": ("Expression", "Incomplete"),
    "ArrayInitializer": ("Expression", "List", "Literal"),
    "CastExpression": ("Expression", "Incomplete"),
    "CreationReference": ("Expression", "Incomplete"),
    "ExpressionMethodReference": ("Expression", "Incomplete"),
    "SuperMethodReference": ("Expression", "Incomplete"),
    "ParenthesizedExpression": ("Expression", "Incomplete"),
    "FieldAccess": ("Expression", "Identifier", "Qualified"),
    "SuperFieldAccess": ("Base", "Expression", "Identifier", "Qualified"),
    "ThisExpression": ("Expression", "This"),
}

_CALL_ARGUMENT = ("Argument", "Call", "Positional")

FIELD_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ImportDeclaration", "name"): ("Import", "Pathname"),
    ("AnonymousClassDeclaration", "bodyDeclarations"): ("Body",),
    ("AnnotationTypeDeclaration", "bodyDeclarations"): ("Body",),
    ("MethodDeclaration", "name"): ("Function", "Name"),
    ("MethodDeclaration", "body"): ("Body", "Function"),
    ("MethodDeclaration", "parameters"): ("Argument", "Function"),
    ("LambdaExpression", "body"): ("Body", "Function"),
    ("LambdaExpression", "parameters"): ("Argument", "Function"),
    ("TypeMethodReference", "name"): ("Function", "Name"),
    ("TypeMethodReference", "type"): ("Function", "Return"),
    ("TypeMethodReference", "typeArguments"): ("Argument", "Function"),
    ("ClassInstanceCreation", "type"): ("Call", "Callee"),
    ("ClassInstanceCreation", "arguments"): _CALL_ARGUMENT,
    ("ConstructorInvocation", "arguments"): _CALL_ARGUMENT,
    ("MethodInvocation", "expression"): ("Call", "Receiver"),
    ("MethodInvocation", "name"): ("Call", "Callee"),
    ("MethodInvocation", "arguments"): _CALL_ARGUMENT,
    ("SuperConstructorInvocation", "expression"): ("Call", "Receiver"),
    ("SuperConstructorInvocation", "arguments"): _CALL_ARGUMENT,
    ("SuperMethodInvocation", "qualifier"): ("Call", "Callee"),
    ("SuperMethodInvocation", "name"): ("Call", "Callee"),
    ("SuperMethodInvocation", "arguments"): _CALL_ARGUMENT,
    ("IfStatement", "expression"): ("Condition", "If"),
    ("IfStatement", "thenStatement"): ("Body", "If", "Then"),
    ("IfStatement", "elseStatement"): ("Body", "Else", "If"),
    ("ConditionalExpression", "expression"): ("Condition", "If"),
    ("ConditionalExpression", "thenExpression"): ("If", "Then"),
    ("ConditionalExpression", "elseExpression"): ("Else", "If"),
    ("SwitchStatement", "expression"): ("Expression", "Switch"),
    ("SwitchExpression", "expression"): ("Expression", "Switch"),
    ("SwitchCase", "expression"): ("Case", "Condition", "Expression", "Switch"),
    ("SwitchCase", "body"): ("Body", "Case", "Switch"),
    ("EnhancedForStatement", "parameter"): ("For", "Iterator"),
    ("EnhancedForStatement", "expression"): ("Expression", "For"),
    ("EnhancedForStatement", "body"): ("Body", "For"),
    ("ForStatement", "initializers"): ("For", "Initialization"),
    ("ForStatement", "expression"): ("Condition", "Expression", "For"),
    ("ForStatement", "updaters"): ("For", "Update"),
    ("ForStatement", "body"): ("Body", "For"),
    ("WhileStatement", "expression"): ("Condition", "Expression", "While"),
    ("WhileStatement", "body"): ("Body", "While"),
    ("DoStatement", "expression"): ("Condition", "DoWhile"),
    ("DoStatement", "body"): ("Body", "DoWhile"),
    ("InfixExpression", "leftOperand"): ("Binary", "Expression", "Left"),
    ("InfixExpression", "rightOperand"): ("Binary", "Expression", "Right"),
    ("Assignment", "leftHandSide"): ("Assignment", "Binary", "Left"),
    ("Assignment", "rightHandSide"): ("Assignment", "Binary", "Right"),
    ("TryStatement", "resources"): ("Try",),
    ("TryStatement", "body"): ("Body", "Try"),
    ("TryStatement", "catchClauses"): ("Catch", "Try"),
    ("TryStatement", "finally"): ("Finally", "Try"),
}

# --- roles that depend on a node's content ---------------------------------------------------

MODIFIER_ROLES: dict[str, tuple[str, ...]] = {
    "public": ("Visibility", "World"),
    "protected": ("Subtype", "Visibility"),
    "private": ("Instance", "Visibility"),
}

INFIX_ROLES: dict[str, tuple[str, ...]] = {
    "+": ("Add", "Arithmetic"),
    "-": ("Arithmetic", "Substract"),
    "*": ("Arithmetic", "Multiply"),
    "/": ("Arithmetic", "Divide"),
    "%": ("Arithmetic", "Modulo"),
    "<<": ("Bitwise", "LeftShift"),
    ">>": ("Bitwise", "RightShift"),
    ">>>": ("Bitwise", "RightShift", "Unsigned"),
    "<": ("LessThan", "Relational"),
    ">": ("GreaterThan", "Relational"),
    "<=": ("LessThanOrEqual", "Relational"),
    ">=": ("GreaterThanOrEqual", "Relational"),
    "==": ("Equal", "Relational"),
    "!=": ("Equal", "Not", "Relational"),
    "&": ("And", "Bitwise"),
    "|": ("Bitwise", "Or"),
    "&&": ("And", "Boolean"),
    "||": ("Boolean", "Or"),
    "^": ("Bitwise", "Xor"),
}

UNARY_ROLES: dict[str, tuple[str, ...]] = {
    "++": ("Arithmetic", "Increment"),
    "--": ("Arithmetic", "Decrement"),
    "+": ("Arithmetic", "Positive"),
    "-": ("Arithmetic", "Negative"),
    "~": ("Bitwise", "Not"),
    "!": ("Boolean", "Not"),
}

ASSIGN_ROLES: dict[str, tuple[str, ...]] = {
    "=": (),
    **{op + "=": roles for op, roles in INFIX_ROLES.items()
       if op in ("+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>")},
}

PRIMITIVE_ROLES: dict[str, tuple[str, ...]] = {
    "boolean": ("Boolean",),
    "byte": ("Byte",),
    "char": ("Character",),
    **{name: ("Number",) for name in ("short", "int", "long", "float", "double")},
    "void": (),
}

VISIBILITY_ROLES: dict[str, tuple[str, ...]] = {
    "public": ("Visibility", "World"),
    "private": ("Type", "Visibility"),
    "protected": ("Subtype", "Visibility"),
}


def _modifier(node: Node) -> tuple[str, ...]:
    return MODIFIER_ROLES.get(node.get("@token"), ("Incomplete",))


def _operator(table: dict[str, tuple[str, ...]]) -> Callable[[Node], tuple[str, ...]]:
    def roles(node: Node) -> tuple[str, ...]:
        return table.get(node.get("operator"), ())
    return roles


def _primitive(node: Node) -> tuple[str, ...]:
    return PRIMITIVE_ROLES.get(node.get("@token"), ())


def _visibility(node: Node) -> tuple[str, ...]:
    """A type's or method's visibility: its access modifier, package-private without one."""
    for modifier in node.get("modifiers") or ():
        if isinstance(modifier, dict):
            roles = VISIBILITY_ROLES.get(modifier.get("@token"))
            if roles:
                return roles
    return ("Package", "Visibility")


def _switch_case(node: Node) -> tuple[str, ...]:
    return ("Default",) if node.get("expression") is None else ()


def _single_variable(node: Node) -> tuple[str, ...]:
    return ("ArgsList",) if node.get("varargs") == "true" else ()


DYNAMIC: dict[str, Callable[[Node], tuple[str, ...]]] = {
    "Modifier": _modifier,
    "InfixExpression": _operator(INFIX_ROLES),
    "PrefixExpression": _operator(UNARY_ROLES),
    "PostfixExpression": _operator(UNARY_ROLES),
    "Assignment": _operator(ASSIGN_ROLES),
    "PrimitiveType": _primitive,
    "TypeDeclaration": _visibility,
    "InterfaceDeclaration": _visibility,
    "MethodDeclaration": _visibility,
    "SwitchCase": _switch_case,
    "SingleVariableDeclaration": _single_variable,
}


def _content(function: Callable[[Node], tuple[str, ...]], default: tuple[str, ...]) -> Callable[[Node], tuple[str, ...]]:
    def roles(node: Node) -> tuple[str, ...]:
        return function(node) or default
    return roles


# DYNAMIC as the SDK's content roles (driver.TABLES): a Modifier without roles is Incomplete.
CONTENT_ROLES: dict[str, Callable[[Node], tuple[str, ...]]] = {
    node_type: _content(function, ("Incomplete",) if node_type == "Modifier" else ())
    for node_type, function in DYNAMIC.items()}
