"""Language detection by file name, extension, pattern and shebang, with Babelfish's names.

A language with a driver of its own has its manifest's facts; the languages the universal driver
serves have pygments' (and a small supplement); no file is left to two languages."""

from __future__ import annotations

import fnmatch

import pytest
from pygments.lexers import get_all_lexers

from driver_runtime import languages
from driver_runtime.languages import LANGUAGES, TABLE, Language, canonical, detect, editor_languages, from_shebang
from driver_runtime.registry import Registry

BUNDLED = Registry.bundled()
NATIVE = {name: spec.manifest for name, spec in BUNDLED.specs.items() if not spec.manifest.languages}
SERVED = {name for spec in BUNDLED.specs.values() for name in spec.manifest.languages}
BY_NAME = {language.name: language for language in LANGUAGES}
PYGMENTS = {name: (aliases, globs) for name, aliases, globs, _mimetypes in get_all_lexers(plugins=False)}


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
    ("notes.txt", b"#!/usr/bin/env python3\n", "python"),  # no source extension: the shebang decides
    ("notes.md", b"#!/usr/bin/env python3\n", "markdown"),  # an extension first
    ("notes.txt", b"", None),
])
def test_detect(path, head, language):
    assert detect(path, head) == language


# Languages only the universal driver serves: from pygments, or from the supplement.
@pytest.mark.parametrize("path, language", [
    ("src/main.rs", "rust"),
    ("App.kt", "kotlin"),
    ("build.gradle.kts", "kotlin"),
    ("View.swift", "swift"),
    ("Main.scala", "scala"),
    ("build.sbt", "scala"),
    ("init.lua", "lua"),
    ("lib/app.ex", "elixir"),
    ("test/app_test.exs", "elixir"),
    ("src/app.erl", "erlang"),
    ("Main.hs", "haskell"),
    ("main.ml", "ocaml"),
    ("main.mli", "ocaml"),
    ("Program.fs", "fsharp"),
    ("Program.fsi", "fsharp"),
    ("main.dart", "dart"),
    ("main.zig", "zig"),
    ("main.nim", "nim"),
    ("run.jl", "julia"),
    ("analysis.R", "r"),
    ("analysis.r", "r"),
    ("schema.sql", "sql"),
    ("config.yaml", "yaml"),
    (".github/workflows/ci.yml", "yaml"),
    ("pyproject.toml", "toml"),
    ("package.json", "json"),
    ("main.tf", "terraform"),
    ("prod.tfvars", "terraform"),
    ("config.hcl", "hcl"),
    ("Dockerfile", "dockerfile"),
    ("driver.Dockerfile", "dockerfile"),
    ("Dockerfile.dev", "dockerfile"),
    ("Containerfile", "dockerfile"),
    ("Makefile", "make"),
    ("Makefile.am", "make"),
    ("rules.mk", "make"),
    ("CMakeLists.txt", "cmake"),
    ("FindFoo.cmake", "cmake"),
    ("api.proto", "proto"),
    ("schema.graphql", "graphql"),
    ("style.css", "css"),
    ("style.scss", "scss"),
    ("index.html", "html"),
    ("pom.xml", "xml"),
    ("transform.xslt", "xml"),
    ("App.vue", "vue"),
    ("App.svelte", "svelte"),
    ("page.astro", "astro"),
    ("Token.sol", "solidity"),
    ("core.clj", "clojure"),
    ("app.cljs", "clojure"),
    ("init.el", "elisp"),
    ("main.rkt", "racket"),
    ("lib.scm", "scheme"),
    ("lib.lisp", "commonlisp"),
    ("unit.pas", "pascal"),
    ("solver.f90", "fortran"),
    ("main.adb", "ada"),
    ("pkg.ads", "ada"),
    ("main.d", "d"),
    ("counter.v", "verilog"),
    ("top.sv", "verilog"),
    ("script.vsh", "v"),
    ("build.groovy", "groovy"),
    ("build.gradle", "groovy"),
    ("Jenkinsfile", "groovy"),
    ("script.ps1", "powershell"),
    (".vimrc", "vim"),
    ("plugin.vim", "vim"),
    ("paper.tex", "latex"),
    ("refs.bib", "bibtex"),
    ("README.rst", "rst"),
    ("README.md", "markdown"),
    ("default.nix", "nix"),
    ("main.gleam", "gleam"),
    ("Main.elm", "elm"),
    ("Main.purs", "purescript"),
    ("Main.hx", "haxe"),
    ("AppDelegate.m", "objc"),
    ("kernel.cu", "cuda"),
    ("shader.glsl", "glsl"),
    ("shader.frag", "glsl"),
    ("shader.wgsl", "wgsl"),
    ("script.tcl", "tcl"),
    ("site.pp", "puppet"),
    ("script.pl", "perl"),
    ("defs.bzl", "starlark"),
    ("BUILD.bazel", "starlark"),
    ("BUILD", "starlark"),
    ("go.mod", "gomod"),
    ("go.sum", "gosum"),
    ("requirements.txt", "requirements"),
    ("requirements-dev.txt", "requirements"),
    (".gitignore", "gitignore"),
    (".gitattributes", "gitattributes"),
    ("COMMIT_EDITMSG", "gitcommit"),
    ("build.ninja", "ninja"),
    ("BUILD.gn", "gn"),
    ("config.gni", "gn"),
    ("schema.prisma", "prisma"),
    ("main.bicep", "bicep"),
    ("config.kdl", "kdl"),
    ("data.ron", "ron"),
    ("table.csv", "csv"),
    ("table.tsv", "tsv"),
    ("main.cairo", "cairo"),
    ("script.nut", "squirrel"),
    ("view.html.erb", "embeddedtemplate"),
    ("page.twig", "twig"),
    ("setup.cfg", "ini"),
    (".editorconfig", "ini"),
    ("app.properties", "properties"),
    ("meson.build", "meson"),
    ("Kconfig.debug", "kconfig"),
    ("module.wat", "wat"),
    ("spec.wast", "wast"),
    ("start.s", "asm"),
    ("boot.asm", "asm"),
    ("lib.ll", "llvm"),
    ("main.qml", "qmljs"),
    ("main.odin", "odin"),
    ("doc.typ", "typst"),
    ("Schema.capnp", "capnp"),
    ("lib.rs.in", "rust"),
    ("MANIFEST.in", "pymanifest"),
    (".bash_profile", "bash"),
    ("run.zsh", "bash"),
    ("build.csx", "csharp"),
])
def test_detect_the_universal_drivers_languages(path, language):
    assert language not in NATIVE
    assert detect(path) == language


@pytest.mark.parametrize("head, language", [
    (b"#!/bin/bash\n", "bash"),
    (b"#!/bin/sh\n", "bash"),
    (b"#!/usr/bin/env zsh\n", "bash"),
    (b"#!/usr/bin/env lua5.4\n", "lua"),
    (b"#!/usr/bin/env Rscript\n", "r"),
    (b"#!/usr/bin/env perl -w\n", "perl"),
    (b"#!/usr/bin/env runghc\n", "haskell"),
    (b"#!/usr/bin/env escript\n", "erlang"),
    (b"#!/usr/bin/env elixir\n", "elixir"),
    (b"#!/usr/bin/env julia\n", "julia"),
    (b"#!/usr/bin/env fish\n", "fish"),
    (b"#!/usr/bin/env racket\n", "racket"),
    (b"#!/usr/bin/guile -s\n", "scheme"),
    (b"#!/usr/local/bin/sbcl --script\n", "commonlisp"),
    (b"#!/usr/bin/env pwsh\n", "powershell"),
    (b"#!/usr/bin/env tclsh8.6\n", "tcl"),
    (b"#!/usr/bin/env ocaml\n", "ocaml"),
    (b"#!/usr/bin/make -f\n", "make"),
    (b"#!/usr/bin/env node\n", "javascript"),  # a native driver's program
    (b"#!/usr/bin/env test\n", None),  # a program, not the language served by name only
    (b"#!/usr/bin/env awk -f\n", None),  # not served
])
def test_shebangs(head, language):
    assert from_shebang(head) == language
    assert detect("bin/tool", head) == language


def test_aliases_map_to_babelfish_names():
    assert canonical("py") == "python"
    assert canonical("C++") == "cpp"
    assert canonical("golang") == "go"
    assert canonical("cobol") is None
    assert canonical("c#") == canonical("cs") == "csharp"
    assert canonical("sh") == canonical("shell") == "bash"
    assert canonical("Objective-C") == "objc"
    assert canonical("common-lisp") == "commonlisp"
    assert canonical("erb") == "embeddedtemplate"
    assert canonical("markdown_inline") == "markdown_inline"  # served by name only: known by name
    assert canonical("universal") is None  # a driver, not a language


def test_babelfish_names_are_kept():
    assert {"python", "javascript", "typescript", "go", "java", "ruby", "php", "cpp", "bash", "csharp"} <= set(BY_NAME)
    assert detect("lib.c") == "cpp"  # Babelfish's cpp parsed C; pygments' C lexer is not read
    assert detect("x.sh") == "bash"
    assert detect("x.cs") == "csharp"


def test_a_native_driver_wins_what_pygments_gives_another_language():
    objc_globs = PYGMENTS["Objective-C"][1]
    assert "*.h" in objc_globs and detect("lib.h") == "cpp"
    assert detect("app.ts") == detect("app.tsx") == "typescript"
    assert detect("app.js") == detect("app.jsx") == "javascript"


def test_editor_language_ids_name_their_language():
    assert canonical("javascriptreact") == "javascript"
    assert canonical("typescriptreact") == "typescript"
    for language in LANGUAGES:
        for editor_id in language.editor_languages:
            assert canonical(editor_id) == language.name, editor_id


def test_the_table_is_every_language_a_bundled_driver_serves():
    assert set(BY_NAME) == set(BUNDLED.languages())
    assert "universal" not in BY_NAME
    assert len(BY_NAME) == len(LANGUAGES)
    # A language with a driver of its own has its manifest's facts, and only those.
    for name, manifest in NATIVE.items():
        assert BY_NAME[name] == Language.from_manifest(manifest), name
    # The others: their name as their editor id, and the ids editors use instead where they differ
    # (none for an injection language).
    expected = []
    for language in LANGUAGES:
        if language.name in NATIVE:
            expected += NATIVE[language.name].editor_languages
        elif language.name not in languages.INJECTED:
            expected += [language.name, *languages.EDITOR_IDS.get(language.name, ())]
    assert editor_languages() == expected
    assert canonical("shellscript") == canonical("sh") == "bash" and canonical("cs") == "csharp"


@pytest.mark.parametrize("fact", ["extensions", "filenames", "patterns", "interpreters", "editor_languages"])
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


def test_every_served_language_is_detected_by_its_files_or_served_by_name_only():
    for language in LANGUAGES:
        facts = (*language.extensions, *language.filenames, *language.patterns, *language.interpreters)
        if language.name in languages.BY_NAME_ONLY:
            assert not facts, language.name
        else:
            assert language.extensions or language.filenames or language.patterns, language.name
    assert set(languages.BY_NAME_ONLY) <= SERVED - set(NATIVE)


def test_every_contested_file_is_decided_by_a_rule():
    assert not {key: contest for key, contest in TABLE.contests.items() if contest.rule == "undecided"}
    # Each preference decides a contest that the own-lexer rule does not: none is stale.
    for key, language in languages.PREFERRED.items():
        assert TABLE.contests[key].rule == "preferred" and TABLE.contests[key].winner == language, key


def test_a_file_name_of_the_universal_drivers_languages_never_hides_a_native_extension():
    native_extensions = {ext for manifest in NATIVE.values() for ext in manifest.extensions}
    for language in LANGUAGES:
        if language.name not in NATIVE:
            assert not {filename for filename in language.filenames
                        if "." + filename.rsplit(".", 1)[-1].lower() in native_extensions}, language.name


def test_the_pygments_lexers_named_exist_and_the_supplement_adds_only_what_pygments_lacks():
    by_alias = {alias.lower(): name for name, (aliases, _globs) in PYGMENTS.items() for alias in aliases}
    for name, aliases in languages.PYGMENTS_LEXERS.items():
        assert name in SERVED, name
        assert all(alias in by_alias for alias in aliases), name
    for name, globs in languages.SUPPLEMENT.items():
        assert name in SERVED - set(NATIVE), name
        pygments_globs = {glob for lexer in TABLE.pygments_lexers[name] for glob in PYGMENTS[lexer][1]}
        assert not set(globs) & pygments_globs, name
    for name, programs in languages.SUPPLEMENT_INTERPRETERS.items():
        assert name in SERVED - set(NATIVE) and all(program == program.lower() for program in programs), name


def test_patterns_come_after_names_and_extensions():
    assert fnmatch.fnmatchcase("Makefile.py", "Makefile.*")
    assert detect("Makefile.py") == "python"
    assert detect("Makefile.inc") == "make"
