"""Dockerfile (tree-sitter-dockerfile).

The outline: each build stage (a ``FROM``) is a module named by its stage name (``AS build``),
or by its image when it has none (``FROM scratch``), and holds the instructions of the stage;
each instruction is named by its keyword as written (``RUN``, ``COPY``), as the Dockerfile
language server shows them (kind function).  An ``ARG`` before the first ``FROM`` is at the top.

The grammar lists a file's instructions one after the other: a transform of the file moves the
instructions that follow a ``FROM`` into it (its ``body``), and extends its span over them.
"""

from driver_runtime.drivers.universal.rules import gather, is_type
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict

# The instructions, but FROM (a stage).
INSTRUCTIONS = (
    "add_instruction", "arg_instruction", "cmd_instruction", "copy_instruction", "cross_build_instruction",
    "entrypoint_instruction", "env_instruction", "expose_instruction", "healthcheck_instruction",
    "label_instruction", "maintainer_instruction", "onbuild_instruction", "run_instruction",
    "shell_instruction", "stopsignal_instruction", "user_instruction", "volume_instruction",
    "workdir_instruction",
)


def instruction(node: Node, context: Context) -> Node:
    """An instruction's token is its keyword, as written (its name in the outline); an instruction
    inside another (HEALTHCHECK CMD, ONBUILD RUN) is part of it: no name of its own."""
    keyword = context.text(node).split(None, 1)
    node["@token"] = keyword[0] if keyword else ""
    for child in node.get("children") or ():
        if type(child) is dict and child.get("@type", "").endswith("_instruction"):
            child.pop("@token", None)
    return node


def stage(node: Node, context: Context) -> Node:
    """`FROM image AS name`: named by the stage's name, else by its image as written."""
    alias = node.pop("as", None)
    if type(alias) is dict:
        node["name"] = nodes.identifier(context.text(alias), alias.get("@pos"))
    else:
        image = next(iter(node.get("children") or ()), None)
        if type(image) is dict and "@pos" in image:
            node["name"] = nodes.identifier(context.text(image), image["@pos"])
    node.pop("@token", None)
    return node


def stages(node: Node, context: Context) -> Node:
    """The file: what follows a FROM, up to the next one, is that stage's body."""
    node["children"] = gather(node.get("children") or [],
                              lambda item: is_type(item, "dockerfile:from_instruction"), "body")
    return node


def unquoted(node: Node, context: Context) -> Node:
    """An unquoted word: a variable's name (ARG, ENV, LABEL) is a uast:Identifier, else a uast:String."""
    if context.field in ("name", "key") and "children" not in node:
        return nodes.identifier(context.text(node), node.get("@pos"))
    if "children" in node:
        return node  # an expansion in it
    return nodes.string(context.text(node), node.get("@pos"))


TABLE = LanguageTable(
    identifiers=("variable",),
    strings=("double_quoted_string", "single_quoted_string", "json_string"),
    roles={
        "json_string_array": ("Expression", "List", "Literal"),
        "expansion": ("Expression", "Identifier"),
        "env_pair": ("Assignment",),
        "label_pair": ("Assignment",),
    },
    field_roles={("env_pair", "name"): ("Left",), ("env_pair", "value"): ("Right",)},
    symbols={"from_instruction": "module", **dict.fromkeys(INSTRUCTIONS, "function")},
    transforms={
        **dict.fromkeys(INSTRUCTIONS, instruction),
        "from_instruction": stage,
        "source_file": stages,
        "unquoted_string": unquoted,
    },
)
