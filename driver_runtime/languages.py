"""Which language a file is in: by exact file name, by extension, then by shebang.

Names are Babelfish's language names.  A language's facts (its other names, extensions, file
names, shebang programs, editor language ids) are written once, in its driver's manifest.json;
this table reads them from the bundled drivers.  It also knows a few languages that have no
bundled driver yet, so that a user is told "no driver for bash" rather than "unknown file": their
facts are here, until a driver brings a manifest for them (tests/test_languages.py sees to it).
"""

from __future__ import annotations

import os
import re

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
    # The ids editors give its files (VS Code language ids, Neovim filetypes); none for a language
    # without a driver, which editors have no reason to send.
    editor_languages: tuple[str, ...] = ()

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> Language:
        return cls(manifest.language, tuple(manifest.extensions), tuple(manifest.filenames),
                   tuple(manifest.interpreters), tuple(manifest.aliases), tuple(manifest.editor_languages))


WITHOUT_DRIVER: tuple[Language, ...] = (
    Language("bash", (".sh", ".bash"), (".bashrc", ".bash_profile", ".profile"), ("sh", "bash", "dash", "zsh", "ksh"),
             ("sh", "shell")),
    Language("csharp", (".cs", ".csx"), (), (), ("c#", "cs")),
)

WITH_DRIVER: tuple[Language, ...] = tuple(
    Language.from_manifest(spec.manifest) for spec in Registry.bundled().specs.values())

LANGUAGES: tuple[Language, ...] = tuple(sorted(WITH_DRIVER + WITHOUT_DRIVER, key=lambda language: language.name))

_BY_EXTENSION = {ext: lang.name for lang in LANGUAGES for ext in lang.extensions}
_BY_FILENAME = {name: lang.name for lang in LANGUAGES for name in lang.filenames}
_BY_INTERPRETER = {prog: lang.name for lang in LANGUAGES for prog in lang.interpreters}
_BY_ALIAS = {alias: lang.name for lang in LANGUAGES for alias in (lang.name, *lang.aliases, *lang.editor_languages)}

# "#!/usr/bin/env python3 -u", "#!/usr/local/bin/python3.11", "#!/usr/bin/env -S ruby -w"
_SHEBANG = re.compile(rb"^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?")
_VERSION_SUFFIX = re.compile(r"[\d.]+$")


def canonical(name: str) -> str | None:
    """Babelfish's name for a language name, alias or editor language id ("py" -> "python"); None if unknown."""
    return _BY_ALIAS.get(name.strip().lower())


def editor_languages() -> list[str]:
    """The editor language ids of every language with a driver, for the editor clients' lists."""
    return [editor_id for language in LANGUAGES for editor_id in language.editor_languages]


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
