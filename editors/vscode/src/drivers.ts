// Driver management: the server's `bblfsh.driver.*` commands behind quick picks.

import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { errorMessage, Server } from './server';

/** An installed driver image (`install_data` in the server). */
interface Install {
  name: string;
  version: string;
  image: string;
  image_id: string | null;
  source: string;
  origin: string | null;
  installed_at: string;
  runtimes: string[];
}

/** One language in `bblfsh.driver.list`. */
interface DriverStatus {
  language: string;
  bundled: string | null;
  installed: Install | null;
  previous: Install | null;
  runnable: Record<string, { ok: boolean; reason: string }>;
}

/** What the changing verbs answer. */
interface ActionResult {
  language: string;
  changed: boolean;
  current: Install | null;
  previous: Install | null;
  notes: string[];
}

export type Verb = 'build' | 'install' | 'update' | 'rollback' | 'remove';

const TITLES: Record<Verb, string> = {
  build: 'Build', install: 'Install', update: 'Update', rollback: 'Roll back', remove: 'Remove',
};

/** Which drivers a verb applies to. */
const APPLIES: Record<Verb, (status: DriverStatus) => boolean> = {
  build: (status) => status.bundled !== null,
  install: () => true,
  update: (status) => status.installed !== null,
  rollback: (status) => status.previous !== null,
  remove: (status) => status.installed !== null,
};

function describe(status: DriverStatus): { description: string; detail: string } {
  const installed = status.installed
    ? `installed ${status.installed.version} (${status.installed.runtimes.join(', ') || status.installed.image})`
    : 'not installed';
  const runs = Object.entries(status.runnable)
    .map(([runtime, { ok, reason }]) => `${ok ? '$(check)' : '$(close)'} ${runtime}${ok ? '' : `: ${reason}`}`)
    .join('   ');
  return { description: `bundled ${status.bundled ?? '—'} · ${installed}`, detail: runs };
}

export class Drivers {
  constructor(private readonly server: Server, private readonly changed: () => void) {}

  private async execute<T>(verb: string, args: unknown[]): Promise<T> {
    const client = await this.server.ready();
    return (await client.sendRequest(ExecuteCommandRequest.type, { command: `bblfsh.driver.${verb}`, arguments: args })) as T;
  }

  private async list(): Promise<DriverStatus[] | undefined> {
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Babelfish: listing drivers' },
        () => this.execute<DriverStatus[]>('list', []));
    } catch (error) {
      void vscode.window.showErrorMessage(`Babelfish: cannot list drivers: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** Every driver; picking one offers what can be done with it. */
  async showList(): Promise<void> {
    const statuses = await this.list();
    if (!statuses) return;
    type Item = vscode.QuickPickItem & { status: DriverStatus };
    const picked = await vscode.window.showQuickPick<Item>(
      statuses.map((status) => ({ label: status.language, ...describe(status), status })),
      { title: 'Babelfish: drivers', placeHolder: 'Pick a driver to install, update, roll back or remove it' });
    if (!picked) return;
    const verbs = (Object.keys(TITLES) as Verb[]).filter((verb) => verb !== 'build' && APPLIES[verb](picked.status));
    const action = await vscode.window.showQuickPick(
      verbs.map((verb) => ({ label: `${TITLES[verb]} ${picked.status.language}`, verb })),
      { title: `Babelfish: ${picked.status.language} driver` });
    if (action) await this.run(action.verb, picked.status.language);
  }

  /** A verb on a language picked from the drivers it applies to (unless given). */
  async pickAndRun(verb: Verb, language?: string, source?: string): Promise<void> {
    if (!language) {
      const statuses = await this.list();
      if (!statuses) return;
      const candidates = statuses.filter(APPLIES[verb]);
      if (!candidates.length) {
        void vscode.window.showInformationMessage(`Babelfish: no driver to ${TITLES[verb].toLowerCase()}.`);
        return;
      }
      const picked = await vscode.window.showQuickPick(
        candidates.map((status) => ({ label: status.language, ...describe(status) })),
        { title: `Babelfish: ${TITLES[verb]} Driver`, placeHolder: 'Language' });
      if (!picked) return;
      language = picked.label;
    }
    await this.run(verb, language, source);
  }

  private async askSource(verb: Verb, language: string): Promise<string | null | undefined> {
    const choice = await vscode.window.showQuickPick(
      [
        { label: '$(tools) Build from the bundled driver', detail: 'offline, from the driver that ships with bblfsh-lsp', from: false },
        { label: '$(package) From an image or a saved image file…', detail: 'a registry reference, or a file written by docker save', from: true },
      ],
      { title: `Babelfish: ${TITLES[verb]} the ${language} driver` });
    if (!choice) return undefined;
    if (!choice.from) return null;
    return vscode.window.showInputBox({
      title: `Babelfish: ${TITLES[verb]} the ${language} driver`,
      prompt: 'Image reference (registry.example.com/bblfsh/driver-python:1.0) or path of a saved image (.tar, .tar.gz)',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'an image reference or a file path'),
    });
  }

  async run(verb: Verb, language: string, source?: string): Promise<void> {
    if (source === undefined && (verb === 'install' || verb === 'update')) {
      const asked = await this.askSource(verb, language);
      if (asked === undefined) return;
      source = asked ?? undefined;
    }
    const args = source ? [language, source] : [language];
    try {
      // The server reports the steps with $/progress (shown by the language client); this is the overall spinner.
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Babelfish: ${TITLES[verb].toLowerCase()} ${language}` },
        () => this.execute<ActionResult>(verb, args));
      const current = result.current ? ` — ${result.current.image} (${result.current.version})` : '';
      const notes = result.notes.length ? ` ${result.notes.join(' ')}` : '';
      const outcome = result.changed ? 'done' : 'nothing to do';
      void vscode.window.showInformationMessage(`Babelfish: ${TITLES[verb].toLowerCase()} ${language}: ${outcome}${current}.${notes}`);
    } catch (error) {
      void vscode.window.showErrorMessage(`Babelfish: ${TITLES[verb].toLowerCase()} ${language} failed: ${errorMessage(error)}`);
    } finally {
      this.changed();
    }
  }
}
