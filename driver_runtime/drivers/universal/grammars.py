"""The languages the universal driver serves: the grammars compiled into tree-sitter-language-pack's
wheel (0.13.x: all inside the wheel, nothing downloaded at run time), under Babelfish's names where
Babelfish had the language, and the pack's names for the rest."""

from __future__ import annotations

import typing
from pathlib import PurePath

from tree_sitter_language_pack import SupportedLanguage

# Grammars of the pack that are not served, and why.  Each grammar of the pack is parsed in a
# process of its own by tests/test_universal_driver.py, which finds these.
EXCLUDED: dict[str, str] = {
    # Its external scanner loops for ever on a file that does not start in COBOL's fixed columns
    # ("x\n"): the parse never returns, and tree-sitter's progress callback is not reached.
    "cobol": "hangs on ordinary input (e.g. b'x\\n')",
}

# Babelfish's names for the languages it had: what a request's `language` and a UAST's type
# prefix say.  They are the pack's grammar names too, so they are served as they are (a test
# checks that each is).
BABELFISH: tuple[str, ...] = ("python", "javascript", "typescript", "go", "java", "ruby", "php", "bash", "cpp",
                              "csharp")

# Grammars that are a dialect of another served language, never served under their own name:
# grammar -> (the language, the extensions that choose it).  Babelfish's cpp parsed C too.
DIALECTS_OF: dict[str, tuple[str, tuple[str, ...]]] = {
    "c": ("cpp", (".c",)),
    "tsx": ("typescript", (".tsx",)),
    "fsharp_signature": ("fsharp", (".fsi",)),
    "ocaml_interface": ("ocaml", (".mli",)),
}

# Other names a request may use for a served language -> its served name.
ALIASES: dict[str, str] = {
    "c#": "csharp",
    "c-sharp": "csharp",
    "c_sharp": "csharp",
    "cs": "csharp",
    "c++": "cpp",
    "sh": "bash",
    "shell": "bash",
    "golang": "go",
    "js": "javascript",
    "ts": "typescript",
    "py": "python",
    "rb": "ruby",
    **{grammar: language for grammar, (language, _extensions) in DIALECTS_OF.items()},
}

# (served language, extension) -> the dialect's grammar.
DIALECTS: dict[tuple[str, str], str] = {
    (language, extension): grammar
    for grammar, (language, extensions) in DIALECTS_OF.items() for extension in extensions
}

PACK: tuple[str, ...] = typing.get_args(SupportedLanguage)

# Served name -> the pack's grammar name (the same name: dialects aside).
GRAMMARS: dict[str, str] = {name: name for name in PACK if name not in EXCLUDED and name not in DIALECTS_OF}

LANGUAGES: tuple[str, ...] = tuple(sorted(GRAMMARS))


def served_name(language: str) -> str | None:
    """The served name of a language a request names (any case, an alias), or None."""
    name = language.strip().lower()
    name = ALIASES.get(name, name)
    return name if name in GRAMMARS else None


def grammar_for(language: str, filename: str = "") -> str | None:
    """The pack's grammar for a served language name and, for a dialect, the file's name."""
    grammar = GRAMMARS.get(language)
    if grammar is None:
        return None
    return DIALECTS.get((language, PurePath(filename).suffix.lower()), grammar)
