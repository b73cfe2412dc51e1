"""Babelfish roles of Babel's nodes (annotated mode), for JavaScript, JSX, Flow and TypeScript.

The roles follow Babelfish's JavaScript driver (its annotation rules and fixtures); node types it
did not know (TypeScript's, newer proposals) get roles in the same spirit.  Two deliberate
departures, both so that the outline reads the tree right: type annotations are `Type` but not
`Declaration` (a reference to a type declares nothing), and export statements are not `Module`
(they do not open a namespace).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Roles = tuple[str, ...]


def _roles(*names: str) -> Roles:
    return tuple(sorted(names))


def _same(types: Iterable[str], *roles: str) -> dict[str, Roles]:
    return dict.fromkeys(types, _roles(*roles))


_FUNCTION = ("Declaration", "Function")
_EXPORT = ("Declaration", "Incomplete", "Statement", "Visibility")

ROLES: Mapping[str, Roles] = {
    # Files and comments
    "File": _roles("File"),
    "Program": _roles("Module"),
    "InterpreterDirective": _roles("Comment", "Incomplete"),
    "CommentLine": _roles("Comment"),
    "CommentBlock": _roles("Block", "Comment"),
    # Names and literals
    "Identifier": _roles("Expression", "Identifier"),
    "JSXIdentifier": _roles("Expression", "Identifier"),
    "PrivateName": _roles("Expression", "Identifier", "Instance", "Qualified", "Visibility"),
    "RegExpLiteral": _roles("Expression", "Literal", "Regexp"),
    "NullLiteral": _roles("Expression", "Literal", "Null"),
    "StringLiteral": _roles("Expression", "Literal", "String"),
    "BooleanLiteral": _roles("Boolean", "Expression", "Literal"),
    "NumericLiteral": _roles("Expression", "Literal", "Number"),
    "BigIntLiteral": _roles("Expression", "Literal", "Number"),
    "DecimalLiteral": _roles("Expression", "Literal", "Number"),
    "TemplateLiteral": _roles("Expression", "Incomplete", "Literal", "String"),
    "TaggedTemplateExpression": _roles("Call", "Expression", "Incomplete", "Literal", "String"),
    "TemplateElement": _roles("Expression", "Incomplete", "String"),
    # Functions
    "FunctionDeclaration": _roles(*_FUNCTION, "Statement"),
    "FunctionExpression": _roles(*_FUNCTION, "Expression"),
    "ArrowFunctionExpression": _roles(*_FUNCTION, "Anonymous", "Expression"),
    "ObjectMethod": _roles(*_FUNCTION, "Map"),
    "ClassMethod": _roles(*_FUNCTION, "Statement"),
    "ClassPrivateMethod": _roles(*_FUNCTION, "Statement"),
    "TSDeclareFunction": _roles(*_FUNCTION, "Statement"),
    "TSDeclareMethod": _roles(*_FUNCTION, "Statement"),
    # Statements
    "ExpressionStatement": _roles("Statement"),
    "BlockStatement": _roles("Block", "Scope", "Statement"),
    "StaticBlock": _roles("Block", "Scope", "Statement"),
    "EmptyStatement": _roles("Noop", "Statement"),
    "DebuggerStatement": _roles("Incomplete", "Noop", "Statement"),
    "WithStatement": _roles("Block", "Incomplete", "Scope", "Statement"),
    "ReturnStatement": _roles("Return", "Statement"),
    "LabeledStatement": _roles("Annotation", "Incomplete", "Statement"),
    "BreakStatement": _roles("Break", "Statement"),
    "ContinueStatement": _roles("Continue", "Statement"),
    "IfStatement": _roles("If", "Statement"),
    "SwitchStatement": _roles("Statement", "Switch"),
    "SwitchCase": _roles("Case", "Switch"),
    "ThrowStatement": _roles("Statement", "Throw"),
    "TryStatement": _roles("Statement", "Try"),
    "CatchClause": _roles("Catch", "Statement", "Try"),
    "WhileStatement": _roles("Statement", "While"),
    "DoWhileStatement": _roles("DoWhile", "Statement"),
    "ForStatement": _roles("For", "Statement"),
    "ForInStatement": _roles("For", "Iterator", "Statement"),
    "ForOfStatement": _roles("For", "Iterator", "Statement"),
    "VariableDeclaration": _roles("Declaration", "Statement", "Variable"),
    "VariableDeclarator": _roles("Declaration", "Variable"),
    "Directive": _roles("Incomplete"),
    "DirectiveLiteral": _roles("Expression", "Incomplete", "Literal"),
    # Expressions
    "Super": _roles("Base", "Expression", "Identifier"),
    "Import": _roles("Expression", "Import"),
    "ImportExpression": _roles("Call", "Expression", "Import"),
    "ThisExpression": _roles("Expression", "This"),
    "YieldExpression": _roles("Expression", "Incomplete", "Return"),
    "AwaitExpression": _roles("Expression", "Incomplete"),
    "ArrayExpression": _roles("Expression", "Initialization", "List", "Literal"),
    "ObjectExpression": _roles("Expression", "Initialization", "Literal", "Map"),
    "RecordExpression": _roles("Expression", "Initialization", "Literal", "Map"),
    "TupleExpression": _roles("Expression", "Initialization", "List", "Literal"),
    "SpreadElement": _roles("Incomplete", "List"),
    "MemberExpression": _roles("Expression", "Identifier", "Qualified"),
    "OptionalMemberExpression": _roles("Expression", "Identifier", "Qualified"),
    "BindExpression": _roles("Expression", "Incomplete"),
    "ConditionalExpression": _roles("Expression", "If"),
    "NewExpression": _roles("Call", "Expression", "Instance"),
    "CallExpression": _roles("Call", "Expression"),
    "OptionalCallExpression": _roles("Call", "Expression"),
    "SequenceExpression": _roles("Expression", "List"),
    "ParenthesizedExpression": _roles("Expression"),
    "DoExpression": _roles("Expression", "Incomplete"),
    "MetaProperty": _roles("Expression", "Incomplete"),
    "UnaryExpression": _roles("Expression", "Operator", "Unary"),
    "UpdateExpression": _roles("Expression", "Operator", "Unary"),
    "BinaryExpression": _roles("Binary", "Expression", "Operator"),
    "AssignmentExpression": _roles("Assignment", "Binary", "Expression", "Operator"),
    "LogicalExpression": _roles("Binary", "Boolean", "Expression", "Operator"),
    "ObjectProperty": _roles("Map"),
    # Patterns
    "ObjectPattern": _roles("Incomplete", "Map"),
    "ArrayPattern": _roles("Incomplete", "List"),
    "RestElement": _roles("Incomplete"),
    "AssignmentPattern": _roles("Assignment", "Incomplete"),
    # Classes
    "ClassDeclaration": _roles("Declaration", "Statement", "Type"),
    "ClassExpression": _roles("Declaration", "Expression", "Literal", "Type"),
    "ClassBody": _roles("Body", "Type"),
    "ClassProperty": _roles("Variable"),
    "ClassPrivateProperty": _roles("Variable"),
    "ClassAccessorProperty": _roles("Variable"),
    "Decorator": _roles("Annotation", "Incomplete"),
    # Modules
    "ImportDeclaration": _roles("Declaration", "Import", "Statement"),
    "ImportSpecifier": _roles("Import"),
    "ImportDefaultSpecifier": _roles("Import"),
    "ImportNamespaceSpecifier": _roles("Import"),
    "ImportAttribute": _roles("Import", "Incomplete"),
    "ExportNamedDeclaration": _roles(*_EXPORT),
    "ExportDefaultDeclaration": _roles(*_EXPORT),
    "ExportAllDeclaration": _roles(*_EXPORT),
    "ExportSpecifier": _roles("Incomplete"),
    "ExportDefaultSpecifier": _roles("Incomplete"),
    "ExportNamespaceSpecifier": _roles("Incomplete"),
    # JSX (as Babelfish annotated it)
    "JSXElement": _roles("Incomplete"),
    "JSXOpeningElement": _roles("Block", "Incomplete"),
    "JSXAttribute": _roles("Incomplete"),
    # Flow declarations
    "TypeAlias": _roles("Alias", "Declaration", "Type"),
    "OpaqueType": _roles("Alias", "Declaration", "Type"),
    "InterfaceDeclaration": _roles("Declaration", "Type"),
    "DeclareClass": _roles("Declaration", "Incomplete", "Type"),
    "DeclareInterface": _roles("Declaration", "Incomplete", "Type"),
    "DeclareTypeAlias": _roles("Alias", "Declaration", "Incomplete", "Type"),
    "DeclareOpaqueType": _roles("Alias", "Declaration", "Incomplete", "Type"),
    "DeclareFunction": _roles("Declaration", "Function", "Incomplete"),
    "DeclareVariable": _roles("Declaration", "Incomplete", "Variable"),
    "DeclareModule": _roles("Declaration", "Incomplete", "Module"),
    "EnumDeclaration": _roles("Declaration", "Enumeration", "Type"),
    "TypeCastExpression": _roles("Expression", "Incomplete"),
    "InterfaceExtends": _roles("Incomplete", "Subtype", "Type"),
    "TypeParameter": _roles("Argument", "Type"),
    "TypeParameterDeclaration": _roles("Argument", "Type"),
    "ObjectTypeProperty": _roles("Incomplete", "Type"),
    "ObjectTypeCallProperty": _roles("Function", "Incomplete", "Type"),
    "ObjectTypeIndexer": _roles("Incomplete", "Type"),
    "FunctionTypeParam": _roles("Argument", "Function", "Incomplete", "Type"),
    "NullLiteralTypeAnnotation": _roles("Null", "Type"),
    "NumberTypeAnnotation": _roles("Number", "Type"),
    "StringTypeAnnotation": _roles("String", "Type"),
    "BooleanTypeAnnotation": _roles("Boolean", "Type"),
    "ObjectTypeAnnotation": _roles("Incomplete", "Literal", "Type"),
    "TupleTypeAnnotation": _roles("Incomplete", "Tuple", "Type"),
    "ArrayTypeAnnotation": _roles("List", "Type"),
    "StringLiteralTypeAnnotation": _roles("Literal", "String", "Type"),
    "NumberLiteralTypeAnnotation": _roles("Literal", "Number", "Type"),
    "BooleanLiteralTypeAnnotation": _roles("Boolean", "Literal", "Type"),
    "BigIntLiteralTypeAnnotation": _roles("Literal", "Number", "Type"),
    "QualifiedTypeIdentifier": _roles("Identifier", "Qualified", "Type"),
    "ThisTypeAnnotation": _roles("This", "Type"),
    # TypeScript declarations
    "TSInterfaceDeclaration": _roles("Declaration", "Statement", "Type"),
    "TSInterfaceBody": _roles("Body", "Type"),
    "TSTypeAliasDeclaration": _roles("Alias", "Declaration", "Statement", "Type"),
    "TSEnumDeclaration": _roles("Declaration", "Enumeration", "Statement", "Type"),
    "TSEnumBody": _roles("Body", "Enumeration"),
    "TSEnumMember": _roles("Enumeration", "Identifier"),
    "TSModuleDeclaration": _roles("Declaration", "Module", "Statement"),
    "TSModuleBlock": _roles("Block", "Body", "Scope"),
    "TSPropertySignature": _roles("Type", "Variable"),
    "TSMethodSignature": _roles("Function", "Type"),
    "TSIndexSignature": _roles("Incomplete", "Type"),
    "TSCallSignatureDeclaration": _roles("Function", "Type"),
    "TSConstructSignatureDeclaration": _roles("Function", "Type"),
    "TSParameterProperty": _roles("Argument", "Incomplete"),
    "TSImportEqualsDeclaration": _roles("Declaration", "Import", "Statement"),
    "TSExternalModuleReference": _roles("Import", "Pathname"),
    "TSExportAssignment": _roles("Incomplete", "Statement", "Visibility"),
    "TSNamespaceExportDeclaration": _roles("Incomplete", "Statement", "Visibility"),
    # TypeScript expressions
    "TSAsExpression": _roles("Expression", "Incomplete", "Type"),
    "TSSatisfiesExpression": _roles("Expression", "Incomplete", "Type"),
    "TSTypeAssertion": _roles("Expression", "Incomplete", "Type"),
    "TSNonNullExpression": _roles("Expression", "Incomplete"),
    "TSInstantiationExpression": _roles("Expression", "Incomplete", "Type"),
    "TSExpressionWithTypeArguments": _roles("Base", "Type"),
    "TSInterfaceHeritage": _roles("Base", "Type"),
    "TSClassImplements": _roles("Base", "Type"),
    "TSQualifiedName": _roles("Identifier", "Qualified"),
    # TypeScript types
    "TSTypeParameterDeclaration": _roles("Argument", "Type"),
    "TSTypeParameter": _roles("Argument", "Type"),
    "TSStringKeyword": _roles("String", "Type"),
    "TSNumberKeyword": _roles("Number", "Type"),
    "TSBigIntKeyword": _roles("Number", "Type"),
    "TSBooleanKeyword": _roles("Boolean", "Type"),
    "TSNullKeyword": _roles("Null", "Type"),
    "TSUndefinedKeyword": _roles("Null", "Type"),
    "TSVoidKeyword": _roles("Null", "Type"),
    "TSThisType": _roles("This", "Type"),
    "TSArrayType": _roles("List", "Type"),
    "TSTupleType": _roles("Tuple", "Type"),
    "TSTypeLiteral": _roles("Literal", "Type"),
    "TSLiteralType": _roles("Literal", "Type"),
    "TSFunctionType": _roles("Function", "Type"),
    "TSConstructorType": _roles("Function", "Type"),
    "TSTypeReference": _roles("Identifier", "Type"),
    **_same(("TypeAnnotation", "TSTypeAnnotation", "GenericTypeAnnotation", "MixedTypeAnnotation",
             "TSTypeParameterInstantiation", "TSAnyKeyword",
             "TSUnknownKeyword", "TSNeverKeyword", "TSObjectKeyword", "TSSymbolKeyword",
             "TSIntrinsicKeyword"), "Type"),
    **_same(("AnyTypeAnnotation", "VoidTypeAnnotation", "NullableTypeAnnotation", "UnionTypeAnnotation",
             "IntersectionTypeAnnotation", "FunctionTypeAnnotation", "TSUnionType", "TSIntersectionType",
             "TSParenthesizedType", "TSTypeOperator", "TSIndexedAccessType", "TSMappedType",
             "TSConditionalType", "TSInferType", "TSTypeQuery", "TSImportType", "TSTypePredicate",
             "TSTemplateLiteralType", "TSOptionalType", "TSRestType", "TSNamedTupleMember", "ExistsTypeAnnotation",
             "TypeofTypeAnnotation", "EmptyTypeAnnotation", "SymbolTypeAnnotation", "BigIntTypeAnnotation",
             "KeyofTypeAnnotation", "IndexedAccessType", "OptionalIndexedAccessType", "InterfaceTypeAnnotation",
             "ObjectTypeSpreadProperty", "ObjectTypeInternalSlot", "DeclareExportDeclaration",
             "DeclareExportAllDeclaration", "DeclareModuleExports", "TypeParameterInstantiation"),
          "Incomplete", "Type"),
}

# (parent type or "*", field) -> roles of the child there.
_CONDITIONAL = {"test": _roles("Condition", "If"), "consequent": _roles("Body", "If", "Then"),
                "alternate": _roles("Body", "Else", "If")}
_FUNCTION_FIELDS = {"id": _roles("Function", "Name"), "body": _roles("Body", "Function"),
                    "params": _roles("Argument", "Function")}
_CLASS_FIELDS = {"id": _roles("Name", "Type"), "superClass": _roles("Base", "Type")}
_LOOP_OF = {"left": _roles("For", "Iterator"), "right": _roles("For"), "body": _roles("Body", "For")}


def _fields(types: Iterable[str], fields: Mapping[str, Roles]) -> dict[tuple[str, str], Roles]:
    return {(native, field): roles for native in types for field, roles in fields.items()}


FIELD_ROLES: Mapping[tuple[str, str], Roles] = {
    **_fields(("IfStatement", "ConditionalExpression"), _CONDITIONAL),
    **_fields(("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "ObjectMethod",
               "ClassMethod", "ClassPrivateMethod", "TSDeclareFunction", "TSDeclareMethod"), _FUNCTION_FIELDS),
    **_fields(("ObjectMethod",), {"key": _roles("Function", "Key", "Map", "Name")}),
    **_fields(("ClassMethod", "ClassPrivateMethod", "TSDeclareMethod"), {"key": _roles("Key", "Name")}),
    **_fields(("ClassDeclaration", "ClassExpression"), _CLASS_FIELDS),
    **_fields(("ClassProperty", "ClassPrivateProperty", "ClassAccessorProperty"),
              {"key": _roles("Key", "Name"), "value": _roles("Initialization", "Value")}),
    **_fields(("ObjectProperty",), {"key": _roles("Key", "Map"), "value": _roles("Map", "Value")}),
    **_fields(("SwitchStatement",), {"discriminant": _roles("Condition", "Switch")}),
    **_fields(("SwitchCase",), {"test": _roles("Case", "Condition")}),
    **_fields(("TryStatement",), {"finalizer": _roles("Finally", "Try")}),
    **_fields(("WhileStatement",), {"test": _roles("Condition", "While"), "body": _roles("Body", "While")}),
    **_fields(("DoWhileStatement",), {"test": _roles("Condition", "DoWhile"), "body": _roles("Body", "DoWhile")}),
    **_fields(("ForStatement",), {"init": _roles("For", "Initialization"), "test": _roles("Condition", "For"),
                                  "update": _roles("For", "Update"), "body": _roles("Body", "For")}),
    **_fields(("ForInStatement", "ForOfStatement"), _LOOP_OF),
    **_fields(("VariableDeclarator",), {"init": _roles("Initialization",)}),
    **_fields(("WithStatement",), {"object": _roles("Incomplete",)}),
    **_fields(("DoExpression",), {"body": _roles("Body",)}),
    **_fields(("CallExpression", "OptionalCallExpression", "NewExpression"),
              {"callee": _roles("Call", "Callee"), "arguments": _roles("Argument", "Call")}),
    **_fields(("BinaryExpression",), {"left": _roles("Binary", "Left"), "right": _roles("Binary", "Right")}),
    **_fields(("AssignmentExpression",), {"left": _roles("Assignment", "Binary", "Left"),
                                          "right": _roles("Assignment", "Binary", "Right")}),
    **_fields(("LogicalExpression",), {"left": _roles("Binary", "Boolean", "Left"),
                                       "right": _roles("Binary", "Boolean", "Right")}),
    **_fields(("ImportDeclaration",), {"specifiers": _roles("Import",), "source": _roles("Import", "Pathname")}),
    **_fields(("ImportSpecifier",), {"local": _roles("Import",), "imported": _roles("Import",)}),
    **_fields(("ImportDefaultSpecifier", "ImportNamespaceSpecifier"), {"local": _roles("Import",)}),
    **_fields(("ExportNamedDeclaration", "ExportDefaultDeclaration", "ExportAllDeclaration"),
              {"declaration": _roles("Incomplete",), "specifiers": _roles("Incomplete",),
               "source": _roles("Incomplete", "Pathname")}),
    **_fields(("ExportSpecifier",), {"local": _roles("Incomplete",), "exported": _roles("Incomplete",)}),
    **_fields(("TSInterfaceDeclaration", "TSTypeAliasDeclaration", "TSEnumDeclaration", "TypeAlias",
               "OpaqueType", "InterfaceDeclaration", "DeclareClass", "DeclareInterface", "EnumDeclaration"),
              {"id": _roles("Name", "Type")}),
    **_fields(("TSModuleDeclaration", "DeclareModule"), {"id": _roles("Module", "Name")}),
    **_fields(("TSInterfaceDeclaration", "InterfaceDeclaration", "DeclareClass", "DeclareInterface"),
              {"extends": _roles("Base", "Type")}),
    **_fields(("TSEnumMember",), {"initializer": _roles("Initialization",)}),
    **_fields(("TSImportEqualsDeclaration",), {"moduleReference": _roles("Import", "Pathname")}),
}

# Operators: the roles of the expression (and of its uast:Operator) for each operator.
_ARITHMETIC = {"+": ("Add",), "-": ("Substract",), "*": ("Multiply",), "/": ("Divide",), "%": ("Modulo",)}
_BITWISE = {"<<": ("LeftShift",), ">>": ("RightShift",), ">>>": ("RightShift", "Unsigned"), "|": ("Or",),
            "^": ("Xor",), "&": ("And",)}

BINARY_OPERATORS: Mapping[str, Roles] = {
    "==": _roles("Equal", "Relational"), "!=": _roles("Equal", "Not", "Relational"),
    "===": _roles("Identical", "Relational"), "!==": _roles("Identical", "Not", "Relational"),
    "<": _roles("LessThan", "Relational"), "<=": _roles("LessThanOrEqual", "Relational"),
    ">": _roles("GreaterThan", "Relational"), ">=": _roles("GreaterThanOrEqual", "Relational"),
    **{op: _roles("Arithmetic", *roles) for op, roles in _ARITHMETIC.items()},
    "**": _roles("Arithmetic", "Incomplete"),
    **{op: _roles("Bitwise", *roles) for op, roles in _BITWISE.items()},
    "instanceof": _roles("Type",), "in": (), "|>": _roles("Incomplete",),
}
ASSIGNMENT_OPERATORS: Mapping[str, Roles] = {
    "=": (),
    **{op + "=": roles for op, roles in BINARY_OPERATORS.items() if op in _ARITHMETIC or op in _BITWISE or op == "**"},
    "&&=": _roles("And", "Boolean"), "||=": _roles("Boolean", "Or"), "??=": _roles("Incomplete",),
}
LOGICAL_OPERATORS: Mapping[str, Roles] = {"||": _roles("Or",), "&&": _roles("And",), "??": _roles("Incomplete",)}
UNARY_OPERATORS: Mapping[str, Roles] = {
    "-": _roles("Arithmetic", "Negative"), "+": _roles("Arithmetic", "Positive"), "!": _roles("Boolean", "Not"),
    "~": _roles("Bitwise", "Not"), "typeof": _roles("Type",), "void": _roles("Null",),
    "delete": _roles("Incomplete",), "throw": _roles("Throw",),
    "++": _roles("Arithmetic", "Increment"), "--": _roles("Arithmetic", "Decrement"),
}

# Native type -> (the roles every operator of that expression has, the table by operator).
OPERATORS: Mapping[str, tuple[Roles, Mapping[str, Roles]]] = {
    "BinaryExpression": (_roles("Binary", "Expression", "Operator"), BINARY_OPERATORS),
    "AssignmentExpression": (_roles("Assignment", "Binary", "Expression", "Operator"), ASSIGNMENT_OPERATORS),
    "LogicalExpression": (_roles("Binary", "Boolean", "Expression", "Operator"), LOGICAL_OPERATORS),
    "UnaryExpression": (_roles("Expression", "Operator", "Unary"), UNARY_OPERATORS),
    "UpdateExpression": (_roles("Expression", "Operator", "Unary"), UNARY_OPERATORS),
}


def operator_roles(node: dict) -> Roles:
    """The roles an operator expression adds for its operator (and Postfix for `x++`)."""
    _base, table = OPERATORS[node["@type"].rpartition(":")[2]]
    roles = table.get(node.get("operator"), ())
    if node.get("prefix") is False:
        roles = (*roles, "Postfix")
    return roles
