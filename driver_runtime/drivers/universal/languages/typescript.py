"""TypeScript (tree-sitter-typescript; its `tsx` grammar for .tsx files), over the JavaScript
table: what JavaScript's says holds, and TypeScript adds its declarations (interfaces, type
aliases, enums, namespaces, abstract classes, signatures) and typed parameters.

Babelfish's TypeScript driver made nothing semantic (its fixtures hold no uast:* node): the
conventions are JavaScript's, as the native driver (drivers/typescript, over Babel) keeps them:
a typed parameter is a uast:Argument with its annotation as Type, a declared return type is
the FunctionType's Returns, a declaration is named by its name.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal import normalization
from driver_runtime.drivers.universal.languages.javascript import field_definition, function_declaration
from driver_runtime.drivers.universal.rules import is_type, kind
from driver_runtime.drivers.universal.tables import Function, LanguageTable, Symbol
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]


def enum_body(node: Node, context: Context) -> Node:
    """An enum's bare members (`Red` in `enum Color { Red, Green = 2 }`) are named members too,
    as the ones with a value are (enum_assignment): the outline's enum members."""
    bare = node.pop("name", None)
    if bare is None:
        return node
    prefix = node["@type"].partition(":")[0]
    members = [
        {"@type": f"{prefix}:enum_assignment", "@role": ["Declaration", "Variable"], "@pos": name.get("@pos"),
         "name": name}
        for name in (bare if type(bare) is list else [bare]) if type(name) is dict
    ]
    items = [*members, *(node.get("children") or ())]
    items.sort(key=lambda item: (item.get("@pos") or {}).get("start", 0))
    node["children"] = items
    return node


def module(node: Node, context: Context) -> Node:
    """A namespace or module, named by its name (`A.B` as written, a quoted module's string)."""
    node = _named(node, context)
    name = node.get("name")
    if kind(name) == "nested_identifier":
        node["@token"] = context.text(name)
    elif is_type(name, "uast:String"):
        node["@token"] = name["Value"]
    return node


_named = normalization.symbol("name")

TABLE = LanguageTable(
    extends="javascript",
    identifiers=("type_identifier",),
    qualified={"nested_type_identifier": ("module", "name")},
    functions={"function_signature": Function(returns="return_type")},
    roles={
        "type_annotation": ("Annotation", "Type"),
        # `{ a: T }` written in an annotation or an alias: a type literal, whose members the
        # outline does not list (as tsserver); an interface's own members are in interface_body.
        "object_type": ("Literal", "Type"),
        "predefined_type": ("Type",),
        "as_expression": ("Cast", "Expression"),
        "type_assertion": ("Cast", "Expression"),
    },
    symbols={
        "abstract_class_declaration": "class",
        "interface_declaration": "interface",
        "type_alias_declaration": "type",
        "enum_declaration": "enum",
        "enum_assignment": "enum_member",
        "internal_module": "namespace",
        "module": "namespace",
        "public_field_definition": "property",
        "property_signature": "property",
        "method_signature": "method",
        "abstract_method_signature": "method",
        "field_definition": Symbol("property", name="property"),
    },
    transforms={
        "function_signature": function_declaration,
        "public_field_definition": field_definition,
        "enum_body": enum_body,
        "internal_module": module,
        "module": module,
    },
    # As JavaScript's: new nodes of the children (a signature, a field's function), or the node
    # itself changed (a namespace's name; an enum's bare members wrapped in new nodes).
    keeps_children=("function_signature", "public_field_definition", "enum_body", "internal_module", "module"),
)
