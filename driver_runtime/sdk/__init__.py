"""The driver kit: everything a driver needs besides its own folder, and all that a driver image
ships of this package (images.py copies this folder whole).

The protocol (protocol.py), the UAST's names and positions (uast.py), the protocol loop and the
manifest loader (serve.py), the SDK for drivers around a native parser, the launcher, and the
driver host image's Dockerfile and requirements.  A driver imports this package, its own folder,
the standard library and what requirements.txt lists, never the runtimes or the language server:
it is a separate program that only speaks the protocol; tests/test_kit_isolation.py checks it.

Nothing is imported here: the host reads the protocol and the UAST's names from the kit, and a
command line that does would otherwise pay for the whole serve loop (its outline, folds and
views) before it starts its first driver.
"""
