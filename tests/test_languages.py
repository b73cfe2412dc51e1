"""Language detection by file name, extension and shebang, with Babelfish's names."""

from __future__ import annotations

import pytest

from driver_runtime.languages import LANGUAGES, canonical, detect
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


def test_bundled_manifests_agree_with_the_language_table():
    table = {language.name: language for language in LANGUAGES}
    for name in Registry.bundled().languages():
        manifest = Registry.bundled().get(name).manifest
        assert set(manifest.extensions) <= set(table[name].extensions)
        assert set(manifest.interpreters) <= set(table[name].interpreters)
