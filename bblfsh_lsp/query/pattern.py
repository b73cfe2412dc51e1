"""Pattern queries: code with metavariables, parsed by the language's own driver and matched
structurally against UASTs (ast-grep's idea over Babelfish's trees).

A pattern such as ``isinstance($X, $T)`` is compiled for one language: its metavariables are
rewritten to identifiers every grammar accepts (``__bblfsh_mv0__``...), the text is parsed by
the language's driver (inside a small context where the grammar wants one: Go wants a
package, Java a class), the placeholders found in the tree become metavariables, and the
wrappers around the one node the pattern means (module, expression statement...) are peeled
off.  Matching compares that node with every node of a tree of the same type:

* structurally: positions, roles, comments and formatting do not count; empty values
  (null, [], {}) are all the same;
* ``$X`` matches one node, ``$$$X`` any sequence in a list (none too), ``$_`` and ``$$$``
  match without capturing; a metavariable used twice must match equal code;
* across languages (semantic trees only, `loose`): where the file is in another language than
  the pattern, Babelfish's shared ``uast:*`` nodes are compared by type and by what the pattern
  says in their fields (null, false and what the driver made up are not said), a language's
  own nodes by their roles and their children in source order.

Nothing here knows LSP; the driver is reached through a parser (the runtime's DriverService).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import attrs

from bblfsh_lsp.positions import TextIndex
from bblfsh_lsp.query.errors import QueryError
from bblfsh_lsp.query.matches import Match, locate
from driver_runtime.sdk.labels import label
from driver_runtime.sdk.protocol import Mode, ParseResult
from driver_runtime.sdk.structure import extent
from driver_runtime.sdk.uast import POS, ROLE, TOKEN, TYPE, span

MAX_PATTERN_BYTES = 64 * 1024  # a pattern is a snippet; a file's worth is a mistake
UAST_PREFIX = "uast:"

# `$` then an upper-case name (ast-grep's metavariables): `$x` stays a PHP variable, `$(` jQuery.
_METAVARIABLE = re.compile(r"\$\$\$(?P<seq>[A-Z_][A-Z0-9_]*)?|\$(?P<one>[A-Z_][A-Z0-9_]*)")
_PLACEHOLDER = re.compile(r"__bblfsh_mv(\d+)__")

# Where a grammar does not take a fragment on its own, the contexts it is tried in, in order
# (prefix, suffix), after the fragment alone.  This is a fact about grammars, not a table of
# languages: a language missing here (most of them) parses fragments as they are.
_CONTEXTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "go": (("package __bblfsh_p__\n", ""), ("package __bblfsh_p__\nfunc __bblfsh_f__() {\n", "\n}")),
    "java": (("class __bblfsh_c__ {\n", "\n}"), ("class __bblfsh_c__ { void __bblfsh_f__() {\n", "\n} }"),
             ("class __bblfsh_c__ { void __bblfsh_f__() {\n", ";\n} }"),
             ("class __bblfsh_c__ { Object __bblfsh_f__ =\n", ";\n}")),  # an expression that is no statement
    "php": (("<?php\n", ""), ("<?php\n", ";")),
    "cpp": (("void __bblfsh_f__() {\n", "\n}"), ("void __bblfsh_f__() {\n", ";\n}")),
    "c": (("void __bblfsh_f__() {\n", "\n}"), ("void __bblfsh_f__() {\n", ";\n}")),
}
# Languages whose fragments must not be parsed alone (PHP outside `<?php` is inline HTML).
_NEEDS_CONTEXT = frozenset({"php"})

# Roles that say little about what a node is: two nodes of different languages agree by the others.
_GENERIC_ROLES = frozenset({"Expression", "Statement"})


class PatternError(QueryError):
    """A pattern that cannot be used: it does not parse, or means no node."""


class PatternParser(Protocol):
    async def parse(self, content: str, path: str = "", language: str | None = None,
                    mode: Mode = Mode.SEMANTIC) -> ParseResult: ...


@attrs.frozen
class Metavariable:
    name: str | None  # None: `$_` or `$$$`, matches without capturing
    sequence: bool
    place: tuple[int, int] | None = attrs.field(default=None, eq=False)  # in the parsed text: its place among siblings


@attrs.frozen
class ScalarMetavariable:
    """A metavariable that a driver keeps as a string inside a node (Python's FunctionDef
    name in the native tree): it matches any scalar there."""

    name: str | None


@attrs.frozen
class Capture:
    text: str
    start: int | None = None  # byte offsets in the file; None for a name the tree holds as text only
    end: int | None = None


@attrs.frozen
class PatternMatch(Match):
    captures: tuple[tuple[str, Capture], ...] = ()


@attrs.frozen
class PNode:
    """A node of a compiled pattern."""

    type: str
    token: Any  # a scalar, a ScalarMetavariable, or None
    fields: tuple[tuple[str, Any], ...]  # values: PNode, Metavariable, ScalarMetavariable, lists, scalars, None
    roles: frozenset[str]
    extent: tuple[int, int] | None
    free: frozenset[str]  # empty list fields beside a `$$$` list: what a grammar splits off (Python's keywords)
    said: bool  # written by the user (not made up by the driver, as Python's implicit `None` return)


@attrs.frozen
class Pattern:
    text: str
    language: str
    mode: Mode
    root: PNode
    names: tuple[str, ...]  # the capturing metavariables, in order of first use


def metavariable_names(text: str) -> list[str]:
    """The named metavariables of a pattern's text, in order of first use."""
    names: list[str] = []
    for found in _METAVARIABLE.finditer(text):
        name = found.group("seq") or found.group("one")
        if name and name != "_" and name not in names:
            names.append(name)
    return names


# -- compiling -------------------------------------------------------------------------------

@attrs.frozen
class _Slot:
    meta: Metavariable
    original: tuple[int, int]  # characters in the pattern text


@attrs.frozen
class _Source:
    """One attempt: the text sent to the driver and where the pattern and its placeholders are."""

    text: str
    region: tuple[int, int]  # bytes of the pattern in `text`
    places: tuple[tuple[int, int], ...]  # bytes of each placeholder's text (decorations included)
    pieces: tuple[tuple[int, int, int], ...]  # (byte in text, char in pattern, length in bytes): for errors


def _slots(text: str) -> list[_Slot]:
    slots = []
    for found in _METAVARIABLE.finditer(text):
        sequence = found.group(0).startswith("$$$")
        name = found.group("seq") if sequence else found.group("one")
        slots.append(_Slot(Metavariable(None if name in (None, "_") else name, sequence), found.span()))
    return slots


def _statement_position(text: str, start: int, end: int) -> bool:
    before, after = text[:start].rstrip(), text[end:].lstrip()
    return (not before or before[-1] in "{;}") and (not after or after[0] in "};")


def _parameter_position(text: str, start: int, end: int) -> bool:
    before, after = text[:start].rstrip(), text[end:].lstrip()
    return bool(before) and before[-1] in "(," and bool(after) and after[0] in "),"


def _spellings(text: str, slots: list[_Slot]) -> Iterator[list[tuple[str, str, str]]]:
    """Ways to write the placeholders, tried in order: (before, name, after) for each slot.
    Plain identifiers first; PHP's variables; then, for grammars where a bare name is not a
    statement or a parameter (Java), a call statement and a typed parameter."""
    yield [("", "", "") for _ in slots]
    yield [("$", "", "") for _ in slots]
    for typed in (False, True):
        spelling = []
        for slot in slots:
            start, end = slot.original
            if _statement_position(text, start, end):
                spelling.append(("", "", "()" if text[end:].lstrip().startswith(";") else "();"))
            elif typed and _parameter_position(text, start, end):
                spelling.append(("Object ", "", ""))
            else:
                spelling.append(("", "", ""))
        yield spelling


def _source(text: str, slots: list[_Slot], spelling: list[tuple[str, str, str]], prefix: str, suffix: str) -> _Source:
    out = [prefix]
    size = len(prefix.encode())
    places, pieces = [], []
    region_start = size
    last = 0
    for number, (slot, (before, _, after)) in enumerate(zip(slots, spelling)):
        start, end = slot.original
        chunk = text[last:start]
        pieces.append((size, last, len(chunk.encode())))
        out.append(chunk)
        size += len(chunk.encode())
        written = f"{before}__bblfsh_mv{number}__{after}"
        pieces.append((size, start, 0))
        places.append((size, size + len(written.encode())))
        out.append(written)
        size += len(written.encode())
        last = end
    chunk = text[last:]
    pieces.append((size, last, len(chunk.encode())))
    out.append(chunk)
    size += len(chunk.encode())
    out.append(suffix)
    return _Source("".join(out), (region_start, size), tuple(places), tuple(pieces))


def _original_offset(source: _Source, pattern: str, offset: int) -> int | None:
    """The character in the pattern a byte of the parsed text comes from (None: the context)."""
    if offset < source.region[0]:
        return None
    if offset > source.region[1]:  # in the context after it: where the pattern stopped making sense
        return len(pattern)
    best = 0
    for byte, char, length in source.pieces:
        if byte <= offset:
            inside = min(offset - byte, length)
            best = char + len(pattern[char:].encode()[:inside].decode("utf-8", "ignore"))
    return best


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


async def compile_pattern(text: str, language: str, parser: PatternParser, mode: Mode = Mode.NATIVE) -> Pattern:
    """The pattern `text` in `language`, parsed by its driver; PatternError if it does not parse
    (naming the position in the pattern) or means no single node."""
    if not text.strip():
        raise PatternError("the pattern is empty")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PATTERN_BYTES:
        raise PatternError(f"the pattern is longer than {MAX_PATTERN_BYTES} bytes")
    slots = _slots(text)
    contexts = _CONTEXTS.get(language, ())
    if language not in _NEEDS_CONTEXT:
        contexts = (("", ""), *contexts)
    syntax: tuple[int, str] | None = None  # the furthest syntax error inside the pattern
    problem: str | None = None  # why a tree that parsed could not be used
    for spelling in _spellings(text, slots):
        for prefix, suffix in contexts:
            source = _source(text, slots, spelling, prefix, suffix)
            result = await parser.parse(source.text, "", language=language, mode=mode)
            if result.errors or not isinstance(result.uast, dict):
                for error in result.errors:
                    where = _original_offset(source, text, error.start.offset) if error.start else None
                    if where is not None and (syntax is None or where >= syntax[0]):
                        syntax = (where, error.message)
                continue
            try:
                root = _pattern_root(result.uast, source, slots, text)
            except PatternError as exc:
                problem = problem or str(exc)
                continue
            names = tuple(metavariable_names(text))
            return Pattern(text, language, mode, root, names)
        if not slots:
            break  # the spellings differ only in the placeholders
    if problem is not None:
        raise PatternError(f"the pattern {text!r} in {language}: {problem}")
    if syntax is not None:
        line, col = _line_col(text, syntax[0])
        raise PatternError(f"the pattern does not parse as {language}: {line}:{col}: {syntax[1]}")
    raise PatternError(f"the pattern does not parse as {language}")


# -- from the driver's tree to a pattern ----------------------------------------------------

def _is_comment(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    kind = value.get(TYPE, "")
    local = kind.rpartition(":")[2].lower()
    return "comment" in local or local == "javadoc" or "Comment" in (value.get(ROLE) or ())


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or _is_comment(value)


def _placeholder(value: Any, source: _Source) -> int | None:
    if isinstance(value, str):
        bare = value[1:] if value.startswith("$") else value
        found = _PLACEHOLDER.fullmatch(bare)
        if found and int(found.group(1)) < len(source.places):
            return int(found.group(1))
    return None


def _within(where: tuple[int, int] | None, region: tuple[int, int], text: bytes) -> bool:
    """Whether a span lies in a region, the region stretched over the blanks and `;` after it
    (a statement's span takes its semicolon)."""
    if where is None:
        return False
    end = region[1]
    while end < len(text) and text[end:end + 1] in (b" ", b"\t", b"\r", b"\n", b";"):
        end += 1
    return region[0] <= where[0] and where[1] <= end


def _pattern_root(tree: dict[str, Any], source: _Source, slots: list[_Slot], text: str) -> PNode:
    data = source.text.encode()
    found: set[int] = set()
    converted = _metavariables(tree, source, slots, data, found)
    missing = [slot for number, slot in enumerate(slots) if number not in found]
    if missing:
        start, end = missing[0].original
        raise PatternError(f"the metavariable {text[start:end]} is not where the parser keeps code "
                           "(inside a string or a comment?)")
    written = data[source.region[0]:source.region[1]].decode("utf-8", "replace")
    pnode = _to_pnode(converted, written)
    if not isinstance(pnode, PNode):
        raise PatternError("the pattern means no node")
    root = _descend(pnode, source.region, data)
    if isinstance(root, Metavariable):
        raise PatternError("a pattern must be more than a metavariable")
    if root is pnode:  # the file itself: nothing, or more than one thing
        if len(_meaningful(root)) > 1:
            raise PatternError("the pattern holds several statements or declarations: write one")
        raise PatternError("the pattern means no node")
    return root


def _metavariables(value: Any, source: _Source, slots: list[_Slot], data: bytes, found: set[int]) -> Any:
    """The tree with its placeholders turned into metavariables: a node that is just a
    placeholder (and the wrappers that span no more than it, reached through single fields)
    becomes a Metavariable; a placeholder a node holds as a string beside other children, a
    ScalarMetavariable."""
    if isinstance(value, list):
        return [_metavariables(item, source, slots, data, found) for item in value]
    if not isinstance(value, dict):
        return value
    number = _leaf_placeholder(value, source)
    if number is not None:
        if span(value) is None or _within(span(value), source.places[number], data):
            found.add(number)
            return attrs.evolve(slots[number].meta, place=source.places[number])
        return value  # a literal that holds the placeholder's text: `'$X'` is a string, not code
    out: dict[str, Any] = {}
    for key, child in value.items():
        held = _placeholder(child, source)
        if held is not None:
            found.add(held)
            out[key] = ScalarMetavariable(slots[held].meta.name)
            continue
        converted = _metavariables(child, source, slots, data, found)
        # A wrapper spanning only its placeholder (an expression statement, PHP's argument, a
        # Java call statement written for the placeholder) is the metavariable itself.
        if isinstance(converted, Metavariable) and isinstance(child, dict):
            number = _held_placeholder(child, source)
            if number is not None and _within(span(value) or extent(value), source.places[number], data):
                return converted
        out[key] = converted
    return out


def _leaf_placeholder(node: dict[str, Any], source: _Source) -> int | None:
    """The placeholder a node is, when it holds one as a string and has no child nodes."""
    number = None
    for key, value in node.items():
        if key in (POS, ROLE, TYPE):
            continue
        if isinstance(value, dict) and not _empty(value):
            return None
        if isinstance(value, list):
            if any(isinstance(item, (dict, list)) for item in value):
                return None
            for item in value:
                number = _placeholder(item, source) if number is None else number
            continue
        number = _placeholder(value, source) if number is None else number
    return number


def _held_placeholder(node: dict[str, Any], source: _Source) -> int | None:
    """The placeholder at the bottom of a chain of single children."""
    while True:
        number = _leaf_placeholder(node, source)
        if number is not None:
            return number
        kids = [value for key, value in node.items() if key not in (POS, ROLE, TYPE) and isinstance(value, dict)
                and not _empty(value)]
        if len(kids) != 1:
            return None
        node = kids[0]


def _to_pnode(value: Any, text: str) -> Any:
    if isinstance(value, list):
        return [_to_pnode(item, text) for item in value if not _is_comment(item)]
    if not isinstance(value, dict):
        return value
    if _is_comment(value):
        return None
    fields = []
    for key, child in value.items():
        if key.startswith("@"):
            continue
        converted = _to_pnode(child, text)
        fields.append((key, None if converted == {} else converted))
    sequence_lists = {key for key, child in fields if isinstance(child, list)
                      and any(isinstance(item, Metavariable) and item.sequence for item in child)}
    # `$$$` in a list stands for what the grammar keeps beside that list too (Python's keyword
    # arguments, *args and **kwargs beside the positional ones).
    free = frozenset(key for key, child in fields if sequence_lists and key not in sequence_lists
                     and child in (None, []))
    # Where the code is, comments aside (a trailing comment is not part of what a pattern means).
    spans = [where for where in (span(value), *(kid.extent if isinstance(kid, PNode) else kid.place
                                               for _, child in fields for kid in (child if isinstance(child, list)
                                                                                  else [child])
                                               if isinstance(kid, (PNode, Metavariable))))
             if where is not None]
    where = (min(start for start, _ in spans), max(end for _, end in spans)) if spans else None
    # Made up by the driver (Python's implicit `None` return): no position in it, no
    # metavariable, and none of its own words in the pattern.
    kids = [item for _, child in fields for item in (child if isinstance(child, list) else [child])]
    own = [child for key, child in value.items() if isinstance(child, str) and (key == TOKEN or key[:1] != "@")]
    said = where is not None or any(
        isinstance(kid, (Metavariable, ScalarMetavariable)) or (isinstance(kid, PNode) and kid.said) for kid in kids
    ) or any(word in text for word in own if word) or not (own or any(isinstance(kid, PNode) for kid in kids)) \
        or any(child == [] for _, child in fields)  # `f()`: no arguments is something said
    return PNode(value.get(TYPE, ""), value.get(TOKEN), tuple(fields), frozenset(value.get(ROLE) or ()), where,
                 free, said)


def _kids(node: PNode) -> list[Any]:
    out: list[Any] = []
    for _, value in node.fields:
        if isinstance(value, list):
            out.extend(item for item in value if isinstance(item, (PNode, Metavariable)))
        elif isinstance(value, (PNode, Metavariable)):
            out.append(value)
    return out


def _meaningful(node: PNode) -> list[Any]:
    """The children that stand for something: metavariables, typed nodes, untyped ones with content."""
    return [kid for kid in _kids(node) if isinstance(kid, Metavariable) or kid.type or _has_content(kid)]


def _has_content(node: PNode) -> bool:
    return node.token is not None or bool(_meaningful(node)) or any(
        not isinstance(value, (list, PNode)) and value not in (None, False, "false", "") for _, value in node.fields)


def _intersects(where: tuple[int, int] | None, region: tuple[int, int]) -> bool:
    return where is not None and where[0] < region[1] and region[0] < where[1]


def _descend(node: PNode, region: tuple[int, int], data: bytes) -> Any:
    """The one node the pattern means: the outermost node inside the pattern's region of the
    parsed text, then through the wrappers that add nothing (a file, an expression statement,
    a block of one statement that spans no more than it)."""
    current: Any = node
    while isinstance(current, PNode) and not (current.extent is None or _within(current.extent, region, data)):
        inside = [kid for kid in _kids(current) if isinstance(kid, Metavariable) or _intersects(kid.extent, region)]
        if len(inside) != 1:
            raise PatternError("the pattern holds several statements or declarations: write one")
        current = inside[0]
    while isinstance(current, PNode):
        kids = _meaningful(current)
        if len(kids) != 1 or current.token is not None:
            break
        kid = kids[0]
        own = _own_span(current)
        theirs = kid.extent if isinstance(kid, PNode) else kid.place
        if own is not None and not (theirs is not None and _within(own, theirs, data) and own[0] == theirs[0]):
            break
        current = kid
    if isinstance(current, PNode) and current.extent is None and len(_meaningful(current)) > 1:
        raise PatternError("the pattern holds several statements or declarations: write one")
    return current


def _own_span(node: PNode) -> tuple[int, int] | None:
    """A node's own span: where its extent is not only its children's."""
    kids = [where for where in (kid.extent if isinstance(kid, PNode) else kid.place for kid in _kids(node))
            if where is not None]
    if node.extent is None:
        return None
    if kids and min(k[0] for k in kids) == node.extent[0] and max(k[1] for k in kids) == node.extent[1]:
        return None  # nothing of its own beyond its children
    return node.extent


# -- matching --------------------------------------------------------------------------------

Bindings = dict[str, Any]


def _native(kind: str) -> bool:
    return bool(kind) and not kind.startswith(UAST_PREFIX)


def _roles_agree(pattern: frozenset[str], target: Any) -> bool:
    own = pattern - _GENERIC_ROLES
    theirs = frozenset(target or ()) - _GENERIC_ROLES
    if not own or not theirs:
        return own == theirs
    return own <= theirs or theirs <= own


def shape(value: Any) -> Any:
    """What makes two pieces of code equal: no positions, roles or comments; empties alike."""
    if isinstance(value, dict):
        if _is_comment(value):
            return None
        return (value.get(TYPE, ""), shape(value.get(TOKEN)),
                tuple(sorted((key, shape(child)) for key, child in value.items()
                             if not key.startswith("@") and not _empty(child))))
    if isinstance(value, list):
        return tuple(shape(item) for item in value if not _is_comment(item))
    if value in ([], {}):
        return None
    return (type(value).__name__, value)


class _Matcher:
    """One pattern against one tree: strict in the pattern's language, loose across languages."""

    def __init__(self, loose: bool):
        self.loose = loose

    def bind(self, name: str | None, value: Any, bindings: Bindings) -> Bindings | None:
        if name is None:
            return bindings
        if name in bindings:
            return bindings if shape(bindings[name]) == shape(value) else None
        return {**bindings, name: value}

    def value(self, pattern: Any, target: Any, bindings: Bindings) -> Bindings | None:
        if isinstance(pattern, Metavariable):
            if pattern.sequence:
                return self.bind(pattern.name, [] if _empty(target) else (target if isinstance(target, list)
                                                                          else [target]), bindings)
            return None if _empty(target) or isinstance(target, list) else self.bind(pattern.name, target, bindings)
        if isinstance(pattern, ScalarMetavariable):
            if isinstance(target, (str, int, float)) and not isinstance(target, bool):
                return self.bind(pattern.name, target, bindings)
            return None
        if isinstance(pattern, PNode):
            return self.node(pattern, target, bindings) if isinstance(target, dict) else None
        if isinstance(pattern, list):
            if _empty(target):
                target = []
            return self.sequence(pattern, target, bindings) if isinstance(target, list) else None
        if pattern is None:
            return bindings if self.loose or _empty(target) else None
        if self.loose:
            if pattern is False:
                return bindings  # unsaid
            return bindings if str(pattern) == str(target) else None
        return bindings if type(pattern) is type(target) and pattern == target else None

    def node(self, pattern: PNode, target: dict[str, Any], bindings: Bindings | None) -> Bindings | None:
        if bindings is None or _is_comment(target):
            return None
        kind = target.get(TYPE, "")
        if self.loose and _native(pattern.type):
            if not _native(kind) or not _roles_agree(pattern.roles, target.get(ROLE)):
                return None
            return self.children(pattern, target, bindings)
        if pattern.type != kind:
            return None
        if pattern.token is not None or not self.loose:
            bindings = self.value(pattern.token, target.get(TOKEN), bindings)
            if bindings is None:
                return None
        seen = set()
        for key, value in pattern.fields:
            seen.add(key)
            theirs = target.get(key)
            if key in pattern.free:
                continue
            if not _said(value) if self.loose else _made_up(value):
                continue
            bindings = self.value(value, theirs, bindings)
            if bindings is None:
                return None
        if not self.loose:
            for key, theirs in target.items():
                if key not in seen and not key.startswith("@") and not _empty(theirs):
                    return None
        return bindings

    def children(self, pattern: PNode, target: dict[str, Any], bindings: Bindings) -> Bindings | None:
        """Across languages a node of the language's own is known by its children in source
        order, whatever its fields are called."""
        if pattern.token is not None and target.get(TOKEN) is not None and not isinstance(
                pattern.token, ScalarMetavariable) and str(pattern.token) != str(target.get(TOKEN)):
            return None
        ours = sorted((kid for kid in _kids(pattern) if isinstance(kid, Metavariable) or _said(kid)),
                      key=lambda kid: _start(kid.extent if isinstance(kid, PNode) else kid.place))
        theirs = [child for child in _target_kids(target) if not _empty(child)]
        theirs.sort(key=lambda child: _start(extent(child)))
        return self.sequence(ours, theirs, bindings)

    def sequence(self, pattern: list[Any], target: list[Any], bindings: Bindings) -> Bindings | None:
        target = [item for item in target if not _is_comment(item)]
        if self.loose:
            pattern = [item for item in pattern if _said(item)]
        return self._sequence(pattern, 0, target, 0, bindings)

    def _sequence(self, pattern: list[Any], i: int, target: list[Any], j: int, bindings: Bindings) -> Bindings | None:
        if i == len(pattern):
            if self.loose:
                return bindings if all(_skippable(item) for item in target[j:]) else None
            return bindings if j == len(target) else None
        item = pattern[i]
        if isinstance(item, Metavariable) and item.sequence:
            for k in range(j, len(target) + 1):  # the shortest first, as ast-grep
                bound = self.bind(item.name, target[j:k], bindings)
                if bound is not None:
                    done = self._sequence(pattern, i + 1, target, k, bound)
                    if done is not None:
                        return done
            return None
        while j < len(target):
            bound = self.value(item, target[j], bindings)
            if bound is not None:
                done = self._sequence(pattern, i + 1, target, j + 1, bound)
                if done is not None:
                    return done
            if not (self.loose and _skippable(target[j])):
                return None
            j += 1
        return None


def _start(where: tuple[int, int] | None) -> int:
    return where[0] if where is not None else 1 << 62  # what has no place goes last, in its order


def _said(value: Any) -> bool:
    """Across languages, what the pattern says: not null, false, or a node the driver made up."""
    if isinstance(value, PNode):
        return value.said and (_has_content(value) or bool(value.type) and not _native(value.type))
    if isinstance(value, list):
        return any(_said(item) or isinstance(item, Metavariable) for item in value) or value == []
    return value not in (None, False, "false")


def _made_up(value: Any) -> bool:
    """What the driver added to the pattern (Python's implicit `-> None`): not compared."""
    if isinstance(value, PNode):
        return not value.said
    return isinstance(value, list) and bool(value) and all(isinstance(item, PNode) and not item.said
                                                           for item in value)


def _skippable(value: Any) -> bool:
    """Across languages, what a file's list may hold beyond the pattern: nulls and a language's
    own nodes that hold no code (Java's MethodDeclarationRest beside a function)."""
    if value is None or _is_comment(value):
        return True
    if not isinstance(value, dict):
        return False
    if not _native(value.get(TYPE, "")) and value.get(TYPE):
        return False
    return value.get(TOKEN) is None and not any(isinstance(child, (dict, list)) and not _empty(child)
                                                for key, child in value.items() if not key.startswith("@"))


def _target_kids(node: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if isinstance(value, list):
            out.extend(item for item in value if isinstance(item, dict))
        elif isinstance(value, dict):
            out.append(value)
    return out


def _candidates(tree: dict[str, Any], root: PNode, loose: bool) -> Iterator[dict[str, Any]]:
    """The tree's nodes that may match the pattern's root, walked once (iteratively: trees are deep)."""
    by_roles = loose and _native(root.type)
    stack: list[Any] = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
            continue
        if not isinstance(value, dict):
            continue
        kind = value.get(TYPE, "")
        if kind == root.type or (by_roles and _native(kind) and _roles_agree(root.roles, value.get(ROLE))):
            yield value
        stack.extend(reversed([child for key, child in value.items()
                               if not key.startswith("@") and isinstance(child, (dict, list))]))


def language_of_tree(tree: dict[str, Any]) -> str:
    """The language of a UAST: its root's namespace."""
    return tree.get(TYPE, "").partition(":")[0]


def match(pattern: Pattern, tree: dict[str, Any], index: TextIndex, language: str | None = None) -> list[PatternMatch]:
    """The pattern's matches on a tree of `index`'s text (in `language`, by default the tree's),
    in source order, each with its captures."""
    language = language or language_of_tree(tree)
    loose = pattern.mode is Mode.SEMANTIC and language != pattern.language
    matcher = _Matcher(loose)
    found: list[tuple[dict[str, Any], Bindings]] = []
    for node in _candidates(tree, pattern.root, loose):
        bindings = matcher.node(pattern.root, node, {})
        if bindings is not None:
            found.append((node, bindings))
    if not found:
        return []
    captured = [value for _, bindings in found for value in bindings.values()]
    nodes = [node for node, _ in found] + [item for value in captured for item in
                                            (value if isinstance(value, list) else [value]) if isinstance(item, dict)]
    places = dict(zip(map(id, nodes), locate(tree, nodes)))
    size = len(index.data)
    out = []
    for node, bindings in found:
        start, end = places.get(id(node)) or (0, 0)
        captures = tuple((name, _capture(value, places, index)) for name, value in bindings.items())
        out.append(PatternMatch(min(start, size), min(end, size), node.get(TYPE, ""), label(node), captures))
    unique = {(item.start, item.end, item.type, item.label): item for item in out}
    return sorted(unique.values(), key=lambda item: (item.start, -item.end, item.type, item.label))


def _capture(value: Any, places: dict[int, tuple[int, int] | None], index: TextIndex) -> Capture:
    items = value if isinstance(value, list) else [value]
    spans = [places.get(id(item)) for item in items if isinstance(item, dict)]
    spans = [where for where in spans if where is not None]
    if not spans:
        if isinstance(value, list) and not value:
            return Capture("")
        return Capture(" ".join(str(item) for item in items if not isinstance(item, (dict, list))))
    start, end = min(where[0] for where in spans), max(where[1] for where in spans)
    end = min(end, len(index.data))
    return Capture(index.data[start:end].decode("utf-8", "replace"), start, end)
