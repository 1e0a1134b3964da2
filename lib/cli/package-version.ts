/** The package's root and version, from the nearest package.json named gru-native above this file (dist/ or lib/). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageRoot(): string | null {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'gru-native') return dir;
    } catch {
      // not here: look further up
    }
  }
  return null;
}

export function packageVersion(): string {
  const root = packageRoot();
  if (!root) return 'unknown';
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}
