"""The drivers of the driver suite (tests/test_drivers.py): one module per driver, each with its
CASE (driver_checks.DriverCase): its samples, what they must give, and its own tests.  A driver
joins the suite by adding its module here; every module in this folder is one.
"""

from __future__ import annotations

import importlib
import pkgutil

from driver_checks import DriverCase

CASES: list[DriverCase] = [importlib.import_module(f"{__name__}.{module.name}").CASE
                           for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name)]
