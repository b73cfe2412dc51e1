-- bblfsh-lsp for Neovim 0.11+: vim.lsp.config('bblfsh', {...}) overrides any field;
-- vim.lsp.enable('bblfsh') starts it for the filetypes below.

-- The server runs in this plugin's folder, not in the project Neovim was started in: nothing of
-- the project (an ast.py, a node_modules) may be taken for the server's or its drivers' code.
local plugin_folder = vim.fs.dirname(vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2))))

return {
  cmd = { 'bblfsh-lsp', 'serve' },
  cmd_cwd = plugin_folder,
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
