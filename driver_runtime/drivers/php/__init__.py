"""The PHP driver: nikic/PHP-Parser (a long-lived php process) behind Babelfish's tables."""
