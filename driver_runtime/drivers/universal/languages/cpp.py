"""C++ (tree-sitter-cpp; its `c` grammar for .c files, whose node types are a subset), close to
Babelfish's C++ driver (Eclipse CDT), as the native driver (drivers/cpp, over clang) is:

- names (declared, referenced, members, type names, labels) are uast:Identifier; `std::cout`
  is a uast:QualifiedIdentifier spanning the whole name, its parts without spans (`::f` too);
- a function definition (with a body, `= default` or `= delete`) is a uast:FunctionGroup
  spanning the definition (after its `template <...>` header): its Alias is named as written
  without blanks (`A::f` out of line, `operator ()` as CDT spelled operators), without a
  position; its Arguments are the parameters (the declared name, the written type, the
  default), without positions, and `...` a variadic argument; its Returns the return type: a
  class type's name (positioned), a builtin type's keyword (no position), nothing for void,
  `unespecified` (sic) for a constructor or destructor;
- `{...}` is a uast:Block; string literals are uast:String, escapes decoded and adjacent pieces
  joined; a character or `true` is no String nor Bool (CDT's literal expressions);
- `#include <x>` and `#include "x"` are a uast:InlineImport of "x" and "./x";
- CDT answered some operands under two names and Babelfish's tree holds them twice: a binary
  or assignment expression's right operand (InitOperand2), a return's value (ReturnArgument),
  an `= x` initializer (InitializerClause), a subscript's index (Argument); so does this tree.

A function declared without a body (`void f();`, a method declared in its class) stays native,
as in Babelfish; the outline lists it (a `declaration` or `field_declaration` whose declarator
is a function is a function or method symbol there: see `declaration`).
"""

from __future__ import annotations

import re
from typing import Any

from driver_runtime.drivers.universal import normalization
from driver_runtime.drivers.universal.rules import children_of, first, is_type, kind, position, unpositioned
from driver_runtime.drivers.universal.tables import LanguageTable, Symbol
from driver_runtime.sdk import nodes
from driver_runtime.sdk.literals import CPP_STRING_PIECE, cpp_unescape
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]

# Declarators that wrap the declared name (and what it declares: a function, a pointer...).
_WRAPPERS = frozenset({
    "pointer_declarator", "reference_declarator", "array_declarator", "init_declarator", "parenthesized_declarator",
    "attributed_declarator", "function_declarator", "variadic_declarator", "bitfield_clause",
})
_NOT_DECLARATORS = frozenset({"type_qualifier", "ms_pointer_modifier", "attribute_specifier", "attribute_declaration",
                               "virtual_specifier", "noexcept", "throw_specifier", "trailing_return_type"})
_BUILTIN_WORDS = ("void", "bool", "char", "wchar_t", "char8_t", "char16_t", "char32_t", "short", "int", "long",
                  "float", "double", "auto", "signed", "unsigned")
_OPERATOR_NAME = re.compile(r"\boperator\s*(?=[^\w\s])")
_BLANKS = re.compile(r"\s+")


def declarator_chain(node: Any) -> list[Node]:
    """The declarators from `node` inward, down to the declared name (the last)."""
    chain = []
    while type(node) is dict:
        chain.append(node)
        if kind(node) not in _WRAPPERS:
            break
        inner = node.get("declarator")
        if type(inner) is list:
            inner = inner[0] if inner else None
        if inner is None:  # `&x`, `T... x`: the inner declarator is a child
            inner = next((child for child in children_of(node)
                          if not is_type(child, "uast:Comment") and kind(child) not in _NOT_DECLARATORS), None)
        node = inner
    return chain


def declared_name(declarator: Any) -> Any:
    """The name a declarator declares (an identifier, a qualified name, an operator...), or None."""
    chain = declarator_chain(declarator)
    if not chain:
        return None
    last = chain[-1]
    return None if kind(last) in _WRAPPERS or kind(last).startswith("abstract_") else last


# --- names -------------------------------------------------------------------------------------

def qualified_identifier(node: Node, context: Context) -> Node:
    """`a::b::c`, `::f`: one QualifiedIdentifier over the whole name, its parts without spans (as
    Babelfish's).  A part that is no plain name (a template, an operator) leaves it native."""
    parts: list[Node] = []
    for field in ("scope", "name"):
        value = node.get(field)
        if value is None:
            continue
        if is_type(value, "uast:Identifier"):
            parts.append(unpositioned(value))
        elif kind(value) in _TEMPLATES:  # `vector<int>`: one name as written (CDT's template id)
            parts.append(nodes.identifier(template_text(value, context)))
        elif is_type(value, "uast:QualifiedIdentifier"):
            parts.extend(value["Names"])
        else:
            return node
    if not parts or "name" not in node:
        return node
    return nodes.qualified_identifier(parts, position(node))


_TEMPLATES = ("template_type", "template_function", "template_method")


_CASTS = frozenset({"static_cast", "dynamic_cast", "const_cast", "reinterpret_cast"})


def template_text(node: Node, context: Context) -> str:
    """A template id as CDT wrote it: its name, then its arguments as written, joined by ", "."""
    name = node.get("name")
    arguments = node.get("arguments")
    if type(name) is not dict or type(arguments) is not dict:
        return context.text(node)
    parts = [context.text(item).strip() for item in children_of(arguments)
             if not is_type(item, "uast:Comment")]
    return f"{context.text(name).strip()}<{', '.join(parts)}>"


def template(node: Node, context: Context) -> Node:
    """`vector<int>`, `f<T>`: CDT's template id, named as written (Name) besides its template's
    name (its `name`, CDT's TemplateName).  `static_cast<T>` is a cast, no name."""
    name = node.get("name")
    if is_type(name, "uast:Identifier") and name["Name"] in _CASTS:
        node["name"] = _unnamed(name, node["@type"].partition(":")[0])
        return node
    node["Name"] = nodes.identifier(template_text(node, context), position(node))
    return node


def macro(node: Node, context: Context) -> Node:
    """A preprocessor directive's names are no identifiers (CDT kept macros apart from the code):
    a macro's name is its token (the outline's name)."""
    name = node.get("name")
    if is_type(name, "uast:Identifier"):
        node["@token"] = name["Name"]
    pos = position(node)
    if pos and kind(node) in ("preproc_def", "preproc_function_def"):  # not the line's end
        text = context.text(node)
        node["@pos"] = {"start": pos["start"], "end": pos["start"] + len(text.rstrip().encode("utf-8"))}
    for field in ("name", "condition", "parameters", "value"):
        if field in node:
            node[field] = _unnamed(node[field], node["@type"].partition(":")[0])
    return node


def _unnamed(value: Any, prefix: str) -> Any:
    """`value` with its uast:Identifiers back as native identifiers."""
    if type(value) is list:
        return [_unnamed(item, prefix) for item in value]
    if type(value) is not dict:
        return value
    if is_type(value, "uast:Identifier"):
        native = {"@type": f"{prefix}:identifier", "@role": ["Identifier"], "@token": value["Name"]}
        if "@pos" in value:
            native["@pos"] = value["@pos"]
        return native
    return {key: _unnamed(item, prefix) if key != "@pos" else item for key, item in value.items()}


def destructor_name(node: Node, context: Context) -> Node:
    return nodes.identifier(context.text(node), position(node))


# --- literals ----------------------------------------------------------------------------------

def string_value(written: str) -> str | None:
    """The value of a string literal as written (adjacent pieces joined, escapes decoded), or
    None for one with a macro between its pieces."""
    pieces = list(CPP_STRING_PIECE.finditer(written))
    if not pieces:
        return None
    covered = sum(match.end() - match.start() for match in pieces)
    if written.strip() and covered < len(_BLANKS.sub("", written)) - 0:
        rest = CPP_STRING_PIECE.sub("", written)
        if rest.strip():
            return None
    return "".join(match.group(2) if match.group(2) is not None else cpp_unescape(match.group(3) or "")
                   for match in pieces)


def string(node: Node, context: Context) -> Node:
    """A string literal, or adjacent ones ("a" "b"), as one uast:String of its value."""
    value = string_value(context.text(node))
    if value is None:
        return node
    return nodes.string(value, position(node))


def include(node: Node, context: Context) -> Node:
    """`#include <a/b.h>` -> InlineImport of "a/b.h"; `#include "b.h"` of "./b.h" (Babelfish)."""
    path = node.get("path")
    if is_type(path, "uast:String"):
        target = "./" + path["Value"]
    elif kind(path) == "system_lib_string":
        target = str(path.get("@token") or "").strip("<>")
    else:  # a macro
        return node
    pos, path_pos = position(node), position(path)
    span = {"start": pos["start"], "end": path_pos["end"]} if pos and path_pos else pos  # not the line's end
    result = nodes.import_(nodes.string(target), names=None, all=True, pos=span, kind="uast:InlineImport")
    comments = [child for child in node.get("children") or () if is_type(child, "uast:Comment")]
    if comments:  # `#include <x> // why`
        result["Comments"] = comments
    return result


def comment(node: Node, context: Context) -> Node:
    """`// text` and `/* text */`, split as Babelfish's SDK split C-like comments (the marker
    characters around the text apart, whatever the comment's kind)."""
    raw = str(node.get("@token") or "")
    block = raw.startswith("/*")
    opener, closer = ("/*", "*/") if block else ("//", "")
    prefix, text, suffix, tab = nodes.split_comment_tab(raw.rstrip("\r\n") if not block else raw, opener, closer)
    return nodes.comment(text, position(node), block=block, prefix=prefix, suffix=suffix, tab=tab)


# --- functions ---------------------------------------------------------------------------------

def _function_declarator(declarator: Any) -> Node | None:
    for link in declarator_chain(declarator):
        if kind(link) == "function_declarator":
            return link
    return None


def _returns(node: Node, declarator: Node, context: Context) -> list[Node] | None:
    """Babelfish's Returns: a class type's name, a builtin type's keyword (no position), nothing
    for void; `unespecified` for a constructor or destructor."""
    written = node.get("type")
    if written is None:
        return [nodes.argument(type=nodes.identifier("unespecified"))]
    if is_type(written, "uast:Identifier", "uast:QualifiedIdentifier"):
        return [nodes.argument(type=written)]
    pointer = any(kind(link) in ("pointer_declarator", "reference_declarator")
                  for link in declarator_chain(node.get("declarator")))
    words = context.text(written).split()
    builtin = [word for word in words if word in _BUILTIN_WORDS]
    if not builtin:
        return [nodes.argument(type=written)]
    if builtin[-1] == "void" and not pointer:
        return None
    keyword = builtin[-1] if builtin[-1] not in ("signed", "unsigned", "short", "long") else "int"
    return [nodes.argument(type=nodes.identifier(keyword))]


def parameter(item: Any, context: Context) -> Any:
    """A parameter as Babelfish's uast:Argument: no position; the declared name; the type as
    written; the default value."""
    native = kind(item)
    if native in ("parameter_declaration", "optional_parameter_declaration", "variadic_parameter_declaration"):
        name = declared_name(item.get("declarator"))
        if name is not None and not (is_type(name, "uast:Identifier")):
            name = None
        return nodes.argument(name=name, type=item.get("type"), init=item.get("default_value"),
                              variadic=native == "variadic_parameter_declaration")
    return item


def _parameters(declarator: Node, context: Context) -> list[Any]:
    parameters = declarator.get("parameters")
    if type(parameters) is not dict:
        return []
    arguments = [parameter(item, context) for item in children_of(parameters)
                 if not is_type(item, "uast:Comment")]
    if context.text(parameters).rstrip(") \t\r\n").endswith("..."):  # C's `...`
        arguments.append(nodes.argument(variadic=True))
    return arguments


def function_definition(node: Node, context: Context) -> Node:
    declarator = _function_declarator(node.get("declarator"))
    if declarator is None:  # a K&R definition, a macro: stays native
        return node
    name_node = declarator.get("declarator")
    written = _BLANKS.sub("", context.text(name_node)) if type(name_node) is dict else ""
    if not written:
        return node
    name = nodes.identifier(_OPERATOR_NAME.sub("operator ", written))
    signature = nodes.function_type(_parameters(declarator, context), _returns(node, declarator, context))
    function = nodes.function(signature, node.get("body"))
    rest = {key: value for key, value in node.items()
            if key not in ("declarator", "type", "body", "@role", "@token")}
    extra = [rest] if any(not key.startswith("@") for key in rest) else None
    return nodes.function_group(name, function, position(node), extra)


def specifier(node: Node, context: Context) -> Node:
    """`struct node *next`, `class A;`: a class, struct, union or enum without a body names a
    type and declares none (CDT's elaborated type specifier): no symbol of the outline."""
    if "body" in node:
        return _symbol(node, context)
    node["@type"] = node["@type"].partition(":")[0] + ":elaborated_type_specifier"
    node["@role"] = ["Type"]
    return node


_symbol = normalization.symbol("name")


def namespace(node: Node, context: Context) -> Node:
    """namespace a::b: named as written (its name a nested specifier, no identifier)."""
    node = _symbol(node, context)
    name = node.get("name")
    if type(name) is dict and not is_type(name, "uast:Identifier"):
        node["@token"] = _BLANKS.sub("", context.text(name))
    return node


def declaration(node: Node, context: Context) -> Node:
    """A declaration (of variables, fields, or functions without a body): native, its token the
    name it declares when it declares one (the outline's name; several: the first).  One that
    declares a function only (`int f(int);`, a method declared in its class) is a
    uast:FunctionGroup without a body, as a definition is (the outline's function or method)."""
    node.pop("@token", None)  # `=`
    declarators = node.get("declarator")
    declarator = declarators[0] if type(declarators) is list and declarators else declarators
    if type(declarator) is dict and type(declarators) is dict and _function_declarator(declarator) is not None \
            and all(kind(link) != "parenthesized_declarator" for link in declarator_chain(declarator)):
        group = function_definition(node, context)
        if is_type(group, "uast:FunctionGroup"):
            return group
    name = declared_name(declarator)
    if is_type(name, "uast:Identifier"):
        node["@token"] = name["Name"]
    elif type(name) is dict and "@pos" in name:
        node["@token"] = _OPERATOR_NAME.sub("operator ", _BLANKS.sub("", context.text(name)))
    return node


# --- Babelfish's repeated operands ---------------------------------------------------------------

def repeat(field: str, alias: str, children: bool = False):
    """A transform: the child in `field` (or the only child, with `children`) again under `alias`."""
    def transform(node: Node, context: Context) -> Node:
        if children:
            items = [child for child in node.get("children") or () if not is_type(child, "uast:Comment")]
            if len(items) == 1:
                node[alias] = items[0]
        elif field in node:
            node[alias] = node[field]
        return node
    return transform


def init_declarator(node: Node, context: Context) -> Node:
    """`x = y`: the value again as CDT's initializer clause (not for `= {...}` nor `x(y)`)."""
    value = node.get("value")
    if type(value) is dict and kind(value) not in ("initializer_list", "argument_list") and \
            "InitializerClause" not in node:
        node["InitializerClause"] = value
    elif kind(value) == "argument_list":  # `x(y)`: CDT's constructor initializer, its expression again
        items = [child for child in children_of(value) if not is_type(child, "uast:Comment")]
        if len(items) == 1:
            node["Expression"] = items[0]
    return node


def initializer_list(node: Node, context: Context) -> Node:
    """`{a, b}`: CDT answered each element three times (as a clause, and as the expression and the
    clause of its own initializer): Babelfish's tree holds them so."""
    items = [child for child in children_of(node) if not is_type(child, "uast:Comment")]
    if items:
        node["Initializers"] = [{"IASTClass": "CPPASTEqualsInitializer", "Expression": item, "InitializerClause": item}
                                for item in items]
    return node


def base_classes(node: Node, context: Context) -> Node:
    """`: A, B`: CDT answered each base's name twice (its name and its name specifier)."""
    names = [child for child in children_of(node)
             if is_type(child, "uast:Identifier", "uast:QualifiedIdentifier")]
    if names:
        node["NameSpecifiers"] = names
    return node


def field_initializer(node: Node, context: Context) -> Node:
    """`x_(x)`: CDT answered a lone argument three times (an argument, the initializer's
    expression, the member's initializer value)."""
    arguments = first(children_of(node), "argument_list")
    items = [child for child in children_of(arguments) if not is_type(child, "uast:Comment")] \
        if arguments is not None else []
    if len(items) == 1:
        node["Expression"] = node["InitializerValue"] = items[0]
    return node


def subscript(node: Node, context: Context) -> Node:
    indices = node.get("indices")
    items = children_of(indices) if kind(indices) == "subscript_argument_list" else [indices]
    if len(items) == 1 and type(items[0]) is dict:
        node["Argument"] = items[0]
    return node


TABLE = LanguageTable(
    identifiers=("destructor_name",),
    strings=("concatenated_string",),
    blocks=("compound_statement",),
    # `true`, `'c'`: CDT's literal expressions, no uast:Bool nor uast:String.
    not_generic=("true", "false", "char_literal", "character_literal", "raw_string"),
    roles={
        "call_expression": ("Call", "Expression"),
        "declaration": ("Declaration", "Statement"),
        "field_declaration": ("Declaration", "Variable"),
        "return_statement": ("Return", "Statement"),
        "if_statement": ("If", "Statement"),
        "for_statement": ("For", "Statement"),
        "for_range_loop": ("For", "Iterator", "Statement"),
        "while_statement": ("Statement", "While"),
        "do_statement": ("DoWhile", "Statement"),
        "switch_statement": ("Statement", "Switch"),
        "case_statement": ("Case",),
        "break_statement": ("Break", "Statement"),
        "continue_statement": ("Continue", "Statement"),
        "goto_statement": ("Goto", "Statement"),
        "expression_statement": ("Statement",),
        "binary_expression": ("Binary", "Expression", "Operator"),
        "assignment_expression": ("Assignment", "Binary", "Expression", "Operator"),
        "unary_expression": ("Expression", "Operator", "Unary"),
        "update_expression": ("Expression", "Operator", "Unary"),
        "number_literal": ("Literal", "Number"),
        "char_literal": ("Character", "Literal"),
        "true": ("Boolean", "Literal"),
        "false": ("Boolean", "Literal"),
        "null": ("Literal", "Null"),
        "this": ("Expression", "This"),
        "lambda_expression": ("Anonymous", "Declaration", "Expression", "Function"),
        "preproc_include": ("Declaration", "Import"),
        "preproc_def": ("Declaration", "Preprocessor"),
        "preproc_function_def": ("Declaration", "Preprocessor"),
        "preproc_if": ("If", "Preprocessor"),
        "preproc_ifdef": ("If", "Preprocessor"),
        "template_declaration": ("Declaration", "Type"),
        "using_declaration": ("Declaration", "Import"),
        "function_definition": ("Declaration", "Function"),
        # an alias of a type (the native driver's TypedefDecl, TypeAliasDecl): a struct it
        # defines is listed beside it, not in it
        "type_definition": ("Alias", "Declaration", "Type"),
        "alias_declaration": ("Alias", "Declaration", "Type"),
    },
    field_roles={
        ("call_expression", "function"): ("Callee",),
        ("call_expression", "arguments"): ("Argument",),
        ("binary_expression", "left"): ("Left",),
        ("binary_expression", "right"): ("Right",),
        ("assignment_expression", "left"): ("Left",),
        ("assignment_expression", "right"): ("Right",),
        ("if_statement", "condition"): ("Condition",),
        ("if_statement", "consequence"): ("Then",),
        ("if_statement", "alternative"): ("Else",),
        ("*", "body"): ("Body",),
    },
    symbols={
        "class_specifier": "class",
        "struct_specifier": "struct",
        "union_specifier": "struct",
        "enum_specifier": "enum",
        "enumerator": "enum_member",
        "namespace_definition": "namespace",
        "field_declaration": "field",
        "type_definition": Symbol("class", name="declarator"),
        "alias_declaration": "class",
        "declaration": "variable",
        "preproc_def": "constant",
        "preproc_function_def": "function",
    },
    transforms={
        "qualified_identifier": qualified_identifier,
        "destructor_name": destructor_name,
        "string_literal": string,
        "raw_string_literal": string,
        "concatenated_string": string,
        "preproc_include": include,
        "comment": comment,
        "namespace_definition": namespace,
        **dict.fromkeys(("class_specifier", "struct_specifier", "union_specifier", "enum_specifier"), specifier),
        "function_definition": function_definition,
        "declaration": declaration,
        "field_declaration": declaration,
        "init_declarator": init_declarator,
        "binary_expression": repeat("right", "InitOperand2"),
        "assignment_expression": repeat("right", "InitOperand2"),
        "return_statement": repeat("", "ReturnArgument", children=True),
        "subscript_expression": subscript,
        "initializer_list": initializer_list,
        "base_class_clause": base_classes,
        "field_initializer": field_initializer,
        **dict.fromkeys(_TEMPLATES, template),
        **dict.fromkeys(("preproc_def", "preproc_function_def", "preproc_ifdef", "preproc_elifdef", "preproc_if",
                         "preproc_elif", "preproc_defined"), macro),
    },
    # None of these changes its children: they build new nodes of them (a function, a name, an
    # import, a macro's names as native copies) or change only their own fields (a class, a
    # namespace, a declaration's token, CDT's repeated operands: the same child again).
    keeps_children=("qualified_identifier", "concatenated_string", "preproc_include", "namespace_definition",
                    "class_specifier", "struct_specifier", "union_specifier", "enum_specifier", "function_definition",
                    "declaration", "field_declaration", "init_declarator", "binary_expression",
                    "assignment_expression", "return_statement", "subscript_expression", "initializer_list",
                    "base_class_clause", "field_initializer", *_TEMPLATES, "preproc_def", "preproc_function_def",
                    "preproc_ifdef", "preproc_elifdef", "preproc_if", "preproc_elif", "preproc_defined"),
)
