// "Show UAST": `bblfsh/parse` of the current file, as a read-only JSON document.

import * as path from 'path';
import * as vscode from 'vscode';
import { errorMessage, Server } from './server';

export const UAST_SCHEME = 'bblfsh-uast';
const MODES = ['semantic', 'annotated', 'native'] as const;
type Mode = (typeof MODES)[number];

const DESCRIPTIONS: Record<Mode, string> = {
  semantic: 'annotated, with uast:* nodes where a concept is universal',
  annotated: 'the native nodes with roles',
  native: "the parser's own AST, with positions",
};

/** What `bblfsh/parse` answers. */
interface ParseAnswer {
  uri: string;
  language: string;
  uast: unknown;
  errors: { message: string; line: number | null; col: number | null }[];
}

export class UastDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly server: Server) {}

  static uriFor(source: vscode.Uri, mode: Mode): vscode.Uri {
    const name = `${path.basename(source.path)}.${mode}.uast.json`;
    const query = new URLSearchParams({ uri: source.toString(), mode }).toString();
    return vscode.Uri.from({ scheme: UAST_SCHEME, path: `/${name}`, query });
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const params = new URLSearchParams(uri.query);
    const source = vscode.Uri.parse(params.get('uri') ?? '');
    const mode = params.get('mode') ?? 'semantic';
    try {
      const client = await this.server.ready();
      const answer = await client.sendRequest<ParseAnswer>(
        'bblfsh/parse', { textDocument: { uri: client.code2ProtocolConverter.asUri(source) }, mode }, token);
      return JSON.stringify(answer, null, 2) + '\n';
    } catch (error) {
      const message = errorMessage(error);
      void vscode.window.showErrorMessage(`Babelfish: cannot show the UAST of ${vscode.workspace.asRelativePath(source)}: ${message}`);
      return JSON.stringify({ uri: source.toString(), mode, error: message }, null, 2) + '\n';
    }
  }

  /** Asks for a mode (unless given), then opens (or refreshes) the UAST beside the editor. */
  async show(mode?: Mode): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.uri.scheme === UAST_SCHEME) {
      void vscode.window.showWarningMessage('Babelfish: open a source file to see its UAST.');
      return;
    }
    if (!mode) {
      const picked = await vscode.window.showQuickPick(
        MODES.map((name) => ({ label: name, description: DESCRIPTIONS[name] })),
        { title: 'Babelfish: UAST mode' });
      if (!picked) return;
      mode = picked.label as Mode;
    }
    const uri = UastDocuments.uriFor(document.uri, mode);
    this.changed.fire(uri); // a fresh parse if that view is already open
    const shown = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(shown, 'json');
    await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}
