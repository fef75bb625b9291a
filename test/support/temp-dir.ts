// A temporary folder for a test file: created at load, removed after its tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export interface TempDir {
  /** The folder itself. */
  dir: string;
  /** The path of `name` in the folder (nothing written). */
  path(name: string): string;
  /** Write `text` to `name` in the folder; its path. */
  write(name: string, text: string): string;
}

/** A new folder under the system's temporary one, named `prefix`…, removed (with what is in it) after the file's tests. */
export function useTempDir(prefix: string): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = (name: string) => join(dir, name);
  return {
    dir,
    path,
    write(name, text) {
      writeFileSync(path(name), text);
      return path(name);
    },
  };
}
