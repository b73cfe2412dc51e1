"""The generic table: the node type names most tree-sitter grammars share, for every language,
and all a language without a table of its own gets.  Each name here means the same concept in
every grammar that has it (a language whose grammar uses one otherwise lists it in its table's
``not_generic``)."""

from driver_runtime.drivers.universal.tables import Function, LanguageTable

TABLE = LanguageTable(
    comments=("comment", "line_comment", "block_comment", "doc_comment", "multiline_comment"),
    identifiers=(
        "identifier", "field_identifier", "type_identifier", "property_identifier", "simple_identifier",
        "shorthand_property_identifier", "shorthand_field_identifier", "package_identifier",
        "namespace_identifier", "statement_identifier", "variable_name", "constant", "name",
    ),
    strings=(
        "string", "string_literal", "interpreted_string_literal", "raw_string_literal", "char_literal",
        "character_literal", "template_string", "quoted_string", "verbatim_string_literal", "raw_string",
    ),
    booleans=("true", "false", "boolean", "boolean_literal"),
    # Functions by the names grammars give them, their parts in the fields most grammars use.
    functions={
        kind: Function(name="name", parameters="parameters", body="body")
        for kind in ("function_definition", "function_declaration", "function_item", "method_definition",
                     "method_declaration", "function_statement", "method")
    },
    symbols={
        **dict.fromkeys(("class_definition", "class_declaration", "class_specifier", "class"), "class"),
        **dict.fromkeys(("struct_definition", "struct_declaration", "struct_specifier", "struct_item"), "struct"),
        **dict.fromkeys(("interface_declaration", "interface_definition", "trait_item", "trait_declaration",
                         "protocol_declaration"), "interface"),
        **dict.fromkeys(("enum_definition", "enum_declaration", "enum_specifier", "enum_item"), "enum"),
        # Not `module`: Python's and others' whole file.
        **dict.fromkeys(("module_definition", "module_declaration", "mod_item"), "module"),
        **dict.fromkeys(("namespace_definition", "namespace_declaration"), "namespace"),
    },
)
