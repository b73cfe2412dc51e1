"""The Go driver: Go's own go/parser (a small native program), Babelfish's Go UAST."""
