import { readFileSync } from 'node:fs';

export const TOOL_NAME = 'hf-dataset-collector';

function readVersion(): string {
  // package.json sits two levels above dist/src/ (and one above src/ under vitest)
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === TOOL_NAME && pkg.version) return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = readVersion();

export function userAgent(): string {
  return `${TOOL_NAME}/${TOOL_VERSION} (node ${process.versions.node})`;
}
