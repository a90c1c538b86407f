// Files under a folder on the server's disk. A finished upload is renamed into place, so a reader
// never sees half a file.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { checkKey, type ByteRange, type FileStorage } from './storage.js';

export class DiskStorage implements FileStorage {
  constructor(private root: string) {}

  private file(key: string) {
    return path.join(this.root, ...checkKey(key).split('/'));
  }

  async put(key: string, source: string): Promise<void> {
    const target = this.file(key);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(source, target);
    } catch (err) {
      // the source is on another file system: copy, then drop the source
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(source, target);
      await rm(source, { force: true });
    }
  }

  async get(key: string, range?: ByteRange) {
    const file = this.file(key);
    if ((await this.size(key)) === null) return null;
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async size(key: string): Promise<number | null> {
    try {
      const s = await stat(this.file(key));
      return s.isFile() ? s.size : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((k) => rm(this.file(k), { force: true })));
  }

  async *list(prefix: string): AsyncIterable<string> {
    const dir = path.join(this.root, ...prefix.split('/').filter(Boolean));
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (e.isFile()) yield path.relative(this.root, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    }
  }

  async close() {}
}
