"""The universal driver's image (driver_runtime/drivers/universal/Dockerfile), built from this
working tree once per session through images.build, as `bblfsh-lsp driver install universal
--runtime docker` builds it.

Its labels carry the manifest, and the driver in it, under the docker runtime and under the oci
runtime (runc, on a bundle imported from the image), answers exactly as the process runtime's:
the same health, and the same answers to parse requests in many languages and every mode, to a
file with a syntax error and to a language it does not serve.  A missing engine, runc or base
image skips these tests, or fails them under BBLFSH_LSP_REQUIRE_CONTAINERS=1; a failing build
fails them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from conftest import HERE, containers_unavailable, remove_our_containers
from driver_checks import DriverImage, assert_image_labels, built_driver_image, describe, served

from driver_runtime import images
from driver_runtime.bundles import BundleStore
from driver_runtime.runtimes.base import DriverSpec, Runtime
from driver_runtime.runtimes.process import ProcessRuntime
from driver_runtime.sdk.protocol import Mode, ParseRequest

# (language, file name, a small realistic text) for each language checked in every mode.
SAMPLES: tuple[tuple[str, str, str], ...] = (
    ("rust", "shapes.rs", """\
use std::fmt;

/// A point on the plane.
pub struct Point { x: f64, y: f64 }

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

fn main() {
    let p = Point { x: 1.0, y: 2.5 };
    println!("{}", p);
}
"""),
    ("csharp", "Greeter.cs", """\
using System;

namespace Demo
{
    // Says hello.
    public class Greeter
    {
        private readonly string name;

        public Greeter(string name) { this.name = name; }

        public string Greet() => $"Hello, {name}!";

        public static void Main(string[] args)
        {
            Console.WriteLine(new Greeter("world").Greet());
        }
    }
}
"""),
    ("bash", "backup.sh", """\
#!/bin/bash
set -euo pipefail

# Copies each file given to the backup folder.
backup() {
    local target="$1"
    mkdir -p "$HOME/backup"
    cp -- "$target" "$HOME/backup/"
}

for file in "$@"; do
    if [[ -f "$file" ]]; then
        backup "$file"
    fi
done
"""),
    ("kotlin", "Shelf.kt", """\
package com.example

/** The most items a shelf may hold. */
const val MAX_ITEMS = 100

data class Item(val name: String, val price: Double)

class Shelf {
    private val items = mutableListOf<Item>()

    fun add(item: Item): Boolean {
        if (items.size >= MAX_ITEMS) return false
        items += item
        return true
    }

    fun total(): Double = items.sumOf { it.price }
}
"""),
    ("lua", "queue.lua", """\
-- A first-in first-out queue.
local Queue = {}
Queue.__index = Queue

function Queue.new()
  return setmetatable({ first = 1, last = 0, items = {} }, Queue)
end

function Queue:push(value)
  self.last = self.last + 1
  self.items[self.last] = value
end

local function drain(queue)
  for i = queue.first, queue.last do
    print(queue.items[i])
  end
end

return Queue
"""),
    ("yaml", "deployment.yaml", """\
# The web front end.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.25"
          ports:
            - containerPort: 80
"""),
    ("sql", "orders.sql", """\
-- Orders per customer, the largest first.
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    total DECIMAL(10, 2)
);

SELECT c.name, COUNT(o.id) AS orders, SUM(o.total) AS spent
FROM customers c
JOIN orders o ON o.customer_id = c.id
WHERE o.total > 10
GROUP BY c.name
ORDER BY spent DESC;
"""),
    ("go", "server.go", """\
package main

import (
\t"fmt"
\t"net/http"
)

// Handler answers every request with its path.
type Handler struct{ prefix string }

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
\tfmt.Fprintf(w, "%s%s\\n", h.prefix, r.URL.Path)
}

func main() {
\thttp.ListenAndServe(":8080", Handler{prefix: "> "})
}
"""),
    ("java", "Account.java", """\
package bank;

import java.util.ArrayList;
import java.util.List;

/** A bank account and its history. */
public class Account {
    private long balance;
    private final List<Long> history = new ArrayList<>();

    public void deposit(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive");
        }
        balance += amount;
        history.add(amount);
    }

    public long getBalance() { return balance; }
}
"""),
    ("javascript", "cart.js", """\
'use strict';

// A shopping cart.
class Cart {
  constructor() {
    this.items = [];
  }

  add(name, price) {
    this.items.push({ name, price });
    return this;
  }

  total() {
    return this.items.reduce((sum, item) => sum + item.price, 0);
  }
}

module.exports = { Cart };
"""),
    ("ruby", "stack.rb", """\
# A stack of plates.
module Kitchen
  class Stack
    attr_reader :plates

    def initialize
      @plates = []
    end

    def push(plate)
      @plates << plate
      self
    end

    def pop = @plates.pop
  end
end

puts Kitchen::Stack.new.push("blue").plates.inspect
"""),
    ("cpp", "matrix.cpp", """\
#include <iostream>
#include <vector>

// A square matrix of doubles.
class Matrix {
public:
    explicit Matrix(int n) : n_(n), cells_(n * n, 0.0) {}
    double& at(int row, int col) { return cells_[row * n_ + col]; }

private:
    int n_;
    std::vector<double> cells_;
};

int main() {
    Matrix m(3);
    m.at(1, 1) = 2.5;
    std::cout << m.at(1, 1) << std::endl;
    return 0;
}
"""),
    ("python", "stats.py", """\
\"\"\"Summary statistics.\"\"\"
from statistics import mean


def describe(values: list[float]) -> dict[str, float]:
    # The smallest, largest and mean value.
    return {"min": min(values), "max": max(values), "mean": mean(values)}


if __name__ == "__main__":
    print(describe([1.0, 2.0, 4.5]))
"""),
    ("typescript", "user.ts", """\
export interface User {
  id: number;
  name: string;
}

export function greet(user: User): string {
  return `Hello, ${user.name}`;
}
"""),
    ("toml", "Cargo.toml", """\
[package]
name = "shapes"
version = "0.1.0"
edition = "2021"

[dependencies]
serde = { version = "1", features = ["derive"] }
"""),
)
# The samples of tests/universal_samples/LANGUAGE/, for those that are there now.
SAMPLE_FOLDER = HERE / "universal_samples"
# Files with syntax errors, whose answers hold errors (and a partial tree).
BROKEN: tuple[tuple[str, str, str], ...] = (
    ("rust", "broken.rs", "fn main( {\n    let x = ;\n}\n"),
    ("java", "Broken.java", "public class Broken {\n    void f( {\n        return 1\n    }\n"),
    ("yaml", "broken.yaml", "key: [unclosed\nother: value\n"),
)
UNSERVED = ParseRequest(content="qaStaHvIS yIlIch\n", filename="hello.tlh", language="klingon")


def folder_samples(served_languages: list[str]) -> list[tuple[str, str, str]]:
    """(language, file name, text) of each file under tests/universal_samples/LANGUAGE/ but the
    expected outlines, for the languages the driver serves."""
    found = []
    for path in sorted(SAMPLE_FOLDER.glob("*/*")):
        language = path.parent.name
        if path.is_file() and path.name != "expected.txt" and language in served_languages:
            found.append((language, path.name, path.read_text(encoding="utf-8")))
    return found


def requests_for(spec: DriverSpec) -> list[ParseRequest]:
    """Every sample (SAMPLES, then the sample folder's) in every mode, then each broken file in
    every mode, then the unserved language, and a request naming no language."""
    clean = [*SAMPLES, *folder_samples(spec.manifest.languages)]
    return [
        *(ParseRequest(content=text, filename=name, language=language, mode=mode)
          for language, name, text in [*clean, *BROKEN] for mode in Mode),
        UNSERVED,
        ParseRequest(content="package main\n", filename="main.go"),
    ]


# --- the image, and the runtimes that run it ---------------------------------------------------


@pytest.fixture(scope="session")
def universal_image() -> Iterator[DriverImage]:
    """The image, built once (a failed build fails: the image is what is tested here); its
    containers and its tag removed after."""
    with built_driver_image("universal", build_failed=pytest.fail) as image:
        yield image


@pytest.fixture(scope="session")
def bundle_store(universal_image: DriverImage, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BundleStore]:
    """The image imported as a bundle for runc (by id: the tag may move)."""
    from driver_runtime.runtimes.oci import OCIRuntime

    availability = OCIRuntime.probe()
    if not availability.ok:
        containers_unavailable(availability.reason)
    folder = tmp_path_factory.mktemp("universal-oci")
    store = BundleStore(folder / "bundles")
    try:
        store.import_from_docker(universal_image.client, universal_image.id)
        yield store
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def container_runtime(kind: str, request: pytest.FixtureRequest, universal_image: DriverImage,
                      tmp_path: Path) -> Iterator[Runtime]:
    """A runtime of the kind under test; the containers it leaves behind removed after."""
    from driver_runtime.runtimes.docker import DockerRuntime
    from driver_runtime.runtimes.oci import OCIRuntime

    if kind == "docker":
        try:
            yield DockerRuntime()
        finally:
            remove_our_containers(universal_image.client)
        return
    runtime = OCIRuntime(store=request.getfixturevalue("bundle_store"), state_dir=tmp_path / "state")
    try:
        yield runtime
    finally:
        runc = ["runc", "--root", str(runtime.runc_root)]
        listed = subprocess.run([*runc, "list", "--format", "json"], capture_output=True, text=True, timeout=30,
                                check=False)
        for container in (json.loads(listed.stdout or "null") or []) if listed.returncode == 0 else []:
            subprocess.run([*runc, "delete", "--force", container["id"]], capture_output=True, timeout=30,
                           check=False)


def image_spec(image: DriverImage) -> DriverSpec:
    return attrs.evolve(image.spec, image=image.tag, digest=image.id)


# --- the image's labels ------------------------------------------------------------------------


def test_the_labels_carry_the_manifest(universal_image: DriverImage):
    assert_image_labels(universal_image)
    bundled = universal_image.spec.manifest
    labelled = images.manifest_from_labels(universal_image.client.images.get(universal_image.tag).labels)
    assert labelled is not None
    assert labelled.language == "universal"
    assert labelled.languages == bundled.languages
    assert {"rust", "csharp", "bash", "kotlin", "lua", "yaml", "sql", "go"} <= set(labelled.languages)
    assert labelled.symbol_kinds == bundled.symbol_kinds
    assert (labelled.name, labelled.version, labelled.protocol_version, labelled.parser) == (
        bundled.name, bundled.version, bundled.protocol_version, bundled.parser)


def test_the_image_holds_no_pip_and_no_compiler(universal_image: DriverImage):
    """The runtime stage is the driver host, the pinned packages and the driver: what built the
    packages (pip, a compiler) stayed in the build stage."""
    script = ("import importlib.util, shutil; "
              "print([m for m in ('pip', 'setuptools', 'ensurepip') if importlib.util.find_spec(m)], "
              "[c for c in ('cc', 'gcc', 'g++', 'c++', 'make') if shutil.which(c)])")
    out = universal_image.client.containers.run(
        universal_image.tag, ["-c", script], entrypoint="/opt/driver/venv/bin/python3", remove=True,
        network_disabled=True, read_only=True)
    assert out.decode().strip() == "[] []"


# --- the same answers, whatever runs the driver ------------------------------------------------


@pytest.mark.parametrize("kind", ["docker", "oci"])
async def test_the_driver_answers_in_a_container_as_in_a_process(
    kind: str, container_runtime: Runtime, universal_image: DriverImage,
):
    spec = universal_image.spec
    requests = requests_for(spec)
    process_health, expected = await served(ProcessRuntime(), spec, requests)
    # What is compared is worth comparing: trees without errors for SAMPLES (a tree for the sample
    # folder's), errors with a position for the broken files, an error for what is not served.
    modes = len(Mode)
    inline, broken = len(SAMPLES) * modes, len(BROKEN) * modes
    folder = len(requests) - inline - broken - 2
    assert len({language for language, _, _ in SAMPLES}) >= 12
    for number, (request, answer) in enumerate(zip(requests, expected)):
        if number < inline + folder:
            assert answer["language"] == request.language and answer.get("uast"), describe(request)
            assert number >= inline or not answer.get("errors"), (describe(request), answer["errors"])
        elif number < inline + folder + broken:
            assert answer["errors"] and answer["errors"][0].get("start"), describe(request)
    assert not expected[-2].get("uast") and "klingon" in expected[-2]["errors"][0]["message"], expected[-2]

    health, got = await served(container_runtime, image_spec(universal_image), requests)
    assert health == process_health
    assert health.language == "universal"
    assert health.languages == spec.manifest.languages
    assert len(got) == len(expected) == len(requests)
    for request, want, have in zip(requests, expected, got):
        assert have == want, f"{describe(request)} [{request.language}]: {kind} differs from process"
