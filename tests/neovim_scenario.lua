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
  vim.cmd('cclose')
  out.pattern = quickfix_after('BblfshPattern', '$S.area()')
  vim.cmd('cclose')

  -- :BblfshUast: a tree beside the source that follows its cursor; `yq` copies a node as a query.
  vim.api.nvim_set_current_win(vim.fn.bufwinid(bufnr))
  local windows = #vim.api.nvim_list_wins()
  vim.cmd('BblfshUast')
  local tree
  wait('the UAST explorer', 20000, function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.b[buf].bblfsh_uast then tree = buf return true end
    end
    return false
  end)
  if tree then
    out.uast_windows = #vim.api.nvim_list_wins() - windows
    out.uast_first = vim.api.nvim_buf_get_lines(tree, 0, 1, false)[1]
    out.uast_name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(tree), ':t')
    local tree_win = vim.fn.bufwinid(tree)
    local source_win = vim.fn.bufwinid(bufnr)
    local function tree_line_at(line, col)
      vim.api.nvim_set_current_win(source_win)
      vim.api.nvim_win_set_cursor(source_win, { line, col })
      vim.api.nvim_exec_autocmds('CursorMoved', { buffer = bufnr })
      return vim.trim(vim.api.nvim_buf_get_lines(tree, vim.api.nvim_win_get_cursor(tree_win)[1] - 1,
        vim.api.nvim_win_get_cursor(tree_win)[1], false)[1])
    end
    out.follow_radius = tree_line_at(12, vim.fn.getline(12):find('radius') - 1)
    out.follow_area = tree_line_at(11, vim.fn.getline(11):find('area') - 1)
    local marks = vim.api.nvim_buf_get_extmarks(bufnr, vim.api.nvim_get_namespaces().bblfsh_uast, 0, -1,
      { details = true })
    out.highlight = marks[1] and { marks[1][2] + 1, marks[1][3], marks[1][4].end_row + 1, marks[1][4].end_col } or nil
    -- Copy as query on the node under the tree's cursor (the function `area`).
    local copied
    vim.api.nvim_set_current_win(tree_win)
    require('bblfsh').copy_query(tree, function(answer) copied = answer end)
    wait('the node query', 20000, function() return copied ~= nil end)
    out.copied = copied and { xpath = copied.xpath, count = copied.count, register = vim.fn.getreg('"') } or nil
  end
end
io.stdout:write(vim.json.encode(out) .. '\n')
vim.cmd('qa!')
