"""The Go driver: Go's own go/parser in a small native program (native/), the protocol and the
tables here (annotation.py, normalization.py)."""

from __future__ import annotations

from pathlib import Path

import attrs

from driver_runtime.drivers.go import annotation, normalization
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.normalizer import Tables
from driver_runtime.sdk.units import BYTES

HERE = Path(__file__).resolve().parent

# The native program prepare.sh builds, and the Go release it was built with.
PROGRAM = "go-parser"
GO_VERSION_FILE = "go-version.txt"

# The roles that depend on a node's token (operators, literal kinds, `var`) are content roles.
TABLES = Tables(roles=annotation.ROLES, field_roles=annotation.FIELD_ROLES, transforms=normalization.TRANSFORMS,
                content_roles=annotation.CONTENT_ROLES, child_roles=annotation.CHILD_ROLES)


class GoDriver(NativeDriver):
    def __init__(self) -> None:
        # go/token positions are byte offsets: no conversion.
        # The native program keeps a document's unchanged declarations and comments (sdk.native_reuse).
        super().__init__(HERE, native=[f"{{build}}/{PROGRAM}"], tables=TABLES, unit=BYTES,
                         kept_lists=(("File", "Decls"), ("File", "Comments")))
        try:
            version = (self.build / GO_VERSION_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            version = ""
        if version:
            self.manifest = attrs.evolve(self.manifest, parser=f"{version} go/parser")
