/** Opens a URL in the desktop's browser when the machine has an opener (xdg-open, open, start). */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export type OpenOutcome = { status: 'opened'; command: string } | { status: 'no-opener'; looked: string } | { status: 'failed'; command: string; reason: string };

/** The opener for this platform: command and the arguments before the URL. */
function opener(platform: NodeJS.Platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [] };
  // `start` is a cmd.exe builtin; its first quoted argument is the window title.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  return { command: 'xdg-open', args: [] };
}

async function onPath(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      const candidate = join(dir, command + ext);
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
    }
  }
  return undefined;
}

/** Starts the opener detached (it may outlive the preview) and does not wait for the browser. */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<OpenOutcome> {
  const { command, args } = opener(process.platform);
  const path = await onPath(command, env);
  if (!path) return { status: 'no-opener', looked: command };
  return new Promise<OpenOutcome>((resolve) => {
    const child = spawn(path, [...args, url], { detached: true, stdio: 'ignore', env });
    child.once('error', (error) => resolve({ status: 'failed', command, reason: error.message }));
    child.once('spawn', () => {
      child.unref();
      resolve({ status: 'opened', command });
    });
  });
}
