-- Driven by tests/test_editor_neovim.py: a real Neovim with editors/neovim on its runtimepath,
-- on the file given as argument; prints one JSON object with what the user would see.
local out = { errors = {} }
local function wait(what, ms, check)
  if not vim.wait(ms, check, 50) then
    table.insert(out.errors, 'timed out waiting for ' .. what)
    return false
  end
  return true
end

local bufnr = vim.api.nvim_get_current_buf()
out.filetype = vim.bo[bufnr].filetype
if wait('the server to attach', 30000, function() return #vim.lsp.get_clients({ name = 'bblfsh', bufnr = bufnr }) > 0 end) then
  local lsp = vim.lsp.get_clients({ name = 'bblfsh', bufnr = bufnr })[1]
  out.encoding = lsp.offset_encoding

  -- Outline: textDocument/documentSymbol, as an outline plugin or :lua vim.lsp.buf.document_symbol() asks it.
  local answer = vim.lsp.buf_request_sync(bufnr, 'textDocument/documentSymbol',
    { textDocument = vim.lsp.util.make_text_document_params(bufnr) }, 20000)
  local symbols = {}
  local function collect(list, depth)
    for _, symbol in ipairs(list or {}) do
      table.insert(symbols, { name = symbol.name, kind = vim.lsp.protocol.SymbolKind[symbol.kind], depth = depth,
        line = symbol.range.start.line + 1 })
      collect(symbol.children, depth + 1)
    end
  end
  for _, response in pairs(answer or {}) do
    collect(response.result, 0)
  end
  out.symbols = symbols

  -- Folds: vim.lsp.foldexpr(), set by the plugin when the server attached.
  out.foldexpr = vim.wo.foldexpr
  local last = vim.api.nvim_buf_line_count(bufnr)
  wait('folding ranges', 20000, function()
    vim.cmd('silent! normal! zx')
    for line = 1, last do
      if vim.fn.foldlevel(line) > 0 then return true end
    end
    return false
  end)
  vim.cmd('normal! zR')
  local folds = {}
  for line = 1, last do
    vim.cmd(('silent! %dfoldclose'):format(line))
    local first, final = vim.fn.foldclosed(line), vim.fn.foldclosedend(line)
    if first == line then
      table.insert(folds, { first, final })
    end
    vim.cmd('normal! zR')
  end
  out.folds = folds

  -- Structural search into the quickfix list: over the workspace, then a count in this file.
  local function quickfix_after(command, query)
    vim.cmd(command .. ' ' .. query)
    wait('the query ' .. query, 20000, function()
      return vim.fn.getqflist({ title = 0 }).title == 'bblfsh: ' .. query
    end)
    local quickfix = {}
    for _, item in ipairs(vim.fn.getqflist()) do
      table.insert(quickfix, { file = vim.fn.fnamemodify(vim.fn.bufname(item.bufnr), ':t'), lnum = item.lnum,
        col = item.col, text = item.text })
    end
    return quickfix
  end
  out.quickfix = quickfix_after('BblfshQuery', '//uast:FunctionGroup')
  vim.cmd('cclose') -- back in shapes.py's window: a file query asks about the current buffer
  out.counted = quickfix_after('BblfshQueryFile', 'count(//uast:FunctionGroup)')
end
io.stdout:write(vim.json.encode(out) .. '\n')
vim.cmd('qa!')
