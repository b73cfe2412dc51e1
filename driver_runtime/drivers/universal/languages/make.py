"""Make (tree-sitter-make: GNU make).

The outline: each rule is a function named by its targets as written (``build/%.o``, ``all``;
special targets such as ``.PHONY`` are left out), and each variable assignment and ``define``
at the top is a variable.  A rule's name is no one field (its targets node holds words): a
transform gives the rule its targets' text as its ``@token``.  Names (a variable's, a target's,
a reference's ``$(NAME)``) are uast:Identifier; ``include`` is a uast:Import.
"""

from driver_runtime.drivers.universal.rules import children, children_of, first, is_type
from driver_runtime.drivers.universal.tables import Import, LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict


def _trim(node: Node, context: Context) -> Node:
    """Without the newlines (and blank lines) the grammar ends a line-based construct with: a
    one-line assignment is one line in the outline and its folds."""
    pos = node.get("@pos")
    if pos:
        text = context.data[pos["start"]:pos["end"]]
        end = pos["start"] + len(text.rstrip())
        if end < pos["end"]:
            _clamp(node, end)
    return node


def _clamp(node: Node, end: int) -> None:
    """The node and what it holds end at `end` at the latest (a recipe's last line holds the newline)."""
    pos = node.get("@pos")
    if pos and pos["end"] > end:
        node["@pos"] = {"start": min(pos["start"], end), "end": end}
    for child in children_of(node):
        if (child.get("@pos") or {}).get("end", 0) > end:
            _clamp(child, end)


def word(node: Node, context: Context) -> Node:
    """A word that names: a variable's (`name` field, in `$(NAME)`), a target's."""
    if "children" in node:
        return node
    if context.field == "name" or context.parent_type in ("variable_reference", "targets"):
        return nodes.identifier(context.text(node), node.get("@pos"))
    return node


def file_list(node: Node, context: Context) -> object:
    """The files an `include` names: uast:String each (one, or a list of them)."""
    if context.parent_type != "include_directive":
        return node
    files = [nodes.string(context.text(item), item.get("@pos")) for item in node.get("children") or ()
             if is_type(item, "make:word") and "children" not in item]
    if len(files) != len(node.get("children") or ()) or not files:
        return node  # a file named by a variable: stays native
    return files[0] if len(files) == 1 else files


def assignment(node: Node, context: Context) -> Node:
    """A variable assignment; a target-specific one (`prog: CFLAGS += -g`) sets the variable for
    that target only: no variable of the makefile (its name is left a native word, as the outline
    would list any identifier it holds)."""
    name = node.get("name")
    if "target_or_pattern" in node and is_type(name, "uast:Identifier"):
        node["name"] = {"@type": "make:word", "@pos": name["@pos"], "@token": name["Name"]}
    return _trim(node, context)


def _special(target: str) -> bool:
    """.PHONY, .SUFFIXES, .DELETE_ON_ERROR...: targets that are make's settings."""
    return target.startswith(".") and target[1:].replace("_", "").isupper()


def rule(node: Node, context: Context) -> Node:
    """A rule's token is its targets as written, one space between them (none for a special target)."""
    targets = first(children(node), "make:targets")
    if targets is not None:
        text = " ".join(context.text(targets).split())
        if text and not _special(text):
            node["@token"] = text
    return _trim(node, context)


TABLE = LanguageTable(
    identifiers=("automatic_variable",),
    imports={"include_directive": Import(path="filenames")},
    roles={
        "function_call": ("Call", "Expression"),
        "shell_function": ("Call", "Expression"),
        "variable_reference": ("Expression", "Identifier"),
        "substitution_reference": ("Expression",),
        "recipe": ("Block", "Body"),
        "conditional": ("If", "Statement"),
    },
    field_roles={("variable_assignment", "value"): ("Right",), ("variable_assignment", "name"): ("Left",)},
    symbols={"rule": "function", "variable_assignment": "variable", "define_directive": "variable"},
    transforms={
        "word": word, "rule": rule, "list": file_list, "variable_assignment": assignment, "define_directive": _trim,
    },
)
