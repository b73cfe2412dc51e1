"""Structures that cross to an editor: attributes in snake_case, keys in LSP's camelCase, by
convention (``max_file_bytes`` is ``maxFileBytes``, ``text_document`` is ``textDocument``)."""

from __future__ import annotations

from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override


def camel_case(attribute: str) -> str:
    """``max_file_bytes`` -> ``maxFileBytes``."""
    first, *rest = attribute.split("_")
    return first + "".join(word.capitalize() for word in rest)


def register_camel_case(converter: cattrs.Converter, *classes: type) -> None:
    """Have `converter` read and write these attrs classes with camelCase keys."""
    for cls in classes:
        attrs.resolve_types(cls)
        renamed: dict[str, Any] = {field.name: override(rename=camel_case(field.name)) for field in attrs.fields(cls)}
        converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **renamed))
        converter.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, converter, **renamed))
