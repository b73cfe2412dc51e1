"""CMake (tree-sitter-cmake).

CMake's syntax is commands; the grammar knows `function`/`macro` blocks but gives no fields.
What a transform makes of them:

* `function(name args...)`/`macro(...)` ... `endfunction()`: a uast:FunctionGroup named by its
  first argument, the others its uast:Arguments, its body the commands inside;
* `set(NAME ...)`/`option(NAME ...)`: a ``cmake:set_command``/``cmake:option_command`` (the
  grammar's `normal_command`, retyped so that the outline can list it: a variable named NAME,
  as neocmakelsp lists them; one inside a function is local, not listed);
* `include(file)`: a uast:Import of the file or module;
* an argument in quotes without variables, or in brackets, is a uast:String.
"""

from driver_runtime.drivers.universal.rules import children_of, first
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict
C = "cmake:"
DEFINITIONS = {"set": "set_command", "option": "option_command"}


def _words(arguments: object, context: Context) -> list[Node]:
    """The arguments of an argument_list, each as it is now (uast:String) or its plain word."""
    found = []
    for argument in children_of(arguments):
        if argument.get("@type") != C + "argument":
            continue
        found.append(next(iter(children_of(argument)), argument))
    return found


def _plain_word(node: Node) -> bool:
    return node.get("@type") == C + "unquoted_argument" and "children" not in node


def definition(node: Node, context: Context) -> Node:
    """function()/macro() ... end: a FunctionGroup."""
    header = next(iter(children_of(node)), None)
    arguments = first(children_of(header), C + "argument_list")
    words = _words(arguments, context)
    if not words or not _plain_word(words[0]):
        return node
    name = nodes.identifier(context.text(words[0]), words[0].get("@pos"))
    parameters = [nodes.argument(nodes.identifier(context.text(word), word.get("@pos")), pos=word.get("@pos"))
                  for word in words[1:] if _plain_word(word)]
    body = first(children_of(node), "uast:Block")
    signature = nodes.function_type(parameters)
    ending = [child for child in children_of(node) if child is not header and child is not body]
    return nodes.function_group(name, nodes.function(signature, body), node.get("@pos"), ending or None)


def command(node: Node, context: Context) -> Node:
    """A command: include() is an Import; set() and option() define the variable they name."""
    callee = next(iter(children_of(node)), None)
    if type(callee) is not dict or callee.get("@type") != "uast:Identifier":
        return node
    which = callee["Name"].lower()
    arguments = first(children_of(node), C + "argument_list")
    words = _words(arguments, context)
    if which == "include" and words:
        word = words[0]
        path = word if word.get("@type") == "uast:String" else nodes.string(context.text(word), word.get("@pos"))
        return nodes.import_(path, pos=node.get("@pos"))
    if which in DEFINITIONS and words and _plain_word(words[0]):
        node["@type"] = C + DEFINITIONS[which]
        node["name"] = nodes.identifier(context.text(words[0]), words[0].get("@pos"))
    return node


def quoted(node: Node, context: Context) -> Node:
    """"text" without a variable in it: a uast:String."""
    parts = node.get("children") or []
    if any(type(part) is not dict or "children" in part for part in parts):
        return node
    text = context.text(node)
    return nodes.string(text[1:-1], node.get("@pos"))


def bracket(node: Node, context: Context) -> Node:
    """[[text]] / [==[text]==]: a uast:String of what is between the brackets."""
    content = first(children_of(node), C + "bracket_argument_content")
    return nodes.string(context.text(content) if content else "", node.get("@pos"))


TABLE = LanguageTable(
    comments=("bracket_comment",),
    identifiers=("variable",),
    blocks=("body",),
    roles={
        "normal_command": ("Call", "Expression"),
        "variable_ref": ("Expression", "Identifier"),
        "if_condition": ("If", "Statement"),
        "foreach_loop": ("For", "Statement"),
        "while_loop": ("Statement", "While"),
        "argument": ("Argument",),
    },
    symbols={"set_command": "variable", "option_command": "variable"},
    transforms={
        "function_def": definition,
        "macro_def": definition,
        "normal_command": command,
        "quoted_argument": quoted,
        "bracket_argument": bracket,
    },
)
