// Structural search: an XPath query or a code pattern (a toggle, with a history for each), a scope,
// `bblfsh/query`, and the matches in a tree: each match's line of code with the match highlighted (as
// VS Code's own search view shows them), and a pattern's captures under it.

import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError, WorkDoneProgress } from 'vscode-languageclient/node';
import type { Range as LspRange } from 'vscode-languageclient/node';
import { errorMessage, Server } from './server';

/** One match of `bblfsh/query`; a query that is not a node set (`count(...)`) gives one entry per
 * file, of type "value", with the value. */
interface QueryMatch {
  uri: string;
  range: LspRange;
  type: string;
  label: string;
  value?: unknown;
  captures?: Record<string, { text: string; range?: LspRange }>;
}

/** What the search box searches with: XPath over the UAST, or code with metavariables. */
export type QueryKind = 'xpath' | 'pattern';

const HISTORY_KEYS: Record<QueryKind, string> = { xpath: 'bblfsh.queryHistory', pattern: 'bblfsh.patternHistory' };
const KIND_KEY = 'bblfsh.queryKind';
const HISTORY_SIZE = 25;
const LINE_WIDTH = 250; // characters of a line shown around a match
export const VIEW_ID = 'bblfsh.searchResults';

const PLACEHOLDERS: Record<QueryKind, string> = {
  xpath: 'XPath over the UAST, e.g. //uast:FunctionGroup or //python:ClassDef',
  pattern: 'Code with metavariables, e.g. isinstance($X, $T) or console.log($$$ARGS)',
};

class FileNode {
  constructor(readonly uri: vscode.Uri, readonly matches: MatchNode[]) {}
}

/** A match, with its line of code (when the file could be read) and its captures. */
class MatchNode {
  captures: CaptureNode[] = [];
  line?: string;
  constructor(readonly uri: vscode.Uri, readonly range: vscode.Range, readonly type: string, readonly label: string) {}
}

class CaptureNode {
  constructor(readonly match: MatchNode, readonly name: string, readonly text: string, readonly range?: vscode.Range) {}
}

type Node = FileNode | MatchNode | CaptureNode;

/** A line of code as a tree item label: trimmed at the start (and around a long line's match), with the
 * match's part of it highlighted, as VS Code's search view shows it. */
export function codeLabel(line: string, start: number, end: number): vscode.TreeItemLabel {
  let text = line;
  let from = start;
  let to = Math.max(start, Math.min(end, line.length));
  const indent = text.length - text.trimStart().length;
  const cut = Math.min(indent, from);
  text = text.slice(cut);
  from -= cut;
  to -= cut;
  if (from > 40 && text.length > LINE_WIDTH) { // far into a long line: keep some of what comes before
    const drop = from - 20;
    text = '…' + text.slice(drop);
    from -= drop - 1;
    to -= drop - 1;
  }
  if (text.length > LINE_WIDTH) text = text.slice(0, LINE_WIDTH) + '…';
  to = Math.min(to, text.length);
  return { label: text.trimEnd(), highlights: to > from ? [[from, to]] : [] };
}

function iconFor(type: string): vscode.ThemeIcon {
  const name = type.includes(':') ? type.slice(type.indexOf(':') + 1) : type;
  if (/Class/.test(name)) return new vscode.ThemeIcon('symbol-class');
  if (/Function|Method|Lambda/.test(name)) return new vscode.ThemeIcon('symbol-method');
  if (/Identifier|Name/.test(name)) return new vscode.ThemeIcon('symbol-variable');
  if (/Import/.test(name)) return new vscode.ThemeIcon('symbol-namespace');
  if (/String|Literal|Comment/.test(name)) return new vscode.ThemeIcon('symbol-string');
  return new vscode.ThemeIcon('symbol-misc');
}

class ResultsProvider implements vscode.TreeDataProvider<Node> {
  private files: FileNode[] = [];
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  set(files: FileNode[]): void {
    this.files = files;
    this.changed.fire(undefined);
  }

  get count(): number {
    return this.files.reduce((sum, file) => sum + file.matches.length, 0);
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.files;
    if (node instanceof FileNode) return node.matches;
    return node instanceof MatchNode ? node.captures : [];
  }

  getParent(node: Node): Node | undefined {
    if (node instanceof CaptureNode) return node.match;
    return node instanceof MatchNode ? this.files.find((file) => file.uri.toString() === node.uri.toString()) : undefined;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node instanceof FileNode) {
      const item = new vscode.TreeItem(vscode.workspace.asRelativePath(node.uri), vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.uri.toString();
      item.resourceUri = node.uri;
      item.iconPath = vscode.ThemeIcon.File;
      item.description = `${node.matches.length} ${node.matches.length === 1 ? 'match' : 'matches'}`;
      item.contextValue = 'file';
      return item;
    }
    if (node instanceof CaptureNode) {
      const item = new vscode.TreeItem({ label: `$${node.name}  ${node.text.replace(/\s+/g, ' ')}`, highlights: [[0, node.name.length + 1]] },
        vscode.TreeItemCollapsibleState.None);
      item.id = `${this.idOf(node.match)}$${node.name}`;
      item.description = node.range ? `line ${node.range.start.line + 1}` : undefined;
      item.tooltip = `$${node.name} = ${node.text}`;
      item.iconPath = new vscode.ThemeIcon('symbol-variable');
      item.contextValue = 'capture';
      if (node.range) item.command = open(node.match.uri, node.range);
      return item;
    }
    const name = node.label ? `${node.type} ${node.label}` : node.type;
    const label = node.line !== undefined
      ? codeLabel(node.line, node.range.start.character, node.range.end.line === node.range.start.line ? node.range.end.character : node.line.length)
      : name;
    const item = new vscode.TreeItem(label, node.captures.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = this.idOf(node);
    item.description = node.line !== undefined ? `${name} · line ${node.range.start.line + 1}` : `line ${node.range.start.line + 1}`;
    item.tooltip = `${name}\n${vscode.workspace.asRelativePath(node.uri)}:${node.range.start.line + 1}:${node.range.start.character + 1}`
      + node.captures.map((capture) => `\n$${capture.name} = ${capture.text}`).join('');
    item.iconPath = iconFor(node.type);
    item.contextValue = 'match';
    item.command = open(node.uri, node.range);
    return item;
  }

  private idOf(node: MatchNode): string {
    return `${node.uri.toString()}#${node.range.start.line}:${node.range.start.character}-${node.range.end.line}:${node.range.end.character}:${node.type}`;
  }
}

function open(uri: vscode.Uri, range: vscode.Range): vscode.Command {
  return {
    command: 'vscode.open',
    title: 'Open',
    arguments: [uri, { selection: range, preserveFocus: false } satisfies vscode.TextDocumentShowOptions],
  };
}

export class StructuralSearch implements vscode.Disposable {
  private readonly provider = new ResultsProvider();
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly server: Server, private readonly state: vscode.Memento) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: true });
  }

  dispose(): void {
    this.view.dispose();
  }

  clear(): void {
    this.provider.set([]);
    this.view.message = undefined;
  }

  /** The whole flow: query (unless given), scope (unless given: 'workspace' or a file URI), search, show.
   * `kind`: what a given query is (default XPath); without a query the box asks, in the kind last used. */
  async search(query?: string, scope?: 'ask' | 'workspace' | 'file' | vscode.Uri, kind?: QueryKind): Promise<void> {
    let asked: { query: string; kind: QueryKind } | undefined;
    if (query) asked = { query, kind: kind ?? 'xpath' };
    else asked = await this.askQuery(kind ?? this.state.get<QueryKind>(KIND_KEY, 'xpath'));
    if (!asked) return;
    const target = scope instanceof vscode.Uri ? scope : await this.chooseScope(scope ?? 'ask');
    if (target === undefined) return;
    await this.remember(asked.query, asked.kind);
    await this.run(asked.query, asked.kind, target === 'workspace' ? undefined : target);
  }

  private history(kind: QueryKind): string[] {
    return this.state.get<string[]>(HISTORY_KEYS[kind], []);
  }

  private async remember(query: string, kind: QueryKind): Promise<void> {
    const history = [query, ...this.history(kind).filter((past) => past !== query)].slice(0, HISTORY_SIZE);
    await this.state.update(HISTORY_KEYS[kind], history);
    await this.state.update(KIND_KEY, kind);
  }

  /** A quick pick: type a query or a pattern, or pick a past one; its title button toggles XPath and
   * pattern, each with its own history. */
  private askQuery(start: QueryKind): Promise<{ query: string; kind: QueryKind } | undefined> {
    let kind = start;
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
    pick.ignoreFocusOut = true;
    const toggle = (): vscode.QuickInputButton => kind === 'xpath'
      ? { iconPath: new vscode.ThemeIcon('symbol-structure'), tooltip: 'Search with a code pattern instead' }
      : { iconPath: new vscode.ThemeIcon('code'), tooltip: 'Search with XPath instead' };
    const update = (): void => {
      const history = this.history(kind);
      pick.title = `Babelfish: Structural Search (${kind === 'xpath' ? 'XPath' : 'pattern'})`;
      pick.placeholder = PLACEHOLDERS[kind];
      pick.buttons = [toggle()];
      const past: vscode.QuickPickItem[] = history.map((query) => ({ label: query, description: 'recent' }));
      const typed = pick.value.trim();
      pick.items = typed && !history.includes(typed)
        ? [{ label: typed, description: kind === 'xpath' ? 'search' : 'search with this pattern', alwaysShow: true }, ...past]
        : past;
    };
    update();
    return new Promise((resolve) => {
      pick.onDidChangeValue(update);
      pick.onDidTriggerButton(() => {
        kind = kind === 'xpath' ? 'pattern' : 'xpath';
        update();
      });
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0]?.label ?? pick.value.trim();
        resolve(chosen ? { query: chosen, kind } : undefined);
        pick.hide();
      });
      pick.onDidHide(() => {
        resolve(undefined);
        pick.dispose();
      });
      pick.show();
    });
  }

  private currentFile(): vscode.Uri | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document && document.uri.scheme === 'file' ? document.uri : undefined;
  }

  private async chooseScope(scope: 'ask' | 'workspace' | 'file'): Promise<'workspace' | vscode.Uri | undefined> {
    const file = this.currentFile();
    const hasWorkspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
    if (scope === 'file' || (scope === 'ask' && !hasWorkspace)) {
      if (!file) void vscode.window.showWarningMessage('Babelfish: open a file to search it.');
      return file;
    }
    if (scope === 'workspace' || !file) {
      return 'workspace';
    }
    type ScopeItem = vscode.QuickPickItem & { scope: 'workspace' | vscode.Uri };
    const items: ScopeItem[] = [
      { label: '$(root-folder) Whole workspace', description: vscode.workspace.name, scope: 'workspace' },
      { label: '$(file) Current file', description: vscode.workspace.asRelativePath(file), scope: file },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Babelfish: search where?', ignoreFocusOut: true });
    return picked?.scope;
  }

  private async run(query: string, kind: QueryKind, file: vscode.Uri | undefined): Promise<void> {
    let matches: QueryMatch[];
    try {
      matches = await this.request(query, kind, file);
    } catch (error) {
      this.provider.set([]);
      if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled) {
        this.view.message = `Search for ${query} cancelled`;
        return;
      }
      const message = errorMessage(error);
      this.view.message = `${query}: ${message}`;
      void vscode.window.showErrorMessage(`Babelfish: ${message}`);
      return;
    }
    await this.show(query, file, matches);
  }

  /** `bblfsh/query`, with a progress bar on the view, and a cancellable notification once it takes a while. */
  private async request(query: string, kind: QueryKind, file: vscode.Uri | undefined): Promise<QueryMatch[]> {
    const client = await this.server.ready();
    const token = `bblfsh-search-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const cancel = new vscode.CancellationTokenSource();
    let notification: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    let done = 0;
    let last: { message?: string; percentage?: number } = {};
    const report = (): void => {
      const percentage = last.percentage ?? done;
      notification?.report({ message: last.message, increment: Math.max(percentage - done, 0) });
      done = Math.max(percentage, done);
    };
    const listening = client.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === 'end') return;
      last = { message: value.message, percentage: value.percentage };
      report();
    });
    const textDocument = file ? { uri: client.code2ProtocolConverter.asUri(file) } : undefined;
    const params = kind === 'xpath' ? { query } : { pattern: query };
    const request = client.sendRequest<QueryMatch[]>('bblfsh/query', { ...params, textDocument, workDoneToken: token }, cancel.token);
    const settled = request.then(() => undefined, () => undefined);
    void vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () => settled);
    const slow = setTimeout(() => void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Babelfish: searching for ${query}`, cancellable: true },
      (progress, cancelled) => {
        notification = progress;
        cancelled.onCancellationRequested(() => cancel.cancel());
        report();
        return settled;
      }), 1500);
    try {
      return await request;
    } finally {
      clearTimeout(slow);
      listening.dispose();
      cancel.dispose();
    }
  }

  private async show(query: string, file: vscode.Uri | undefined, matches: QueryMatch[]): Promise<void> {
    const client = this.server.running;
    const byFile = new Map<string, MatchNode[]>();
    const asRange = (range: LspRange): vscode.Range =>
      new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    for (const match of Array.isArray(matches) ? matches : []) {
      const uri = client ? client.protocol2CodeConverter.asUri(match.uri) : vscode.Uri.parse(match.uri);
      const node = new MatchNode(uri, asRange(match.range), match.type, match.label);
      node.captures = Object.entries(match.captures ?? {}).map(([name, capture]) =>
        new CaptureNode(node, name, capture.text, capture.range ? asRange(capture.range) : undefined));
      const key = uri.toString();
      byFile.set(key, [...(byFile.get(key) ?? []), node]);
    }
    await Promise.all([...byFile.values()].map((nodes) => withLines(nodes)));
    const files = [...byFile.values()]
      .map((nodes) => new FileNode(nodes[0].uri, nodes.sort((a, b) => a.range.start.compareTo(b.range.start))))
      .sort((a, b) => vscode.workspace.asRelativePath(a.uri).localeCompare(vscode.workspace.asRelativePath(b.uri)));
    this.provider.set(files);
    const where = file ? vscode.workspace.asRelativePath(file) : 'the workspace';
    const count = this.provider.count;
    const values = Array.isArray(matches) && matches.some((match) => match.value !== undefined);
    const inFiles = `${files.length} ${files.length === 1 ? 'file' : 'files'}`;
    this.view.message = values
      ? `The value of ${query} in ${files.length === 1 ? '' : `each of ${inFiles} in `}${where}`
      : count
        ? `${count} ${count === 1 ? 'match' : 'matches'} in ${inFiles} for ${query} in ${where}`
        : `No matches for ${query} in ${where}`;
    void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  }
}

/** Each match's line of code, from the document as the editor has it (opened, not shown, if need be).
 * A value (count(...)) has no line; a file that cannot be opened keeps its matches' node names. */
async function withLines(nodes: MatchNode[]): Promise<void> {
  if (nodes.every((node) => node.type === 'value')) return;
  try {
    const document = await vscode.workspace.openTextDocument(nodes[0].uri);
    for (const node of nodes) {
      if (node.type !== 'value' && node.range.start.line < document.lineCount) {
        node.line = document.lineAt(node.range.start.line).text;
      }
    }
  } catch {
    // shown as node names
  }
}
