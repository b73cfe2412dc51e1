// The status bar item: the runtime, and the current file's driver (`bblfsh/status`).

import * as vscode from 'vscode';
import { errorMessage, isSupported, Server } from './server';

/** What `bblfsh/status` answers. */
interface Status {
  server: string;
  runtime: string | null;
  note: string;
  document?: {
    language: string | null;
    driver?: string | null;
    runtime?: string | null;
    image?: string | null;
    problem: string | null;
  };
}

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bblfsh.status', vscode.StatusBarAlignment.Right, 100);
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly server: Server) {
    this.item.name = 'Babelfish';
    this.item.command = 'bblfsh.listDrivers';
    this.item.text = '$(sync~spin) bblfsh';
    this.item.tooltip = 'Babelfish: starting the language server';
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
  }

  /** Refresh soon (several events in a row make one request). */
  refresh(delay = 150): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const client = this.server.running;
    if (!client) {
      this.item.text = '$(circle-slash) bblfsh';
      this.item.tooltip = 'Babelfish: the language server is not running (see the Babelfish output)';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    const document = vscode.window.activeTextEditor?.document;
    const uri = isSupported(document) ? client.code2ProtocolConverter.asUri(document.uri) : undefined;
    let status: Status;
    try {
      status = await client.sendRequest<Status>('bblfsh/status', uri ? { textDocument: { uri } } : {});
    } catch (error) {
      if (generation !== this.generation) return;
      this.item.text = '$(warning) bblfsh';
      this.item.tooltip = `Babelfish: ${errorMessage(error)}`;
      return;
    }
    if (generation !== this.generation) return;
    const doc = status.document;
    const runtime = doc?.runtime ?? status.runtime ?? '?';
    let text = `$(symbol-structure) bblfsh: ${runtime}`;
    if (doc?.language) {
      text += doc.driver ? ` · ${doc.language} ${doc.driver}` : ` · ${doc.language}: no driver`;
    }
    const problem = doc?.problem;
    this.item.text = problem ? `$(warning) ${text.replace('$(symbol-structure) ', '')}` : text;
    this.item.backgroundColor = problem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Babelfish** — bblfsh-lsp ${status.server}\n\n`);
    tooltip.appendText(`${status.note}\n\n`);
    if (doc?.language) {
      tooltip.appendText(`${doc.language}: driver ${doc.driver ?? 'none'}` +
        (doc.runtime ? ` on ${doc.runtime}` : '') + (doc.image ? ` (${doc.image})` : '') + '\n\n');
    }
    if (problem) tooltip.appendText(`${problem}\n\n`);
    tooltip.appendMarkdown('Click to list the drivers.');
    this.item.tooltip = tooltip;
  }
}
