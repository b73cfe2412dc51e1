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

--- Matches of `query` ({uri, range, type, label}) as quickfix items.
function M.to_quickfix(matches, encoding)
  local items = {}
  for _, match in ipairs(matches or {}) do
    local bufnr = vim.uri_to_bufnr(match.uri)
    vim.fn.bufload(bufnr)
    local start = match.range.start
    local line = vim.api.nvim_buf_get_lines(bufnr, start.line, start.line + 1, false)[1] or ''
    local col = vim.str_byteindex(line, encoding or 'utf-16', start.character, false)
    table.insert(items, {
      bufnr = bufnr,
      lnum = start.line + 1,
      col = col + 1,
      text = match.type .. (match.label ~= '' and (' ' .. match.label) or ''),
    })
  end
  return items
end

--- Run an XPath query over the workspace (or, with `file`, the current buffer) into the quickfix list.
function M.query(xpath, opts)
  opts = opts or {}
  local bufnr = vim.api.nvim_get_current_buf()
  local lsp = client(bufnr)
  if not lsp then
    return
  end
  local params = { query = xpath }
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

--- Show the current buffer's UAST (mode: semantic, annotated or native) in a scratch buffer.
function M.uast(mode)
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
