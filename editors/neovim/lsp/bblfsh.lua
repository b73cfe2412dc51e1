-- bblfsh-lsp for Neovim 0.11+: vim.lsp.config('bblfsh', {...}) overrides any field;
-- vim.lsp.enable('bblfsh') starts it for the filetypes below.
return {
  cmd = { 'bblfsh-lsp', 'serve' },
  filetypes = {
    'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact',
    'go', 'java', 'ruby', 'php', 'c', 'cpp', 'sh', 'bash', 'cs',
  },
  root_markers = { '.git', 'pyproject.toml', 'package.json', 'go.mod', 'pom.xml', 'Gemfile', 'composer.json' },
  -- The server's settings (README: Settings); sent as initializationOptions.
  init_options = {
    runtime = 'auto',
  },
}
