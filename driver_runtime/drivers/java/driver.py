"""The Java driver: a NativeDriver around javac's parser in a long-lived JVM.

The native program (native/src/bblfsh/java) is compiled by prepare.sh into {build}/java-driver.jar;
it answers with javac's tree shaped like Eclipse JDT's DOM, in UTF-16 offsets (javac's unit).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from driver_runtime.drivers.java import annotation, normalization
from driver_runtime.sdk.host import NativeDriver, lone_surrogate
from driver_runtime.sdk.normalizer import Tables
from driver_runtime.sdk.prepared import build_dir
from driver_runtime.sdk.programs import find_program
from driver_runtime.sdk.protocol import ParseRequest, ParseResult
from driver_runtime.sdk.serve import load_manifest
from driver_runtime.sdk.units import UTF16

HERE = Path(__file__).resolve().parent

# The roles that depend on a node's content (a modifier's keyword, an operator, a primitive type)
# are content roles (annotation.DYNAMIC).
TABLES = Tables(roles=annotation.ROLES, field_roles=annotation.FIELD_ROLES, transforms=normalization.TRANSFORMS,
                content_roles=annotation.CONTENT_ROLES)

# One JVM per driver instance, kept small: the serial collector (no GC threads to speak of), a
# bounded heap and code cache, so that the JVM (about 130 MB resident when busy) and the Python
# host stay well inside a driver container's memory limit (512 MiB by default); class data
# sharing (the image's archive of javac's classes, if prepare.sh wrote one) for a faster start.
JVM_OPTIONS = [
    "-XX:+UseSerialGC",
    "-Xms16m",  # the default starts at 1/64 of the machine's memory
    "-Xmx256m",
    "-XX:MaxMetaspaceSize=64m",
    "-XX:ReservedCodeCacheSize=32m",
    # C1 only: the parser's code is hot after a few files, and C2's compilations cost more
    # than they win for a process that parses one file at a time (measured: 2.0 s against
    # 3.9 s for 60 parses of a 32 KB file).
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-Xshare:auto",
    # JVM warnings go to stdout by default: the protocol owns stdout.
    "-Xlog:disable",
    "-Xlog:all=warning:stderr",
]
MAIN_CLASS = "bblfsh.java.Main"
# The kinds of list whose items the native program keeps between a document's versions, in
# Kept.java's order.
KEPT_LISTS = (("CompilationUnit", "types"), *((kind, "bodyDeclarations") for kind in (
    "TypeDeclaration", "InterfaceDeclaration", "EnumDeclaration", "RecordDeclaration", "AnnotationTypeDeclaration",
    "AnonymousClassDeclaration")), ("CompilationUnit", "comments"))
CDS_ARCHIVE = "java.jsa"
JAR = "java-driver.jar"


def java_binary() -> str:
    """The JVM that runs the parser: $BBLFSH_LSP_JAVA if it is an absolute path, else `java` on
    the PATH's absolute folders (sdk.programs.find_program: never one in the working directory)."""
    explicit = os.environ.get("BBLFSH_LSP_JAVA", "")
    return explicit if os.path.isabs(explicit) else find_program("java") or "java"


def native_command(build: Path) -> list[str]:
    command = [java_binary(), *JVM_OPTIONS]
    if (build / CDS_ARCHIVE).exists():
        command.append(f"-XX:SharedArchiveFile={build / CDS_ARCHIVE}")
    return [*command, "-cp", str(build / JAR), MAIN_CLASS]


class JavaDriver(NativeDriver):
    def __init__(self) -> None:
        manifest = load_manifest(HERE)
        build = build_dir(manifest.name, manifest.version)
        # The native program keeps a document's unchanged types, members and comments (Kept.java).
        super().__init__(HERE, native=native_command(build), tables=TABLES, unit=UTF16, manifest=manifest,
                         kept_lists=KEPT_LISTS)

    def _parse(self, request: ParseRequest, fields: dict[str, Any] | None) -> ParseResult:
        unreadable = lone_surrogate(request.content, "the source is not valid Unicode (a lone UTF-16 surrogate)")
        if unreadable is not None:
            return ParseResult(language=self.manifest.language, errors=[unreadable])
        return super()._parse(request, fields)
