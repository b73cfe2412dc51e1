from bblfsh_lsp.cli import main

raise SystemExit(main())
