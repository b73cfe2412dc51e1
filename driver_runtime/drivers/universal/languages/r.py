"""R (tree-sitter-r).

R has no function declarations: a function is a value assigned to a name.  The outline follows
the R language server's (its symbols are assignments, a class generator assigned a class):

* `f <- function(x) ...` (also `=`, `<<-`, `->`) is a FunctionGroup named f; `x <- 1` an
  Assignment to x (a variable, or a constant in upper case); `function(x)`/`\\(x)` alone a bare
  Function;
* `X <- setRefClass("X", fields = list(...), methods = list(m = function...))` and
  `R6Class("X", public = list(...))` are an ``r:class_definition`` named X, its fields
  ``r:class_field``s and its methods FunctionGroups; `setClass("X", representation(...))` too (its
  slots fields); `setGeneric("f", function...)` and `setMethod("f", "X", function...)`
  FunctionGroups named f;
* `library(p)`, `require(p)`, `requireNamespace("p")` are uast:Imports of p, `source("f.R")` a
  uast:RuntimeImport of "f.R".

Also: a string is a String (its quotes and content are fields here), a `#'` (roxygen) comment's
text is after the `#'`.
"""

from __future__ import annotations

from typing import Any

from driver_runtime.drivers.universal.normalization import comment_with, content_string
from driver_runtime.drivers.universal.rules import IDENTIFIER, assigned, children, is_type
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict[str, Any]
R = "r:"
ASSIGNMENTS = frozenset({"<-", "<<-", "=", ":="})
IMPORTS = frozenset({"library", "require", "requireNamespace", "loadNamespace"})
CLASSES = frozenset({"setRefClass", "R6Class", "setClass"})
GENERICS = frozenset({"setGeneric", "setMethod", "setReplaceMethod"})


def _arguments(call: Node) -> list[Node]:
    """A call's `argument` nodes."""
    holder = call.get("arguments")
    return children(holder, "argument")


def _named(arguments: list[Node], name: str) -> Any:
    for argument in arguments:
        label = argument.get("name")
        if type(label) is dict and label.get("Name") == name:
            return argument.get("value")
    return None


def _callee(call: Any) -> str | None:
    if is_type(call, R + "call"):
        function = call.get("function")
        if is_type(function, IDENTIFIER):
            return function.get("Name")
        if is_type(function, R + "namespace_operator"):  # R6::R6Class
            name = function.get("rhs")
            return name.get("Name") if type(name) is dict else None
    return None


def function_definition(node: Node, context: Context) -> Node:
    parameters = node.get("parameters")
    arguments = children(parameters, "parameter")
    return nodes.function(nodes.function_type(arguments), node.get("body"), node.get("@pos"))


def parameter(node: Node, context: Context) -> Node:
    name = node.get("name")
    variadic = is_type(name, R + "dots")
    return nodes.argument(None if variadic else name, init=node.get("default"), variadic=variadic, pos=node.get("@pos"))


def _group(name: Node, function: Node, pos: Any) -> Node:
    inner = {key: value for key, value in function.items() if key != "@pos"}
    return nodes.function_group(name, inner, pos)


def binary_operator(node: Node, context: Context) -> Node:
    operator = node.get("operator")
    left, right = node.get("lhs"), node.get("rhs")
    if operator == "->":
        left, right = right, left
    if operator not in ASSIGNMENTS and operator != "->":
        return node
    left = _string_name(left) or left  # "f" <- function...
    if is_type(right, "uast:Function") and is_type(left, IDENTIFIER):
        return _group(left, right, node.get("@pos"))
    if is_type(right, R + "class_definition") and type(left) is dict:
        right["name"] = left  # named as assigned
        return node
    return assigned(node, left)


def _string_name(value: Any) -> Node | None:
    if is_type(value, "uast:String"):
        return nodes.identifier(value["Value"], value.get("@pos"))
    return None


def _members(container: Any, kind: str) -> None:
    """`list(a = function...)`: the functions become FunctionGroups; `list(a = "numeric")` (or
    `representation(...)`): its names fields."""
    if type(container) is not dict or container.get("@type") != R + "call":
        return
    for argument in _arguments(container):
        name, value = argument.get("name"), argument.get("value")
        if type(name) is not dict or name.get("@type") != IDENTIFIER:
            continue
        if is_type(value, "uast:Function"):
            group = _group(name, value, argument.get("@pos"))
            argument.clear()
            argument.update(group)
        elif kind == "fields":
            argument["@type"] = R + "class_field"
            argument.pop("@token", None)  # its `=`: no name


def call(node: Node, context: Context) -> Node:
    callee = _callee(node)
    arguments = _arguments(node)
    first = arguments[0].get("value") if arguments else None
    if callee in IMPORTS and first is not None:
        path = first if is_type(first, IDENTIFIER, "uast:String") else None
        return nodes.import_(path, pos=node.get("@pos")) if path else node
    if callee == "source" and is_type(first, "uast:String"):
        return nodes.import_(first, pos=node.get("@pos"), kind="uast:RuntimeImport")
    if callee in CLASSES:
        name = _string_name(first)
        if name is None:
            return node
        node["@type"] = R + "class_definition"
        node["name"] = name
        for label, kind in (("fields", "fields"), ("methods", "methods"), ("public", "fields"), ("private", "fields"),
                            ("active", "fields"), ("representation", "fields"), ("slots", "fields")):
            _members(_named(arguments, label), kind)
        for argument in arguments[1:]:  # setClass("X", representation(...))
            value = argument.get("value")
            if argument.get("name") is None and _callee(value) == "representation":
                _members(value, "fields")
        return node
    if callee in GENERICS:
        name = _string_name(first)
        function = next((argument.get("value") for argument in arguments[1:]
                         if is_type(argument.get("value"), "uast:Function")), None)
        if name is not None and function is not None:
            group = _group(name, function, node.get("@pos"))
            rest = [argument for argument in arguments[1:] if argument.get("value") is not function]
            if rest:
                group["Nodes"] = [*rest, *group["Nodes"]]
            return group
    return node


TABLE = LanguageTable(
    # A call to setRefClass, R6Class, setClass... makes its arguments' functions its members (_members).
    deep=("call",),
    blocks=("braced_expression",),
    symbols={"class_definition": "class", "class_field": "field"},
    roles={"call": ("Call", "Expression"), "parameter": ("Argument",)},
    transforms={
        "function_definition": function_definition,
        "parameter": parameter,
        "binary_operator": binary_operator,
        "call": call,
        "string": content_string("open", "close"),
        "comment": comment_with(("#'", "")),  # roxygen's
    },
)
