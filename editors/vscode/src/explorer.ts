// The UAST explorer: the current file's UAST as a tree (`bblfsh/uastTree`, in a mode the view's title
// button picks), following the cursor (the node under it revealed and selected), a selected node's range
// highlighted in the editor, and "Copy as query" on any node (`bblfsh/nodeQuery`: an XPath, and a
// pattern where one applies, that find the node and the nodes like it).

import * as vscode from 'vscode';
import type { Range as LspRange } from 'vscode-languageclient/node';
import { errorMessage, isSupported, Server } from './server';

export const EXPLORER_ID = 'bblfsh.uastExplorer';
const MODES = ['semantic', 'annotated', 'native'] as const;
export type Mode = (typeof MODES)[number];
const MODE_KEY = 'bblfsh.explorerMode';

/** One node of `bblfsh/uastTree`'s answer. */
interface TreeEntry {
  type: string;
  label: string;
  field?: string;
  roles?: string[];
  properties?: Record<string, string>;
  range?: LspRange;
  children: TreeEntry[];
}

interface TreeAnswer {
  uri: string;
  version: number;
  language: string;
  mode: Mode;
  root: TreeEntry;
  nodes: number;
  truncated: boolean;
}

interface NodeQueryAnswer {
  xpath: string;
  count: number;
  pattern: string | null;
  language: string;
}

export class UastNode {
  readonly children: UastNode[] = [];
  constructor(readonly entry: TreeEntry, readonly path: number[], readonly parent: UastNode | undefined,
    readonly range: vscode.Range | undefined) {}
}

/** The smallest node whose range holds the position (the deepest, among equals). */
export function nodeAt(root: UastNode, position: vscode.Position): UastNode | undefined {
  let best: UastNode | undefined;
  let bestSize = Number.POSITIVE_INFINITY;
  const stack: [UastNode, number][] = [[root, 0]];
  let bestDepth = -1;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    const range = node.range;
    if (range && range.contains(position)) {
      const size = (range.end.line - range.start.line) * 1e6 + (range.end.character - range.start.character);
      if (size < bestSize || (size === bestSize && depth > bestDepth)) {
        best = node;
        bestSize = size;
        bestDepth = depth;
      }
    }
    for (const child of node.children) stack.push([child, depth + 1]);
  }
  return best;
}

function build(entry: TreeEntry, path: number[], parent: UastNode | undefined): UastNode {
  const range = entry.range
    ? new vscode.Range(entry.range.start.line, entry.range.start.character, entry.range.end.line, entry.range.end.character)
    : undefined;
  const node = new UastNode(entry, path, parent, range);
  entry.children.forEach((child, number) => node.children.push(build(child, [...path, number], node)));
  return node;
}

export class UastExplorer implements vscode.TreeDataProvider<UastNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<UastNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<UastNode>;
  private readonly highlight = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
    borderStyle: 'solid',
    borderWidth: '1px',
  });
  private readonly disposables: vscode.Disposable[] = [];
  private root: UastNode | undefined;
  private answer: TreeAnswer | undefined;
  private document: vscode.TextDocument | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private following = false; // a reveal the cursor asked for: the editor is not scrolled to it

  constructor(private readonly server: Server, private readonly state: vscode.Memento) {
    this.view = vscode.window.createTreeView(EXPLORER_ID, { treeDataProvider: this, showCollapseAll: true });
    this.describe();
    this.disposables.push(
      this.view,
      this.highlight,
      this.view.onDidChangeVisibility(() => this.view.visible && this.refresh(0)),
      this.view.onDidChangeSelection((event) => this.selected(event.selection[0])),
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh(0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === this.document) this.refresh(600);
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor.document === this.document) this.follow(150);
      }),
    );
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    clearTimeout(this.followTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  get mode(): Mode {
    return this.state.get<Mode>(MODE_KEY, 'semantic');
  }

  private describe(): void {
    const counted = this.answer ? ` · ${this.answer.nodes} nodes${this.answer.truncated ? ' (cut)' : ''}` : '';
    this.view.description = `${this.mode}${counted}`;
  }

  /** Picks the mode (unless given) and shows the tree in it. */
  async chooseMode(mode?: Mode): Promise<void> {
    if (!mode) {
      const picked = await vscode.window.showQuickPick(MODES.map((name) => ({ label: name, picked: name === this.mode })),
        { title: 'Babelfish: UAST explorer mode' });
      if (!picked) return;
      mode = picked.label as Mode;
    }
    await this.state.update(MODE_KEY, mode);
    this.describe();
    await this.load();
  }

  /** Shows the explorer, on the current file. */
  async show(): Promise<void> {
    await vscode.commands.executeCommand(`${EXPLORER_ID}.focus`);
    await this.load();
  }

  refresh(delay: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.load(), delay);
  }

  /** The tree of the active editor's file (a file the server knows), then the node at its cursor. */
  private async load(): Promise<void> {
    if (!this.view.visible) return;
    const editor = vscode.window.activeTextEditor;
    const document = editor?.document;
    if (!isSupported(document)) {
      if (!this.document) this.view.message = 'Open a source file to explore its UAST.';
      return; // the output panel, a UAST document...: keep the last file's tree
    }
    const generation = ++this.generation;
    const mode = this.mode;
    try {
      const client = await this.server.ready();
      const answer = await client.sendRequest<TreeAnswer>('bblfsh/uastTree',
        { textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) }, mode });
      if (generation !== this.generation) return; // a newer request is on its way
      this.document = document;
      this.answer = answer;
      this.root = build(answer.root, [], undefined);
      this.view.message = answer.truncated ? `The first ${answer.nodes} nodes of a larger tree.` : undefined;
    } catch (error) {
      if (generation !== this.generation) return;
      this.document = document;
      this.answer = undefined;
      this.root = undefined;
      this.view.message = `${vscode.workspace.asRelativePath(document.uri)}: ${errorMessage(error)}`;
    }
    this.describe();
    this.changed.fire(undefined);
    this.follow(50);
  }

  /** Reveals and selects the node under the cursor of the explored file's editor. */
  private follow(delay: number): void {
    clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => {
      const editor = vscode.window.visibleTextEditors.find((shown) => shown.document === this.document);
      if (!editor || !this.root || !this.view.visible) return;
      const node = nodeAt(this.root, editor.selection.active);
      if (!node || this.view.selection[0] === node) return;
      this.following = true;
      void Promise.resolve(this.view.reveal(node, { select: true, focus: false, expand: true }))
        .catch(() => undefined).finally(() => { this.following = false; });
    }, delay);
  }

  /** A selected node: its range highlighted in the editor (scrolled to, when the user picked it). */
  private selected(node: UastNode | undefined): void {
    const editor = vscode.window.visibleTextEditors.find((shown) => shown.document === this.document);
    if (!editor) return;
    editor.setDecorations(this.highlight, node?.range ? [node.range] : []);
    if (node?.range && !this.following) {
      editor.revealRange(node.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  /** "Copy as query": the XPath and (where one applies) the pattern for a node; the one picked is copied. */
  async copyAsQuery(node?: UastNode): Promise<void> {
    node ??= this.view.selection[0];
    if (!node || !this.document || !this.answer) {
      void vscode.window.showWarningMessage('Babelfish: select a node of the UAST explorer first.');
      return;
    }
    let answer: NodeQueryAnswer;
    try {
      const client = await this.server.ready();
      answer = await client.sendRequest<NodeQueryAnswer>('bblfsh/nodeQuery', {
        textDocument: { uri: client.code2ProtocolConverter.asUri(this.document.uri) },
        mode: this.answer.mode, path: node.path, version: this.answer.version,
      });
    } catch (error) {
      void vscode.window.showErrorMessage(`Babelfish: cannot make a query for this node: ${errorMessage(error)}`);
      return;
    }
    type Choice = vscode.QuickPickItem & { text: string; what: 'xpath' | 'pattern' };
    const found = (count: number): string => `finds ${count} ${count === 1 ? 'node' : 'nodes'} in this file`;
    const choices: Choice[] = [{ label: answer.xpath, description: `XPath · ${found(answer.count)}`, text: answer.xpath, what: 'xpath' }];
    if (answer.pattern) {
      choices.push({ label: answer.pattern.replace(/\s*\n\s*/g, ' ⏎ '), description: `pattern (${answer.language})`,
        text: answer.pattern, what: 'pattern' });
    }
    const picked = await vscode.window.showQuickPick(choices, { title: 'Babelfish: Copy as query', ignoreFocusOut: true });
    if (!picked) return;
    await vscode.env.clipboard.writeText(picked.text);
    const search = 'Search with it';
    const next = await vscode.window.showInformationMessage(
      `Babelfish: copied the ${picked.what === 'xpath' ? 'XPath' : 'pattern'} ${picked.text}`, search);
    if (next === search) {
      await vscode.commands.executeCommand(picked.what === 'xpath' ? 'bblfsh.searchWorkspace' : 'bblfsh.searchPatternWorkspace', picked.text);
    }
  }

  getChildren(node?: UastNode): UastNode[] {
    if (!node) return this.root ? [this.root] : [];
    return node.children;
  }

  getParent(node: UastNode): UastNode | undefined {
    return node.parent;
  }

  getTreeItem(node: UastNode): vscode.TreeItem {
    const entry = node.entry;
    const state = node.children.length === 0 ? vscode.TreeItemCollapsibleState.None
      : node.parent === undefined ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(entry.type, state);
    item.id = `${this.answer?.version ?? ''}/${node.path.join('.')}`;
    const where = node.range ? `${node.range.start.line + 1}:${node.range.start.character + 1}` : '';
    item.description = [entry.field ? `${entry.field}` : '', entry.label ? `"${entry.label}"` : '', where]
      .filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendCodeblock(entry.type, 'text');
    if (entry.roles?.length) tooltip.appendMarkdown(`**roles** ${entry.roles.join(', ')}\n\n`);
    for (const [key, value] of Object.entries(entry.properties ?? {})) tooltip.appendMarkdown(`**${key}** \`${value}\`\n\n`);
    if (node.range) tooltip.appendMarkdown(`${node.range.start.line + 1}:${node.range.start.character + 1}–${node.range.end.line + 1}:${node.range.end.character + 1}`);
    item.tooltip = tooltip;
    item.contextValue = 'uastNode';
    item.iconPath = new vscode.ThemeIcon(entry.type.startsWith('uast:') ? 'symbol-structure' : entry.roles?.length ? 'symbol-field' : 'symbol-misc');
    return item;
  }
}
