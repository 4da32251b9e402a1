import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What `hlsify --help`, `--version` and every command load before their action runs: the static (not
 * type-only, not dynamic) imports reachable from the CLI's entry. The S3 SDK, the process runner, the
 * AMQP client and the terminal bars are loaded by the actions that use them, so start-up stays short.
 */
function staticImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(import|export)\s+(type\s+)?([^;]*?\s+from\s+)?'([^']+)';/gms)) {
      const [, , typeOnly, clause, specifier] = match;
      if (typeOnly || !specifier || (match[1] === 'export' && !clause)) continue;
      // `import { type A, type B } from` is erased too.
      if (clause && /^\{\s*(type\s+\w+\s*,?\s*)+\}\s+from\s+$/.test(clause.trim() + ' ')) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('CLI start-up', () => {
  const { files, packages } = staticImports(resolve('src/cli/main.ts'));

  it('follows the imports of every command file', () => {
    for (const command of ['transcode', 'upload', 'consume', 'cleanup', 'bench', 'preview', 'submit', 'verify']) {
      expect([...files].some((f) => f.endsWith(`src/cli/commands/${command}.ts`))).toBe(true);
    }
    expect(packages).toContain('commander');
  });

  it.each(['@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'execa', 'amqplib', 'cli-progress', 'p-limit'])('does not load %s before a command needs it', (name) => {
    expect([...packages]).not.toContain(name);
  });
});
