"""The C and C++ driver: clang's own parser (libclang 14) in a long-lived native program
(native/clang_ast.py, run by this driver's Python with the pinned libclang bindings that
prepare.sh installs), and the tables of annotation.py and normalization.py."""

from __future__ import annotations

import sys
from pathlib import Path

from driver_runtime.drivers.cpp import annotation, normalization
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.normalizer import Tables
from driver_runtime.sdk.programs import ISOLATED_PYTHON_FLAGS
from driver_runtime.sdk.units import BYTES

HERE = Path(__file__).resolve().parent

# The roles an operator's token gives are content roles (annotation.operator_roles).
TABLES = Tables(roles=annotation.ROLES, field_roles=annotation.FIELD_ROLES, transforms=normalization.TRANSFORMS,
                content_roles=dict.fromkeys(annotation.OPERATOR_TYPES, annotation.operator_roles))


# The kinds of list whose items clang_ast.py keeps between a document's versions, in its order.
KEPT_LISTS = (("TranslationUnit", "Declarations"), ("Namespace", "Declarations"))


class CppDriver(NativeDriver):
    def __init__(self) -> None:
        # The native program is Python (libclang's own bindings), run by this interpreter,
        # isolated as the driver is (clang_ast.py puts its own folders on sys.path).
        super().__init__(HERE, native=[sys.executable, *ISOLATED_PYTHON_FLAGS, "{folder}/native/clang_ast.py", "{build}"],
                         tables=TABLES, unit=BYTES, kept_lists=KEPT_LISTS)
