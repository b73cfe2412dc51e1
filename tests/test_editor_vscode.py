"""The VS Code extension (editors/vscode) in a real VS Code: code-server driven by Chromium.

Builds the extension (npm ci, compile, vsce package), installs what the test needs with
scripts/setup-editors.sh (idempotent: Debian's chromium, code-server and playwright-core in a cache
folder), then runs editors/vscode/test/e2e.mjs against this checkout's server. Screenshots and logs
go to artifacts/vscode/. Skipped when the prerequisites cannot be installed (no npm, no Node 20, no
Chromium, no registry), unless BBLFSH_LSP_REQUIRE_EDITORS=1 (CI), where that is a failure.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, editors_unavailable

EXTENSION = REPO / "editors" / "vscode"
ARTIFACTS = REPO / "artifacts" / "vscode"
pytestmark = pytest.mark.slow


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def npm_env() -> dict[str, str]:
    return {**os.environ, "npm_config_yes": "true", "npm_config_audit": "false", "npm_config_fund": "false",
            "npm_config_update_notifier": "false"}


@pytest.fixture(scope="module")
def one_at_a_time() -> Iterator[None]:
    """Test runs that overlap (two pytest sessions in one checkout) take turns: they share the
    extension's build, the code-server cache and artifacts/vscode."""
    with open(Path(tempfile.gettempdir()) / "bblfsh-lsp-vscode-e2e.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="module")
def e2e_prefix(one_at_a_time: None) -> Path:
    """The folder whose node_modules hold code-server and playwright-core, installed if need be."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        editors_unavailable("node and npm are not installed")
    try:
        setup = subprocess.run(["bash", str(REPO / "scripts" / "setup-editors.sh")], check=False, cwd=REPO,
                               env=npm_env(), capture_output=True, text=True, timeout=1200)
    except subprocess.TimeoutExpired:
        editors_unavailable("scripts/setup-editors.sh did not finish within 20 minutes")
    if setup.returncode != 0:
        editors_unavailable(f"scripts/setup-editors.sh failed ({setup.returncode}):\n{tail(setup.stderr)}")
    return Path(setup.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def vsix(e2e_prefix: Path) -> Path:
    """The extension, compiled and packaged by vsce (its npm packages were installed by the setup)."""
    built = subprocess.run(["npm", "run", "--silent", "package"], check=False, cwd=EXTENSION, env=npm_env(),
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, f"npm run package failed:\n{tail(built.stdout)}\n{tail(built.stderr)}"
    version = json.loads((EXTENSION / "package.json").read_text())["version"]
    package = EXTENSION / f"bblfsh-lsp-{version}.vsix"
    assert package.is_file(), f"no {package.name} after npm run package"
    with zipfile.ZipFile(package) as archive:
        names = {name.lower() for name in archive.namelist()}  # vsce writes readme.md, LICENSE.txt
    for name in ("extension/package.json", "extension/out/extension.js", "extension/readme.md",
                 "extension/license.txt"):
        assert name in names, f"{package.name} lacks {name}: {sorted(names)}"
    return package


def server_arguments() -> list[str]:
    """This checkout's server: the venv's bblfsh-lsp script beside the interpreter, else `python -m`."""
    script = Path(sys.executable).parent / "bblfsh-lsp"
    if script.is_file() and os.access(script, os.X_OK):
        return ["--server", str(script)]
    return ["--python", sys.executable]


def stop_code_server() -> None:
    """The last resort: code-server's process group, by the pid e2e.mjs wrote."""
    try:
        os.killpg(int((ARTIFACTS / "code-server.pid").read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass


def test_extension_in_code_server(e2e_prefix: Path, vsix: Path) -> None:
    command = ["node", str(EXTENSION / "test" / "e2e.mjs"), "--prefix", str(e2e_prefix), "--vsix", str(vsix),
               "--artifacts", str(ARTIFACTS), *server_arguments()]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "BBLFSH_LSP_RUNTIME": "process"})
    try:
        stdout, stderr = process.communicate(timeout=420)  # e2e.mjs gives up by itself after 300 s
    except subprocess.TimeoutExpired:
        process.terminate()  # e2e.mjs then stops code-server's process group
        stdout, stderr = process.communicate(timeout=30)
        stop_code_server()
        pytest.fail(f"e2e.mjs did not finish within 7 minutes:\n{tail(stdout)}\n{tail(stderr)}", pytrace=False)
    run = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    result_file = ARTIFACTS / "result.json"
    result = json.loads(result_file.read_text()) if result_file.is_file() else {}
    assert run.returncode == 0, (
        f"the VS Code end-to-end test failed (screenshots and logs in {ARTIFACTS}):\n"
        f"{tail(run.stderr, 20)}\n--- stdout ---\n{tail(run.stdout)}")
    assert result.get("ok") is True, result
    passed = {check["name"] for check in result["checks"] if check["ok"]}
    for name in ("Outline shows classes, methods and functions",
                 "structural search lists the matches grouped by file",
                 "a click on a match opens its file at its line",
                 "an invalid query shows the server's error message",
                 "each match is highlighted in its line",
                 "a pattern search shows the line of each match and its captures",
                 "each kind keeps its history, and the box opens in the kind used last",
                 "Show UAST opens the semantic UAST as JSON",
                 "the UAST explorer follows the cursor",
                 "the selected node's range is highlighted in the editor",
                 "Copy as Query offers an XPath and a pattern for the node",
                 "the copied query finds the node when searched"):
        assert name in passed, f"check {name!r} did not run: {sorted(passed)}"
    for shot in ("01-outline.png", "02-search-results.png", "04b-pattern-results.png",
                 "05b-explorer-follows-cursor.png", "05c-copy-as-query.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000, f"no screenshot {shot}"
