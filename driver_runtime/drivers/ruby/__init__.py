"""The Ruby driver: Ruby's own parser (Ripper) in a native program, Babelfish's UAST here."""
