-- Structural search, UAST views and driver management for bblfsh-lsp (see README.md).
local M = {}

-- This file's folder: where helper programs run, never the project's folder.
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2)))

local function client(bufnr)
  local clients = vim.lsp.get_clients({ name = 'bblfsh', bufnr = bufnr })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = 'bblfsh' })
  end
  if #clients == 0 then
    vim.notify('bblfsh: the bblfsh language server is not running', vim.log.levels.ERROR)
    return nil
  end
  return clients[1]
end

local function fail(what, err)
  vim.notify(('bblfsh: %s: %s'):format(what, err and err.message or tostring(err)), vim.log.levels.ERROR)
end

--- A pattern's captures as quickfix text: `$X=x $T=int`.
local function captures_text(captures)
  local names = vim.tbl_keys(captures or {})
  table.sort(names)
  local parts = {}
  for _, name in ipairs(names) do
    table.insert(parts, ('$%s=%s'):format(name, (captures[name].text or ''):gsub('%s+', ' ')))
  end
  return table.concat(parts, ' ')
end

--- Matches of `query` ({uri, range, type, label, captures?}) as quickfix items: each one's text is its
--- line of code (as :grep shows it), then a pattern's captures; a value (count(...)) reads `value N`.
function M.to_quickfix(matches, encoding)
  local items = {}
  for _, match in ipairs(matches or {}) do
    local bufnr = vim.uri_to_bufnr(match.uri)
    vim.fn.bufload(bufnr)
    local start = match.range.start
    local line = vim.api.nvim_buf_get_lines(bufnr, start.line, start.line + 1, false)[1] or ''
    local col = vim.str_byteindex(line, encoding or 'utf-16', start.character, false)
    local text = match.type .. (match.label ~= '' and (' ' .. match.label) or '')
    if match.type ~= 'value' then
      text = vim.trim(line)
      local captured = captures_text(match.captures)
      if captured ~= '' then
        text = text .. '  ' .. captured
      end
    end
    table.insert(items, {
      bufnr = bufnr,
      lnum = start.line + 1,
      col = col + 1,
      text = text,
      user_data = { type = match.type, label = match.label, captures = match.captures },
    })
  end
  return items
end

--- Run an XPath query (or, with `pattern`, a code pattern) over the workspace (or, with `file`, the
--- current buffer) into the quickfix list.
function M.query(xpath, opts)
  opts = opts or {}
  local bufnr = vim.api.nvim_get_current_buf()
  local lsp = client(bufnr)
  if not lsp then
    return
  end
  local params = opts.pattern and { pattern = xpath, language = opts.language } or { query = xpath }
  if opts.file then
    if vim.bo[bufnr].buftype ~= '' then -- the quickfix list, a help page...: not a file the server has
      return fail('query', 'this buffer is not a file; run it from a window showing a source file')
    end
    params.textDocument = vim.lsp.util.make_text_document_params(bufnr)
  end
  lsp:request('bblfsh/query', params, function(err, matches)
    if err then
      return fail('query', err)
    end
    local items = M.to_quickfix(matches, lsp.offset_encoding)
    vim.fn.setqflist({}, ' ', { title = 'bblfsh: ' .. xpath, items = items })
    if #items == 0 then
      vim.notify('bblfsh: no match for ' .. xpath)
    elseif opts.open ~= false then
      vim.cmd('copen')
    end
    if opts.done then
      opts.done(items)
    end
  end, bufnr)
end

--- Search with a code pattern (`isinstance($X, $T)`) into the quickfix list.
function M.pattern(pattern, opts)
  return M.query(pattern, vim.tbl_extend('force', opts or {}, { pattern = true }))
end

-- The UAST explorer: the tree of `bblfsh/uastTree`, one line a node, in a window beside the source;
-- it follows the source's cursor, and the node under its own cursor is highlighted in the source.
local explorer_ns = vim.api.nvim_create_namespace('bblfsh_uast')

local function contains(range, line, character)
  local s, e = range.start, range['end']
  if line < s.line or line > e.line then
    return false
  end
  if line == s.line and character < s.character then
    return false
  end
  return not (line == e.line and character > e.character)
end

local function size_of(range)
  return (range['end'].line - range.start.line) * 1e6 + (range['end'].character - range.start.character)
end

--- The explorer line (1-based) of the smallest node whose range holds the position (LSP units).
function M.node_line(nodes, line, character)
  local best, best_size = nil, math.huge
  for number, node in ipairs(nodes) do
    if node.range and contains(node.range, line, character) then
      local size = size_of(node.range)
      if size <= best_size then -- among equals, the deeper one (it comes later)
        best, best_size = number, size
      end
    end
  end
  return best
end

local function flatten(entry, depth, path, lines, nodes)
  local where = entry.range and (' %d:%d'):format(entry.range.start.line + 1, entry.range.start.character + 1) or ''
  table.insert(lines, ('%s%s%s%s%s'):format(string.rep('  ', depth), entry.field and (entry.field .. ': ') or '',
    entry.type, entry.label ~= '' and (' "' .. entry.label .. '"') or '', where))
  table.insert(nodes, { range = entry.range, path = path })
  for number, child in ipairs(entry.children or {}) do
    local child_path = vim.list_extend(vim.deepcopy(path), { number - 1 })
    flatten(child, depth + 1, child_path, lines, nodes)
  end
end

--- Show the current buffer's UAST (mode: semantic, annotated or native) as a tree that follows the cursor.
function M.uast(mode)
  mode = mode or 'semantic'
  local source = vim.api.nvim_get_current_buf()
  local source_win = vim.api.nvim_get_current_win()
  local lsp = client(source)
  if not lsp then
    return
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(source), mode = mode }
  lsp:request('bblfsh/uastTree', params, function(err, answer)
    if err then
      return fail('uast', err)
    end
    local lines, nodes = {}, {}
    flatten(answer.root, 0, {}, lines, nodes)
    vim.cmd('vnew')
    local tree = vim.api.nvim_get_current_buf()
    local tree_win = vim.api.nvim_get_current_win()
    vim.bo[tree].buftype = 'nofile'
    vim.bo[tree].bufhidden = 'wipe'
    vim.bo[tree].swapfile = false
    vim.api.nvim_buf_set_lines(tree, 0, -1, false, lines)
    vim.bo[tree].modifiable = false
    vim.bo[tree].filetype = 'bblfsh-uast'
    vim.wo[tree_win].cursorline = true
    vim.api.nvim_buf_set_name(tree, ('bblfsh://%s/%s.uast'):format(mode, vim.fn.fnamemodify(answer.uri, ':t')))
    vim.b[tree].bblfsh_uast = { source = source, nodes = nodes, mode = mode, version = answer.version }
    local group = vim.api.nvim_create_augroup('bblfsh_uast_' .. tree, { clear = true })
    -- The source's cursor moves the tree's to the node under it.
    vim.api.nvim_create_autocmd({ 'CursorMoved', 'CursorMovedI' }, {
      group = group,
      buffer = source,
      callback = function()
        M.follow(tree, lsp.offset_encoding)
      end,
    })
    -- The tree's cursor highlights its node in the source.
    vim.api.nvim_create_autocmd('CursorMoved', {
      group = group,
      buffer = tree,
      callback = function()
        M.highlight_node(tree, lsp.offset_encoding)
      end,
    })
    vim.api.nvim_create_autocmd('BufWipeout', {
      group = group,
      buffer = tree,
      callback = function()
        pcall(vim.api.nvim_buf_clear_namespace, source, explorer_ns, 0, -1)
        pcall(vim.api.nvim_del_augroup_by_id, group)
      end,
    })
    vim.keymap.set('n', 'yq', function() M.copy_query(tree) end, { buffer = tree, desc = 'bblfsh: copy as query' })
    if vim.api.nvim_win_is_valid(source_win) then
      vim.api.nvim_set_current_win(source_win)
      M.follow(tree, lsp.offset_encoding)
    end
  end, source)
end

--- Move the explorer's cursor to the node under the source window's cursor.
function M.follow(tree, encoding)
  local state = vim.api.nvim_buf_is_valid(tree) and vim.b[tree].bblfsh_uast
  if not state then
    return
  end
  local win = vim.api.nvim_get_current_win()
  local position = vim.lsp.util.make_position_params(win, encoding or 'utf-16').position
  local line = M.node_line(state.nodes, position.line, position.character)
  if not line then
    return
  end
  for _, tree_win in ipairs(vim.fn.win_findbuf(tree)) do
    vim.api.nvim_win_set_cursor(tree_win, { line, 0 })
  end
  M.highlight_node(tree, encoding)
end

--- Highlight in the source the range of the node on the explorer's cursor line.
function M.highlight_node(tree, encoding)
  local state = vim.b[tree].bblfsh_uast
  local wins = vim.fn.win_findbuf(tree)
  if not state or #wins == 0 or not vim.api.nvim_buf_is_valid(state.source) then
    return
  end
  local node = state.nodes[vim.api.nvim_win_get_cursor(wins[1])[1]]
  vim.api.nvim_buf_clear_namespace(state.source, explorer_ns, 0, -1)
  if not node or not node.range then
    return
  end
  local function byte(position)
    local text = vim.api.nvim_buf_get_lines(state.source, position.line, position.line + 1, false)[1] or ''
    return vim.str_byteindex(text, encoding or 'utf-16', position.character, false)
  end
  local s, e = node.range.start, node.range['end']
  pcall(vim.api.nvim_buf_set_extmark, state.source, explorer_ns, s.line, byte(s),
    { end_row = e.line, end_col = byte(e), hl_group = 'Visual' })
end

--- "Copy as query" on the explorer's node under the cursor: its XPath into the unnamed register (and
--- `+` when there is a clipboard), its pattern too when one applies, as `bblfsh/nodeQuery` made them.
function M.copy_query(tree, done)
  local state = vim.b[tree].bblfsh_uast
  local wins = vim.fn.win_findbuf(tree)
  if not state or #wins == 0 then
    return fail('copy query', 'not a UAST explorer buffer')
  end
  local node = state.nodes[vim.api.nvim_win_get_cursor(wins[1])[1]]
  local lsp = client(state.source)
  if not lsp or not node then
    return
  end
  lsp:request('bblfsh/nodeQuery', { textDocument = vim.lsp.util.make_text_document_params(state.source),
    mode = state.mode, path = node.path, version = state.version }, function(err, answer)
    if err then
      return fail('copy query', err)
    end
    vim.fn.setreg('"', answer.xpath)
    pcall(vim.fn.setreg, '+', answer.xpath)
    local pattern = answer.pattern ~= vim.NIL and answer.pattern or nil
    vim.notify(('bblfsh: copied %s (%d in this file)%s'):format(answer.xpath, answer.count,
      pattern and ('; pattern: ' .. pattern) or ''))
    if done then
      done(answer)
    end
  end, state.source)
end

--- Show the current buffer's UAST (mode: semantic, annotated or native) as JSON in a scratch buffer.
function M.uast_json(mode)
  local bufnr = vim.api.nvim_get_current_buf()
  local lsp = client(bufnr)
  if not lsp then
    return
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr), mode = mode or 'semantic' }
  lsp:request('bblfsh/parse', params, function(err, answer)
    if err then
      return fail('parse', err)
    end
    local json = vim.json.encode(answer.uast)
    local lines = { json }
    if vim.fn.executable('python3') == 1 then -- pretty-print when a formatter is at hand
      -- Isolated (-I) and away from the project: run from the project folder, `python3 -m json.tool`
      -- would import a json.py of the project instead of the standard library's.
      local pretty = vim.system({ 'python3', '-I', '-m', 'json.tool', '--no-ensure-ascii' },
        { stdin = json, text = true, cwd = here }):wait()
      if pretty.code == 0 then
        lines = vim.split(pretty.stdout, '\n', { trimempty = true })
      end
    end
    vim.cmd('new')
    local scratch = vim.api.nvim_get_current_buf()
    vim.bo[scratch].buftype = 'nofile'
    vim.bo[scratch].bufhidden = 'wipe'
    vim.bo[scratch].swapfile = false
    vim.api.nvim_buf_set_lines(scratch, 0, -1, false, lines)
    vim.bo[scratch].filetype = 'json'
    vim.bo[scratch].modifiable = false
    vim.api.nvim_buf_set_name(scratch, ('bblfsh://%s/%s'):format(mode or 'semantic', vim.fn.fnamemodify(answer.uri, ':t')))
  end, bufnr)
end

--- Driver management: verb is list, build, install, update, rollback or remove.
function M.driver(verb, args)
  local lsp = client()
  if not lsp then
    return
  end
  lsp:request('workspace/executeCommand', { command = 'bblfsh.driver.' .. verb, arguments = args or {} },
    function(err, result)
      if err then
        return fail('driver ' .. verb, err)
      end
      if verb == 'list' then
        local lines = {}
        for _, status in ipairs(result or {}) do
          local installed = status.installed and (status.installed.version .. ' ' .. status.installed.image) or '-'
          table.insert(lines, ('%-12s bundled %-8s installed %s'):format(status.language, status.bundled or '-', installed))
        end
        vim.notify(table.concat(lines, '\n'))
      else
        vim.notify(('bblfsh: %s %s: %s'):format(verb, args[1] or '', result and result.current
          and (result.current.version .. ' ' .. result.current.image) or 'done'))
      end
    end)
end

--- Fold with the server's folding ranges in windows of buffers it attaches to.
function M.fold_with_lsp(bufnr)
  for _, win in ipairs(vim.fn.win_findbuf(bufnr)) do
    vim.wo[win][0].foldmethod = 'expr'
    vim.wo[win][0].foldexpr = 'v:lua.vim.lsp.foldexpr()'
  end
end

return M
