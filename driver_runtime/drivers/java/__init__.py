"""The Java driver: javac's own parser (the JDK compiler tree API) in a long-lived JVM, its tree
shaped like Eclipse JDT's (the tree Babelfish's Java driver used), and Babelfish's tables."""
