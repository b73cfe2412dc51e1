"""Rust (tree-sitter-rust)."""

from driver_runtime.drivers.universal.tables import Argument, Function, Import, LanguageTable, Symbol

TABLE = LanguageTable(
    identifiers=("self", "crate", "super", "metavariable", "primitive_type"),
    qualified={"scoped_identifier": ("path", "name"), "scoped_type_identifier": ("path", "name")},
    blocks=("block", "declaration_list", "field_declaration_list"),
    functions={
        "function_item": Function(returns="return_type"),
        "function_signature_item": Function(returns="return_type"),
        "closure_expression": Function(name=None, body="body"),
    },
    arguments={
        "parameter": Argument(name="pattern"),
        "self_parameter": Argument(name=None, type=None, receiver=True),
        "variadic_parameter": Argument(name="pattern", variadic=True),
        "closure_parameters": Argument(name=None, type=None),
    },
    imports={"use_declaration": Import(path="argument"), "extern_crate_declaration": Import(path="name")},
    roles={"call_expression": ("Call", "Expression"), "let_declaration": ("Declaration", "Variable")},
    field_roles={("call_expression", "function"): ("Callee",), ("call_expression", "arguments"): ("Argument",)},
    symbols={
        "struct_item": "struct",
        "union_item": "struct",
        "enum_item": "enum",
        "enum_variant": "enum_member",
        "trait_item": "interface",
        "impl_item": Symbol("class", name="type"),
        "mod_item": "module",
        "const_item": "constant",
        "static_item": "variable",
        "type_item": "type",
        "field_declaration": "field",
        "macro_definition": "function",
    },
)
