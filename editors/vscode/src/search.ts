// Structural search: an XPath query (with a history), a scope, `bblfsh/query`, and the matches in a tree.

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
}

const HISTORY_KEY = 'bblfsh.queryHistory';
const HISTORY_SIZE = 25;
export const VIEW_ID = 'bblfsh.searchResults';

class FileNode {
  constructor(readonly uri: vscode.Uri, readonly matches: MatchNode[]) {}
}

class MatchNode {
  constructor(readonly uri: vscode.Uri, readonly range: vscode.Range, readonly type: string, readonly label: string) {}
}

type Node = FileNode | MatchNode;

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
    return node instanceof FileNode ? node.matches : [];
  }

  getParent(node: Node): Node | undefined {
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
    const label = node.label ? `${node.type} ${node.label}` : node.type;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.uri.toString()}#${node.range.start.line}:${node.range.start.character}-${node.range.end.line}:${node.range.end.character}:${node.type}`;
    item.description = `line ${node.range.start.line + 1}`;
    item.tooltip = `${label}\n${vscode.workspace.asRelativePath(node.uri)}:${node.range.start.line + 1}:${node.range.start.character + 1}`;
    item.iconPath = iconFor(node.type);
    item.contextValue = 'match';
    item.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [node.uri, { selection: node.range, preserveFocus: false } satisfies vscode.TextDocumentShowOptions],
    };
    return item;
  }
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

  /** The whole flow: query (unless given), scope (unless given: 'workspace' or a file URI), search, show. */
  async search(query?: string, scope?: 'ask' | 'workspace' | 'file' | vscode.Uri): Promise<void> {
    query ??= await this.askQuery();
    if (!query) return;
    const target = scope instanceof vscode.Uri ? scope : await this.chooseScope(scope ?? 'ask');
    if (target === undefined) return;
    await this.remember(query);
    await this.run(query, target === 'workspace' ? undefined : target);
  }

  private history(): string[] {
    return this.state.get<string[]>(HISTORY_KEY, []);
  }

  private async remember(query: string): Promise<void> {
    const history = [query, ...this.history().filter((past) => past !== query)].slice(0, HISTORY_SIZE);
    await this.state.update(HISTORY_KEY, history);
  }

  /** A quick pick: type a query, or pick a past one. */
  private askQuery(): Promise<string | undefined> {
    const history = this.history();
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
    pick.title = 'Babelfish: Structural Search';
    pick.placeholder = 'XPath over the UAST, e.g. //uast:FunctionGroup or //python:ClassDef';
    pick.ignoreFocusOut = true;
    const past: vscode.QuickPickItem[] = history.map((query) => ({ label: query, description: 'recent' }));
    const update = (): void => {
      const typed = pick.value.trim();
      pick.items = typed && !history.includes(typed)
        ? [{ label: typed, description: 'search', alwaysShow: true }, ...past]
        : past;
    };
    update();
    return new Promise((resolve) => {
      pick.onDidChangeValue(update);
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0]?.label ?? pick.value.trim();
        resolve(chosen || undefined);
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

  private async run(query: string, file: vscode.Uri | undefined): Promise<void> {
    let matches: QueryMatch[];
    try {
      matches = await this.request(query, file);
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
    this.show(query, file, matches);
  }

  /** `bblfsh/query`, with a progress bar on the view, and a cancellable notification once it takes a while. */
  private async request(query: string, file: vscode.Uri | undefined): Promise<QueryMatch[]> {
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
    const request = client.sendRequest<QueryMatch[]>('bblfsh/query', { query, textDocument, workDoneToken: token }, cancel.token);
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

  private show(query: string, file: vscode.Uri | undefined, matches: QueryMatch[]): void {
    const client = this.server.running;
    const byFile = new Map<string, MatchNode[]>();
    for (const match of Array.isArray(matches) ? matches : []) {
      const uri = client ? client.protocol2CodeConverter.asUri(match.uri) : vscode.Uri.parse(match.uri);
      const range = new vscode.Range(match.range.start.line, match.range.start.character, match.range.end.line, match.range.end.character);
      const key = uri.toString();
      byFile.set(key, [...(byFile.get(key) ?? []), new MatchNode(uri, range, match.type, match.label)]);
    }
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
