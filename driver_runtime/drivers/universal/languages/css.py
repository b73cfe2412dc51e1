"""CSS (tree-sitter-css).

The outline is VS Code's CSS language service's: each rule set a class named by its selectors as
written (one symbol for a selector list, `a, b`, where VS Code gives one per selector), an
``@media``/``@supports`` block a module named by its at-rule and query, ``@keyframes name`` and
an at-rule with a block (``@font-face``) a class, a rule set inside them nested.  No field holds
those names: a transform gives such a node its name, whitespace runs as one space, as its
``@token``.  ``@import`` is a uast:Import of the file it names (also in ``url(...)``).
"""

from driver_runtime.drivers.universal.rules import children_of, first
from driver_runtime.drivers.universal.tables import Import, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _head(node: Node, context: Context) -> str:
    """The text of a node up to its block (`{`), on one line."""
    block = first(children_of(node), "uast:Block", "block", "keyframe_block_list")
    start = node["@pos"]["start"]
    end = block["@pos"]["start"] if block and "@pos" in block else node["@pos"]["end"]
    return _one_line(context.data[start:end].decode("utf-8", "replace"))


def rule_set(node: Node, context: Context) -> Node:
    """A rule set's token: its selectors as written (`.a > .b, .c`)."""
    selectors = first(children_of(node), "selectors")
    if selectors is not None:
        node["@token"] = _one_line(context.text(selectors))
    return node


def at_rule(node: Node, context: Context) -> Node:
    """@media (...), @keyframes name, @font-face...: named by what comes before its block (none
    for a statement without a block: `@layer base;`)."""
    if first(children_of(node), "uast:Block", "keyframe_block_list") is not None:
        node["@token"] = _head(node, context)
    return node


def _first_string(node: object) -> Node | None:
    if type(node) is not dict:
        return None
    if node.get("@type") == "uast:String":
        return node
    for child in children_of(node):
        found = _first_string(child)
        if found is not None:
            return found
    return None


def import_(node: Node, context: Context) -> Node:
    """@import "file" / url("file") / url(file): a uast:Import of the file."""
    path = _first_string(node)
    if path is None:
        plain = first(children_of(node), "call_expression")
        argument = next(iter(children_of(next(iter(children_of(plain)), {}) if plain else {})), None)
        return node if argument is None else nodes.import_(
            nodes.string(context.text(argument), argument.get("@pos")), pos=node.get("@pos"))
    return nodes.import_(path, pos=node.get("@pos"))


AT_RULES = ("media_statement", "supports_statement", "keyframes_statement", "at_rule", "scope_statement")

TABLE = LanguageTable(
    comments=("js_comment",),
    identifiers=("tag_name", "id_name", "property_name", "function_name", "keyframes_name", "feature_name",
                 "attribute_name", "namespace_name"),
    strings=("string_value",),
    blocks=("block",),
    roles={
        "call_expression": ("Call", "Expression"),
        "integer_value": ("Expression", "Literal", "Number"),
        "float_value": ("Expression", "Literal", "Number"),
        "color_value": ("Expression", "Literal"),
        "binary_expression": ("Binary", "Expression"),
    },
    symbols={
        "rule_set": "class",
        "media_statement": "module",
        "supports_statement": "module",
        "scope_statement": "module",
        "keyframes_statement": "class",
        "at_rule": "class",
    },
    imports={"import_statement": Import()},
    transforms={"rule_set": rule_set, **dict.fromkeys(AT_RULES, at_rule), "import_statement": import_},
)
