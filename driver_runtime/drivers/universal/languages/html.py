"""HTML (tree-sitter-html).

The outline is VS Code's HTML language service's: every element, nested as in the document,
named by its tag, its id after `#` and its classes after `.` (``nav#main.menu.dark``).  No field
holds that name: a transform gives the element it as its ``@token``.  Elements are objects here
(VS Code's kind is Field, a kind that does not hold others in this outline).  Tag and
attribute names are uast:Identifier, attribute values uast:String.
"""

from driver_runtime.drivers.universal.rules import children_of, first
from driver_runtime.drivers.universal.tables import LanguageTable
from driver_runtime.sdk import nodes
from driver_runtime.sdk.normalizer import Context

Node = dict
TAGS = ("html:start_tag", "html:self_closing_tag")


def element(node: Node, context: Context) -> Node:
    """An element's token: `tag#id.class1.class2`, as VS Code names it."""
    tag = first(children_of(node), *TAGS)
    if tag is None:
        return node
    parts = children_of(tag)
    name = next((part["Name"] for part in parts if part.get("@type") == "uast:Identifier"), None)
    if name is None:
        return node
    for attribute in parts:
        if attribute.get("@type") != "html:attribute":
            continue
        key, *value = children_of(attribute)
        text = value[0].get("Value") if value and value[0].get("@type") == "uast:String" else None
        if key.get("@type") != "uast:Identifier" or not text:
            continue
        if key["Name"].lower() == "id":
            name += "#" + text.strip()
        elif key["Name"].lower() == "class":
            name += "".join("." + word for word in text.split())
    node["@token"] = name
    return node


def quoted_value(node: Node, context: Context) -> Node:
    text = context.text(node)
    return nodes.string(text[1:-1] if len(text) >= 2 else "", node.get("@pos"))


def plain_value(node: Node, context: Context) -> Node:
    """An unquoted attribute value (in quotes, quoted_value makes the String)."""
    if context.parent_type == "quoted_attribute_value":
        return node
    return nodes.string(context.text(node), node.get("@pos"))


ELEMENTS = ("element", "script_element", "style_element")

TABLE = LanguageTable(
    identifiers=("tag_name", "attribute_name"),
    roles={"text": ("Literal", "String")},
    symbols=dict.fromkeys(ELEMENTS, "object"),
    transforms={
        **dict.fromkeys(ELEMENTS, element),
        "quoted_attribute_value": quoted_value,
        "attribute_value": plain_value,
    },
    # An element reads its tag and changes only its own token.
    keeps_children=ELEMENTS,
)
