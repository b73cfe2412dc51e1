-- Commands for bblfsh-lsp; the server itself is configured in lsp/bblfsh.lua.
if vim.g.loaded_bblfsh then
  return
end
vim.g.loaded_bblfsh = true

local function bblfsh()
  return require('bblfsh')
end

vim.api.nvim_create_user_command('BblfshQuery', function(opts)
  bblfsh().query(opts.args)
end, { nargs = '+', desc = 'bblfsh: structural search (XPath) over the workspace into the quickfix list' })

vim.api.nvim_create_user_command('BblfshQueryFile', function(opts)
  bblfsh().query(opts.args, { file = true })
end, { nargs = '+', desc = 'bblfsh: structural search (XPath) in this file into the quickfix list' })

vim.api.nvim_create_user_command('BblfshPattern', function(opts)
  bblfsh().pattern(opts.args)
end, { nargs = '+', desc = 'bblfsh: structural search with a code pattern ($X, $$$ARGS) into the quickfix list' })

vim.api.nvim_create_user_command('BblfshPatternFile', function(opts)
  bblfsh().pattern(opts.args, { file = true })
end, { nargs = '+', desc = 'bblfsh: structural search with a code pattern in this file into the quickfix list' })

local modes = function() return { 'semantic', 'annotated', 'native' } end

vim.api.nvim_create_user_command('BblfshUast', function(opts)
  bblfsh().uast(opts.args ~= '' and opts.args or 'semantic')
end, { nargs = '?', complete = modes, desc = "bblfsh: explore this file's UAST (follows the cursor; yq copies a query)" })

vim.api.nvim_create_user_command('BblfshUastJson', function(opts)
  bblfsh().uast_json(opts.args ~= '' and opts.args or 'semantic')
end, { nargs = '?', complete = modes, desc = "bblfsh: show this file's UAST as JSON" })

vim.api.nvim_create_user_command('BblfshCopyQuery', function()
  bblfsh().copy_query(vim.api.nvim_get_current_buf())
end, { desc = "bblfsh: in a :BblfshUast buffer, copy the node's XPath (and pattern) as a query" })

vim.api.nvim_create_user_command('BblfshDrivers', function()
  bblfsh().driver('list')
end, { desc = 'bblfsh: list drivers' })

for _, verb in ipairs({ 'install', 'update', 'rollback', 'remove', 'build' }) do
  local name = 'BblfshDriver' .. verb:sub(1, 1):upper() .. verb:sub(2)
  vim.api.nvim_create_user_command(name, function(opts)
    bblfsh().driver(verb, opts.fargs)
  end, { nargs = '+', desc = 'bblfsh: ' .. verb .. ' a driver (LANG [SOURCE])' })
end

vim.api.nvim_create_autocmd('LspAttach', {
  group = vim.api.nvim_create_augroup('bblfsh', { clear = true }),
  callback = function(args)
    local lsp = vim.lsp.get_client_by_id(args.data.client_id)
    if lsp and lsp.name == 'bblfsh' and vim.g.bblfsh_folding ~= false then
      bblfsh().fold_with_lsp(args.buf)
    end
  end,
})
