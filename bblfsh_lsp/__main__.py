from bblfsh_lsp.launcher import main

raise SystemExit(main())
