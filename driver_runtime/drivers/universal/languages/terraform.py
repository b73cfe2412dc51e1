"""Terraform (tree-sitter-language-pack's terraform: the HCL grammar, same node types and fields)."""

from driver_runtime.drivers.universal.tables import LanguageTable

TABLE = LanguageTable(extends="hcl")
