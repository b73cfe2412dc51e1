// Starting and stopping `bblfsh-lsp serve`, and the settings it is given.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { FILE_GLOB, LANGUAGES, PREVIOUS_KEYS, RUNTIME_ENV, SERVER_SETTING_KEYS, ServerSettings } from './facts';

/** The documents the server gets: files on disk of the languages it knows, by VS Code's language id
 * or, where VS Code knows none (a .kt without a Kotlin extension), by their name. */
export const DOCUMENT_SELECTOR: { scheme: string; language?: string; pattern?: string }[] = [
  ...LANGUAGES.map((language) => ({ scheme: 'file', language })),
  { scheme: 'file', pattern: FILE_GLOB },
];

/** A file the server attaches to (DOCUMENT_SELECTOR). */
export function isSupported(document: vscode.TextDocument | undefined): document is vscode.TextDocument {
  return !!document && vscode.languages.match(DOCUMENT_SELECTOR, document) > 0;
}

/** What went wrong, for a message: an Error's message, else the thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Settings that need a new server process rather than a workspace/didChangeConfiguration. */
const PROCESS_SETTINGS = ['serverPath', 'pythonPath', 'serverArgs'];

/** The settings the server reads, each where the user set it, else its default (package.json's). */
export function serverSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration('bblfsh');
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_SETTING_KEYS) {
    const previous = PREVIOUS_KEYS[key];
    settings[key] = userValue(config, key) ?? (previous === undefined ? undefined : userValue(config, previous))
      // Unset here, the runtime is what the server would choose alone: its environment, else the default.
      ?? (key === 'runtime' ? process.env[RUNTIME_ENV] : undefined)
      ?? config.get(key);
  }
  return settings as unknown as ServerSettings;
}

/** A setting's value where the user set it (folder, workspace or user settings); undefined where only defaulted. */
function userValue(config: vscode.WorkspaceConfiguration, key: string): unknown {
  const value = config.inspect(key);
  return value?.workspaceFolderValue ?? value?.workspaceValue ?? value?.globalValue;
}

function expand(value: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return value.trim().replace(/^~(?=$|\/)/, os.homedir()).replace(/\$\{workspaceFolder\}/g, folder);
}

/**
 * Where the server runs: the extension's own folder, never the workspace, whose files (an ast.py,
 * a node_modules) must not be taken for the server's or its drivers' own code.
 */
const SERVER_CWD = __dirname;

/**
 * The command line of the server: `<serverPath> serve` or `<pythonPath> -I -m bblfsh_lsp serve`
 * (-I: isolated, so Python reads no module from the working directory and no PYTHON* variable).
 */
export function serverCommand(): { command: string; args: string[] } {
  const config = vscode.workspace.getConfiguration('bblfsh');
  const extra = config.get<string[]>('serverArgs', []).map(expand);
  const python = expand(config.get<string>('pythonPath', ''));
  if (python) {
    return { command: python, args: ['-I', '-m', 'bblfsh_lsp', ...extra, 'serve'] };
  }
  return { command: expand(config.get<string>('serverPath', '')) || 'bblfsh-lsp', args: [...extra, 'serve'] };
}

/**
 * The absolute path of `command`: a path as given, else the first match in the PATH's absolute
 * folders (an empty or relative entry, such as `.` or `node_modules/.bin`, would be a folder of the
 * working directory). The server is started by that path, so nothing looks the name up again.
 */
function findExecutable(command: string): string | undefined {
  const candidates = command.includes(path.sep) || command.includes('/')
    ? [path.resolve(command)]
    : (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => path.isAbsolute(dir))
      .map((dir) => path.join(dir, command));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private readonly changed = new vscode.EventEmitter<LanguageClient | undefined>();
  /** Fires when a client has started (or stopped: undefined). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly output: vscode.OutputChannel) {}

  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** The running client, starting the server if needed; an error that says what to fix if it cannot start. */
  async ready(): Promise<LanguageClient> {
    const current = this.client;
    if (current?.state === State.Starting && !this.starting) {
      // vscode-languageclient is restarting it after a crash: wait for that rather than start another.
      await new Promise<void>((resolve) => {
        const listening = current.onDidChangeState((event) => {
          if (event.newState !== State.Starting) {
            listening.dispose();
            resolve();
          }
        });
      });
    }
    const client = this.running ?? (await (this.starting ?? this.start()));
    if (!client) {
      throw new Error('the bblfsh-lsp server is not running (see the Babelfish output)');
    }
    return client;
  }

  start(): Promise<LanguageClient | undefined> {
    this.starting ??= this.launch().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async launch(): Promise<LanguageClient | undefined> {
    const { command, args } = serverCommand();
    const executable = findExecutable(command);
    if (!executable) {
      const setting = vscode.workspace.getConfiguration('bblfsh').get<string>('pythonPath') ? 'pythonPath' : 'serverPath';
      this.output.appendLine(`cannot find ${command}`);
      void vscode.window
        .showErrorMessage(`Babelfish: cannot find "${command}" to start the language server. Install bblfsh-lsp ` +
          `(pip install it from its repository) or set bblfsh.${setting}.`, 'Open Settings')
        .then((answer) => answer && vscode.commands.executeCommand('workbench.action.openSettings', `bblfsh.${setting}`));
      return undefined;
    }
    this.output.appendLine(`starting ${executable} ${args.join(' ')}`);
    // No `transport`: stdio, without the `--stdio` argument vscode-languageclient would add for TransportKind.stdio.
    const serverOptions: ServerOptions = { command: executable, args, options: { env: process.env, cwd: SERVER_CWD } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      initializationOptions: () => serverSettings(),
      outputChannel: this.output,
      middleware: {
        workspace: {
          // Answer the `bblfsh` section with the settings the server knows (not the client's own ones).
          configuration: async (params, token, next) => {
            if (params.items.every((item) => item.section === 'bblfsh')) {
              return params.items.map(() => serverSettings());
            }
            const answer = await next(params, token);
            return Array.isArray(answer)
              ? answer.map((value, index) => (params.items[index].section === 'bblfsh' ? serverSettings() : value))
              : answer;
          },
        },
      },
    };
    const client = new LanguageClient('bblfsh', 'bblfsh-lsp', serverOptions, clientOptions);
    this.client = client;
    // A crash, a restart by the client, a stop: the status bar follows.
    client.onDidChangeState(() => this.client === client && this.changed.fire(this.running));
    try {
      await client.start();
    } catch (error) {
      this.output.appendLine(`the server did not start: ${errorMessage(error)}`);
      if (this.client === client) {
        this.client = undefined;
      }
      return undefined;
    }
    this.changed.fire(client);
    return client;
  }

  async stop(): Promise<void> {
    await this.starting;
    const client = this.client;
    this.client = undefined;
    if (client?.needsStop()) {
      await client.stop().catch((error) => this.output.appendLine(`stopping: ${String(error)}`));
    }
    this.changed.fire(undefined);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Follow a change of the `bblfsh` settings: a new process, or the new settings sent to the running one. */
  async configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (PROCESS_SETTINGS.some((key) => event.affectsConfiguration(`bblfsh.${key}`))) {
      this.output.appendLine('the server command changed: restarting');
      await this.restart();
      return;
    }
    const client = this.running;
    if (client) {
      this.output.appendLine(`settings changed: ${JSON.stringify(serverSettings())}`);
      await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { bblfsh: serverSettings() } });
      this.changed.fire(client);
    }
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}
