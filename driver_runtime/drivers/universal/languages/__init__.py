"""One table per language (tables.py says what a table holds); _generic.py is the base of all."""
