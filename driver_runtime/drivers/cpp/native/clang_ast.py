"""The C and C++ driver's native parser: clang, through libclang, over JSON lines.

    python clang_ast.py BUILD_DIR

reads one request per line, {"content": str, "filename": str}, and answers one line,
{"ast": tree or null, "errors": [{"message", "line", "col"}]}.  The tree is clang's AST of the
file, shaped as a native UAST: node types are libclang's cursor kinds (FunctionDecl, CXXMethod,
DeclRefExpr, CompoundStmt...), with the children that libclang gives sorted into named fields;
positions are byte offsets into the UTF-8 text.  The source is parsed from memory (nothing is
written), as C++17 (or C for .c files, and .h files with no C++ in them), without system headers:
what the file's missing headers would declare is declared by a prelude (prelude.py), so that
code that uses them keeps its statements.  Comments come from clang's own token stream.

The tree is built here, where clang's cursors, tokens and types are at hand; roles and the
semantic UAST are the driver's tables (driver_runtime/drivers/cpp/).  BUILD_DIR holds the
pinned Python bindings of libclang (prepare.sh); libclang itself is Debian's libclang1-14.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Callable
from ctypes import c_int, c_uint

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from prelude import Learner, Prelude, seed_members  # noqa: E402
from shapes import Code  # noqa: E402
from tokens import MACRO_BIT, Tokens  # noqa: E402

LIBCLANG_ENV = "BBLFSH_LSP_LIBCLANG"
LIBCLANG_CANDIDATES = (
    "/usr/lib/llvm-14/lib/libclang.so.1",
    "/usr/lib/x86_64-linux-gnu/libclang-14.so.1",
    "/usr/lib/aarch64-linux-gnu/libclang-14.so.1",
)
FOLDER = "/__bblfsh__/"
PRELUDE = FOLDER + "prelude.h"
ROUNDS = 4  # parses at most: the first, and up to three with a growing prelude

# CXTranslationUnit flags: detailed preprocessing record (includes, macros), incomplete
# (no implicit end-of-file work), keep going after fatal errors (a missing include).
PARSE_OPTIONS = 0x1 | 0x2 | 0x200
COMMON_ARGS = ["-nostdinc", "-nostdinc++", "-fno-spell-checking", "-ferror-limit=0", "-w",
               "-fno-delayed-template-parsing", "-fparse-all-comments"]
CXX_ARGS = ["-x", "c++", "-std=c++17", *COMMON_ARGS]
C_ARGS = ["-x", "c", "-std=gnu11", *COMMON_ARGS]
C_EXTENSIONS = (".c",)
HEADER_EXTENSIONS = (".h",)
_CXX_IN_HEADER = re.compile(rb"\b(?:class|namespace|template|public:|private:|protected:|virtual|operator)\b|::")

# Diagnostics that are the source's syntax errors (the rest, unresolved names and types, are
# expected: the file is parsed without its headers).
SYNTAX_CATEGORIES = ("Parse Issue", "Lexical or Preprocessor Issue")
NOT_SYNTAX = re.compile(r"file not found|unknown type name|no template named|use of undeclared|unknown template name"
                        r"|expected class name|expected namespace name|unknown (?:class|namespace)")

STORAGE_WORDS = frozenset("static extern inline virtual explicit constexpr consteval friend typedef mutable "
                          "register thread_local __inline __inline__".split())
REF_KINDS_NAMES = ("TYPE_REF", "TEMPLATE_REF", "NAMESPACE_REF")

# The kinds of list whose items are kept between a document's versions (the host's order:
# CppDriver's kept_lists): the file's declarations and a namespace's.
KEPT_KINDS = (("TranslationUnit", "Declarations"), ("Namespace", "Declarations"))
# What an edit inside a function's body may not contain, before or after, for the declarations
# after it to be kept: a directive (a macro defined there reaches them), braces (the body would
# end elsewhere), quotes, comments and line splices (the text after would be lexed otherwise).
_NOT_IN_A_CONTAINED_EDIT = re.compile(rb"[#{}\"'/\\]")
# What an edit inside a comment may not contain, before or after, for the prelude to be the last
# one's: a line break (line comments end there, directives and diagnostics' lines move) or a line
# splice.
_NOT_IN_A_COMMENT_EDIT = re.compile(rb"[\r\n\\]")


def load_cindex(build: str):
    sys.path.insert(0, os.path.join(build, "site"))
    from clang import cindex  # the pinned bindings (native/requirements.txt)

    library = os.environ.get(LIBCLANG_ENV) or next((p for p in LIBCLANG_CANDIDATES if os.path.exists(p)), None)
    if library:
        cindex.Config.set_library_file(library)
    lib = cindex.conf.lib
    lib.clang_Location_isFromMainFile.argtypes = [cindex.SourceLocation]
    lib.clang_Location_isFromMainFile.restype = c_int
    lib.clang_getCursorKindSpelling.argtypes = [c_uint]
    lib.clang_getCursorKindSpelling.restype = cindex._CXString
    lib.clang_getCursorKindSpelling.errcheck = cindex._CXString.from_result
    return cindex


def is_cxx(filename: str, data: bytes) -> bool:
    lower = filename.lower()
    if lower.endswith(C_EXTENSIONS):
        return False
    if lower.endswith(HEADER_EXTENSIONS):
        return bool(_CXX_IN_HEADER.search(data))
    return True


def changed(old: bytes, new: bytes) -> tuple[int, int, int]:
    """Where two texts differ: (start, its end in old, its end in new), between their common
    prefix and suffix.  (This program imports nothing of the driver kit, which has the same in
    sdk/text.py.)"""
    low, high = 0, min(len(old), len(new))
    while low < high:  # slices compare with memcmp: a dozen steps, not one per byte
        middle = (low + high + 1) // 2
        if old[low:middle] == new[low:middle]:
            low = middle
        else:
            high = middle - 1
    start, low, high = low, 0, min(len(old), len(new)) - low
    while low < high:
        middle = (low + high + 1) // 2
        if old[len(old) - middle:len(old) - low] == new[len(new) - middle:len(new) - low]:
            low = middle
        else:
            high = middle - 1
    return start, len(old) - low, len(new) - low


class KeptItems:
    """The declarations of the last kept parse, and which of this parse's are the same: an item's
    key is its text with the gaps beside it (the last's, to the end of its line); it is kept if
    the last parse had it where the text before it was the same (clang reads a declaration in the
    light of all before it, and of the prelude, which must be the same too), or after an edit
    inside one function's body that declares nothing outside it.  And only if the syntax errors
    are the same ones, where they were: clang reads a declaration otherwise once the text holds
    an error, even one after it (a brace left open marks what it is in as invalid)."""

    def __init__(self, data: bytes, generation: int, prelude: bytes, last: KeptItems | None,
                 contained: Callable[[bytes, int, int], bool], failures: list[tuple[str, int]]):
        """`contained(last text, start, end)`: whether the edit from the last text (start to end
        in this one) lies in one function's body and reaches nothing outside it."""
        self.data = data
        self.generation = generation
        self.prelude = prelude
        self.failures = failures  # the syntax errors: (message, offset)
        self.keys: list[dict[bytes, list[tuple[int, int]]]] = [{} for _ in KEPT_KINDS]  # key -> (number, start)
        self.starts: list[list[int]] = [[] for _ in KEPT_KINDS]
        self.bounds: list[list[tuple[bytes, int, int] | None]] = [[] for _ in KEPT_KINDS]  # per number: key, start, end
        self.last = last
        self.unchanged_before = self.changed_end = self.delta = 0
        self._contained = contained
        self._after_kept: bool | None = None  # asked once, if an item lies after the edit
        if last is not None:
            self.unchanged_before, _, self.changed_end = changed(last.data, data)
            self.delta = len(data) - len(last.data)
            if [(message, at if at < self.unchanged_before else at - self.delta) for message, at in failures] \
                    != last.failures or any(self.unchanged_before <= at < self.changed_end for _, at in failures):
                self.last = None  # an error came, went or moved: nothing is kept

    def number(self, which: int, spans: list[tuple[int, int] | None], low: int, high: int) -> list[int]:
        """Number a kept list's items (None: one never kept); per item, its number in the last
        parse if it is kept there, else -1."""
        nexts: list[int | None] = []  # per item, where the next one with a span starts
        following = None
        for span in reversed(spans):
            nexts.append(following)
            following = span[0] if span is not None else following
        nexts.reverse()
        out = []
        start = low  # where the last one with a span ended
        for span, end in zip(spans, nexts):
            number = len(self.starts[which])
            if end is None and span is not None:  # the last: to the end of its line (a `;` after it...),
                # not over what follows (the comments at a file's end, where an editor types)
                line_end = self.data.find(b"\n", span[1], high)
                end = high if line_end < 0 else line_end + 1
            # An extent clang could not place (in an unclosed scope, a macro's) is never a key.
            if end is None or span is None or not (low <= start <= span[0] < span[1] <= end <= high):
                self.starts[which].append(max(low, 0))
                self.bounds[which].append(None)
                out.append(-1)
            else:
                key = self.data[start:end]
                self.keys[which].setdefault(key, []).append((number, start))
                self.starts[which].append(start)
                self.bounds[which].append((key, start, end))
                out.append(self._last_number(which, key, start, end))
            if span is not None:
                start = span[1]
        return out

    def check(self, which: int, number: int, node: dict | None) -> None:
        """An item converted now is kept for the next parse only if all its positions lie in its
        key: the host moves them all as the key moves (clang places some nodes nowhere, at 0)."""
        bounds = self.bounds[which][number]
        if bounds is None or node is None:
            return
        key, start, end = bounds
        stack: list = [node]
        while stack:
            value = stack.pop()
            if type(value) is dict:
                pos = value.get("@pos")
                if pos is not None and not (start <= pos.get("start", -1) <= pos.get("end", -1) <= end):
                    self.keys[which][key].remove((number, start))
                    self.bounds[which][number] = None
                    return
                stack.extend(value.values())
            elif type(value) is list:
                stack.extend(value)

    def _after_contained(self) -> bool:
        if self._after_kept is None:
            assert self.last is not None
            self._after_kept = self._contained(self.last.data, self.unchanged_before, self.changed_end)
        return self._after_kept

    def _last_number(self, which: int, key: bytes, start: int, end: int) -> int:
        if self.last is None:
            return -1
        if end <= self.unchanged_before:
            was = start
        elif start >= self.changed_end and self._after_contained():
            was = start - self.delta
        else:
            return -1
        for number, last_start in self.last.keys[which].get(key, ()):
            if last_start == was:
                return number
        return -1


class Parser:
    def __init__(self, cindex):
        self.cindex = cindex
        self.index = cindex.Index.create()
        self.lib = cindex.conf.lib
        self.kept: KeptItems | None = None  # the last kept parse's items
        # The last parse's file name, text, tokens and prelude: a text that differs from it in
        # one comment's text alone has the same prelude (_comment_edit).
        self.last_text: tuple[str, bytes, Tokens, bytes] | None = None
        self.last_tu = None  # the last parse's translation unit (its file and prelude are last_text's)

    @property
    def last_prelude(self) -> str:
        """The prelude of the last parse (also the benchmark's reference)."""
        return self.last_text[3].decode() if self.last_text is not None else ""

    def _comment_edit(self, data: bytes, path: str) -> tuple[bytes, Tokens] | None:
        """The last parse's prelude and `data`'s tokens, if `data` differs from its text inside
        one comment alone: the learner's rounds would learn that prelude again.  They read
        clang's diagnostics and the code's tokens, which leave comments out; a comment that stays
        one comment, on the same lines, changes neither (but their offsets after it, alike).
        None otherwise."""
        if self.last_text is None or self.last_text[0] != path:
            return None
        _, last, tokens, prelude = self.last_text
        if last == data:
            return prelude, tokens
        start, old_end, new_end = changed(last, data)
        if _NOT_IN_A_COMMENT_EDIT.search(last, start, old_end) \
                or _NOT_IN_A_COMMENT_EDIT.search(data, start, new_end):
            return None
        index = tokens.comment_holding(start, old_end)
        if index is None:
            return None
        comment_start, comment_end = tokens.starts[index], tokens.ends[index]
        block = last.startswith(b"/*", comment_start)
        if block and old_end > comment_end - 2:
            return None  # in the closing "*/"
        comment = data[comment_start:comment_end + new_end - old_end]
        if block and comment.find(b"*/") != len(comment) - 2:
            return None  # closed elsewhere now
        if not block and comment.rstrip(b" \t").endswith(b"\\"):
            return None  # a line splice: it goes on over the next line now
        return prelude, tokens.with_comment_edited(index, data)

    def parse(self, content: str, filename: str, keep: int | None = None, reuse: int | None = None) -> dict:
        """`keep`: this parse's generation, its items kept for the next; `reuse`: the generation
        whose items the host holds (docs/writing-a-driver.md)."""
        data = content.encode("utf-8", "surrogatepass")
        cxx = is_cxx(filename, data)
        path = FOLDER + ("input.cpp" if cxx else "input.c")
        args = [*(CXX_ARGS if cxx else C_ARGS), "-include", PRELUDE]
        comment_edit = self._comment_edit(data, path)
        if comment_edit is None:
            tu, tokens, prelude = self._learned(path, data, args, cxx)
        else:
            prelude, tokens = comment_edit
            files = [(path, data), (PRELUDE, prelude)]
            if self.last_tu is not None:
                # The same file with the same prelude: clang parses it again in the last one's
                # translation unit, as if anew, without setting one up (0.7 ms of 2.2 at 10 KB).
                tu, self.last_tu = self.last_tu, None
                tu.reparse(unsaved_files=files, options=0)
            else:
                tu = self.index.parse(path, args=args, unsaved_files=files, options=PARSE_OPTIONS)
            tokens.rebase(self.cindex, tu, path)
        self.last_text = (path, data, tokens, prelude)
        self.last_tu = tu
        errors = self.syntax_errors(tu, path)
        failures = [(error["message"], error.pop("offset")) for error in errors]  # the answer's have no offset
        if keep is None:
            return {"ast": Converter(self.cindex, tu, data, tokens, path).translation_unit(), "errors": errors}
        last = self.kept if self.kept is not None and reuse == self.kept.generation \
            and prelude == self.kept.prelude else None
        self.kept = None  # until this parse is done: a failed one keeps nothing
        converter = Converter(self.cindex, tu, data, tokens, path)
        items = KeptItems(data, keep, prelude, last, converter.edit_contained, failures)
        converter.kept = items
        try:
            tree = converter.translation_unit()
        except _Tangled:  # the whole tree, nothing kept (the host then holds nothing either)
            tree = Converter(self.cindex, tu, data, tokens, path).translation_unit()
            return {"ast": tree, "errors": errors}
        self.kept = items
        return {"ast": tree, "errors": errors, "kept": keep, "starts": items.starts}

    def _learned(self, path: str, data: bytes, args: list[str], cxx: bool) -> tuple[object, Tokens, bytes]:
        """The file parsed with the prelude learned from it: the translation unit, the file's
        tokens and the prelude, over up to ROUNDS parses, each with what the last one missed."""
        prelude = Prelude(cxx)
        tu = tokens = learner = None
        for _round in range(ROUNDS):
            rendered = prelude.render().encode()
            tu = self.index.parse(path, args=args, unsaved_files=[(path, data), (PRELUDE, rendered)],
                                  options=PARSE_OPTIONS)
            seeded = False
            if tokens is None or learner is None:  # the file's tokens are the same in every round
                tokens = Tokens(self.cindex, tu, data, path)
                code = Code(tokens.texts, tokens.kinds, tokens.starts, tokens.ends, data)
                learner = Learner(prelude, code)
                if cxx:  # what follows `.` and `->` is a member: declared at once, not round by round
                    seeded = seed_members(prelude, code)
            else:
                tokens.rebase(self.cindex, tu, path)
            if _round == ROUNDS - 1:
                break  # no parse would follow what is learned now
            missing = self.missing(tu, tokens)
            learned = bool(missing) and learner.learn(missing)
            if not (learned or seeded):
                break
        assert tu is not None and tokens is not None
        return tu, tokens, rendered

    @staticmethod
    def missing(tu, tokens: Tokens) -> list[tuple[str, int]]:
        """The errors in the file (message, offset): what the prelude may declare."""
        out = []
        for diagnostic in tu.diagnostics:
            if diagnostic.severity >= 3:
                offset = tokens.offset(diagnostic.location.int_data)
                if offset is not None:
                    out.append((diagnostic.spelling, offset))
        return out

    @staticmethod
    def syntax_errors(tu, path: str) -> list[dict]:
        """The file's syntax errors: message, line, column and (for this side) offset."""
        errors = []
        for diagnostic in tu.diagnostics:
            location = diagnostic.location
            if (diagnostic.severity < 3 or location.file is None or location.file.name != path
                    or diagnostic.category_name not in SYNTAX_CATEGORIES or NOT_SYNTAX.search(diagnostic.spelling)):
                continue
            errors.append({"message": diagnostic.spelling, "line": location.line, "col": location.column,
                           "offset": location.offset})
        return errors


class _Tangled(Exception):
    """A declaration that overlaps another (converted first, to know the list's items) holds a
    kept list, which this side would number out of the host's order."""


# libclang spells a few kinds in words; their clang class names instead.
_SPELLINGS = {"C++ base class specifier": "CXXBaseSpecifier", "asm label": "AsmLabelAttr"}
_ATTRIBUTE = re.compile(r"attribute\((\w+)\)")


def camel(spelling: str) -> str:
    """libclang's kind spelling as a type name ("macro definition" -> "MacroDefinition",
    "attribute(final)" -> "FinalAttr")."""
    if spelling in _SPELLINGS:
        return _SPELLINGS[spelling]
    attribute = _ATTRIBUTE.fullmatch(spelling)
    if attribute:
        return "".join(part.capitalize() for part in attribute.group(1).split("_")) + "Attr"
    if " " in spelling:
        return "".join(word[:1].upper() + word[1:] for word in spelling.split())
    return spelling


class Converter:
    """clang's cursors of the main file -> native UAST nodes."""

    def __init__(self, cindex, tu, data: bytes, tokens: Tokens, path: str):
        self.cindex = cindex
        self.tu = tu
        self.data = data
        self.tokens = tokens
        self.path = path
        self.lib = cindex.conf.lib
        self.seen: set[tuple[int, int, int]] = set()
        self.kept: KeptItems | None = None  # numbers the kept lists' items (set for a kept parse)
        self.file = None
        K = cindex.CursorKind
        self.K = K
        self.type_names: dict[int, str] = {}
        self.refs = {K.TYPE_REF, K.TEMPLATE_REF, K.NAMESPACE_REF}
        self.templates_params = {K.TEMPLATE_TYPE_PARAMETER, K.TEMPLATE_NON_TYPE_PARAMETER,
                                 K.TEMPLATE_TEMPLATE_PARAMETER}
        functions = (K.FUNCTION_DECL, K.CXX_METHOD, K.CONSTRUCTOR, K.DESTRUCTOR, K.CONVERSION_FUNCTION,
                     K.FUNCTION_TEMPLATE)
        classes = (K.CLASS_DECL, K.STRUCT_DECL, K.UNION_DECL, K.CLASS_TEMPLATE,
                   K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION)
        self.handlers = {
            **{kind: self.function for kind in functions},
            **{kind: self.record for kind in classes},
            **{kind: self.variable for kind in (K.VAR_DECL, K.FIELD_DECL, K.PARM_DECL, K.TEMPLATE_NON_TYPE_PARAMETER)},
            **{kind: self.reference for kind in (K.TYPE_REF, K.TEMPLATE_REF, K.NAMESPACE_REF, K.MEMBER_REF,
                                                 K.LABEL_REF, K.VARIABLE_REF, K.OVERLOADED_DECL_REF)},
            **{kind: self.literal for kind in (K.INTEGER_LITERAL, K.FLOATING_LITERAL, K.IMAGINARY_LITERAL,
                                               K.STRING_LITERAL, K.CHARACTER_LITERAL, K.CXX_BOOL_LITERAL_EXPR,
                                               K.CXX_NULL_PTR_LITERAL_EXPR, K.OBJ_BOOL_LITERAL_EXPR)},
            **{kind: self.binary for kind in (K.BINARY_OPERATOR, K.COMPOUND_ASSIGNMENT_OPERATOR)},
            **{kind: self.cast for kind in (K.CSTYLE_CAST_EXPR, K.CXX_STATIC_CAST_EXPR, K.CXX_DYNAMIC_CAST_EXPR,
                                            K.CXX_REINTERPRET_CAST_EXPR, K.CXX_CONST_CAST_EXPR,
                                            K.CXX_FUNCTIONAL_CAST_EXPR)},
            K.ENUM_DECL: self.enum,
            K.ENUM_CONSTANT_DECL: self.enumerator,
            K.NAMESPACE: self.namespace,
            K.TYPEDEF_DECL: self.typedef,
            K.TYPE_ALIAS_DECL: self.typedef,
            K.TEMPLATE_TYPE_PARAMETER: self.named,
            K.TEMPLATE_TEMPLATE_PARAMETER: self.named,
            K.NAMESPACE_ALIAS: self.named,
            K.USING_DIRECTIVE: self.using,
            K.USING_DECLARATION: self.using,
            K.CXX_BASE_SPECIFIER: self.base_specifier,
            K.CXX_ACCESS_SPEC_DECL: self.access,
            K.COMPOUND_STMT: self.compound,
            K.DECL_STMT: self.decl_stmt,
            K.RETURN_STMT: self.single("Value"),
            K.IF_STMT: self.if_stmt,
            K.SWITCH_STMT: self.if_stmt,
            K.WHILE_STMT: self.while_stmt,
            K.DO_STMT: self.do_stmt,
            K.FOR_STMT: self.for_stmt,
            K.CXX_FOR_RANGE_STMT: self.range_for,
            K.CASE_STMT: self.case,
            K.DEFAULT_STMT: self.fields("Body"),
            K.LABEL_STMT: self.label,
            K.GOTO_STMT: self.fields("Label"),
            K.CXX_TRY_STMT: self.try_stmt,
            K.CXX_CATCH_STMT: self.catch,
            K.UNARY_OPERATOR: self.unary,
            K.CXX_UNARY_EXPR: self.unary_keyword,
            K.CALL_EXPR: self.call,
            K.MEMBER_REF_EXPR: self.member,
            K.DECL_REF_EXPR: self.decl_ref,
            K.ARRAY_SUBSCRIPT_EXPR: self.fields("Base", "Index"),
            K.CONDITIONAL_OPERATOR: self.fields("Condition", "Then", "Else"),
            K.PAREN_EXPR: self.single("Expression"),
            K.INIT_LIST_EXPR: self.list_of("Elements"),
            K.LAMBDA_EXPR: self.lambda_,
            K.CXX_THROW_EXPR: self.single("Expression"),
            K.CXX_THIS_EXPR: self.keyword,
            K.UNEXPOSED_EXPR: self.unexposed,
            K.MACRO_DEFINITION: self.macro,
            K.INCLUSION_DIRECTIVE: self.inclusion,
        }
        self.preprocessor = {K.MACRO_DEFINITION, K.INCLUSION_DIRECTIVE, K.MACRO_INSTANTIATION}

    # --- helpers ---------------------------------------------------------------------------

    def type_name(self, kind) -> str:
        name = self.type_names.get(kind.value)
        if name is None:
            spelling = self.lib.clang_getCursorKindSpelling(kind.value)
            name = self.type_names[kind.value] = camel(spelling if isinstance(spelling, str) else kind.name)
        return name

    def in_main(self, cursor) -> bool:
        location = self.lib.clang_getCursorLocation(cursor)
        if self.tokens.offset(location.int_data) is not None:
            return True
        if location.int_data & MACRO_BIT:
            # Written by a macro: the file's if the macro was expanded in the file (a learned
            # `TEST_CASE(...) {` is a function declared where it is written).
            file = location.file
            return file is not None and file.name == self.path
        return bool(self.lib.clang_Location_isFromMainFile(location))

    def kids(self, cursor) -> list:
        return [kid for kid in cursor.get_children() if self.in_main(kid)]

    def location(self, cursor) -> int:
        """Where the cursor's name is (its location), as an offset in the file."""
        location = self.lib.clang_getCursorLocation(cursor)
        offset = self.tokens.offset(location.int_data)
        return offset if offset is not None else location.offset

    def span(self, cursor) -> tuple[int, int]:
        extent = self.lib.clang_getCursorExtent(cursor)
        offset = self.tokens.offset
        start, end = offset(extent.begin_int_data), offset(extent.end_int_data)
        if start is None or end is None:  # in a macro expansion: where it was expanded
            return extent.start.offset, extent.end.offset
        return start, end

    def base(self, cursor, span: tuple[int, int] | None = None) -> dict:
        start, end = span or self.span(cursor)
        return {"@type": self.type_name(cursor.kind), "@pos": {"start": start, "end": max(start, end)}}

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", "replace")

    def convert(self, cursor) -> dict | None:
        handler = self.handlers.get(cursor.kind, self.generic)
        return handler(cursor)

    def convert_all(self, cursors) -> list[dict]:
        out = []
        for cursor in cursors:
            node = self.convert(cursor)
            if node is not None:
                out.append(node)
        return out

    def generic(self, cursor) -> dict:
        node = self.base(cursor)
        children = self.convert_all(self.kids(cursor))
        if children:
            node["Children"] = children
        return node

    def keyword(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = self.text(*self.span(cursor))
        return node

    def name_node(self, cursor, name: str) -> dict | None:
        """The declared or referenced name, at its place in the source (none without a name)."""
        if not name:
            return None
        node = {"@type": "DeclarationName", "@token": name}
        offset = self.tokens.offset(self.lib.clang_getCursorLocation(cursor).int_data)
        if offset is None:  # in a macro expansion
            return node
        encoded = name.encode("utf-8")
        if self.data[offset:offset + len(encoded)] == encoded and not name.startswith(("operator", "~")):
            node["@pos"] = {"start": offset, "end": offset + len(encoded)}
            return node
        end = self.compound_name_end(offset, name)
        if end is not None:
            node["@pos"] = {"start": offset, "end": end}
        return node

    def compound_name_end(self, offset: int, name: str) -> int | None:
        """Where `operator()`, `operator new[]`, `~Foo` written at `offset` end."""
        tokens = self.tokens
        index = tokens.index_at(offset)
        if index >= len(tokens) or tokens.starts[index] != offset:
            return None
        first = tokens.texts[index]
        if first == "~" and index + 1 < len(tokens):
            return tokens.ends[index + 1]
        if first != "operator":
            return None
        index += 1
        if index < len(tokens) and tokens.texts[index] in ("(", "["):  # operator() / operator[]
            return tokens.ends[min(index + 1, len(tokens) - 1)]
        end = tokens.ends[index - 1]
        while index < len(tokens) and tokens.texts[index] not in ("(", "<") or (
                index < len(tokens) and tokens.texts[index] in ("(", "<") and tokens.texts[index - 1] == "operator"):
            end = tokens.ends[index]
            index += 1
            if tokens.texts[index - 1] in ("new", "delete") and index < len(tokens) and tokens.texts[index] == "[":
                end = tokens.ends[min(index + 1, len(tokens) - 1)]
                break
        return end

    def named(self, cursor) -> dict:
        node = self.base(cursor)
        name = cursor.spelling
        if name:
            node["@token"] = name
            node["Name"] = self.name_node(cursor, name)
        children = self.convert_all(kid for kid in self.kids(cursor))
        if children:
            node["Children"] = children
        return node

    def fields(self, *names: str):
        """Children in order into the named fields (the last field takes the rest)."""
        def handler(cursor) -> dict:
            node = self.base(cursor)
            children = self.convert_all(self.kids(cursor))
            for position, name in enumerate(names):
                if position >= len(children):
                    break
                node[name] = children[position] if position < len(names) - 1 or len(children) == len(names) \
                    else children[position] if len(children) == position + 1 else children[position:]
            return node
        return handler

    def single(self, name: str):
        def handler(cursor) -> dict:
            node = self.base(cursor)
            children = self.convert_all(self.kids(cursor))
            if children:
                node[name] = children[0]
                if len(children) > 1:
                    node["Children"] = children[1:]
            return node
        return handler

    def list_of(self, name: str):
        def handler(cursor) -> dict:
            node = self.base(cursor)
            node[name] = self.convert_all(self.kids(cursor))
            return node
        return handler

    def type_loc(self, cursor, type_, start: int, end: int, refs: list) -> dict | None:
        """The type as written between `start` and `end` (storage words left out)."""
        tokens = self.tokens
        index, stop = tokens.first_from(start), tokens.first_from(end)
        while index < stop and (tokens.texts[index] in STORAGE_WORDS or tokens.kinds[index] == 4):
            index += 1
        last = stop - 1
        while last >= index and tokens.kinds[last] == 4:
            last -= 1
        if index > last:
            return None
        first_offset, last_offset = tokens.starts[index], tokens.ends[last]
        spelling = type_.spelling if type_ is not None else ""
        written = " ".join(tokens.texts[index:last + 1])
        node = {"@type": "TypeLoc", "@token": written if not spelling or "__bblfsh" in spelling else spelling,
                "@pos": {"start": first_offset, "end": last_offset}}
        if type_ is not None:
            node["Kind"] = type_.kind.spelling
        names = self.convert_all(ref for ref in refs if first_offset <= self.span(ref)[0] < last_offset
                                 and self.text(*self.span(ref)) not in ("auto", "decltype(auto)"))
        if names:
            node["Names"] = names
        return node

    # --- the translation unit --------------------------------------------------------------

    def top_level(self) -> list:
        """The translation unit's cursors in the file, but its macro expansions.  Read in one
        visit of libclang's, each cursor's kind read from its struct: most of a unit's cursors are
        clang's built-in macros (365 of fitblk.c's 410), and the cursor objects, kinds and
        locations of each took a third of a 10 KB file's parse after a keystroke."""
        tu, out = self.tu, []
        expansion = self.K.MACRO_INSTANTIATION.value

        def visit(child, _parent, _data) -> int:
            if child._kind_id != expansion and self.in_main(child):
                child._tu = tu  # what the bindings' get_children does: the unit outlives the cursor
                out.append(child)
            return 1  # CXChildVisit_Continue

        self.lib.clang_visitChildren(tu.cursor, self.cindex.callbacks["cursor_visit"](visit), None)
        return out

    def translation_unit(self) -> dict:
        declared, preprocessor = [], []
        for kid in self.top_level():
            if kid.kind in self.preprocessor:
                preprocessor.append(self.convert(kid))
                continue
            declared.append(kid)
        declarations = self.declarations(declared, 0, (0, len(self.data)))
        comments = [{"@type": "Comment", "@token": self.text(start, end), "@pos": {"start": start, "end": end}}
                    for start, end in self.tokens.comments()]
        return {"@type": "TranslationUnit", "@pos": {"start": 0, "end": len(self.data)},
                "Declarations": declarations, "Preprocessor": preprocessor, "Comments": comments}

    def convert_declaration(self, cursor) -> dict | None:
        start, end = self.span(cursor)
        key = (cursor.kind.value, start, end)
        if key in self.seen:  # `struct S {...} s;`: the struct is also a child of s
            return None
        self.seen.add(key)
        return self.convert(cursor)

    def declarations(self, cursors, kind: int | None = None, within: tuple[int, int] | None = None) -> list[dict]:
        """The declarations among cursors; of a kept list (`kind`, `within` its container's
        span) for a kept parse."""
        if self.kept is None or kind is None or within is None:
            return [node for node in map(self.convert_declaration, cursors) if node is not None]
        # Every item is numbered before any is converted (the host numbers alike).  Which cursors
        # are items is known first: a cursor inside another (`struct S {...} s;`) may be seen
        # while that one is converted, so those that overlap are converted now, in order.
        spans = [self.span(cursor) for cursor in cursors]
        items: list[tuple[object, tuple[int, int] | None, dict | None]] = []
        counted = [len(starts) for starts in self.kept.starts]
        for at, (cursor, span) in enumerate(zip(cursors, spans)):
            tangled = (at > 0 and spans[at - 1][1] > span[0]) or (at + 1 < len(spans) and span[1] > spans[at + 1][0])
            if tangled:
                node = self.convert_declaration(cursor)
                if [len(starts) for starts in self.kept.starts] != counted:
                    raise _Tangled()
                if node is not None:
                    items.append((cursor, None, node))
                continue
            key = (cursor.kind.value, *span)
            if key not in self.seen:
                self.seen.add(key)
                items.append((cursor, span, None))
        first = len(self.kept.starts[kind])
        numbers = self.kept.number(kind, [span for _, span, _ in items], *within)
        out = []
        for at, ((cursor, _, node), number) in enumerate(zip(items, numbers)):
            if node is None and number >= 0:
                node = {"@kept": number}
            elif node is None:
                node = self.convert(cursor)
                self.kept.check(kind, first + at, node)
            out.append(node)
        return out

    def edit_contained(self, last: bytes, start: int, end: int) -> bool:
        """Whether the edit from `last` (from start to end in this text) lies in one function's
        body (in a namespace, a class or at the top level) and holds nothing that reaches outside
        it (_NOT_IN_A_CONTAINED_EDIT)."""
        if _NOT_IN_A_CONTAINED_EDIT.search(last, start, end + len(last) - len(self.data)) \
                or _NOT_IN_A_CONTAINED_EDIT.search(self.data, start, end):
            return False
        K = self.K
        functions = (K.FUNCTION_DECL, K.CXX_METHOD, K.CONSTRUCTOR, K.DESTRUCTOR, K.CONVERSION_FUNCTION,
                     K.FUNCTION_TEMPLATE)
        containers = (K.NAMESPACE, K.CLASS_DECL, K.STRUCT_DECL, K.UNION_DECL, K.CLASS_TEMPLATE,
                      K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION)  # a method's body is as contained
        kids = self.kids(self.tu.cursor)  # all the unit's cursors in the file, macro expansions among them
        while True:
            holder = next((kid for kid, (kid_start, kid_end) in zip(kids, map(self.span, kids))
                           if kid_start < start and end < kid_end), None)
            if holder is None:
                return False
            if holder.kind in containers:
                kids = self.kids(holder)
                continue
            if holder.kind not in functions:
                return False
            body = [kid for kid in holder.get_children() if kid.kind == K.COMPOUND_STMT]
            if not body:
                return False
            body_start, body_end = self.span(body[-1])
            return body_start < start and end < body_end

    # --- declarations ----------------------------------------------------------------------

    def qualifier_start(self, name_offset: int) -> int:
        """Where `A::B<T>::name` starts, given where `name` starts."""
        tokens = self.tokens
        index = tokens.index_at(name_offset)
        while index >= 2 and tokens.texts[index - 1] == "::":
            previous = index - 2
            if tokens.texts[previous] == ">":
                depth = 0
                while previous >= 0:
                    text = tokens.texts[previous]
                    depth += text == ">"
                    depth -= text == "<"
                    if depth == 0:
                        break
                    previous -= 1
                previous -= 1
            if previous < 0 or tokens.kinds[previous] != 2:
                if tokens.texts[index - 1] == "::" and previous >= -1:
                    index -= 1  # a global `::name`
                break
            index = previous
        return tokens.starts[index] if index < len(tokens) else name_offset

    def function(self, cursor) -> dict:
        K = self.K
        node = self.base(cursor)
        name = cursor.spelling
        if cursor.kind in (K.CONSTRUCTOR, K.DESTRUCTOR) and "<" in name:
            name = name.partition("<")[0]  # clang spells a class template's `Box<T>`
        node["@token"] = name
        name_node = self.name_node(cursor, name)
        node["Name"] = name_node
        name_start = (name_node or {}).get("@pos", {}).get("start", self.location(cursor))
        qualifier_start = self.qualifier_start(name_start)
        kids = self.kids(cursor)
        params, template_params, refs_before, qualifier, others = [], [], [], [], []
        initializers: list[dict] = []
        body = None
        defaulted = self.defaulted(cursor)  # `= default` has an implicit body: not the source's
        current_init: dict | None = None
        params_seen = False
        for kid in kids:
            kind = kid.kind
            kid_start = self.span(kid)[0]
            if kind == K.PARM_DECL:
                params.append(kid)
                params_seen = True
            elif kind in self.templates_params:
                template_params.append(kid)
            elif kind in self.refs and kid_start < name_start and not params_seen:
                (qualifier if kid_start >= qualifier_start else refs_before).append(kid)
            elif kind in (K.COMPOUND_STMT, K.CXX_TRY_STMT) and body is None and kid is kids[-1]:
                if not defaulted:
                    body = kid
            elif kind == K.MEMBER_REF or (kind in self.refs and kid_start > name_start and self.is_initializer(kid)):
                current_init = {"@type": "CXXCtorInitializer", "@pos": {"start": kid_start, "end": self.span(kid)[1]},
                                "Member": self.convert(kid), "Arguments": []}
                initializers.append(current_init)
            elif current_init is not None and body is None and kind not in self.refs:
                converted = self.convert(kid)
                if converted is not None:
                    current_init["Arguments"].append(converted)
                    current_init["@pos"]["end"] = max(current_init["@pos"]["end"], self.span(kid)[1])
            elif kind in self.refs and kid_start > name_start:
                refs_before.append(kid)  # a trailing return type
            else:
                others.append(kid)
        if qualifier:
            node["Qualifier"] = self.convert_all(qualifier)
        if cursor.kind not in (K.CONSTRUCTOR, K.DESTRUCTOR, K.CONVERSION_FUNCTION):
            start = self.span(cursor)[0]
            returns = self.type_loc(cursor, cursor.result_type, start, qualifier_start, refs_before)
            if returns is not None:
                node["ReturnType"] = returns
        if template_params:
            node["TemplateParameters"] = self.convert_all(template_params)
        node["Parameters"] = self.convert_all(params)
        if cursor.type.kind == self.cindex.TypeKind.FUNCTIONPROTO and cursor.type.is_function_variadic():
            node["Variadic"] = True
        if body is None and (cursor.is_definition() or defaulted):
            node["Definition"] = True  # `= default`, `= delete`
        if initializers:
            node["Initializers"] = initializers
        rest = self.convert_all(others)
        if rest:
            node["Children"] = rest
        if body is not None:
            node["Body"] = self.convert(body)
        for flag, test in (("Static", "is_static_method"), ("Virtual", "is_virtual_method"),
                           ("PureVirtual", "is_pure_virtual_method"), ("Const", "is_const_method")):
            if cursor.kind != K.FUNCTION_DECL and getattr(cursor, test)():
                node[flag] = True
        return node

    def defaulted(self, cursor) -> bool:
        """`f() = default` / `f() = delete` (libclang does not call them definitions)."""
        tokens = self.tokens
        last = tokens.first_from(self.span(cursor)[1]) - 1
        while last > 0 and tokens.kinds[last] == 4:
            last -= 1
        return last > 0 and tokens.texts[last] in ("default", "delete") and tokens.texts[last - 1] == "="

    def is_initializer(self, kid) -> bool:
        """A base or member named in a constructor's initializer list (`: Base(x)`)."""
        end = self.span(kid)[1]
        following = self.tokens.text(self.tokens.first_from(end))
        return following in ("(", "{", "<")

    def record(self, cursor) -> dict:
        K = self.K
        node = self.base(cursor)
        name = cursor.spelling
        if name and not name.startswith("(") and "(unnamed" not in name and "(anonymous" not in name:
            node["@token"] = name
            node["Name"] = self.name_node(cursor, name)
        if not cursor.is_definition():
            node["Forward"] = True
        tag = self.tag_keyword(cursor)
        if tag:
            node["Tag"] = tag
        kids = self.kids(cursor)
        template_params = [kid for kid in kids if kid.kind in self.templates_params]
        bases = [kid for kid in kids if kid.kind == K.CXX_BASE_SPECIFIER]
        members = [kid for kid in kids if kid.kind not in self.templates_params and kid.kind != K.CXX_BASE_SPECIFIER]
        if template_params:
            node["TemplateParameters"] = self.convert_all(template_params)
        if bases:
            node["Bases"] = self.convert_all(bases)
        node["Members"] = self.declarations(members)
        return node

    def tag_keyword(self, cursor) -> str:
        """class, struct or union, as written (class templates are of any of the three)."""
        tokens = self.tokens
        start, end = self.span(cursor)
        index, stop, depth = tokens.first_from(start), tokens.first_from(end), 0
        while index < stop:
            text = tokens.texts[index]
            depth += text == "<"
            depth -= text == ">"
            if depth <= 0 and text in ("class", "struct", "union"):
                return text
            if text == "{":
                break
            index += 1
        return ""

    def base_specifier(self, cursor) -> dict:
        node = self.base(cursor)
        names = self.convert_all(self.kids(cursor))
        if names:
            node["Names"] = names
        node["@token"] = cursor.spelling if "__bblfsh" not in cursor.spelling else self.text(*self.span(cursor))
        node["Access"] = cursor.access_specifier.name.lower()
        return node

    def access(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = cursor.access_specifier.name.lower()
        return node

    def variable(self, cursor) -> dict:
        K = self.K
        node = self.base(cursor)
        name = cursor.spelling
        name_node = self.name_node(cursor, name) if name else None
        if name_node is not None:
            node["@token"] = name
            node["Name"] = name_node
        start, end = self.span(cursor)
        name_pos = (name_node or {}).get("@pos")
        name_start = name_pos["start"] if name_pos else end
        name_end = name_pos["end"] if name_pos else end
        kids = self.kids(cursor)
        refs = [kid for kid in kids if kid.kind in self.refs and self.span(kid)[0] < name_start]
        type_loc = self.type_loc(cursor, cursor.type, start, name_start, refs)
        if type_loc is not None:
            node["Type"] = type_loc
        init, others = None, []
        for kid in kids:
            if kid.kind in self.refs and self.span(kid)[0] < name_start:
                continue
            if kid.kind in (K.STRUCT_DECL, K.CLASS_DECL, K.UNION_DECL, K.ENUM_DECL):
                converted = self.convert_declaration(kid)
                if converted is not None:
                    others.append(converted)
                continue
            if init is None and self.span(kid)[0] >= name_end and self.starts_initializer(name_end, kid):
                init = self.convert(kid)
                continue
            converted = self.convert(kid)
            if converted is not None:
                others.append(converted)
        if init is not None:
            node["Init"] = init
        if others:
            node["Children"] = others
        return node

    def starts_initializer(self, name_end: int, kid) -> bool:
        """Whether an expression after a declarator's name is its initializer (not an array size
        or a bit width): `= x`, `{x}`, `(x)`."""
        between = self.data[name_end:self.span(kid)[0]].strip()
        return between.endswith((b"=", b"{", b"(")) or between == b"" or kid.kind == self.K.INIT_LIST_EXPR

    def enum(self, cursor) -> dict:
        node = self.base(cursor)
        name = cursor.spelling
        if name and "(unnamed" not in name and "(anonymous" not in name:
            node["@token"] = name
            node["Name"] = self.name_node(cursor, name)
        if cursor.is_scoped_enum():
            node["Scoped"] = True
        kids = self.kids(cursor)
        node["Enumerators"] = self.convert_all(kid for kid in kids if kid.kind == self.K.ENUM_CONSTANT_DECL)
        others = self.convert_all(kid for kid in kids if kid.kind != self.K.ENUM_CONSTANT_DECL)
        if others:
            node["Children"] = others
        return node

    def enumerator(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = cursor.spelling
        node["Name"] = self.name_node(cursor, cursor.spelling)
        values = self.convert_all(self.kids(cursor))
        if values:
            node["Value"] = values[0]
        return node

    def namespace(self, cursor) -> dict:
        node = self.base(cursor)
        if cursor.spelling:
            node["@token"] = cursor.spelling
            node["Name"] = self.name_node(cursor, cursor.spelling)
        node["Declarations"] = self.declarations(self.kids(cursor), 1, self.span(cursor))
        return node

    def typedef(self, cursor) -> dict:
        node = self.base(cursor)
        name = cursor.spelling
        node["@token"] = name
        name_node = self.name_node(cursor, name)
        node["Name"] = name_node
        start, end = self.span(cursor)
        name_pos = (name_node or {}).get("@pos") or {"start": end, "end": end}
        kids = self.kids(cursor)
        refs = [kid for kid in kids if kid.kind in self.refs]
        if cursor.kind == self.K.TYPE_ALIAS_DECL:  # using Name = type;
            type_start, type_end = name_pos["end"], end
            equals = self.tokens.first_from(type_start)
            if self.tokens.text(equals) == "=":
                type_start = self.tokens.ends[equals]
        else:  # typedef type Name;
            type_start, type_end = start, name_pos["start"]
            first = self.tokens.first_from(start)
            if self.tokens.text(first) == "typedef":
                type_start = self.tokens.ends[first]
        type_loc = self.type_loc(cursor, cursor.underlying_typedef_type, type_start, type_end, refs)
        if type_loc is not None:
            node["Type"] = type_loc
        others = self.declarations(kid for kid in kids if kid.kind not in self.refs)
        if others:
            node["Children"] = others
        return node

    def using(self, cursor) -> dict:
        node = self.base(cursor)
        if cursor.spelling:
            node["@token"] = cursor.spelling
        names = self.convert_all(self.kids(cursor))
        if names:
            node["Names"] = names
        return node

    def macro(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = cursor.spelling
        return node

    def inclusion(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = cursor.spelling
        start, end = self.span(cursor)
        node["System"] = "<" in self.text(start, end).partition("include")[2][:3] or \
            self.text(start, end).rstrip().endswith(">")
        return node

    # --- statements ------------------------------------------------------------------------

    def compound(self, cursor) -> dict:
        node = self.base(cursor)
        node["Statements"] = self.convert_all(self.kids(cursor))
        return node

    def decl_stmt(self, cursor) -> dict:
        node = self.base(cursor)
        node["Declarations"] = self.declarations(self.kids(cursor))
        return node

    def parens(self, cursor) -> tuple[int, list[int]]:
        """The offsets of the statement's `)` and of the `;` at the level of its parentheses."""
        tokens = self.tokens
        start, end = self.span(cursor)
        index, stop = tokens.first_from(start), tokens.first_from(end)
        while index < stop and tokens.texts[index] != "(":
            index += 1
        if index >= stop:
            return start, []
        depth, semicolons = 0, []
        while index < stop:
            text = tokens.texts[index]
            if text in ("(", "[", "{"):
                depth += 1
            elif text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return tokens.starts[index], semicolons
            elif text == ";" and depth == 1:
                semicolons.append(tokens.starts[index])
            index += 1
        return end, semicolons

    def around_parens(self, cursor) -> tuple[list, list]:
        """The statement's children that start before its `)` (in the parentheses), and after."""
        close, _ = self.parens(cursor)
        inside, after = [], []
        for kid in self.kids(cursor):
            (inside if self.span(kid)[0] < close else after).append(kid)
        return inside, after

    def if_stmt(self, cursor) -> dict:
        """if / switch: (init; condition) then else."""
        node = self.base(cursor)
        inside, after = self.around_parens(cursor)
        converted = self.convert_all(inside)
        if converted:
            node["Condition"] = converted[-1]
            if len(converted) > 1:
                node["Init"] = converted[:-1] if len(converted) > 2 else converted[0]
        body = self.convert_all(after)
        names = ("Then", "Else") if cursor.kind == self.K.IF_STMT else ("Body",)
        for name, value in zip(names, body):
            node[name] = value
        return node

    def while_stmt(self, cursor) -> dict:
        node = self.base(cursor)
        inside, after = self.around_parens(cursor)
        converted = self.convert_all(inside)
        if converted:
            node["Condition"] = converted[-1]
        body = self.convert_all(after)
        if body:
            node["Body"] = body[0]
        return node

    def do_stmt(self, cursor) -> dict:
        node = self.base(cursor)
        kids = self.convert_all(self.kids(cursor))
        if kids:
            node["Body"] = kids[0]
        if len(kids) > 1:
            node["Condition"] = kids[-1]
        return node

    def for_stmt(self, cursor) -> dict:
        node = self.base(cursor)
        close, semicolons = self.parens(cursor)
        first = semicolons[0] if semicolons else close
        second = semicolons[1] if len(semicolons) > 1 else close
        for kid in self.kids(cursor):
            start = self.span(kid)[0]
            field = "Init" if start < first else "Condition" if start < second else "Increment" if start < close else "Body"
            converted = self.convert(kid)
            if converted is not None and field not in node:
                node[field] = converted
        return node

    def range_for(self, cursor) -> dict:
        node = self.base(cursor)
        close, _ = self.parens(cursor)
        for kid in self.kids(cursor):
            start = self.span(kid)[0]
            if kid.kind == self.K.VAR_DECL and "Variable" not in node:
                node["Variable"] = self.convert(kid)
            elif start < close and "Range" not in node:
                node["Range"] = self.convert(kid)
            elif start >= close and "Body" not in node:
                node["Body"] = self.convert(kid)
        return node

    def case(self, cursor) -> dict:
        node = self.base(cursor)
        kids = self.convert_all(self.kids(cursor))
        if kids:
            node["Value"] = kids[0]
        if len(kids) > 1:
            node["Body"] = kids[1]
        return node

    def label(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = cursor.spelling
        node["Name"] = self.name_node(cursor, cursor.spelling)
        kids = self.convert_all(self.kids(cursor))
        if kids:
            node["Body"] = kids[0]
        return node

    def try_stmt(self, cursor) -> dict:
        node = self.base(cursor)
        kids = self.convert_all(self.kids(cursor))
        if kids:
            node["Body"] = kids[0]
            node["Handlers"] = kids[1:]
        return node

    def catch(self, cursor) -> dict:
        node = self.base(cursor)
        for kid in self.kids(cursor):
            if kid.kind == self.K.VAR_DECL:
                node["Variable"] = self.convert(kid)
            else:
                converted = self.convert(kid)
                if converted is not None:
                    node["Body"] = converted
        return node

    # --- expressions -----------------------------------------------------------------------

    def unexposed(self, cursor):
        """clang's implicit nodes (conversions, copies) are kept out: their one child stands."""
        kids = self.kids(cursor)
        if len(kids) == 1 and self.span(kids[0]) == self.span(cursor):
            return self.convert(kids[0])
        return self.generic(cursor)

    def literal(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = self.text(*self.span(cursor))
        return node

    def operator_between(self, start: int, end: int) -> str:
        tokens = self.tokens
        index = tokens.first_from(start)
        while index < len(tokens) and tokens.kinds[index] == 4:
            index += 1
        return tokens.text(index) if index < len(tokens) and tokens.starts[index] < end else ""

    def binary(self, cursor) -> dict:
        node = self.base(cursor)
        kids = self.kids(cursor)
        if len(kids) == 2:
            node["@token"] = self.operator_between(self.span(kids[0])[1], self.span(kids[1])[0])
            left, right = self.convert(kids[0]), self.convert(kids[1])
            if left is not None:
                node["LHS"] = left
            if right is not None:
                node["RHS"] = right
        else:
            children = self.convert_all(kids)
            if children:
                node["Children"] = children
        return node

    def unary(self, cursor) -> dict:
        node = self.base(cursor)
        start, end = self.span(cursor)
        kids = self.kids(cursor)
        first = self.tokens.text(self.tokens.first_from(start))
        if kids and self.span(kids[0])[0] == start:
            node["@token"] = self.tokens.text(self.tokens.index_at(end - 1))
            node["Postfix"] = True
        else:
            node["@token"] = first
        operand = self.convert_all(kids)
        if operand:
            node["Operand"] = operand[0]
        return node

    def unary_keyword(self, cursor) -> dict:
        node = self.base(cursor)
        node["@token"] = self.tokens.text(self.tokens.first_from(self.span(cursor)[0]))
        children = self.convert_all(self.kids(cursor))
        if children:
            node["Operand"] = children[0]
        return node

    def cast(self, cursor) -> dict:
        node = self.base(cursor)
        kids = self.kids(cursor)
        refs = [kid for kid in kids if kid.kind in self.refs]
        rest = [kid for kid in kids if kid.kind not in self.refs]
        start, end = self.span(cursor)
        type_start, type_end = self.cast_type_span(cursor, start, end)
        type_loc = self.type_loc(cursor, cursor.type, type_start, type_end, refs)
        if type_loc is not None:
            node["Type"] = type_loc
        operand = self.convert_all(rest)
        if operand:
            node["Operand"] = operand[-1]
        return node

    def cast_type_span(self, cursor, start: int, end: int) -> tuple[int, int]:
        tokens = self.tokens
        index = tokens.first_from(start)
        opening = {"(": ")", "<": ">"}
        if cursor.kind == self.K.CXX_FUNCTIONAL_CAST_EXPR:
            stop = index
            while stop < len(tokens) and tokens.texts[stop] not in ("(", "{") and tokens.starts[stop] < end:
                stop += 1
            return start, tokens.starts[stop] if stop < len(tokens) else end
        while index < len(tokens) and tokens.texts[index] not in opening and tokens.starts[index] < end:
            index += 1
        if index >= len(tokens) or tokens.starts[index] >= end:
            return start, start
        closer, depth, stop = opening[tokens.texts[index]], 0, index
        while stop < len(tokens) and tokens.starts[stop] < end:
            text = tokens.texts[stop]
            depth += text == tokens.texts[index]
            depth -= text == closer
            if depth == 0:
                break
            stop += 1
        return tokens.ends[index], tokens.starts[stop] if stop < len(tokens) else end

    def operator_reference(self, kid):
        """The reference to the operator an operator call calls (maybe under an implicit node):
        a DeclRefExpr `operator<<`, or in a template an unresolved lookup of `operator+`."""
        K = self.K
        while kid.kind == K.UNEXPOSED_EXPR:
            inner = self.kids(kid)
            if len(inner) != 1:
                return None
            kid = inner[0]
        if kid.kind == K.DECL_REF_EXPR and kid.spelling.startswith("operator"):
            return kid
        if kid.kind == K.DECL_REF_EXPR and not kid.spelling:
            inner = self.kids(kid)
            if len(inner) == 1 and inner[0].kind == K.OVERLOADED_DECL_REF and inner[0].spelling.startswith("operator"):
                return inner[0]
        return None

    def recover_hidden(self, cursor, start: int, end: int):
        """libclang shows nothing inside an implicit conversion (`if (x)` calling `operator bool`
        of x's class): find what it converts through the cursors at its tokens (clang_getCursor
        sees them), and keep the outermost ones."""
        cindex, tokens = self.cindex, self.tokens
        if self.file is None:
            self.file = self.tu.get_file(self.path)
        found = {}
        for index in range(tokens.first_from(start), tokens.first_from(end)):
            if tokens.kinds[index] == 4:
                continue
            location = cindex.SourceLocation.from_offset(self.tu, self.file, tokens.starts[index])
            inner = cindex.Cursor.from_location(self.tu, location)
            if inner is None or inner.kind.is_invalid() or inner.kind.is_declaration():
                continue
            inner_start, inner_end = self.span(inner)
            if inner_start < start or inner_end > end or inner_start >= inner_end:
                continue
            if (inner_start, inner_end) == (start, end) and inner.kind == cursor.kind and inner.spelling == cursor.spelling:
                continue  # the conversion itself
            found.setdefault((inner_start, -inner_end), inner)
        outermost, reach = [], -1
        for (inner_start, negative_end), inner in sorted(found.items()):
            if inner_start >= reach:
                outermost.append(inner)
                reach = -negative_end
        if len(outermost) == 1:
            return self.convert(outermost[0])
        node = self.base(cursor)
        node["@type"] = "UnexposedExpr"
        children = self.convert_all(outermost)
        if children:
            node["Children"] = children
        return node

    def call(self, cursor):
        K = self.K
        kids = self.kids(cursor)
        spelling = cursor.spelling
        start, end = self.span(cursor)
        if spelling.startswith("operator") and not kids and start < end:
            return self.recover_hidden(cursor, start, end)
        if spelling.startswith("operator") or not spelling:
            for position, kid in enumerate(kids):
                reference = self.operator_reference(kid)
                if reference is not None:
                    written = self.text(*self.span(reference))
                    if not written.startswith("operator"):
                        return self.operator_call(cursor, reference.spelling[len("operator"):].strip(), written,
                                                  kids[:position] + kids[position + 1:])
                    break
        written = self.text(start, end)
        referenced = cursor.referenced
        constructor = referenced is not None and referenced.kind == K.CONSTRUCTOR
        if constructor:
            if not kids and "(" not in written and "{" not in written:
                return None  # an implicit default construction: `Foo f;`
            if len(kids) == 1 and self.span(kids[0]) == (start, end):
                return self.convert(kids[0])  # an implicit copy or conversion
        node = self.base(cursor)
        if constructor:
            node["@token"] = spelling
            node["Construct"] = True
            node["Arguments"] = self.convert_all(kid for kid in kids if kid.kind not in self.refs)
            names = self.convert_all(kid for kid in kids if kid.kind in self.refs)
            if names:
                node["Type"] = {"@type": "TypeLoc", "@token": spelling, "Names": names}
            return node
        converted = self.convert_all(kids)
        if converted:
            node["Callee"] = converted[0]
            node["Arguments"] = converted[1:]
        return node

    def operator_call(self, cursor, symbol: str, written: str, operands: list):
        """`a << b`, `f(x)`, `v[i]` on a class type: clang's CXXOperatorCallExpr."""
        if symbol in ("()", "[]"):
            if not (written.startswith(symbol[0]) and written.endswith(symbol[1])):
                return None
        elif written != symbol:
            return None  # implicit (`for (x : range)` calls `*` and `!=` itself)
        node = self.base(cursor)
        node["@type"] = "CXXOperatorCallExpr"
        node["@token"] = symbol
        converted = self.convert_all(operands)
        if symbol == "()":
            if converted:
                node["Callee"] = converted[0]
                node["Arguments"] = converted[1:]
        elif symbol == "[]" and len(converted) == 2:
            node["Base"], node["Index"] = converted
        elif len(converted) == 2:
            node["LHS"], node["RHS"] = converted
        elif len(converted) == 1:
            node["Operand"] = converted[0]
            if operands and self.span(operands[0])[0] == self.span(cursor)[0] and symbol in ("++", "--"):
                node["Postfix"] = True
        elif converted:
            node["Children"] = converted
        return node

    def member(self, cursor) -> dict:
        node = self.base(cursor)
        name = cursor.spelling
        kids = self.kids(cursor)
        base = self.convert_all(kid for kid in kids if kid.kind not in self.refs)
        if base:
            node["Base"] = base[0]
            between = self.data[self.span(kids[0])[1]:self.location(cursor)]
            node["Arrow"] = b"->" in between
        # `x.Base::f` is qualified; the names in `x.f<ns::T>()` are the template's arguments
        location = self.location(cursor)
        refs = [kid for kid in kids if kid.kind in self.refs]
        qualifier = self.convert_all(kid for kid in refs if self.span(kid)[0] < location)
        if qualifier:
            node["Qualifier"] = qualifier
        if name:
            node["@token"] = name
            node["Name"] = self.name_node(cursor, name)
        arguments = self.convert_all(kid for kid in refs if self.span(kid)[0] >= location)
        if arguments:
            node["Children"] = arguments
        return node

    def decl_ref(self, cursor) -> dict:
        node = self.base(cursor)
        name = cursor.spelling
        kids = self.kids(cursor)
        location = self.location(cursor)
        qualifier, rest = [], []
        for kid in kids:
            (qualifier if kid.kind in self.refs and self.span(kid)[0] < location else rest).append(kid)
        node["@token"] = name
        node["Name"] = self.name_node(cursor, name)
        if qualifier:
            node["Qualifier"] = self.convert_all(qualifier)
        if rest:
            node["Children"] = self.convert_all(rest)
        return node

    def reference(self, cursor) -> dict:
        node = self.base(cursor)
        start, end = self.span(cursor)
        written = self.text(start, end)
        node["@token"] = written if written else cursor.spelling
        return node

    def lambda_(self, cursor) -> dict:
        K = self.K
        node = self.base(cursor)
        kids = self.kids(cursor)
        captures, params, body, others = [], [], None, []
        for kid in kids:
            if kid.kind == K.PARM_DECL:
                params.append(kid)
            elif kid.kind == K.COMPOUND_STMT and kid is kids[-1]:
                body = kid
            elif kid.kind in (K.VARIABLE_REF, K.DECL_REF_EXPR, K.MEMBER_REF) and not params and body is None \
                    and self.span(kid)[0] < self.lambda_introducer_end(cursor):
                if not any(self.span(seen) == self.span(kid) for seen in captures):
                    captures.append(kid)  # `[a]` is a capture and its copy, at one place
            else:
                others.append(kid)
        node["Captures"] = self.convert_all(captures)
        node["Parameters"] = self.convert_all(params)
        rest = self.convert_all(others)
        if rest:
            node["Children"] = rest
        if body is not None:
            node["Body"] = self.convert(body)
        return node

    def lambda_introducer_end(self, cursor) -> int:
        tokens = self.tokens
        index, depth = tokens.first_from(self.span(cursor)[0]), 0
        while index < len(tokens):
            depth += tokens.texts[index] == "["
            depth -= tokens.texts[index] == "]"
            if depth == 0:
                return tokens.ends[index]
            index += 1
        return self.span(cursor)[1]


def serve(parser: Parser, source, sink) -> None:
    try:
        import orjson

        def encode(value) -> bytes:
            try:
                return orjson.dumps(value)
            except (TypeError, orjson.JSONEncodeError):  # deeper than orjson goes
                return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except ImportError:  # pragma: no cover - the driver's interpreter has orjson
        def encode(value) -> bytes:
            return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")

    for line in source:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            keep, reuse = request.get("keep"), request.get("reuse")
            answer = parser.parse(str(request.get("content") or ""), str(request.get("filename") or ""),
                                  keep if type(keep) is int else None, reuse if type(reuse) is int else None)
        except RecursionError:
            answer = {"ast": None, "errors": [{"message": "the code is nested too deeply to parse"}]}
        except Exception as exc:  # never die of one input: say why and keep serving
            print(f"clang_ast: {type(exc).__name__}: {exc}", file=sys.stderr)
            answer = {"ast": None, "errors": [{"message": f"the C/C++ parser failed: {type(exc).__name__}: {exc}"}]}
        sink.write(encode(answer) + b"\n")
        sink.flush()


def main() -> None:
    build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BBLFSH_LSP_DRIVER_BUILD", "")
    cindex = load_cindex(build)
    parser = Parser(cindex)
    sys.setrecursionlimit(200_000)
    threading.stack_size(512 * 1024 * 1024)  # deep expressions recurse: give the walk room
    worker = threading.Thread(target=serve, args=(parser, sys.stdin.buffer, sys.stdout.buffer))
    worker.start()
    worker.join()


if __name__ == "__main__":
    main()
