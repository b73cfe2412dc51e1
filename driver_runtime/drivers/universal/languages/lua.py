"""Lua (tree-sitter-lua).

The outline follows lua-language-server: a function is named as written (`Stack.new`,
`Stack:add`), and one declared with `:` is a method (its hidden `self` is a receiver Argument
here); a variable of the file (`local x = 1`, or a global `X = 1`) is a variable.

Transforms: a function's name (a dotted or `:` name becomes one Identifier spelling it; so does
the name a function is assigned to, `M.f = function ... end`, which is a FunctionGroup too); its
`parameters` (identifiers in a `name` field, `...`) become Arguments; an assignment names its
target (the outline reads `target`); `require "x"` is a uast:RuntimeImport of "x"; the file's
`local` statements, which the grammar puts in a field of their own, go back among the others.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import function
from driver_runtime.drivers.universal.rules import is_type
from driver_runtime.drivers.universal.tables import Function, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]

_build_function = function(Function())


def function_declaration(node: Node, context: Context) -> Node:
    name = node.get("name")
    if type(name) is dict and name.get("@type") != "uast:Identifier" and "@pos" in name:
        node["name"] = nodes.identifier(context.text(name), name["@pos"])  # Stack.new, Stack:add
        if name.get("@type") == "lua:method_index_expression":
            receiver = nodes.argument(nodes.identifier("self"), receiver=True)
            parameters = node.get("parameters")
            node["parameters"] = [receiver, *(parameters if type(parameters) is list else [])]
    return _build_function(node, context)


def parameters(node: Node, context: Context) -> list[Node]:
    """The Arguments a parameter list holds (it is the function's `parameters` field)."""
    found = []
    names = node.get("name") if type(node.get("name")) is list else [node["name"]] if "name" in node else []
    for child in sorted([*names, *(node.get("children") or [])], key=lambda item: item.get("@pos", {}).get("start", 0)):
        if child.get("@type") == "uast:Identifier":
            found.append(nodes.argument(child, pos=child.get("@pos")))
        elif child.get("@type") == "lua:vararg_expression":
            found.append(nodes.argument(None, variadic=True, pos=child.get("@pos")))
    return found


def assignment_statement(node: Node, context: Context) -> Node:
    """`a, b = 1, 2`: an Assignment to what its variable list holds; `M.f = function ... end`
    (one name, one function): a FunctionGroup named as written, as lua-language-server names it."""
    children = node.get("children") or []
    names = next((child.get("name") for child in children if child.get("@type") == "lua:variable_list"), None)
    values = next((child.get("value") for child in children if child.get("@type") == "lua:expression_list"), None)
    if type(names) is dict and is_type(values, "uast:Function") and "@pos" in names:
        bare = {key: value for key, value in values.items() if key != "@pos"}
        name = nodes.identifier(context.text(names), names["@pos"])
        return nodes.function_group(name, bare, node.get("@pos"))
    node["target"] = names
    return node


def string(node: Node, context: Context) -> Node:
    """A string: the text between its delimiters (`"`, `'`, `[[`/`]]`, in `start` and `end`
    fields, its text in `content`: a shape the string builder does not expect)."""
    opener, closer = node.get("start"), node.get("end")
    if not (isinstance(opener, str) and isinstance(closer, str)) or set(node) - {
            "@type", "@pos", "@role", "@token", "content", "start", "end"}:
        return node
    raw = context.text(node)
    return nodes.string(raw[len(opener):len(raw) - len(closer)], node.get("@pos"))


def chunk(node: Node, context: Context) -> Node:
    """The file: its `local` statements (in a `local_declaration` field) back among its other
    statements, in source order (the outline lists them in tree order)."""
    local = node.pop("local_declaration", None)
    if local is not None:
        statements = [*(node.get("children") or []), *(local if type(local) is list else [local])]
        node["children"] = sorted(statements, key=lambda item: item.get("@pos", {}).get("start", 0))
    return node


def function_call(node: Node, context: Context) -> Node:
    """`require "x"`, `require("x")`: a runtime import of x."""
    callee = node.get("name")
    if is_type(callee, "uast:Identifier") and callee.get("Name") == "require":
        arguments = node.get("arguments")
        values = (arguments or {}).get("children") or []
        if len(values) == 1 and values[0].get("@type") == "uast:String":
            return nodes.import_(values[0], pos=node.get("@pos"), kind="uast:RuntimeImport")
    return node


TABLE = LanguageTable(
    blocks=("block",),
    strings=("string",),  # its builder: `string` here
    qualified={"dot_index_expression": ("table", "field")},
    functions={
        "function_declaration": Function(),
        "function_definition": Function(name=None),
    },
    roles={
        "function_call": ("Call", "Expression"),
        "assignment_statement": ("Assignment",),
        "variable_declaration": ("Declaration", "Variable"),
    },
    transforms={
        "function_declaration": function_declaration,
        "parameters": parameters,
        "assignment_statement": assignment_statement,
        "function_call": function_call,
        "chunk": chunk,
        "string": string,
    },
    # None of these changes its children: they build new nodes of them (functions, Arguments, an
    # import) or change only their own fields (the file's statements in order, an assignment's
    # target).
    keeps_children=("function_declaration", "parameters", "assignment_statement", "function_call", "chunk"),
)
