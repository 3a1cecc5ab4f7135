-- End-to-end test of `assay lsp` with Neovim's built-in client (Neovim 0.7 API: no vim.lsp.start).
-- Opens an example, breaks a shape with an edit, and checks the diagnostic, a hover and a definition
-- jump. Prints a transcript; exits non-zero on the first failed check.
-- Run by scripts/lsp/neovim-e2e.sh: ASSAY=/path/to/assay EXPERIMENT=/path/to/file.yaml
local assay = os.getenv('ASSAY')
local experiment = os.getenv('EXPERIMENT')

local function say(line) io.stdout:write(line .. '\n') end
local function fail(message)
  say('FAIL: ' .. message)
  vim.cmd('cquit 1')
end

vim.cmd('edit ' .. vim.fn.fnameescape(experiment))
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'assay',
  cmd = { assay, 'lsp' },
  root_dir = vim.fn.fnamemodify(experiment, ':h'),
})
if not client_id then fail('could not start `assay lsp`') end
vim.lsp.buf_attach_client(buf, client_id)
say('started: ' .. assay .. ' lsp (client ' .. client_id .. '), opened ' .. vim.fn.fnamemodify(experiment, ':t'))

-- The example checks clean: the server publishes an empty list.
local published = false
local handler = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  published = true
  return handler(err, result, ctx, config)
end
if not vim.wait(20000, function() return published end, 50) then fail('no diagnostics published after opening') end
if #vim.diagnostic.get(buf) ~= 0 then fail('the example does not check clean: ' .. vim.inspect(vim.diagnostic.get(buf))) end
say('diagnostics after open: 0')

-- Break a shape: a 30x30 kernel on conv2, whose input is 14x14.
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local conv2
for i, line in ipairs(lines) do
  if line:find('conv2: { conv: { out: 64, kernel: 3,', 1, true) then conv2 = i - 1 end
end
if not conv2 then fail('conv2 not found in the example') end
local column = lines[conv2 + 1]:find('kernel: 3', 1, true) + #'kernel: ' - 1
vim.api.nvim_buf_set_text(buf, conv2, column, conv2, column + 1, { '30' })
say('edit: line ' .. (conv2 + 1) .. ' -> ' .. vim.api.nvim_buf_get_lines(buf, conv2, conv2 + 1, false)[1])

if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then fail('no diagnostic after breaking the shape') end
local d = vim.diagnostic.get(buf)[1]
say(string.format('diagnostic: %d:%d [%s] %s', d.lnum + 1, d.col + 1, tostring(d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)), d.message:gsub('\n', ' | ')))
if d.severity ~= vim.diagnostic.severity.ERROR then fail('the diagnostic is not an error') end
if d.lnum < conv2 - 1 or not d.message:find('kernel') then fail('the diagnostic does not point at the broken kernel') end

-- Hover on the layer `conv1`: its output shape and parameter count (from the last clean check).
local function find(pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = line:find(pattern, 1, true)
    if s then return i - 1, s - 1 end
  end
end
local function request(method, line, character)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
  local replies = vim.lsp.buf_request_sync(buf, method, params, 20000)
  if not replies or not replies[client_id] then return nil end
  return replies[client_id].result
end
local hl, hc = find('conv1:')
local hover = request('textDocument/hover', hl, hc + 1)
if not hover then fail('no hover on conv1') end
local text = hover.contents.value or ''
say('hover conv1: ' .. text:gsub('\n+', ' | '))
if not text:find('output [32, 28, 28]', 1, true) or not text:find('320 parameters', 1, true) then fail('the hover does not give the shape and parameter count') end

-- Go to definition from `model: cnn` in the `erm` stage: the cursor jumps to the model's declaration.
local dl, dc = find('model: cnn')
vim.api.nvim_win_set_cursor(0, { dl + 1, dc + #'model: ' + 1 })
vim.lsp.buf.definition()
local target = find('  cnn:')
if not vim.wait(20000, function() return vim.api.nvim_win_get_cursor(0)[1] == target + 1 end, 50) then
  fail('definition did not jump to `cnn:` (cursor at ' .. vim.inspect(vim.api.nvim_win_get_cursor(0)) .. ')')
end
local cursor = vim.api.nvim_win_get_cursor(0)
say(string.format('definition of cnn from line %d: jumped to %d:%d: %s', dl + 1, cursor[1], cursor[2] + 1, vim.api.nvim_get_current_line()))

vim.lsp.stop_client(client_id)
say('PASS')
vim.cmd('qall!')
