"""The outline of a document, read from its semantic UAST, in any language.

What is a symbol is decided by universal UAST concepts, not by language: a function is a
``uast:FunctionGroup`` (Alias -> Function); a type is a native node with the Declaration and
Type roles; a variable or constant is an Assignment directly in a module or a type body.
Ranges are byte offsets here; the LSP layer converts them.  In the kit, so that a driver can
send its outline with its parse (protocol 1.3, the `outline` part) as the host would compute it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import attrs

from driver_runtime.sdk.structure import NO_EXTENT, Structure
from driver_runtime.sdk.text import Text
from driver_runtime.sdk.uast import ROLE, TOKEN, TYPE, span

Node = dict[str, Any]


class SymbolKind(enum.IntEnum):
    """LSP's symbol kinds, by the numbers the protocol gives them: the outline is computed by the
    command line too, which must not pay for importing lsprotocol (half a second)."""

    File = 1
    Module = 2
    Namespace = 3
    Package = 4
    Class = 5
    Method = 6
    Property = 7
    Field = 8
    Constructor = 9
    Enum = 10
    Interface = 11
    Function = 12
    Variable = 13
    Constant = 14
    String = 15
    Number = 16
    Boolean = 17
    Array = 18
    Object = 19
    Key = 20
    Null = 21
    EnumMember = 22
    Struct = 23
    Event = 24
    Operator = 25
    TypeParameter = 26


@attrs.define
class Symbol:
    name: str
    kind: SymbolKind
    start: int  # the whole definition, decorators and keywords included
    end: int
    name_start: int  # the name
    name_end: int
    children: list[Symbol] = attrs.field(factory=list)

    def walk(self) -> list[Symbol]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


# The kind names drivers use in their manifest's symbol_kinds (protocol 1.1).
KIND_NAMES: dict[str, SymbolKind] = {
    "class": SymbolKind.Class, "interface": SymbolKind.Interface, "struct": SymbolKind.Struct,
    "enum": SymbolKind.Enum, "namespace": SymbolKind.Namespace, "module": SymbolKind.Module,
    "package": SymbolKind.Package, "constant": SymbolKind.Constant, "variable": SymbolKind.Variable,
    "field": SymbolKind.Field, "function": SymbolKind.Function, "method": SymbolKind.Method,
    "constructor": SymbolKind.Constructor, "property": SymbolKind.Property, "type": SymbolKind.TypeParameter,
    "enum_member": SymbolKind.EnumMember, "event": SymbolKind.Event, "object": SymbolKind.Object,
}

# Babelfish's import nodes.
IMPORT_TYPES = frozenset(("uast:Import", "uast:RuntimeImport", "uast:RuntimeReImport", "uast:InlineImport"))
# Fields of an assignment that hold what is assigned to.
TARGET_FIELDS = ("targets", "target", "Target", "left", "Left")

VARIABLE_KINDS = (SymbolKind.Variable, SymbolKind.Constant, SymbolKind.Field)
# Fields that name what a declaration declares, in the order they are looked at.
NAME_FIELDS = ("Name", "name", "id", "key")
# Fields that hold what a variable declaration binds: a name or a destructuring pattern.
BINDING_FIELDS = ("Name", "name", "id")
# Fields of a destructuring pattern that bind no name: property keys, default values, types.
NOT_BINDING_FIELDS = frozenset(("key", "right", "typeAnnotation", "decorators"))
# Fields by which native declarations say they declare constants (JavaScript, Go).
CONST_FIELDS = ("kind", "Tok", "@token")
# Names that make a method a constructor in any language they occur in (JavaScript, PHP),
# besides its type's own name (Java, C++, C#).
CONSTRUCTOR_NAMES = ("constructor", "__construct")

# Roles of the statements that hold blocks of statements (Babelfish's roles for if, try, except,
# finally, loops, with, switch and case).
COMPOUND_STATEMENT_ROLES = frozenset(("If", "Try", "Catch", "Finally", "For", "While", "DoWhile", "Block",
                                      "Scope", "Switch", "Case"))

# Symbols whose functions are methods and whose variables are fields...
TYPE_KINDS = (SymbolKind.Class, SymbolKind.Interface, SymbolKind.Struct, SymbolKind.Enum, SymbolKind.Object)
# ...and the other symbols that hold declarations (a function in a namespace is a function).
CONTAINER_TYPES = (*TYPE_KINDS, SymbolKind.Module, SymbolKind.Namespace, SymbolKind.Package)
# Symbols whose parameters may declare members of their type, and the kinds of those members.
METHOD_KINDS = (SymbolKind.Method, SymbolKind.Constructor)
MEMBER_KINDS = (SymbolKind.Field, SymbolKind.Property)


def _is_word_byte(byte: int) -> bool:
    return byte >= 0x80 or chr(byte).isalnum() or byte == 0x5F  # letters of any script, digits, _


def _find_word(data: bytes, word: bytes, start: int, end: int) -> int:
    """The first place in data[start:end] where `word` stands alone (no letter, digit or _
    right before or after it), else the first place it occurs at all; -1 if nowhere."""
    first = found = data.find(word, start, end)
    while found >= 0:
        before = data[found - 1] if found > 0 else 0x20
        after = data[found + len(word)] if found + len(word) < len(data) else 0x20
        if not (word[:1] and _is_word_byte(word[0]) and _is_word_byte(before)) and \
                not (word[-1:] and _is_word_byte(word[-1]) and _is_word_byte(after)):
            return found
        found = data.find(word, found + 1, end)
    return first


def _roles(node: Node) -> tuple[str, ...]:
    return tuple(node.get(ROLE) or ())


def _identifier_name(node: Any) -> str | None:
    if isinstance(node, dict) and node.get(TYPE) == "uast:Identifier" and isinstance(node.get("Name"), str):
        return node["Name"]
    return None


def _is_anonymous(node: Any) -> bool:
    """A name that declares nothing (Go's blank identifier `_`): the driver gives it the
    Anonymous role."""
    return isinstance(node, dict) and "Anonymous" in (node.get(ROLE) or ())


def _function_name(node: Node) -> tuple[str, Node | None] | None:
    for member in node.get("Nodes") or ():
        if isinstance(member, dict) and member.get(TYPE) == "uast:Alias":
            name = _identifier_name(member.get("Name"))
            if name and not _is_anonymous(member.get("Name")):
                return name, member.get("Name")
    return None


def _listed_kind(node_type: str, kinds: Mapping[str, SymbolKind]) -> SymbolKind | None:
    """The kind a manifest gives a node type: by its whole type ("rust:impl_item", for a driver of
    many languages), else by its native type ("impl_item")."""
    return kinds.get(node_type) or kinds.get(node_type.partition(":")[2])


def _type_kind(node: Node, kinds: Mapping[str, SymbolKind]) -> SymbolKind | None:
    listed = _listed_kind(node.get(TYPE, ""), kinds)
    if listed is not None:
        return listed
    roles = _roles(node)
    if "Declaration" in roles and "Type" in roles:
        # `type Shelf interface {...}` (Go): the declared type's own kind tells what it is.
        for field in ("Type", "type"):
            value = node.get(field)
            inner = _listed_kind(value.get(TYPE, ""), kinds) if isinstance(value, dict) else None
            if inner in TYPE_KINDS:
                return inner
    if "Declaration" not in roles:
        return None
    if "Enumeration" in roles:
        return SymbolKind.Enum
    if "Type" in roles:
        return SymbolKind.Class
    if ("Module" in roles or "Package" in roles) and "File" not in roles:
        return SymbolKind.Namespace
    return None


def _type_name(node: Node) -> tuple[str, Node | None] | None:
    token = node.get(TOKEN)
    if isinstance(token, str) and token:
        for field in NAME_FIELDS:  # the identifier that spells the token: its exact span
            if _identifier_name(node.get(field)) == token:
                return token, node[field]
        return token, None
    for field in NAME_FIELDS:
        name = _identifier_name(node.get(field))
        if name:
            return (name, node.get(field)) if not _is_anonymous(node.get(field)) else None
    for value in node.values():  # else the first identifier among its direct fields
        items = value if isinstance(value, list) else [value]
        names = [(name, item) for item in items if (name := _identifier_name(item))]
        if names:  # the first that is not anonymous (`var _, b = f()`): a type after them is no name
            return next(((name, item) for name, item in names if not _is_anonymous(item)), None)
    return None


def _pattern_names(node: Node) -> list[tuple[str, Node]] | None:
    """The names a declaration binds when it declares a destructuring pattern, not a name
    (`const {a, b: c = 1, ...d} = o`, `let [x, , y] = z`: a, c, d; x, y); None for a name."""
    for field in BINDING_FIELDS:
        value = node.get(field)
        if isinstance(value, dict):
            if _identifier_name(value) is not None:
                return None
            break
    else:
        return None  # a key (`#secret`, `"quoted"`, `[computed]`) names a property: no pattern
    found: list[tuple[str, Node]] = []

    def collect(item: Any) -> None:
        if isinstance(item, list):
            for element in item:
                collect(element)
        elif isinstance(item, dict):
            name = _identifier_name(item)
            if name is not None:
                found.append((name, item))
                return
            for key, child in item.items():
                if not key.startswith("@") and key not in NOT_BINDING_FIELDS:
                    collect(child)

    collect(value)
    return found or None


def _assigned_names(node: Node) -> list[tuple[str, Node]]:
    """Plain names assigned to (a, or a, b in a tuple); not attributes or subscripts."""
    found: list[tuple[str, Node]] = []

    def collect(value: Any) -> None:
        if isinstance(value, list):
            for element in value:
                collect(element)
            return
        if not isinstance(value, dict):
            return
        name = _identifier_name(value)
        if name is not None:
            found.append((name, value))
        elif {"Tuple", "List"} & set(_roles(value)):
            for field in ("elts", "elements", "Elements"):
                collect(value.get(field))

    for field in TARGET_FIELDS:
        if field in node:
            collect(node[field])
    return found


def _is_type_literal(node: Node) -> bool:
    """A type written in place (TypeScript's `{ a: T }` in an annotation or an alias): roles Type
    and Literal, and neither a declaration nor an expression (a class expression is both)."""
    roles = node.get(ROLE)
    return bool(roles) and "Literal" in roles and "Type" in roles and "Declaration" not in roles \
        and "Expression" not in roles


def _imported_names(node: Node) -> list[str]:
    """The names an import binds where it is: its names (or their aliases), else its path's
    alias or first part (Python's `import os.path` binds os); none for `from m import *`."""
    names = node.get("Names")
    if not names and node.get("All"):
        return []
    found = []
    for item in names or [node.get("Path")]:
        if isinstance(item, dict) and item.get(TYPE) == "uast:Alias":
            item = item.get("Name")
        elif isinstance(item, dict) and item.get(TYPE) == "uast:QualifiedIdentifier":
            item = (item.get("Names") or [None])[0]
        name = _identifier_name(item)
        if name:
            found.append(name)
    return found


def _is_function(node: Node) -> bool:
    """A function's node: its body's variables are local (Babelfish marks function declarations
    and expressions Declaration + Function; a call is Function without Declaration)."""
    if node.get(TYPE) in ("uast:Function", "uast:FunctionGroup"):
        return True
    roles = node.get(ROLE) or ()
    return "Function" in roles and "Declaration" in roles


def _has_receiver(group: Node) -> bool:
    """A function with a receiver argument is a method, wherever it is declared (Go)."""
    for member in group.get("Nodes") or ():
        function = member.get("Node") if isinstance(member, dict) and member.get(TYPE) == "uast:Alias" else None
        signature = function.get("Type") if isinstance(function, dict) else None
        arguments = signature.get("Arguments") if isinstance(signature, dict) else None
        if any(isinstance(argument, dict) and argument.get("Receiver") is True for argument in arguments or ()):
            return True
    return False


def _constructor_or(kind: SymbolKind, name: str, parent: Symbol | None) -> SymbolKind:
    """A method named as a constructor is one (JavaScript, PHP; or its type's name)."""
    if kind is SymbolKind.Method and parent is not None and parent.kind in TYPE_KINDS and (
            name in CONSTRUCTOR_NAMES or name == parent.name):
        return SymbolKind.Constructor
    return kind


def _variable_kind(name: str, in_type: bool) -> SymbolKind:
    if name.isupper() or (name.lstrip("_").isupper() and any(c.isalpha() for c in name)):
        return SymbolKind.Constant
    return SymbolKind.Field if in_type else SymbolKind.Variable


# The containers a subtree's symbols may go to outside it, as Made names them: the symbol its
# node is in (None: the file), the symbol that one is listed in (a constructor's parameter
# properties go there), and the symbol its parent made (a type written in place: its members).
OWNER, HOLDER, DECLARED = 0, 1, 2
# The subtrees whose Made is written at once, one inside the other: each symbol is written in
# all of them, so a tree nested hundreds deep (minified code) would cost that many times more.
MAX_OPEN_RECORDINGS = 8


class Miss(Exception):
    """A subtree whose outline was kept is met where what is around it is not what it was."""

    def __init__(self, number: int):
        super().__init__(number)
        self.number = number


@attrs.define(eq=False)
class Made:
    """What one subtree gave the outline of the tree around it (sdk.views keeps it for the next
    version): `symbols`, (container, symbol, made by an assignment) in the order they were put
    in the containers outside it (OWNER, HOLDER, DECLARED), with the symbols inside them; `names`,
    the names it bound in those; `context`, what of the tree around it they depend on.  An
    assignment's symbol is dropped where its name is bound before it (the builder's rule): kept
    only when no name bound outside the subtree dropped one of its symbols."""

    context: tuple[Any, ...]
    symbols: list[tuple[int, Symbol, bool]] = attrs.field(factory=list)
    names: list[tuple[int, str]] = attrs.field(factory=list)


class _Recording:
    """A subtree (or a run of siblings: a region) being walked whose Made is being written
    (pure: nothing outside changed it)."""

    __slots__ = ("start", "end", "targets", "made", "pure", "region")

    def __init__(self, start: int, end: int, targets: tuple[Symbol | None, ...], made: Made, region: bool):
        self.start, self.end, self.targets, self.made, self.pure = start, end, targets, made, True
        self.region = region

    def tag(self, container: Symbol | None) -> int | None:
        for tag, target in enumerate(self.targets):
            if container is target:
                return tag
        return None


def moved(symbol: Symbol, delta: int) -> Symbol:
    """A symbol (and those inside it) `delta` bytes further."""
    if not delta:
        return symbol
    return Symbol(symbol.name, symbol.kind, symbol.start + delta, symbol.end + delta, symbol.name_start + delta,
                  symbol.name_end + delta, [moved(child, delta) for child in symbol.children])


def _symbol_key(symbol: Symbol | None) -> tuple[int, str] | None:
    return None if symbol is None else (int(symbol.kind), symbol.name)


class _Builder:
    def __init__(self, structure: Structure, index: Text, kinds: Mapping[str, SymbolKind],
                 kept: Mapping[int, tuple[Made, int]] | None = None, record: Collection[int] = (),
                 regions: Mapping[int, int] | None = None):
        """`kept`: node number -> what its subtree made in a build before and by how many bytes
        it has moved since (sdk.views: the structure holds the node alone, its Made is replayed
        if its context is the same, else Miss); `record`: the node numbers whose Made to write
        (self.made); `regions`: runs of siblings whose Made to write as one, the number of the
        first -> the number after the last's subtree (self.made_regions)."""
        self.index = index
        self.structure = structure
        self.kinds = kinds
        self.kept = kept or {}
        self.record = record
        self.regions = regions or {}
        self.made: dict[int, Made] = {}
        self.made_regions: dict[int, Made] = {}
        self.names_in: dict[int, set[str]] = {}  # id of a symbol (of None: the file) -> its children's names
        # ids of the symbols an assignment made: a name bound before in its container is none
        # (a replayed Made drops those bound before it where it is replayed).
        self.assigned: set[int] = set()
        self.holder: dict[int, Symbol | None] = {}  # id of a symbol that owns -> the symbol it is listed in
        self.made_at: dict[int, Symbol] = {}
        # For the Made being written: where each symbol was made and each name first bound.
        self._recordings: list[_Recording] = []
        self._made_at_node: dict[int, int] = {}
        self._first_bound: dict[tuple[int, str], int] = {}
        self._contexts: dict[int, tuple[Any, ...]] = {}  # node number -> its children's context

    def header_start(self, number: int, name_start: int) -> int:
        """Where a definition starts: at the first word of the line where its extent or its name
        starts, whichever is first (so `def`, `class`, `@` and modifiers are included)."""
        extent_start = self.structure.starts[number]
        first = min(extent_start, name_start) if extent_start != NO_EXTENT else name_start
        return min(first, self.index.first_nonblank(self.index.line_of(first)))

    def name_span(self, name: str, name_node: Node | None, number: int) -> tuple[int, int]:
        named = span(name_node) if name_node is not None else None
        if named is not None:
            return named
        structure = self.structure
        own = structure.nodes[number].get("@pos") or {}
        start = own.get("start")
        encoded = name.encode("utf-8")
        if start is not None:
            end = own.get("end", start)
            if end is None or end - start == len(encoded) or end <= start:
                return start, start + len(encoded)
        # Find the name in the text of the definition, as a word of its own (the `f` of
        # `function f`, not of `function`).
        if structure.has_extent(number):
            found = _find_word(self.index.data, encoded, structure.starts[number], structure.ends[number])
            if found >= 0:
                return found, found + len(encoded)
            return structure.starts[number], structure.starts[number]
        return 0, 0

    def symbol(self, number: int, name: str, kind: SymbolKind, name_node: Node | None,
               whole: int | None = None) -> Symbol:
        if kind is SymbolKind.Variable and self.in_const_declaration(number):
            kind = SymbolKind.Constant
        name_start, name_end = self.name_span(name, name_node, number)
        around = number if whole is None else whole
        start = self.header_start(around, name_start)
        extent_end = self.structure.ends[around]
        end = max(extent_end if extent_end != NO_EXTENT else name_end, name_end)
        return Symbol(name, kind, start, end, name_start, name_end)

    def build(self) -> list[Symbol]:
        roots = self.roots = []
        structure = self.structure
        parents = structure.parents
        # owner[i]: the symbol that node i is inside of (None at module level); local[i]: node i is
        # inside a function's body that is no symbol of its own (a callback, an IIFE).
        owner: list[Symbol | None] = [None] * len(structure)
        local = self.local = [False] * len(structure)
        made_owner = [False] * len(structure)  # node i is a symbol that owns what is inside it
        holder = self.holder
        # A type written in place (Go's `x struct {...}`, Java's `new T() {...}`): made_at[i] is the
        # one symbol node i made; body[i]: node i is such a type, declared by the symbol its parent
        # made, whose members its members are; member[i]: node i is directly in one; hidden[i]:
        # node i is in one that no symbol declares (`[]struct {...}`, `f(new T() {...})`), whose
        # members have nothing to be listed under (gopls, and JDT LS's outline of class files).
        made_at = self.made_at
        body = [False] * len(structure)
        member = [False] * len(structure)
        hidden = [False] * len(structure)
        kept, record, recordings, regions = self.kept, self.record, self._recordings, self.regions
        for number, node in enumerate(structure.nodes):
            while recordings and recordings[-1].end <= number:
                self._close()
            parent = parents[number]
            if parent >= 0:
                if hidden[parent]:
                    hidden[number] = True
                    continue
                member[number] = body[parent] or (member[parent] and not made_owner[parent])
            parent_owner = owner[parent] if parent >= 0 else None
            owner[number] = parent_owner
            if parent >= 0 and not made_owner[parent]:
                local[number] = local[parent] or _is_function(structure.nodes[parent])
            if regions and number in regions and len(recordings) < MAX_OPEN_RECORDINGS:
                self._open(number, parent, parent_owner, member[number], regions[number])
            if kept and number in kept:
                self._replay(number, parent, parent_owner, member[number])
                continue
            if record and number in record and len(recordings) < MAX_OPEN_RECORDINGS:
                self._open(number, parent, parent_owner, member[number])
            # Most nodes are none of the kinds of symbol: reject them without a call.
            node_type = node.get(TYPE)
            if node_type != "uast:FunctionGroup" and (
                    not self.kinds or _listed_kind(node_type or "", self.kinds) is None):
                if node_type in IMPORT_TYPES:  # binds names first: a later assignment declares none
                    self._bind(parent_owner, _imported_names(node), number)
                roles = node.get(ROLE)
                if not roles or ("Declaration" not in roles and "Assignment" not in roles):
                    continue
            if parent >= 0 and _is_type_literal(structure.nodes[parent]):
                continue  # a member of a type written in place declares nothing (as tsserver lists it)
            container = parent_owner
            if parent_owner is not None and parent_owner.kind in METHOD_KINDS and \
                    _listed_kind(node_type or "", self.kinds) in MEMBER_KINDS and "Argument" in _roles(node):
                # A parameter that declares a field (TypeScript's `constructor(private x: T)`) is a
                # member of the method's type, as the peers list it.
                container = holder.get(id(parent_owner))
            made = self.classify(number, node, container, member[number])
            if not made and self.is_type_in_place(node):
                declared_by = made_at.get(parent)
                if declared_by is None:
                    hidden[number] = True
                else:
                    owner[number], made_owner[number], body[number] = declared_by, True, True
                continue
            if len(made) == 1:
                made_at[number] = made[0]
            for symbol in made:
                self._add(container, symbol, id(symbol) in self.assigned, number)
            # An alias (roles Alias: C's typedef, C++'s `using T = ...`) names a type: one that it
            # defines is listed beside it (`typedef struct S {...} T;`: S and T), as by clangd.
            if len(made) == 1 and made[0].kind not in VARIABLE_KINDS and "Alias" not in _roles(node):
                owner[number] = made[0]
                made_owner[number] = True
                holder[id(made[0])] = container
        while recordings:
            self._close()
        return roots

    # --- what a subtree made, written and replayed (sdk.views) ----------------------------------

    def _context(self, number: int, parent: int, parent_owner: Symbol | None, member: bool) -> tuple[Any, ...]:
        """What the outline of node `number`'s subtree depends on outside it: the containers it
        may put symbols in (their kinds and names), the state its parent gives it, and its
        parent's own node as the builder reads it.  All of it is its parent's: the same for its
        siblings, made once."""
        context = self._contexts.get(parent)
        if context is None:
            holder = self.holder.get(id(parent_owner)) if parent_owner is not None else None
            declared = self.made_at.get(parent)
            parent_node = self.structure.nodes[parent]
            context = self._contexts[parent] = (
                _symbol_key(parent_owner), _symbol_key(holder), _symbol_key(declared), declared is parent_owner,
                member, self.local[number], _is_type_literal(parent_node),
                any(parent_node.get(field) == "const" for field in CONST_FIELDS), self._level_from(parent))
        return context

    def _targets(self, parent: int, parent_owner: Symbol | None) -> tuple[Symbol | None, ...]:
        holder = self.holder.get(id(parent_owner)) if parent_owner is not None else None
        return parent_owner, holder, self.made_at.get(parent)

    def _open(self, number: int, parent: int, parent_owner: Symbol | None, member: bool,
              region_end: int | None = None) -> None:
        """A Made begun: of node `number`'s subtree, or of the region of its siblings that
        ends before `region_end` (siblings share their context)."""
        end = number + self.structure.sizes[number] if region_end is None else region_end
        made = Made(self._context(number, parent, parent_owner, member))
        self._recordings.append(_Recording(number, end, self._targets(parent, parent_owner), made,
                                           region_end is not None))

    def _close(self) -> None:
        recording = self._recordings.pop()
        if recording.pure:
            (self.made_regions if recording.region else self.made)[recording.start] = recording.made

    def _replay(self, number: int, parent: int, parent_owner: Symbol | None, member: bool) -> None:
        made, delta = self.kept[number]
        if made.context != self._context(number, parent, parent_owner, member):
            raise Miss(number)
        targets = self._targets(parent, parent_owner)
        for tag, symbol, assigned in made.symbols:
            target = targets[tag]
            if assigned and symbol.name in self.names_in.get(id(target), ()):
                self._dropped(target, symbol.name, number)
                continue
            self._add(target, moved(symbol, delta), assigned, number)
        for tag, name in made.names:
            self._bind(targets[tag], (name,), number)

    def _outside(self, container: Symbol | None, recording: _Recording) -> bool:
        return container is None or self._made_at_node.get(id(container), -1) < recording.start

    def _add(self, container: Symbol | None, symbol: Symbol, assigned: bool, number: int) -> None:
        """A symbol put in its container (the file's roots for None)."""
        (container.children if container else self.roots).append(symbol)
        self._bind(container, (symbol.name,), number)
        if self._recordings:
            self._made_at_node[id(symbol)] = number
            self._write(container, lambda made, tag: made.symbols.append((tag, symbol, assigned)))

    def _bind(self, container: Symbol | None, names: Iterable[str], number: int) -> None:
        bound = self.names_in.setdefault(id(container), set())
        for name in names:
            bound.add(name)
            if self._recordings:
                self._first_bound.setdefault((id(container), name), number)
                self._write(container, lambda made, tag: made.names.append((tag, name)))  # noqa: B023

    def _write(self, container: Symbol | None, write: Callable[[Made, int], None]) -> None:
        """What was put in a container, written in the Made of each subtree being written that it
        is outside of (in the container's place among its targets; one that is none of them
        cannot be replayed)."""
        for recording in self._recordings:
            if self._outside(container, recording):
                tag = recording.tag(container)
                if tag is None:
                    recording.pure = False
                else:
                    write(recording.made, tag)

    def _dropped(self, container: Symbol | None, name: str, number: int) -> None:
        """An assignment's name not declared, bound before: by a subtree being written's own
        nodes, or from outside it, which its Made cannot say."""
        first = self._first_bound.get((id(container), name), -1)
        for recording in self._recordings:
            if self._outside(container, recording) and first < recording.start:
                recording.pure = False

    def classify(self, number: int, node: Node, parent: Symbol | None, member: bool = False) -> list[Symbol]:
        """The symbols node `number` declares in `parent`; `member`: the node is in a type written
        in place that `parent` declares (`x struct {...}`: its fields are x's)."""
        in_type = member or (parent is not None and parent.kind in TYPE_KINDS)
        in_container = member or (parent is not None and parent.kind in CONTAINER_TYPES)
        node_type = node.get(TYPE, "")
        if node_type == "uast:FunctionGroup":
            named = _function_name(node)
            if not named:
                return []
            name, name_node = named
            kind = SymbolKind.Method if in_type or _has_receiver(node) else SymbolKind.Function
            return [self.symbol(number, name, _constructor_or(kind, name, parent), name_node)]
        roles = node.get(ROLE) or ()
        if "Declaration" in roles or _listed_kind(node_type, self.kinds) is not None:
            type_kind = _type_kind(node, self.kinds)
            if type_kind in VARIABLE_KINDS and (not (parent is None or in_container) or self.local[number]):
                return []  # a local variable: not part of an outline
            if type_kind in VARIABLE_KINDS and (bound := _pattern_names(node)) is not None:
                return [self.symbol(number, name, type_kind, target, whole=number) for name, target in bound]
            if type_kind is not None:
                named = _type_name(node)
                if not named:
                    return []
                return [self.symbol(number, named[0], _constructor_or(type_kind, named[0], parent), named[1])]
        if "Assignment" in roles and (parent is None or in_container) and self.at_statement_level(number):
            # A name assigned again (`try: X = a` / `except: X = b`, or a def's name) is the
            # symbol it already is: an assignment declares only where it binds a name first.
            listed = self.names_in.get(id(parent), ())
            made = []
            for name, target in _assigned_names(node):
                if name in listed:
                    self._dropped(parent, name, number)
                else:
                    made.append(self.symbol(number, name, _variable_kind(name, in_type), target, whole=number))
            self.assigned.update(id(symbol) for symbol in made)
            return made
        return []

    def is_type_in_place(self, node: Node) -> bool:
        """A type written where it is used, not declared by a name of its own: roles Type and
        Expression, and no Declaration (Go's struct and interface types) or Anonymous (Java's
        anonymous class bodies); not a class expression or Ruby's `class << self`, which declare."""
        roles = node.get(ROLE)
        return bool(roles) and "Type" in roles and "Expression" in roles and \
            ("Declaration" not in roles or "Anonymous" in roles) and _type_kind(node, self.kinds) in TYPE_KINDS

    def in_const_declaration(self, number: int) -> bool:
        """Declared by `const` (JavaScript's `kind`, Go's `Tok`): its own node or the declaration
        that holds it says so."""
        structure = self.structure
        for candidate in (number, structure.parents[number]):
            if candidate < 0:
                continue
            node = structure.nodes[candidate]
            if any(node.get(field) == "const" for field in CONST_FIELDS):
                return True
        return False

    def at_statement_level(self, number: int) -> bool:
        """An assignment that is a statement of a module or type body, not inside an expression."""
        return self._level_from(self.structure.parents[number])

    def _level_from(self, parent: int) -> bool:
        structure = self.structure
        while parent >= 0:
            node = structure.nodes[parent]
            roles = node.get(ROLE) or ()
            if "File" in roles or "Module" in roles or _type_kind(node, self.kinds) in CONTAINER_TYPES:
                return True
            # Through the blocks of a compound statement (`if`, `try`, `for`, `with`...: an
            # assignment there binds a name of the module or type as well), not through an
            # expression, a simple statement or a function.
            if "Expression" in roles or node.get(TYPE) in ("uast:FunctionGroup", "uast:Function") or (
                    "Statement" in roles and COMPOUND_STATEMENT_ROLES.isdisjoint(roles)):
                return False
            parent = structure.parents[parent]
        return True


def symbol_kinds(names: Mapping[str, str]) -> dict[str, SymbolKind]:
    """A driver manifest's symbol_kinds as LSP kinds (unknown kind names are ignored)."""
    return {native: KIND_NAMES[kind] for native, kind in names.items() if kind in KIND_NAMES}


def symbols_as_data(symbols: list[Symbol]) -> list[list[Any]]:
    """Symbols as JSON-ready data (the protocol's `outline` part): per symbol
    [name, kind, start, end, name_start, name_end, children]."""
    return [[symbol.name, int(symbol.kind), symbol.start, symbol.end, symbol.name_start, symbol.name_end,
             symbols_as_data(symbol.children)] for symbol in symbols]


def symbols_from_data(data: Any, last: tuple[list[Any], list[Symbol]] | None = None,
                      unchanged: int = 0) -> list[Symbol]:
    """symbols_as_data's symbols back; ValueError for data that is not such symbols.  `last`:
    the data and symbols of the same text's last version, of which the first `unchanged` bytes
    are this one's: a symbol there whose data is the same is that version's object (an answer
    made of it is the same too: see bblfsh_lsp.features.document_symbols)."""
    if not isinstance(data, list):
        raise ValueError("an outline is a list of symbols")
    last_data, last_symbols = last if last is not None else ((), ())
    symbols = []
    for number, item in enumerate(data):
        was = last_data[number] if number < len(last_data) else None
        if was is not None and item == was and type(item[3]) is int and item[3] <= unchanged:
            symbols.append(last_symbols[number])
            continue
        if not isinstance(item, list) or len(item) != 7:
            raise ValueError(f"not a symbol: {item!r:.80}")
        name, kind, start, end, name_start, name_end, children = item
        if not isinstance(name, str) or not all(type(number) is int for number in (kind, start, end, name_start,
                                                                                     name_end)):
            raise ValueError(f"not a symbol: {item!r:.80}")
        # Before the edit, the children of a symbol that holds it are the last version's.
        inner = (was[6], last_symbols[number].children) if was is not None and start < unchanged \
            and isinstance(was, list) and len(was) == 7 else None
        symbols.append(Symbol(name, SymbolKind(kind), start, end, name_start, name_end,
                              symbols_from_data(children, inner, unchanged)))
    return symbols


def outline(tree: Node, index: Text, structure: Structure | None = None,
            kinds: Mapping[str, SymbolKind] | None = None) -> list[Symbol]:
    """The document's symbols, nested, in source order.

    `structure`: the tree's, if at hand; `kinds`: native types that are symbols and their kind
    (from the driver's manifest), beyond what the universal concepts tell."""
    structure = structure if structure is not None else Structure(tree, len(index.data))
    return _Builder(structure, index, kinds or {}).build()
