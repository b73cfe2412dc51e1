#!/usr/bin/env node
// End-to-end test of the extension in a real VS Code: code-server on 127.0.0.1, driven by Debian's
// Chromium through playwright-core. It installs the .vsix into a fresh code-server, opens a workspace
// with two Python files (fixture/), and checks the Outline view, the status bar, structural search
// (results grouped by file as lines of code with the match highlighted, a click opening the match,
// breadcrumbs, a search in one file, a count(), the server's message for an invalid query, the query
// history), pattern search (the toggle, its own history, captures under a match), Show UAST, the UAST
// explorer (following the cursor, the node's range highlighted, Copy as Query and a search with it),
// List Drivers and a settings change.
//
//   node e2e.mjs --prefix DIR --vsix FILE (--server BBLFSH_LSP | --python PYTHON)
//                [--artifacts DIR] [--chromium PATH] [--keep]
//
// --prefix: the folder whose node_modules hold code-server and playwright-core (scripts/setup-editors.sh
// prints it). --server sets bblfsh.serverPath, --python bblfsh.pythonPath; the server runs its drivers
// as local processes (BBLFSH_LSP_RUNTIME=process). Screenshots, logs and result.json go to --artifacts
// (default: <repo>/artifacts/vscode); --keep keeps the scratch folder. Exit status: 0 when every check
// passed, 1 with the failed check on stderr, 2 for bad arguments.

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    prefix: { type: 'string', default: here },
    vsix: { type: 'string' },
    server: { type: 'string' },
    python: { type: 'string' },
    artifacts: { type: 'string', default: path.resolve(here, '../../../artifacts/vscode') },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    keep: { type: 'boolean', default: false },
  },
});
if (!options.vsix || !(options.server || options.python)) {
  console.error('usage: node e2e.mjs --prefix DIR --vsix FILE (--server BBLFSH_LSP | --python PYTHON) [--artifacts DIR] [--chromium PATH] [--keep]');
  process.exit(2);
}

const require = createRequire(path.join(path.resolve(options.prefix), 'package.json'));
const { chromium } = require('playwright-core');
const codeServer = path.join(path.resolve(options.prefix), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const artifacts = path.resolve(options.artifacts);
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const log = (message) => console.log(`[e2e ${elapsed()}] ${message}`);
const checks = [];

class CheckFailed extends Error {}

function check(name, ok, detail) {
  checks.push({ name, ok: !!ok, detail });
  log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}` : ''}`);
  if (!ok) throw new CheckFailed(`${name}${detail ? `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}` : ''}`);
}

// --- a fresh code-server --------------------------------------------------------------------------

const scratch = mkdtempSync(path.join(tmpdir(), 'bblfsh-vscode-e2e-'));
const dirs = Object.fromEntries(['user', 'extensions', 'xdg-data', 'xdg-config', 'chromium', 'workspace/shop']
  .map((name) => [name, path.join(scratch, name)]));
for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
const workspace = dirs['workspace/shop'];
cpSync(path.join(here, 'fixture'), workspace, { recursive: true });
const serverLog = path.join(scratch, 'bblfsh-lsp.log');
const config = path.join(scratch, 'code-server.yaml');
writeFileSync(config, 'auth: none\n');
mkdirSync(path.join(dirs.user, 'User'), { recursive: true });
writeFileSync(path.join(dirs.user, 'User', 'settings.json'), JSON.stringify({
  ...(options.server ? { 'bblfsh.serverPath': path.resolve(options.server) } : { 'bblfsh.pythonPath': options.python }),
  'bblfsh.serverArgs': ['--log-level', 'DEBUG', '--log-file', serverLog],
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'outline.collapseItems': 'alwaysExpand',
  'editor.minimap.enabled': false,
  'window.restoreWindows': 'none',
}, null, 2));

const env = {
  ...process.env,
  BBLFSH_LSP_RUNTIME: 'process', // the bundled drivers as local processes: nothing to install
  XDG_DATA_HOME: dirs['xdg-data'], // code-server's and bblfsh-lsp's state stay in the scratch folder
  XDG_CONFIG_HOME: dirs['xdg-config'],
};
const common = ['--config', config, '--user-data-dir', dirs.user, '--extensions-dir', dirs.extensions];

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, child, timeout) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new CheckFailed(`code-server exited with ${child.exitCode} (see code-server.log)`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CheckFailed(`code-server did not answer ${url} within ${timeout / 1000}s`);
}

let child;
let browser;

function signalCodeServer(signal) {
  if (child?.pid) {
    try {
      process.kill(-child.pid, signal); // its own process group: the extension host and bblfsh-lsp too
    } catch {
      // already gone
    }
  }
}

async function stopCodeServer() {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalCodeServer('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000));
  if ((await Promise.race([exited, timer])) === 'timeout') signalCodeServer('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  signalCodeServer('SIGKILL'); // what is left of the group (a driver that ignored SIGTERM)
}
process.on('exit', () => signalCodeServer('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
const OVERALL_SECONDS = 300;
setTimeout(() => {
  console.error(`e2e FAILED: not done after ${OVERALL_SECONDS}s`);
  process.exit(1);
}, OVERALL_SECONDS * 1000).unref();

// --- the workbench, through the DOM ------------------------------------------------------------------

/** The rows of a tree or list: text, level and state, as a screen reader would read them. */
async function rows(locator) {
  return locator.locator('.monaco-list-row').evaluateAll((elements) => elements.map((row) => ({
    label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
    description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
    aria: row.getAttribute('aria-label') ?? '',
    level: Number(row.getAttribute('aria-level') ?? 0),
    index: Number(row.getAttribute('data-index') ?? 0),
  })).sort((a, b) => a.index - b.index));
}

async function until(what, probe, timeout = 30000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await probe().catch((error) => ({ error: String(error) }));
    if (last && !last.error && last.ok !== false) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CheckFailed(`${what}: gave up after ${timeout / 1000}s; last seen: ${JSON.stringify(last)}`);
}

async function screenshot(page, name) {
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(process.cwd(), file)}`);
}

const exactly = (text) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

/** Runs a command from the command palette, choosing the entry whose label is exactly `label`. */
async function runCommand(page, label) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  await page.locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactly(label) }) }).first().click();
}

/** Waits for a quick input titled `title` (or any, if omitted) and returns its input box. */
async function quickInput(page, title) {
  const widget = page.locator('.quick-input-widget');
  await until(`a quick input${title ? ` titled "${title}"` : ''}`, async () => {
    const visible = await widget.isVisible();
    const text = visible ? await widget.locator('.quick-input-title').textContent() : '';
    return { ok: visible && (!title || (text ?? '').includes(title)), title: text };
  });
  return widget.locator('.quick-input-box input');
}

async function pickQuickItem(page, text) {
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: text }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
}

/** Opens a workspace file through Quick Open. */
async function openFile(page, name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = await quickInput(page);
  await input.fill(name); // without the '>' of commands: Quick Open's file search
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().click();
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
}

async function notifications(page) {
  return page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
}

async function structuralSearch(page, query, scope) {
  await runCommand(page, 'Babelfish: Structural Search');
  const input = await quickInput(page, 'Babelfish: Structural Search');
  await input.fill(query);
  await until(`the query "${query}" is offered`, async () => {
    const labels = (await rows(page.locator('.quick-input-widget'))).map((row) => row.label);
    return { ok: labels.some((label) => label.trim() === query), labels };
  });
  await input.press('Enter');
  await quickInput(page, 'Babelfish: search where?');
  await pickQuickItem(page, scope);
}

async function scenario(page) {
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  log(`opening ${url}`);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  const explorer = page.locator('.explorer-folders-view');
  await until('the Explorer lists the workspace', async () => {
    const names = (await rows(explorer)).map((row) => row.label);
    return { ok: names.includes('inventory.py') && names.includes('orders.py'), names };
  }, 60000);

  // Open inventory.py from the Explorer.
  await explorer.locator('.monaco-list-row', { hasText: 'inventory.py' }).first().click();
  await page.locator('.tabs-container .tab.active', { hasText: 'inventory.py' }).waitFor();
  await page.locator('.editor-instance .view-lines', { hasText: 'class Stock' }).waitFor();
  log('inventory.py is open');

  // The Outline view (documentSymbol from the server), given the Explorer's height.
  await runCommand(page, 'Explorer: Focus on Outline View');
  await page.locator('.pane:has(.explorer-folders-view) > .pane-header').click();
  const outline = page.locator('.pane:has(.pane-header[aria-label^="Outline"]) .pane-body');
  const expectedOutline = ['Item', 'price', 'Stock', 'add', 'take', 'total_value', 'to_reorder'];
  const outlineRows = await until('the Outline shows the classes and functions', async () => {
    const found = await rows(outline);
    const labels = found.map((row) => row.label);
    return { ok: expectedOutline.every((name) => labels.includes(name)), rows: found };
  }, 60000);
  await screenshot(page, '01-outline');
  const level = Object.fromEntries(outlineRows.rows.map((row) => [row.label, row.level]));
  check('Outline shows classes, methods and functions',
    expectedOutline.every((name) => name in level), outlineRows.rows.map((row) => `${'  '.repeat(row.level - 1)}${row.label}`));
  check('Outline nests methods in their classes',
    level.price === level.Item + 1 && level.add === level.Stock + 1 && level.take === level.Stock + 1 &&
    level.total_value === level.Item && level.to_reorder === level.Item, level);
  const symbolIcons = await outline.locator('.monaco-list-row .codicon-symbol-class').count();
  check('Outline marks the classes as classes', symbolIcons >= 2, `${symbolIcons} class icons`);

  // The status bar item (bblfsh/status): the runtime and the file's driver.
  const status = await until('the status bar shows bblfsh', async () => {
    const texts = await page.locator('.statusbar-item').allTextContents();
    const text = texts.find((item) => item.includes('bblfsh:')) ?? '';
    return { ok: text.includes('python'), text: text.trim() };
  });
  check('the status bar shows the runtime and the driver', /bblfsh: process · python \S+/.test(status.text), status.text);

  // Structural search over the workspace: results grouped by file.
  await structuralSearch(page, '//python:ClassDef', 'Whole workspace');
  const results = page.locator('.pane:has(.pane-header[aria-label^="Structural Search"]) .pane-body');
  const expected = [ // each match as its line of code, as VS Code's search view shows them
    { level: 1, label: 'inventory.py' },
    { level: 2, label: 'class Item:' },
    { level: 2, label: 'class Stock:' },
    { level: 1, label: 'orders.py' },
    { level: 2, label: 'class Order:' },
  ];
  const same = (seen) => JSON.stringify(seen.map(({ level, label }) => ({ level, label }))) === JSON.stringify(expected);
  const found = await until('the results view lists the matches grouped by file', async () => {
    const seen = (await rows(results)).map(({ level, label, description }) => ({ level, label, description }));
    return { ok: same(seen), seen };
  }, 60000);
  await screenshot(page, '02-search-results');
  check('structural search lists the matches grouped by file', same(found.seen), found.seen.map((row) => `${row.level} ${row.label}`));
  check('each match names its node and line', found.seen.filter((row) => row.level === 2).map((row) => row.description).join(',')
    === 'python:ClassDef Item · line 11,python:ClassDef Stock · line 23,python:ClassDef Order · line 6', found.seen.map((row) => row.description));
  const highlighted = await results.locator('.monaco-list-row .label-name .highlight').allTextContents();
  check('each match is highlighted in its line', JSON.stringify(highlighted) === JSON.stringify(['Item', 'Stock', 'Order']), highlighted);
  // The message is set just after the rows: on a loaded machine the view may show it a moment later.
  const summary = await until('the view sums the search up', async () => {
    const text = (await page.locator('.pane:has(.pane-header[aria-label^="Structural Search"]) .message').textContent().catch(() => '')) ?? '';
    return { ok: text.includes('3 matches in 2 files'), seen: text };
  }, 15000).catch((error) => ({ seen: String(error) }));
  const message = summary.seen ?? '';
  check('the view sums the search up', message.includes('3 matches in 2 files'), message);

  // A click opens the file at the match.
  await results.locator('.monaco-list-row', { hasText: 'python:ClassDef Order' }).click();
  await page.locator('.tabs-container .tab.active', { hasText: 'orders.py' }).waitFor();
  const position = await until('the cursor is on the match', async () => {
    const text = (await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().textContent()) ?? '';
    return { ok: /Ln 6, Col \d+/.test(text), text: text.trim() };
  });
  await screenshot(page, '03-match-opened');
  check('a click on a match opens its file at its line', true, position.text);
  const breadcrumbs = await until('the breadcrumbs show the class', async () => {
    const items = await page.locator('.editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item').allTextContents();
    const text = items.map((item) => item.trim()).join(' › ');
    return { ok: items.some((item) => item.trim() === 'Order'), text };
  });
  check('the breadcrumbs show the symbol at the cursor', true, breadcrumbs.text);

  // The same query in the current file only.
  await structuralSearch(page, '//uast:FunctionGroup', 'Current file');
  const functions = ['1 orders.py', '2 def __init__(self, lines: list[tuple[Item, int]]) -> None:', '2 def total_cents(self) -> int:',
    '2 def fulfil(order: Order, stock: Stock) -> bool:'];
  const inFile = await until('the results view lists the functions of orders.py only', async () => {
    const seen = (await rows(results)).map(({ level, label }) => `${level} ${label}`);
    return { ok: JSON.stringify(seen) === JSON.stringify(functions), seen };
  });
  check('a search in the current file lists only that file', true, inFile.seen);

  // A query that is not a node set: its value, under the file.
  await structuralSearch(page, 'count(//uast:FunctionGroup)', 'Current file');
  const counted = await until('the results view shows the count under orders.py', async () => {
    const seen = (await rows(results)).map(({ level, label }) => `${level} ${label}`);
    return { ok: JSON.stringify(seen) === JSON.stringify(['1 orders.py', '2 value 3']), seen };
  });
  const valueMessage = (await page.locator('.pane:has(.pane-header[aria-label^="Structural Search"]) .message').textContent().catch(() => '')) ?? '';
  check('a count() query shows its value for the file', valueMessage.includes('The value of count(//uast:FunctionGroup)'),
    `${counted.seen.join(', ')} / ${valueMessage}`);

  // An invalid query: the server's message.
  await structuralSearch(page, '//python:ClassDef[', 'Whole workspace');
  const error = await until('an error notification', async () => {
    const messages = await notifications(page);
    const text = messages.find((item) => item.startsWith('Babelfish:') && !item.includes('drivers run')) ?? '';
    return { ok: text.length > 0, text, messages };
  });
  await screenshot(page, '04-invalid-query');
  check('an invalid query shows the server\'s error message', /query|xpath|invalid|syntax|expected/i.test(error.text), error.text);

  // The query history offers past queries.
  await runCommand(page, 'Babelfish: Structural Search');
  await quickInput(page, 'Babelfish: Structural Search');
  const history = (await rows(page.locator('.quick-input-widget'))).map((row) => row.label);
  await page.keyboard.press('Escape');
  check('the query box offers the past queries, latest first',
    JSON.stringify(history.slice(0, 4)) === JSON.stringify(['//python:ClassDef[', 'count(//uast:FunctionGroup)', '//uast:FunctionGroup', '//python:ClassDef']), history);

  // A code pattern: the box's toggle, its own history, the match's line and its captures.
  await runCommand(page, 'Babelfish: Structural Search');
  const patternInput = await quickInput(page, 'Babelfish: Structural Search (XPath)');
  await page.locator('.quick-input-widget .quick-input-titlebar .action-label[aria-label*="code pattern"]').first().click();
  await quickInput(page, 'Babelfish: Structural Search (pattern)');
  const noPatterns = (await rows(page.locator('.quick-input-widget'))).map((row) => row.label);
  check('the pattern toggle has its own history', noPatterns.length === 0, noPatterns);
  const pattern = '$S.take($I, $Q)';
  await patternInput.fill(pattern);
  await until('the pattern is offered', async () => {
    const labels = (await rows(page.locator('.quick-input-widget'))).map((row) => row.label);
    return { ok: labels.includes(pattern), labels };
  });
  await patternInput.press('Enter');
  await quickInput(page, 'Babelfish: search where?');
  await pickQuickItem(page, 'Whole workspace');
  const captured = ['1 orders.py', '2 if not stock.take(item, quantity):', '3 $S  stock', '3 $I  item', '3 $Q  quantity'];
  const byPattern = await until('the results view shows the pattern\'s match and its captures', async () => {
    const seen = (await rows(results)).map(({ level, label }) => `${level} ${label}`);
    return { ok: JSON.stringify(seen) === JSON.stringify(captured), seen };
  });
  await screenshot(page, '04b-pattern-results');
  check('a pattern search shows the line of each match and its captures', true, byPattern.seen);
  const patternHighlight = await results.locator('.monaco-list-row .label-name .highlight').allTextContents();
  check('the pattern\'s match is highlighted in its line', patternHighlight[0] === 'stock.take(item, quantity)', patternHighlight);
  await runCommand(page, 'Babelfish: Structural Search');
  await quickInput(page, 'Babelfish: Structural Search (pattern)'); // the kind used last
  const patternHistory = (await rows(page.locator('.quick-input-widget'))).map((row) => row.label);
  await page.locator('.quick-input-widget .quick-input-titlebar .action-label[aria-label*="XPath"]').first().click();
  await quickInput(page, 'Babelfish: Structural Search (XPath)');
  const xpathHistory = (await rows(page.locator('.quick-input-widget'))).map((row) => row.label);
  await page.keyboard.press('Escape');
  check('each kind keeps its history, and the box opens in the kind used last',
    JSON.stringify(patternHistory) === JSON.stringify([pattern]) && xpathHistory[0] === '//python:ClassDef[', { patternHistory, xpathHistory });

  // Show UAST (semantic) for inventory.py.
  await openFile(page, 'inventory.py');
  await runCommand(page, 'Babelfish: Show UAST');
  await quickInput(page, 'Babelfish: UAST mode');
  await pickQuickItem(page, 'semantic');
  await page.locator('.tabs-container .tab', { hasText: 'inventory.py.semantic.uast.json' }).waitFor();
  const uast = await until('the UAST document shows the tree', async () => {
    const text = ((await page.locator('.editor-group-container.active .view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');
    return { ok: text.includes('"language": "python"') && text.includes('"@type": "python:Module"'), text: text.slice(0, 200) };
  });
  await screenshot(page, '05-uast');
  check('Show UAST opens the semantic UAST as JSON', true, uast.text.replace(/\s+/g, ' ').slice(0, 80));

  // The UAST explorer: it follows the cursor, highlights the node's range, and copies a node as a query.
  await runCommand(page, 'View: Close All Editors');
  await openFile(page, 'inventory.py');
  await runCommand(page, 'Babelfish: Show UAST Explorer');
  const tree = page.locator('.pane:has(.pane-header[aria-label^="UAST Explorer"]) .pane-body');
  await until('the explorer shows the tree', async () => {
    const labels = (await rows(tree)).map((row) => row.label);
    return { ok: labels.includes('python:Module'), labels: labels.slice(0, 5) };
  }, 30000);
  // Quick Open's ':' goes to a line and column: the `/` of `return self.price_cents / 100`.  The
  // explorer, refreshing, may take the focus and close the box meanwhile: opened again until it reads it.
  let line;
  await until('Go to Line reads the position', async () => {
    await page.keyboard.press('Escape');
    await page.locator('.editor-group-container.active .view-lines').first().click({ timeout: 2000 }).catch(() => {});
    await page.keyboard.press('F1');
    line = page.locator('.quick-input-widget .quick-input-box input');
    const filled = await line.fill(':19:33', { timeout: 2000 }).then(() => true, () => false);
    const text = filled
      ? (await page.locator('.quick-input-widget .monaco-list-row').first().textContent({ timeout: 2000 }).catch(() => '')) ?? ''
      : '';
    return { ok: filled && /19/.test(text), text };
  });
  await line.press('Enter');
  const followed = await until('the explorer selects the node under the cursor', async () => {
    const selected = await tree.locator('.monaco-list-row.selected').evaluateAll((elements) => elements.map((row) => ({
      label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
    })));
    return { ok: selected.length === 1 && selected[0].label === 'python:BinOp', selected };
  });
  await screenshot(page, '05b-explorer-follows-cursor');
  check('the UAST explorer follows the cursor', followed.selected[0].description.startsWith('value'), followed.selected);
  const decorated = await page.locator('.editor-group-container.active .view-overlays div[class*="ced-"]').count();
  check('the selected node\'s range is highlighted in the editor', decorated >= 1, `${decorated} decorated line(s)`);
  const binop = tree.locator('.monaco-list-row.selected').first();
  await binop.hover();
  await binop.locator('.action-label[aria-label="Copy as Query"]').click();
  await quickInput(page, 'Babelfish: Copy as query');
  const offered = await until('Copy as Query offers an XPath and a pattern', async () => {
    const listed = await rows(page.locator('.quick-input-widget'));
    return { ok: listed.length === 2, listed: listed.map((row) => `${row.label} — ${row.description}`) };
  });
  await screenshot(page, '05c-copy-as-query');
  check('Copy as Query offers an XPath and a pattern for the node',
    offered.listed[0] === "//python:BinOp[op/python:Div[@token='/']] — XPath · finds 1 node in this file" &&
    offered.listed[1] === '$A / $B — pattern (python)', offered.listed);
  await pickQuickItem(page, '//python:BinOp');
  const searchWithIt = page.locator('.notifications-toasts .monaco-button', { hasText: 'Search with it' });
  await searchWithIt.waitFor();
  const copiedText = (await notifications(page)).find((item) => item.includes('copied the XPath')) ?? '';
  check('the query is copied', copiedText.includes("//python:BinOp[op/python:Div[@token='/']]"), copiedText);
  await searchWithIt.click();
  const divisions = await until('a search with the copied query finds the node', async () => {
    const seen = (await rows(results)).map(({ level, label }) => `${level} ${label}`);
    return { ok: JSON.stringify(seen) === JSON.stringify(['1 inventory.py', '2 return self.price_cents / 100']), seen };
  });
  check('the copied query finds the node when searched', true, divisions.seen);

  // List Drivers (bblfsh.driver.list): python is bundled, and nothing is installed in this fresh data folder.
  await runCommand(page, 'Babelfish: List Drivers');
  await quickInput(page, 'Babelfish: drivers');
  const drivers = await until('the drivers are listed', async () => {
    const listed = await rows(page.locator('.quick-input-widget'));
    return { ok: listed.some((row) => row.label === 'python'), listed: listed.map((row) => `${row.label} — ${row.description}`) };
  });
  await screenshot(page, '06-drivers');
  check('List Drivers shows the bundled python driver',
    drivers.listed.some((row) => row.startsWith('python — bundled ') && row.includes('not installed')), drivers.listed);
  await pickQuickItem(page, 'python');
  await quickInput(page, 'Babelfish: python driver');
  const actions = await until('the python driver offers to install it', async () => {
    const labels = (await rows(page.locator('.quick-input-widget'))).map((row) => row.label);
    return { ok: JSON.stringify(labels) === JSON.stringify(['Install python']), labels };
  });
  await page.keyboard.press('Escape');
  check('a driver offers what can be done with it', true, actions.labels);

  // A change in the Settings editor reaches the server as workspace/didChangeConfiguration.
  await runCommand(page, 'Preferences: Open User Settings');
  await page.locator('.settings-editor').waitFor();
  await page.keyboard.type('bblfsh.requestTimeout');
  const field = page.locator('.settings-editor .setting-item-contents', { hasText: 'Request Timeout' }).locator('input').first();
  await field.waitFor();
  await field.fill('42');
  await field.press('Tab');
  const babelfishOutput = () => {
    const files = spawnSync('find', [dirs.user, '-name', '*-Babelfish.log'], { encoding: 'utf8' }).stdout.trim().split('\n');
    return files.filter(Boolean).map((file) => readFileSync(file, 'utf8')).join('\n');
  };
  const change = await until('the server receives the new settings', async () => {
    const sent = babelfishOutput().split('\n').filter((line) => line.startsWith('settings changed:'));
    const log = existsSync(serverLog) ? readFileSync(serverLog, 'utf8') : '';
    const received = log.indexOf("Notification 'workspace/didChangeConfiguration' received");
    // A new pool setting makes the server start its drivers afresh, and say where they run.
    const restarted = received >= 0 && log.indexOf('drivers run on', received) > received;
    return { ok: sent.some((line) => line.includes('"requestTimeout":42')) && restarted, sent, received: received >= 0, restarted };
  });
  await screenshot(page, '07-settings');
  check('a settings change is sent to the server, which restarts its drivers', true, change.sent.at(-1));
}

// --- run --------------------------------------------------------------------------------------------

let port;
let failure;
try {
  if (!existsSync(codeServer)) throw new CheckFailed(`no code-server at ${codeServer} (run scripts/setup-editors.sh)`);
  if (!existsSync(options.chromium)) throw new CheckFailed(`no Chromium at ${options.chromium}`);

  log(`installing ${path.basename(options.vsix)} into code-server`);
  const install = spawnSync(process.execPath, [codeServer, ...common, '--install-extension', path.resolve(options.vsix), '--force'],
    { env, encoding: 'utf8', timeout: 120000 });
  writeFileSync(path.join(artifacts, 'install-extension.log'), `${install.stdout}\n${install.stderr}`);
  check('code-server installs the .vsix', install.status === 0 && /successfully installed/i.test(install.stdout + install.stderr),
    (install.stdout + install.stderr).trim().split('\n').slice(-2).join(' | '));

  port = await freePort();
  const output = createWriteStream(path.join(artifacts, 'code-server.log'));
  child = spawn(process.execPath, [codeServer, ...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(output);
  child.stderr.pipe(output);
  log(`code-server pid ${child.pid} on 127.0.0.1:${port}`);
  writeFileSync(path.join(artifacts, 'code-server.pid'), `${child.pid}\n`); // its process group, for whoever must clean up
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, 60000);

  const profile = dirs.chromium;
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: options.chromium,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60000,
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30000);
  const consoleLog = createWriteStream(path.join(artifacts, 'browser-console.log'));
  page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
  await scenario(page);
} catch (error) {
  failure = error;
  if (browser) {
    const page = browser.pages()[0];
    if (page) await screenshot(page, '99-failure').catch(() => {});
  }
} finally {
  await browser?.close().catch(() => {});
  await stopCodeServer();
  if (existsSync(serverLog)) cpSync(serverLog, path.join(artifacts, 'bblfsh-lsp.log'));
  const extensionHostLogs = spawnSync('find', [dirs.user, '-name', '*.log', '-path', '*exthost*'], { encoding: 'utf8' }).stdout.trim();
  for (const file of extensionHostLogs.split('\n').filter(Boolean)) {
    cpSync(file, path.join(artifacts, 'exthost', path.relative(dirs.user, file)));
  }
  writeFileSync(path.join(artifacts, 'result.json'), JSON.stringify({
    ok: !failure, seconds: (Date.now() - started) / 1000, checks, failure: failure ? String(failure.message ?? failure) : null,
  }, null, 2));
  if (!options.keep) rmSync(scratch, { recursive: true, force: true });
}

if (failure) {
  console.error(`e2e FAILED: ${failure instanceof CheckFailed ? failure.message : failure.stack ?? failure}`);
  console.error(`artifacts: ${artifacts}`);
  process.exit(1);
}
log(`${checks.length} checks passed; artifacts in ${artifacts}`);
