"""What a driver written in Python needs: the protocol loop and the manifest loader.

A driver imports this package and :mod:`driver_runtime.protocol`, never the runtimes or the
language server: it is a separate program that only speaks the protocol.
"""

from driver_runtime.sdk.serve import Driver, load_manifest, serve

__all__ = ["Driver", "load_manifest", "serve"]
