// The VS Code client of bblfsh-lsp. Outline, breadcrumbs, folding, expand selection and diagnostics come
// from the language server through vscode-languageclient; this adds structural search (XPath or code
// patterns), the UAST view and explorer, driver management and a status bar item.

import * as vscode from 'vscode';
import { Drivers, Verb } from './drivers';
import { Mode as ExplorerMode, UastExplorer, UastNode } from './explorer';
import { StructuralSearch } from './search';
import { Server } from './server';
import { StatusItem } from './status';
import { UAST_SCHEME, UastDocuments } from './uast';

let server: Server | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Babelfish');
  server = new Server(output);
  const status = new StatusItem(server);
  const search = new StructuralSearch(server, context.globalState);
  const uast = new UastDocuments(server);
  const explorer = new UastExplorer(server, context.globalState);
  const drivers = new Drivers(server, () => status.refresh(500));

  const command = (id: string, run: (...args: never[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, run);
  const driverCommand = (verb: Verb) => (language?: string, source?: string) => drivers.pickAndRun(verb, language, source);

  context.subscriptions.push(
    output,
    server,
    status,
    search,
    explorer,
    vscode.workspace.registerTextDocumentContentProvider(UAST_SCHEME, uast),
    // Each takes optional arguments too, for key bindings and other extensions: [query, uri?], [pattern, uri?], [mode],
    // [language, source?].
    command('bblfsh.search', (query?: string, uri?: string) => search.search(query, uri ? vscode.Uri.parse(uri) : 'ask')),
    command('bblfsh.searchWorkspace', (query?: string) => search.search(query, 'workspace')),
    command('bblfsh.searchFile', (query?: string) => search.search(query, 'file')),
    command('bblfsh.searchPattern', (pattern?: string, uri?: string) =>
      search.search(pattern, uri ? vscode.Uri.parse(uri) : 'ask', 'pattern')),
    command('bblfsh.searchPatternWorkspace', (pattern?: string) => search.search(pattern, 'workspace', 'pattern')),
    command('bblfsh.clearResults', () => search.clear()),
    command('bblfsh.showExplorer', () => explorer.show()),
    command('bblfsh.explorer.mode', (mode?: ExplorerMode) => explorer.chooseMode(mode)),
    command('bblfsh.explorer.refresh', () => explorer.refresh(0)),
    command('bblfsh.explorer.copyQuery', (node?: UastNode) => explorer.copyAsQuery(node)),
    command('bblfsh.showUast', (mode?: 'semantic' | 'annotated' | 'native') => uast.show(mode)),
    command('bblfsh.listDrivers', () => drivers.showList()),
    command('bblfsh.installDriver', driverCommand('install')),
    command('bblfsh.updateDriver', driverCommand('update')),
    command('bblfsh.rollbackDriver', driverCommand('rollback')),
    command('bblfsh.removeDriver', driverCommand('remove')),
    command('bblfsh.restartServer', () => server?.restart()),
    server.onDidChange(() => status.refresh(500)),
    vscode.window.onDidChangeActiveTextEditor(() => status.refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('bblfsh')) void server?.configurationChanged(event);
    }),
  );
  void server.start().then(() => status.refresh(0));
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
