"""Which language a file is in: by exact file name, by extension, then by shebang.

Names are Babelfish's language names.  The table knows languages whether or not a driver for
them is installed, so that a user is told "no driver for ruby" rather than "unknown file".
"""

from __future__ import annotations

import os
import re

import attrs


@attrs.frozen
class Language:
    name: str
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    interpreters: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


LANGUAGES: tuple[Language, ...] = (
    Language("python", (".py", ".pyi", ".pyw"), ("SConstruct", "SConscript", "wscript"),
             ("python", "python2", "python3", "pypy", "pypy3"), ("python3", "py")),
    Language("javascript", (".js", ".mjs", ".cjs", ".jsx"), ("Jakefile",), ("node", "nodejs"),
             ("js", "jsx", "javascriptreact")),
    Language("typescript", (".ts", ".tsx", ".mts", ".cts"), (), ("ts-node", "deno"), ("ts", "tsx", "typescriptreact")),
    Language("go", (".go",), (), (), ("golang",)),
    Language("java", (".java",), (), (), ()),
    Language("ruby", (".rb", ".rake", ".gemspec", ".ru"), ("Rakefile", "Gemfile", "Guardfile", "Vagrantfile"),
             ("ruby", "jruby"), ("rb",)),
    Language("php", (".php", ".phtml", ".php3", ".php4", ".php5", ".php7", ".phps"), (), ("php",), ()),
    Language("bash", (".sh", ".bash"), (".bashrc", ".bash_profile", ".profile"), ("sh", "bash", "dash", "zsh", "ksh"),
             ("sh", "shell")),
    Language("cpp", (".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".c", ".h", ".ipp", ".tpp"), (),
             (), ("c", "c++")),
    Language("csharp", (".cs", ".csx"), (), (), ("c#", "cs")),
)

_BY_EXTENSION = {ext: lang.name for lang in LANGUAGES for ext in lang.extensions}
_BY_FILENAME = {name: lang.name for lang in LANGUAGES for name in lang.filenames}
_BY_INTERPRETER = {prog: lang.name for lang in LANGUAGES for prog in lang.interpreters}
_BY_ALIAS = {alias: lang.name for lang in LANGUAGES for alias in (lang.name, *lang.aliases)}

# "#!/usr/bin/env python3 -u", "#!/usr/local/bin/python3.11", "#!/usr/bin/env -S ruby -w"
_SHEBANG = re.compile(rb"^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?")
_VERSION_SUFFIX = re.compile(r"[\d.]+$")


def canonical(name: str) -> str | None:
    """Babelfish's name for a language name or alias ("py" -> "python"); None if unknown."""
    return _BY_ALIAS.get(name.strip().lower())


def from_shebang(head: bytes) -> str | None:
    match = _SHEBANG.match(head)
    if not match:
        return None
    program = os.path.basename(match.group(1).decode("utf-8", "replace"))
    if program == "env" and match.group(2):
        program = os.path.basename(match.group(2).decode("utf-8", "replace"))
    program = program.lower()
    return _BY_INTERPRETER.get(program) or _BY_INTERPRETER.get(_VERSION_SUFFIX.sub("", program))


def detect(path: str, head: bytes | str = b"") -> str | None:
    """The language of a file from its name and, failing that, its first line."""
    name = os.path.basename(path)
    if name in _BY_FILENAME:
        return _BY_FILENAME[name]
    ext = os.path.splitext(name)[1].lower()
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    if isinstance(head, str):
        head = head[:256].encode("utf-8", "replace")
    return from_shebang(head[:256])
