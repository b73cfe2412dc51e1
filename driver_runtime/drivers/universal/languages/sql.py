"""SQL (tree-sitter-sql: PostgreSQL, MySQL, SQLite and others' common syntax).

The outline is what a database's DDL declares, named as written (``billing.invoices``): a
table is a struct with its columns as fields, a view a class, a type a type, a sequence a
variable, a schema or a database a namespace, a trigger an event (an index is left out: the
grammar has its name in a field called `column`); a function is a uast:FunctionGroup (its
arguments uast:Arguments, its RETURNS type, its body).  A name is an ``object_reference``
(schema, name): a uast:QualifiedIdentifier, or the Identifier when it has one part; a
declaration's name is one uast:Identifier spelling it whole (a transform: the outline reads an
Identifier).  ``CREATE EXTENSION`` is a uast:Import.
"""

from driver_runtime.drivers.universal.normalization import function
from driver_runtime.drivers.universal.rules import children_of, first, kind, one_identifier, quoted
from driver_runtime.drivers.universal.tables import Argument, Function, Import, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict

_FUNCTION = function(Function(name="name", parameters="parameters", returns="returns", body="body"))


def object_reference(node: Node, context: Context) -> Node:
    """`db.schema.name`: a QualifiedIdentifier; `name`: its Identifier."""
    names = [node[field] for field in ("database", "schema", "name") if type(node.get(field)) is dict]
    if not names or any(name.get("@type") != "uast:Identifier" for name in names):
        return node
    if len(names) == 1:
        return names[0]
    return nodes.qualified_identifier(names, node.get("@pos"))


def named(node: Node, context: Context) -> Node:
    """CREATE TABLE/VIEW/TYPE/TRIGGER/SCHEMA name ...: its first name is its `name`."""
    children = node.get("children") or []
    for index, child in enumerate(children):
        name = one_identifier(child)
        if name is not None:
            node["name"] = name
            del children[index]
            break
    return node


def create_function(node: Node, context: Context) -> Node:
    """CREATE FUNCTION name(arguments) RETURNS type ... AS body: a FunctionGroup."""
    rest = []
    after_returns = False
    for child in node.pop("children", None) or ():
        native = kind(child)
        if "name" not in node and one_identifier(child) is not None:
            node["name"] = one_identifier(child)
        elif native == "function_arguments" and "parameters" not in node:
            node["parameters"] = child
        elif native == "function_body" and "body" not in node:
            node["body"] = child
        elif after_returns and "returns" not in node and not native.startswith("function_"):
            node["returns"] = child
        else:
            rest.append(child)
        after_returns = native == "keyword_returns"
    if rest:
        node["children"] = rest
    return _FUNCTION(node, context)


def function_argument(node: Node, context: Context) -> Node:
    """`[name] type [DEFAULT value]`."""
    items = children_of(node)
    default = None
    for index, item in enumerate(items):
        if kind(item) == "keyword_default":
            default = items[index + 1] if index + 1 < len(items) else None
            items = items[:index]
            break
    name = items[0] if len(items) > 1 and items[0].get("@type") == "uast:Identifier" else None
    rest = items[1:] if name is not None else items
    return nodes.argument(name, rest[0] if rest else None, default, pos=node.get("@pos"))


def extension(node: Node, context: Context) -> Node:
    """CREATE EXTENSION [IF NOT EXISTS] name: a uast:Import of the extension."""
    name = first(children_of(node), "uast:Identifier")
    return node if name is None else nodes.import_(name, pos=node.get("@pos"))


def literal(node: Node, context: Context) -> Node:
    """'text' is a uast:String ('' inside as written); a number stays native."""
    value = quoted(context.text(node), "'")
    return node if value is None else nodes.string(value, node.get("@pos"))


NAMED = ("create_table", "create_view", "create_materialized_view", "create_type", "create_trigger",
         "create_schema", "create_database", "create_sequence")

TABLE = LanguageTable(
    comments=("marginalia",),
    booleans=("keyword_true", "keyword_false"),
    imports={"create_extension": Import()},
    roles={
        "invocation": ("Call", "Expression"),
        "binary_expression": ("Binary", "Expression"),
        "unary_expression": ("Expression", "Unary"),
        "select": ("Statement",),
        "insert": ("Statement",),
        "update": ("Statement",),
        "delete": ("Statement",),
        "statement": ("Statement",),
        "assignment": ("Assignment", "Expression"),
        "function_declaration": ("Declaration", "Variable"),
        "var_declaration": ("Declaration", "Variable"),
        "subquery": ("Expression",),
        "cte": ("Declaration",),
    },
    functions={"create_function": Function()},
    arguments={"function_argument": Argument(name=None, type=None)},
    symbols={
        "create_table": "struct",
        "column_definition": "field",
        "create_view": "class",
        "create_materialized_view": "class",
        "create_type": "type",
        "create_trigger": "event",
        "create_schema": "namespace",
        "create_database": "namespace",
        "create_sequence": "variable",
    },
    not_generic=("function_declaration",),  # a variable DECLAREd in a PL/pgSQL body
    transforms={
        **dict.fromkeys(NAMED, named),
        "object_reference": object_reference,
        "create_function": create_function,
        "function_argument": function_argument,
        "literal": literal,
        "create_extension": extension,
    },
)
