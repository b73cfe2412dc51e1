"""The PHP driver: nikic/PHP-Parser in a long-lived php process (native/parse.php), its tree
shaped by this driver's tables into Babelfish's UAST (annotation.py, normalization.py)."""

from __future__ import annotations

from pathlib import Path

from driver_runtime.drivers.php import annotation, normalization
from driver_runtime.sdk.host import NativeDriver
from driver_runtime.sdk.normalizer import Tables
from driver_runtime.sdk.units import BYTES

HERE = Path(__file__).resolve().parent

TABLES = Tables(roles=annotation.ROLES, field_roles=annotation.FIELD_ROLES, transforms=normalization.TRANSFORMS)

# php reads the program from this folder and PHP-Parser from the prepared build folder
# (prepare.sh: the pinned library, copied there).  PHP-Parser's offsets are bytes.  -n: no
# php.ini at all (no auto_prepend_file, no extension from a PHPRC or scan folder), so the
# extensions PHP-Parser needs are named here: tokenizer (token_get_all), ctype, and OPcache,
# whose JIT parses about twice as fast.  Warnings go to stderr (stdout carries the answers).
PHP_OPTIONS = ("-n", "-d", "extension=tokenizer", "-d", "extension=ctype", "-d", "zend_extension=opcache",
               "-d", "display_errors=stderr", "-d", "error_reporting=E_ALL & ~E_DEPRECATED", "-d", "memory_limit=-1",
               "-d", "opcache.enable_cli=1", "-d", "opcache.memory_consumption=32", "-d", "opcache.jit_buffer_size=32M",
               "-d", "opcache.jit=tracing")
# The kinds of list whose items parse.php keeps between a document's versions, in its order.
KEPT_LISTS = (("Module", "children"), *((kind, "stmts") for kind in (
    "Stmt_Namespace", "Stmt_Class", "Stmt_Interface", "Stmt_Trait", "Stmt_Enum")))
NATIVE = ["php", *PHP_OPTIONS, "{folder}/native/parse.php", "{build}"]


class PhpDriver(NativeDriver):
    def __init__(self) -> None:
        # The native program keeps a document's unchanged statements and members (parse.php's Kept).
        super().__init__(HERE, native=NATIVE, tables=TABLES, unit=BYTES, kept_lists=KEPT_LISTS)
