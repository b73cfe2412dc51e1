"""Benchmark: what the C/C++ driver adds to clang's own parse time.

On the largest C/C++ fixture (../shared/conformance/cpp, or --file), median latency of:
  reference  - libclang called in-process by a tiny C timing program: clang_parseTranslationUnit2
               on the file from memory with the driver's options (C++17, no system headers,
               keep going) and the prelude the driver settles on for this file (what its
               missing headers would declare: without it clang drops most of the file and
               has little to do), then one walk over every cursor (clang_visitChildren, with
               each cursor's extent), after warm-up.  Without a C compiler and libclang's
               headers (libclang-14-dev), the same parse and walk through libclang's Python
               bindings in this process stands in, and the output says so;
  native     - the driver (CppDriver, a NativeDriver in this process), native mode: the parses
               (one, then one more with the prelude that declares what the missing headers
               would: see native/prelude.py), the tree built from clang's cursors and tokens,
               written as JSON, the pipe, JSON decoding;
  annotated, semantic, runtime: the rows of every driver bench (bench/common.py, MEASURED_ROWS).

Needs Debian's libclang1-14 and the prepared driver (`bblfsh-lsp driver install cpp --runtime
process`); the C reference needs gcc (or cc) and libclang-14-dev.
Run: python bench/driver_cpp.py [--n 30] [--file FILE]
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import Reference, bench_largest_fixture, timed_samples

from driver_runtime.drivers.cpp.driver import CppDriver

LLVM = Path("/usr/lib/llvm-14")
ARGS = ["-x", "c++", "-std=c++17", "-nostdinc", "-nostdinc++", "-fno-spell-checking", "-ferror-limit=0", "-w"]
OPTIONS = 0x1 | 0x2 | 0x200  # detailed preprocessing record, incomplete, keep going (as the driver)

# libclang timed in its own runtime: argv = file, runs; prints the seconds of each run (after as
# many warm-up runs) as a JSON list.
TIMER = r"""
#include <clang-c/Index.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static enum CXChildVisitResult visit(CXCursor cursor, CXCursor parent, CXClientData data) {
  CXSourceRange extent = clang_getCursorExtent(cursor);
  unsigned start, end;
  clang_getFileLocation(clang_getRangeStart(extent), NULL, NULL, NULL, &start);
  clang_getFileLocation(clang_getRangeEnd(extent), NULL, NULL, NULL, &end);
  *(unsigned long *)data += 1 + (end >= start);
  return CXChildVisit_Recurse;
}

int main(int argc, char **argv) {
  FILE *file = fopen(argv[1], "rb");
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *source = malloc(size + 1);
  if (fread(source, 1, size, file) != (size_t)size) return 1;
  fclose(file);
  int runs = atoi(argv[2]);
  const char *args[] = {%(args)s, "-include", argv[3]};
  CXIndex index = clang_createIndex(0, 0);
  printf("[");
  for (int i = 0; i < 2 * runs; i++) {
    struct timespec started, ended;
    clock_gettime(CLOCK_MONOTONIC, &started);
    struct CXUnsavedFile unsaved = {"/__bblfsh__/input.cpp", source, (unsigned long)size};
    CXTranslationUnit unit;
    if (clang_parseTranslationUnit2(index, "/__bblfsh__/input.cpp", args, sizeof(args) / sizeof(*args),
                                    &unsaved, 1, %(options)d, &unit) != CXError_Success) return 2;
    unsigned long nodes = 0;
    clang_visitChildren(clang_getTranslationUnitCursor(unit), visit, &nodes);
    clang_disposeTranslationUnit(unit);
    clock_gettime(CLOCK_MONOTONIC, &ended);
    if (i >= runs)
      printf("%%s%%.9f", i > runs ? "," : "", (ended.tv_sec - started.tv_sec) + (ended.tv_nsec - started.tv_nsec) / 1e9);
  }
  printf("]\n");
  clang_disposeIndex(index);
  return 0;
}
"""


@functools.cache
def bindings(folder: Path, build: Path) -> tuple[Any, Any]:
    """The driver's native clang_ast module and libclang's Python bindings, loaded once (libclang's
    library can be set only once in a process)."""
    sys.path.insert(0, str(folder / "native"))
    import clang_ast

    return clang_ast, clang_ast.load_cindex(str(build))


def final_prelude(driver: CppDriver, path: Path) -> str:
    """The prelude the driver's native parser settles on for the file."""
    clang_ast, cindex = bindings(driver.folder, driver.build)
    parser = clang_ast.Parser(cindex)
    parser.parse(path.read_text(encoding="utf-8"), path.name)
    return parser.last_prelude


def reference_in_c(path: Path, prelude: Path, runs: int) -> list[float] | None:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None or not (LLVM / "include" / "clang-c" / "Index.h").exists():
        return None
    with tempfile.TemporaryDirectory(prefix="bblfsh-lsp-cpp-bench-") as scratch:
        folder = Path(scratch)
        program = TIMER % {"args": ", ".join(json.dumps(arg) for arg in ARGS), "options": OPTIONS}
        (folder / "timer.c").write_text(program, encoding="utf-8")
        subprocess.run([compiler, "-O2", "-o", str(folder / "timer"), str(folder / "timer.c"),
                        f"-I{LLVM / 'include'}", f"-L{LLVM / 'lib'}", "-lclang", f"-Wl,-rpath,{LLVM / 'lib'}"],
                       check=True, timeout=300)
        return timed_samples([str(folder / "timer"), str(path), str(runs), str(prelude)], timeout=1200)


def reference_in_python(driver: CppDriver, path: Path, prelude: Path, runs: int) -> list[float]:
    """The same parse and walk through libclang's Python bindings (the driver's own)."""
    _, cindex = bindings(driver.folder, driver.build)
    index = cindex.Index.create()
    data = path.read_bytes()
    samples = []
    for number in range(2 * runs):
        started = time.perf_counter()
        unit = index.parse("/__bblfsh__/input.cpp", args=[*ARGS, "-include", str(prelude)],
                           unsaved_files=[("/__bblfsh__/input.cpp", data)], options=OPTIONS)
        stack = [unit.cursor]
        while stack:
            cursor = stack.pop()
            extent = cursor.extent
            _ = extent.start.offset, extent.end.offset
            stack.extend(cursor.get_children())
        if number >= runs:
            samples.append(time.perf_counter() - started)
    return samples


def reference(driver: CppDriver, path: Path, runs: int) -> Reference:
    """libclang from C, or through the Python bindings where C cannot be built."""
    with tempfile.TemporaryDirectory(prefix="bblfsh-lsp-cpp-prelude-") as scratch:
        prelude = Path(scratch) / "prelude.h"
        prelude.write_text(final_prelude(driver, path), encoding="utf-8")
        samples = reference_in_c(path, prelude, runs)
        if samples is not None:
            return Reference(samples, "libclang from C: one parse (with the prelude) and a walk over every cursor")
        return Reference(reference_in_python(driver, path, prelude, runs),
                         "libclang through its Python bindings (no C compiler or libclang-14-dev here)")


def main() -> None:
    driver = CppDriver()
    bench_largest_fixture(__doc__, driver, ".cpp", "C/C++", 30, lambda path, runs: reference(driver, path, runs),
                          warmup=3)


if __name__ == "__main__":
    main()
