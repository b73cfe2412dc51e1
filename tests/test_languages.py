"""Language detection by file name, extension and shebang, with Babelfish's names.

A language's facts are its driver's manifest; the table adds only languages without a driver."""

from __future__ import annotations

import pytest

from driver_runtime.languages import LANGUAGES, WITHOUT_DRIVER, canonical, detect, editor_languages
from driver_runtime.registry import Registry


@pytest.mark.parametrize("path, head, language", [
    ("src/app.py", b"", "python"),
    ("stubs/os.pyi", b"", "python"),
    ("SConstruct", b"", "python"),
    ("web/index.JSX", b"", "javascript"),
    ("web/app.tsx", b"", "typescript"),
    ("main.go", b"", "go"),
    ("Main.java", b"", "java"),
    ("Rakefile", b"", "ruby"),
    ("index.php", b"", "php"),
    ("build.sh", b"", "bash"),
    ("lib.hpp", b"", "cpp"),
    ("lib.c", b"", "cpp"),
    ("Program.cs", b"", "csharp"),
    ("bin/tool", b"#!/usr/bin/env python3\nimport sys\n", "python"),
    ("bin/tool", b"#!/usr/local/bin/python3.11 -u\n", "python"),
    ("bin/tool", b"#!/usr/bin/env -S ruby -w\n", "ruby"),
    ("bin/tool", b"#! /bin/bash\n", "bash"),
    ("bin/tool", b"#!/usr/bin/env node\n", "javascript"),
    ("bin/tool", b"#!/usr/bin/env pypy3\n", "python"),
    ("bin/tool", b"#!/usr/bin/python2.7\n", "python"),
    ("bin/tool", b"just text\n", None),
    ("notes.md", b"#!/usr/bin/env python3\n", "python"),  # no source extension: the shebang decides
    ("notes.txt", b"", None),
])
def test_detect(path, head, language):
    assert detect(path, head) == language


def test_aliases_map_to_babelfish_names():
    assert canonical("py") == "python"
    assert canonical("C++") == "cpp"
    assert canonical("golang") == "go"
    assert canonical("cobol") is None


def test_editor_language_ids_name_their_language():
    assert canonical("javascriptreact") == "javascript"
    assert canonical("typescriptreact") == "typescript"
    for language in LANGUAGES:
        for editor_id in language.editor_languages:
            assert canonical(editor_id) == language.name, editor_id


def test_the_table_is_the_bundled_manifests_and_the_languages_without_a_driver():
    bundled = Registry.bundled()
    by_name = {language.name: language for language in LANGUAGES}
    assert set(by_name) == set(bundled.languages()) | {language.name for language in WITHOUT_DRIVER}
    for name in bundled.languages():
        manifest = bundled.get(name).manifest
        assert by_name[name].extensions == tuple(manifest.extensions)
        assert by_name[name].interpreters == tuple(manifest.interpreters)
    # A language that gets a driver has its facts in the manifest: its entry here must go.
    assert not {language.name for language in WITHOUT_DRIVER} & set(bundled.languages())
    # Editors have no reason to send the files of a language without a driver.
    assert all(not language.editor_languages for language in WITHOUT_DRIVER)
    assert editor_languages() == [editor_id for name in sorted(bundled.languages())
                                  for editor_id in bundled.get(name).manifest.editor_languages]


@pytest.mark.parametrize("fact", ["extensions", "filenames", "interpreters", "editor_languages"])
def test_no_two_languages_claim_the_same_file(fact):
    claimed: dict[str, str] = {}
    for language in LANGUAGES:
        for value in getattr(language, fact):
            assert claimed.setdefault(value, language.name) == language.name, f"{value} of {language.name}"


def test_no_name_means_two_languages():
    claimed: dict[str, str] = {}
    for language in LANGUAGES:
        for name in {language.name, *language.aliases, *language.editor_languages}:
            assert claimed.setdefault(name, language.name) == language.name, f"{name} of {language.name}"
