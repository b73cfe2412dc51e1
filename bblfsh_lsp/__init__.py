"""bblfsh-lsp: the language server and command line that face users."""

__version__ = "0.1.0"
