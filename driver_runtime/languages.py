"""Which language a file is in: by exact file name, by extension, by file name pattern, then by shebang.

Names are Babelfish's language names where Babelfish had the language (python, javascript,
typescript, go, java, ruby, php, cpp, bash, csharp), and the universal driver's grammar names
for the rest (rust, kotlin, yaml...).  The table covers every language a bundled driver serves.
Its facts come from, in this order (an earlier source wins every conflict):

1. the manifest.json of each single-language driver (driver_runtime/drivers/<language>/): a
   language with a driver of its own has exactly the facts its manifest gives (.h is cpp, .tsx
   typescript, a ``node`` shebang javascript), and nothing else;
2. pygments' lexer table, for every other language a many-language driver lists in its
   manifest's ``languages`` (the universal driver's manifest lists its languages but no file
   facts for them): the lexer is found by our name among the lexers' aliases, or through
   ``PYGMENTS_LEXERS`` where the names differ;
3. ``SUPPLEMENT``: what pygments lacks, for languages people open as files (go.mod, .svelte...).

Why pygments: its table is well kept and covers most of these languages (more than 100 of them
under our names; identify's covers far fewer), it is read offline from pygments' static mapping
(``get_all_lexers`` imports no lexer module), and pygments is already pinned (constraints.txt).

Where several served languages claim a file name or extension (pygments gives .s to its GNU
assembler lexer and to its S lexer, which is R's), the language whose own lexer it is wins (the
lexer's first alias is our name, or ``PYGMENTS_LEXERS`` names it: .s is asm's), else ``PREFERRED``
decides, with a reason for each entry; tests/test_languages.py sees that nothing is left to chance.
Pygments' lexers for languages no bundled driver serves are never read, so they claim nothing.

Languages that are only ever injected into others (markdown_inline, jsdoc, ...) have no files:
they are served by name only (``--language``), and listed in ``BY_NAME_ONLY`` with the reason.

The table (``TABLE``, ``LANGUAGES``) is built on first use: a file in a language with a driver of
its own is told by that driver's manifest alone (its facts win every conflict, so the table
could only say the same), and the languages' names are the manifests', so that a command line
run on such files never reads pygments' table (``detect``, ``names``).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

import attrs

from driver_runtime.registry import Registry
from driver_runtime.sdk.protocol import Manifest


@attrs.frozen
class Language:
    name: str
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    interpreters: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    # The ids editors give its files (VS Code language ids, Neovim filetypes); for a language only
    # the universal driver serves, its name (none for an injection language: never a document).
    editor_languages: tuple[str, ...] = ()
    # fnmatch patterns of file names, tried after the file names and extensions ("Makefile.*").
    patterns: tuple[str, ...] = ()

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> Language:
        return cls(manifest.language, tuple(manifest.extensions), tuple(manifest.filenames),
                   tuple(manifest.interpreters), tuple(manifest.aliases), tuple(manifest.editor_languages))


# A language's pygments lexer is, by default, the lexer that has our name as an alias, and it is
# the language's own lexer if our name is its first alias (pygments' Terraform lexer, aliases
# "terraform", "tf", "hcl", is terraform's own, not hcl's).  Where that is wrong or short: our
# name -> the aliases of its own lexers; () where pygments has no lexer for the language.
PYGMENTS_LEXERS: dict[str, tuple[str, ...]] = {
    "asm": ("gas", "nasm"),  # GNU as (.s) and NASM (.asm) sources: the grammar is not one assembler's
    "clojure": ("clojure", "clojurescript"),  # .cljs is Clojure too
    "commonlisp": ("common-lisp",),
    "embeddedtemplate": ("erb", "rhtml"),  # ERB, EJS: the template grammar
    "hcl": (),  # pygments' "hcl" is an alias of its Terraform lexer, whose files are terraform's
    "objc": ("objective-c",),
    "qmljs": ("qml",),
    "starlark": (),  # pygments' "starlark" is an alias of its Python lexer, whose files are Python's
    "twig": ("twig", "html+twig"),  # the Twig lexer has no file names; HTML+Twig has *.twig
    "v": (),  # pygments' "v" is an alias of its Verilog lexer; it has no lexer for the V language
    "verilog": ("verilog", "systemverilog"),  # tree-sitter-verilog parses SystemVerilog (.sv)
    "wat": ("wat",),  # pygments' WebAssembly lexer (aliases wast, wat) is both wast's and wat's
}

# What pygments lacks: file name globs (as pygments writes them) of languages people open as files.
SUPPLEMENT: dict[str, tuple[str, ...]] = {
    "apex": ("*.cls", "*.trigger", "*.apex"),  # Apex classes are .cls (so are LaTeX classes, which pygments does not list)
    "astro": ("*.astro",),
    "bash": (".profile",),
    "beancount": ("*.beancount", "*.bean"),
    "bicep": ("*.bicep", "*.bicepparam"),
    "bitbake": ("*.bb",),
    "bsl": ("*.bsl", "*.os"),
    "cairo": ("*.cairo",),
    "chatito": ("*.chatito",),
    "clarity": ("*.clar",),
    "cpon": ("*.cpon",),
    "csharp": ("*.csx",),
    "csv": ("*.csv",),
    "dockerfile": ("Containerfile", "*.dockerfile", "Dockerfile.*"),
    "embeddedtemplate": ("*.erb", "*.ejs"),
    "firrtl": ("*.fir",),
    "fortran": ("*.f95", "*.f08"),
    "gitattributes": (".gitattributes",),
    "gitcommit": ("COMMIT_EDITMSG", "MERGE_MSG"),
    "gitignore": (".gitignore",),
    "glsl": ("*.glsl", "*.geom"),
    "gn": ("*.gn", "*.gni"),
    "gomod": ("go.mod",),
    "gosum": ("go.sum",),
    "graphql": ("*.gql",),
    "groovy": ("Jenkinsfile",),
    "hack": ("*.hack", "*.hhi"),
    "hcl": ("*.hcl",),
    "heex": ("*.heex",),
    "hyprlang": ("hyprland.conf", "hypridle.conf", "hyprlock.conf", "hyprpaper.conf"),
    "ispc": ("*.ispc", "*.isph"),
    "kdl": ("*.kdl",),
    "latex": ("*.sty", "*.ltx"),
    "linkerscript": ("*.ld", "*.lds"),
    "magik": ("*.magik",),
    "mermaid": ("*.mmd", "*.mermaid"),
    "netlinx": ("*.axs", "*.axi"),
    "ninja": ("*.ninja",),
    "nqc": ("*.nqc",),
    "pgn": ("*.pgn",),
    "prisma": ("*.prisma",),
    "psv": ("*.psv",),
    "pymanifest": ("MANIFEST.in",),
    "qmldir": ("qmldir",),
    "re2c": ("*.re", "*.re2c"),
    "readline": (".inputrc", "inputrc"),
    "requirements": ("requirements.txt", "constraints.txt", "requirements*.txt"),
    "ron": ("*.ron",),
    "scala": ("*.sbt", "*.sc"),
    "squirrel": ("*.nut",),
    "starlark": ("*.bzl", "*.star", "*.bazel", "BUILD", "WORKSPACE", "BUCK"),
    "svelte": ("*.svelte",),
    "terraform": ("*.tfvars",),
    "tsv": ("*.tsv",),
    "udev": ("*.rules",),
    "ungrammar": ("*.ungram",),
    "v": ("*.vsh", "v.mod"),
    "xcompose": (".XCompose",),
    "yuck": ("*.yuck",),
}

# Shebang programs pygments does not name (its aliases and our names are programs already:
# "lua", "perl", "zsh", "pwsh"...).  Lower case: shebangs are matched so.
SUPPLEMENT_INTERPRETERS: dict[str, tuple[str, ...]] = {
    "bash": ("sh", "bash", "dash", "zsh", "ksh"),
    "clojure": ("bb",),  # babashka
    "commonlisp": ("sbcl", "clisp"),
    "erlang": ("escript",),
    "haskell": ("runghc", "runhaskell"),
    "lua": ("luajit",),
    "r": ("rscript",),
    "scheme": ("guile",),
    "tcl": ("tclsh", "wish"),
}

# What the own lexers (or SUPPLEMENT) of several served languages claim: the language that gets it, and why.
PREFERRED: dict[str, str] = {
    # pygments' HTML lexer has *.xslt too, but XSLT is XML.
    ".xslt": "xml",
    # One WebAssembly lexer for both: .wat files are the text format, .wast files its test scripts.
    ".wat": "wat",
    ".wast": "wast",
    # pygments' Terraform lexer has *.hcl: plain HCL (Terraform's files are .tf).
    ".hcl": "hcl",
}

# The ids editors give a language's files where they are not our name (VS Code's language ids,
# Neovim's filetypes): the editor clients' lists are generated with them, and the server takes
# them as names of the language.
EDITOR_IDS: dict[str, tuple[str, ...]] = {
    "bash": ("sh", "zsh", "shellscript"),  # Neovim: sh, zsh; VS Code: shellscript
    "csharp": ("cs",),  # Neovim
    "commonlisp": ("lisp",),  # Neovim
    "embeddedtemplate": ("eruby",),  # Neovim (ERB)
    "latex": ("tex", "plaintex"),  # Neovim
    "make": ("makefile",),  # VS Code
    "objc": ("objective-c",),  # VS Code
    "powershell": ("ps1",),  # Neovim
    "dockerfile": ("containerfile",),
    "gitcommit": ("git-commit",),  # VS Code
    "gitignore": ("ignore",),  # VS Code
    "properties": ("jproperties",),  # Neovim
    "hcl": (),
    "terraform": ("terraform-vars",),  # VS Code's HashiCorp extension: .tfvars
    "json": ("jsonc",),  # VS Code and Neovim: JSON with comments
}

# Served languages with no file detection, served by name only (a request's language, an editor's
# language id), and why.  First the injection languages: only ever inside another language's files
# (whose grammar hands those parts over), never a document of their own, so no editor id either.
INJECTED: dict[str, str] = {
    "comment": "comments' contents (TODO:, FIXME:) inside any language",
    "doxygen": "documentation comments in C and C++",
    "jsdoc": "documentation comments in JavaScript",
    "luadoc": "documentation comments in Lua",
    "luap": "Lua's string patterns",
    "markdown_inline": "the inline part of Markdown, inside markdown's blocks",
    "printf": "format strings inside C, Python, Go... strings",
}
BY_NAME_ONLY: dict[str, str] = {
    **INJECTED,
    "gstlaunch": "GStreamer pipelines, written on gst-launch's command line",
    # pygments' Matlab and Objective-C lexers both have *.m: most .m files in public code are
    # Objective-C's.
    "matlab": "its files are .m, which most often are Objective-C's",
    # pygments' PEM lexer claims id_rsa and friends: a workspace scan must not read private keys.
    "pem": "its files are private keys and certificates, which a workspace scan has no business reading",
    "query": "tree-sitter queries: their files are .scm, which is Scheme's",
    "test": "tree-sitter's corpus tests: their files are .txt",
}

# "#!/usr/bin/env python3 -u", "#!/usr/local/bin/python3.11", "#!/usr/bin/env -S ruby -w"
_SHEBANG = re.compile(rb"^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?")
_VERSION_SUFFIX = re.compile(r"[\d.]+$")
_PROGRAM = re.compile(r"^[a-z][a-z0-9_.+-]*$")  # an alias that can be a shebang's program name
_GLOB = re.compile(r"[*?\[]")


class _Lexer(NamedTuple):
    """One of pygments' lexers, as ``get_all_lexers`` gives it (aliases in lower case)."""

    name: str
    aliases: tuple[str, ...]
    globs: tuple[str, ...]


class _Claim(NamedTuple):
    language: str
    own: bool  # from the language's own lexer or SUPPLEMENT, not from a lexer it borrows an alias of


class Contest(NamedTuple):
    """A file name, extension, pattern or program that several served languages claim."""

    claimants: tuple[str, ...]
    winner: str
    rule: str  # "own": the only own lexer's; "preferred": PREFERRED's; "undecided": the first by name


@attrs.frozen
class Table:
    """The languages and the lookups built from them."""

    languages: tuple[Language, ...]
    by_extension: dict[str, str]
    by_filename: dict[str, str]
    by_pattern: tuple[tuple[str, str], ...]  # (pattern, language), tried in this order
    by_interpreter: dict[str, str]
    by_alias: dict[str, str]
    # What more than one served language claims, and who got it how (none "undecided": tested).
    contests: dict[str, Contest]
    # Each language that only a driver of many languages serves -> the names of its pygments lexers.
    pygments_lexers: dict[str, tuple[str, ...]]


def _glob_kind(glob: str) -> tuple[str, str]:
    """("extension", ".rs") for "*.rs", ("filename", "Makefile"), or ("pattern", "Makefile.*")."""
    if glob.startswith("*.") and not _GLOB.search(glob[2:]) and "." not in glob[2:]:
        return "extension", glob[1:].lower()
    if not _GLOB.search(glob):
        return "filename", glob
    return "pattern", glob


def _lexers_of(name: str, by_alias: dict[str, _Lexer]) -> list[tuple[_Lexer, bool]]:
    """A language's pygments lexers, each with whether it is the language's own."""
    if name in PYGMENTS_LEXERS:
        return [(by_alias[alias], True) for alias in PYGMENTS_LEXERS[name] if alias in by_alias]
    lexer = by_alias.get(name)
    return [(lexer, lexer.aliases[0] == name)] if lexer else []


class _Decider:
    """Who gets what several served languages claim: the only one whose own lexer (or SUPPLEMENT)
    claims it, else the one PREFERRED names, else (never: tested) the first by name."""

    def __init__(self) -> None:
        self.contests: dict[str, Contest] = {}

    def __call__(self, key: str, claims: list[_Claim]) -> str:
        languages = tuple(sorted({claim.language for claim in claims}))
        if len(languages) == 1:
            return languages[0]
        own = sorted({claim.language for claim in claims if claim.own})
        if len(own) == 1:
            contest = Contest(languages, own[0], "own")
        elif PREFERRED.get(key) in languages:
            contest = Contest(languages, PREFERRED[key], "preferred")
        else:
            contest = Contest(languages, languages[0], "undecided")
        self.contests[key] = contest
        return contest.winner


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


class _Native(NamedTuple):
    """The languages with a driver of their own (their manifests' facts), and the languages that
    only a driver of many languages serves (by name)."""

    languages: list[Language]
    served: list[str]
    by_filename: dict[str, str]
    by_extension: dict[str, str]


def _native(registry: Registry) -> _Native:
    specs = list(registry.specs.values())
    native = sorted((Language.from_manifest(spec.manifest) for spec in specs if not spec.manifest.languages),
                    key=lambda language: language.name)
    native_names = {language.name for language in native}
    served = sorted({name for spec in specs for name in spec.manifest.languages} - native_names)
    # As the table's lookups are built (in the order of the names: the last one wins).
    return _Native(native, served, {filename: language.name for language in native for filename in language.filenames},
                   {ext: language.name for language in native for ext in language.extensions})


def build(registry: Registry | None = None) -> Table:
    """The table of the languages a registry's drivers serve (the bundled drivers by default)."""
    from pygments.lexers import get_all_lexers

    native, served, _, _ = _native(Registry.bundled() if registry is None else registry)

    by_alias: dict[str, _Lexer] = {}
    for name, lexer_aliases, globs, _mimetypes in get_all_lexers(plugins=False):
        lexer = _Lexer(name, tuple(alias.lower() for alias in lexer_aliases), globs)
        by_alias.update(dict.fromkeys(lexer.aliases, lexer))

    # The file names, extensions and patterns each served language's lexers and SUPPLEMENT claim.
    claims: dict[str, dict[str, list[_Claim]]] = {"extension": {}, "filename": {}, "pattern": {}}
    lexer_aliases: dict[str, list[str]] = {}
    pygments_lexers: dict[str, tuple[str, ...]] = {}
    for name in served:
        found = _lexers_of(name, by_alias)
        pygments_lexers[name] = _unique(lexer.name for lexer, _own in found)
        lexer_aliases[name] = [alias for lexer, _own in found for alias in lexer.aliases if alias != name]
        globs = [(glob, own) for lexer, own in found for glob in lexer.globs]
        if name in BY_NAME_ONLY:
            continue  # no file is theirs
        for glob, own in globs + [(glob, True) for glob in SUPPLEMENT.get(name, ())]:
            kind, key = _glob_kind(glob)
            claims[kind].setdefault(key, []).append(_Claim(name, own))

    # An alias stays only if it is no other language's name, alias or editor language id.
    owners: dict[str, set[str]] = {}
    for language in native:
        for alias in {language.name, *language.aliases, *language.editor_languages}:
            owners.setdefault(alias, set()).add(language.name)
    for name in served:
        for alias in {name, *lexer_aliases[name]}:
            owners.setdefault(alias, set()).add(name)
    aliases = {name: _unique(alias for alias in lexer_aliases[name] if owners[alias] == {name}) for name in served}

    # Shebang programs: the language's name and aliases, and SUPPLEMENT_INTERPRETERS.
    claims["interpreter"] = {}
    for name in served:
        if name not in BY_NAME_ONLY:  # no file of theirs ("test", "printf" are other programs)
            for program in (name, *aliases[name], *SUPPLEMENT_INTERPRETERS.get(name, ())):
                if _PROGRAM.match(program):
                    claims["interpreter"].setdefault(program, []).append(_Claim(name, True))

    # The native drivers' facts win: what they claim is theirs, and so is a file name with their extension.
    native_extensions = {ext for language in native for ext in language.extensions}
    taken = {"extension": native_extensions,
             "filename": {filename for language in native for filename in language.filenames},
             "pattern": set(),
             "interpreter": {program for language in native for program in language.interpreters}}
    decide = _Decider()
    won: dict[str, dict[str, list[str]]] = {name: {kind: [] for kind in claims} for name in served}
    for kind, by_key in claims.items():
        for key, key_claims in by_key.items():
            native_extension = kind == "filename" and os.path.splitext(key)[1].lower() in native_extensions
            if key not in taken[kind] and not native_extension:
                won[decide(key, key_claims)][kind].append(key)

    universal = [Language(name, _unique(won[name]["extension"]), _unique(won[name]["filename"]),
                          _unique(won[name]["interpreter"]), aliases[name],
                          () if name in INJECTED else (name, *EDITOR_IDS.get(name, ())),
                          _unique(won[name]["pattern"]))
                 for name in served]
    languages = tuple(sorted(native + universal, key=lambda language: language.name))
    return Table(
        languages=languages,
        by_extension={ext: language.name for language in languages for ext in language.extensions},
        by_filename={filename: language.name for language in languages for filename in language.filenames},
        by_pattern=tuple((pattern, language.name) for language in languages for pattern in language.patterns),
        by_interpreter={program: language.name for language in languages for program in language.interpreters},
        by_alias={alias: language.name for language in languages
                  for alias in (language.name, *language.aliases, *language.editor_languages)},
        contests=decide.contests,
        pygments_lexers=pygments_lexers,
    )


TABLE: Table  # built on first use (module __getattr__)
LANGUAGES: tuple[Language, ...]  # TABLE.languages


@functools.cache
def _table() -> Table:
    return build()


@functools.cache
def _bundled_native() -> _Native:
    return _native(Registry.bundled())


def __getattr__(name: str) -> Any:
    if name == "TABLE":
        return _table()
    if name == "LANGUAGES":
        return _table().languages
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def names() -> frozenset[str]:
    """The name of every language in the table (without building it)."""
    native = _bundled_native()
    return frozenset((*(language.name for language in native.languages), *native.served))


def canonical(name: str) -> str | None:
    """Babelfish's name for a language name, alias or editor language id ("py" -> "python"); None if unknown."""
    return _table().by_alias.get(name.strip().lower())


def editor_languages() -> list[str]:
    """The editor language ids of every language with a driver, for the editor clients' lists."""
    return [editor_id for language in _table().languages for editor_id in language.editor_languages]


def file_globs() -> list[str]:
    """Every file name the table recognises, as globs (``*.rs``, ``Makefile``, ``Dockerfile.*``): for
    the editor clients, which choose their documents by name where the editor does not know the
    language (VS Code without a Kotlin extension calls a .kt file plaintext)."""
    languages = _table().languages
    globs = {f"*{extension}" for language in languages for extension in language.extensions}
    globs.update(name for language in languages for name in (*language.filenames, *language.patterns))
    return sorted(globs)


def from_shebang(head: bytes) -> str | None:
    match = _SHEBANG.match(head)
    if not match:
        return None
    program = os.path.basename(match.group(1).decode("utf-8", "replace"))
    if program == "env" and match.group(2):
        program = os.path.basename(match.group(2).decode("utf-8", "replace"))
    program = program.lower()
    by_interpreter = _table().by_interpreter
    return by_interpreter.get(program) or by_interpreter.get(_VERSION_SUFFIX.sub("", program))


def _by_pattern(name: str, patterns: Iterable[tuple[str, str]]) -> str | None:
    return next((language for pattern, language in patterns if fnmatch.fnmatchcase(name, pattern)), None)


def detect(path: str, head: bytes | str = b"") -> str | None:
    """The language of a file from its name and, failing that, its first line."""
    name = os.path.basename(path)
    ext = os.path.splitext(name)[1].lower()
    # A file name or extension of a language's own driver is that language's in the table too.
    native = _bundled_native()
    found = native.by_filename.get(name) or native.by_extension.get(ext)
    if found:
        return found
    table = _table()
    if name in table.by_filename:
        return table.by_filename[name]
    if ext in table.by_extension:
        return table.by_extension[ext]
    found = _by_pattern(name, table.by_pattern)
    if found:
        return found
    if isinstance(head, str):
        head = head[:256].encode("utf-8", "replace")
    return from_shebang(head[:256])
