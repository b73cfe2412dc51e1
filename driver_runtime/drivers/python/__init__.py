"""The Python driver (a separate program: run it with ``python -m driver_runtime.drivers.python``)."""
