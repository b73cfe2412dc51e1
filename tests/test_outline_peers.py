"""Our outline against the languages' own servers on real code (scripts/outline_agreement.py):
pyright on modules of the running Python's standard library, gopls on the Go toolchain's own
source, clangd on zlib's C examples, typescript-language-server on the VS Code extension's npm
packages. Each corpus must agree at least at its floor (F1 of the symbols both list, by name,
line of the name, parent and kind class); a failure prints every difference.

The peers come from `scripts/setup-peers.sh` (npm: .peers/; Debian: gopls, clangd). Without one
these tests skip; with BBLFSH_LSP_REQUIRE_PEERS=1 (CI) they fail. Our side needs the languages'
own drivers prepared (`scripts/setup-toolchains.sh`; BBLFSH_LSP_REQUIRE_TOOLCHAINS=1 as elsewhere).

The floors were measured on this machine's files (Python 3.11's stdlib, Go 1.19's source, zlib
1.2.13's examples, the extension's locked packages), a little under the measure, so that a
class of outline errors that comes back fails them; a corpus that changes (another Python, Go
or package version) may move them a little.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from conftest import REPO, toolchain_unavailable

from driver_runtime.registry import Registry
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.service import DriverService

# CI sets this: the peer comparisons must fail, not skip, where a peer or its corpus is missing.
REQUIRE_PEERS = os.environ.get("BBLFSH_LSP_REQUIRE_PEERS") == "1"


def peers_unavailable(why: str) -> None:
    """Skip a comparison for a missing peer or corpus, or fail it where peers are required."""
    if REQUIRE_PEERS:
        pytest.fail(f"{why}, and BBLFSH_LSP_REQUIRE_PEERS=1", pytrace=False)
    pytest.skip(why)


def load_agreement() -> ModuleType:
    """scripts/outline_agreement.py as a module (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location("outline_agreement", REPO / "scripts" / "outline_agreement.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs classes find their module by name
    spec.loader.exec_module(module)
    return module


agreement = load_agreement()


# --- the corpora ---------------------------------------------------------------------------------

def python_files() -> list[str]:
    """Modules of the running Python's standard library with classes, properties, platform
    branches and `try: import x / except ImportError: x = None` at module and class level."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [str(stdlib / name) for name in ("argparse.py", "tarfile.py", "subprocess.py", "codecs.py",
                                            "zipfile.py", "shutil.py")]


def go_files() -> list[str]:
    """Files of the Go toolchain's own source (GOROOT/src): embedded fields (`net.Conn`,
    `*goobj.Reloc`), structs in place, `var _ I = ...`."""
    go = shutil.which("go")
    if go is None:
        toolchain_unavailable("the Go toolchain is not installed (scripts/setup-toolchains.sh)")
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    source = Path(goroot) / "src"
    return [str(source / name) for name in (
        "cmd/link/internal/loader/loader.go", "crypto/tls/conn.go", "net/http/transport.go", "net/http/server.go",
        "runtime/runtime2.go", "go/ast/ast.go", "encoding/json/decode.go", "reflect/type.go")]


def c_files() -> list[str]:
    """zlib's examples (Debian's zlib1g-dev): real C with prototypes, structs, typedefs and macros."""
    examples = Path("/usr/share/doc/zlib1g-dev/examples")
    return sorted(str(path) for path in examples.glob("*.[ch]"))


def typescript_files() -> list[str]:
    """The VS Code extension's npm packages (scripts/setup-editors.sh): compiled JavaScript and its
    declaration files, and plain JavaScript."""
    packages = REPO / "editors" / "vscode" / "node_modules"
    return [str(packages / name) for name in (
        "vscode-languageclient/lib/common/client.js", "vscode-languageclient/lib/common/client.d.ts",
        "vscode-jsonrpc/lib/common/connection.js", "vscode-jsonrpc/lib/common/connection.d.ts",
        "vscode-jsonrpc/lib/common/messages.d.ts", "semver/classes/semver.js", "semver/classes/range.js")]


@attrs.frozen
class Corpus:
    peer: str
    languages: tuple[str, ...]  # whose own drivers answer for us
    files: Callable[[], list[str]]
    floor: float  # measured after issue 13's fixes, less a margin
    missing: str  # what installs the files


CORPORA = [
    Corpus("pyright", ("python",), python_files, 0.95, "the running Python's standard library"),
    Corpus("gopls", ("go",), go_files, 0.99, "the Go toolchain's source (golang-go)"),
    Corpus("clangd", ("cpp",), c_files, 0.88, "zlib's examples (Debian's zlib1g-dev)"),
    Corpus("typescript-language-server", ("javascript", "typescript"), typescript_files, 0.90,
           "the extension's npm packages (scripts/setup-editors.sh)"),
]


def require_our_drivers(languages: tuple[str, ...]) -> None:
    """Our side is the languages' own drivers (the floors are theirs), prepared."""
    service = DriverService(ProcessRuntime(), Registry.bundled())
    for language in languages:
        if service.driver_for(language).universal:
            toolchain_unavailable(f"the {language} driver's native parser is not prepared "
                                  f"(`bblfsh-lsp driver install {language} --runtime process`)")


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda corpus: corpus.peer)
def test_the_outline_agrees_with_the_languages_own_server(corpus: Corpus):
    peer = agreement.PEERS[corpus.peer]
    if peer.executable() is None:
        peers_unavailable(f"{peer.name} is not installed (scripts/setup-peers.sh)")
    require_our_drivers(corpus.languages)
    files = [path for path in corpus.files() if os.path.isfile(path)]
    if not files:
        peers_unavailable(f"no files to compare with {peer.name}: {corpus.missing} is not installed")
    report = asyncio.run(agreement.run(peer, files, timeout=180.0))
    described = "\n".join(line for file in report.files for line in agreement.describe_file(file))
    assert all(file.problem is None for file in report.files), described
    # Every file was outlined by both sides, and the sides agree at the floor.
    assert all(file.ours and file.theirs for file in report.files), described
    assert report.f1 >= corpus.floor, f"F1 {report.f1:.3f} < {corpus.floor}\n{described}"


# --- the comparison itself (no peer needed) ------------------------------------------------------

Node = agreement.Node
CLASS, METHOD, FUNCTION, FIELD, VARIABLE, CONSTANT, STRUCT = 5, 6, 12, 8, 13, 14, 23


def test_a_comparison_counts_what_both_list_and_reports_the_rest():
    ours = [Node("Shop", CLASS, 1, 1, 9, (Node("items", FIELD, 2, 2, 2), Node("add", METHOD, 3, 3, 5))),
            Node("helper", FUNCTION, 11, 11, 12)]
    theirs = [Node("Shop", CLASS, 1, 1, 9, (Node("items", FIELD, 2, 2, 2), Node("add", FUNCTION, 3, 3, 5, (
                   Node("count", VARIABLE, 4, 4, 4),)))),
              Node("LIMIT", CONSTANT, 10, 10, 10)]
    report = agreement.compare("shop.py", agreement.flatten(ours), agreement.flatten(theirs))
    assert (report.ours, report.theirs, report.matched) == (4, 4, 3)
    assert report.f1 == pytest.approx(6 / 8)
    # `add` is a Method and a Function: the same class (callable), so it matched; `count` is
    # declared in `add`'s body, a local (of a callable), so it was dropped.
    assert [entry.key.name for entry in report.ours_only] == ["helper"]
    assert [entry.key.name for entry in report.peer_only] == ["LIMIT"]
    assert report.kind_differs == ()


def test_a_kind_of_another_class_is_one_difference_and_no_match():
    ours = [Node("isAny", FUNCTION, 3, 3, 3)]
    theirs = [Node("isAny", CONSTANT, 3, 3, 3, (Node("result", VARIABLE, 3, 3, 3),))]
    functions = agreement.callables(ours) | agreement.callables(theirs)
    report = agreement.compare("range.js", agreement.flatten(ours, functions=functions),
                               agreement.flatten(theirs, functions=functions))
    # The peer's constant holds a function (ours says so): what it declares is local to it.
    assert (report.ours, report.theirs, report.matched) == (1, 1, 0)
    assert [(o.key.name, t.key.kind_class) for o, t in report.kind_differs] == [("isAny", "value")]
    assert report.ours_only == report.peer_only == ()


def test_the_peers_conventions_are_brought_to_ours():
    gopls, clangd = agreement.PEERS["gopls"], agreement.PEERS["clangd"]
    assert [gopls.declared_name(name) for name in ("(*Conn).Read", "(T).String", "Read")] == ["Read", "String", "Read"]
    assert [clangd.declared_name(name) for name in ("ns::Shop::add", "swap<int>", "operator<<", "Shop")] == [
        "add", "swap", "operator<<", "Shop"]
    tsserver, pyright = agreement.PEERS["typescript-language-server"], agreement.PEERS["pyright"]
    # What the peer names for us that has no name (an anonymous function, a struct), is set
    # aside and its members lifted; pyright's instance attributes (in a method's lines) too.
    aside: list = []
    theirs = [Node("items.map() callback", FUNCTION, 5, 5, 7, (Node("inner", FUNCTION, 6, 6, 6),)),
              Node("(anonymous struct)", STRUCT, 8, 8, 9, (Node("x", FIELD, 8, 8, 8),))]
    assert [entry.key for entry in agreement.flatten(theirs, tsserver, set_aside=aside)] == [
        agreement.Key("inner", 6, "", "callable"), agreement.Key("(anonymous struct)", 8, "", "type"),
        agreement.Key("x", 8, "(anonymous struct)", "value")]
    assert [entry.key.name for entry in agreement.flatten(theirs, clangd, set_aside=aside)] == [
        "items.map() callback", "inner", "x"]
    shop = [Node("Shop", CLASS, 1, 1, 9, (Node("__init__", METHOD, 2, 2, 4), Node("name", VARIABLE, 3, 3, 3),
                                          Node("LIMIT", CONSTANT, 6, 6, 6)))]
    assert [entry.key.name for entry in agreement.flatten(shop, pyright, set_aside=aside)] == [
        "Shop", "__init__", "LIMIT"]
    assert [node.name for node in aside] == ["items.map() callback", "(anonymous struct)", "name"]
