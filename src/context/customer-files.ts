import fs from 'node:fs/promises';
import path from 'node:path';
import type { TimelineEntry } from './events';

/**
 * Files bridgeline keeps about customers outside Redis: voicemail
 * recordings, the email outbox. Their owners register them with the
 * context store, so an erasure removes them with the customer's keys and
 * the retention sweep ages them out with the timeline.
 */
export interface CustomerFiles {
  /** Removes the customer's files; answers their names for the receipt. */
  erase(customer: ErasedCustomer): Promise<string[]>;
  /** Removes the files last written before the cutoff; answers how many. */
  sweep(cutoffMs: number): Promise<number>;
}

/** What an erasure knows of the customer, read before anything is removed. */
export interface ErasedCustomer {
  customerId: string;
  /** The whole timeline, oldest first. */
  events: TimelineEntry[];
}

/**
 * Removes the named files of a folder; answers those that were there, as
 * `<label>/<name>`. A file already gone is no error: an erasure run again
 * after a stop part-way finds some removed.
 */
export async function removeFiles(
  dir: string,
  label: string,
  names: Iterable<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of new Set(names)) {
    if (await removeIfThere(path.join(dir, name))) {
      removed.push(`${label}/${name}`);
    }
  }
  return removed.sort();
}

/** Removes every file of the folder last modified before the cutoff. */
export async function removeOlderThan(
  dir: string,
  cutoffMs: number,
): Promise<number> {
  let removed = 0;
  for (const name of await fileNames(dir)) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (
      stat?.isFile() &&
      stat.mtimeMs < cutoffMs &&
      (await removeIfThere(file))
    ) {
      removed += 1;
    }
  }
  return removed;
}

/** The folder's file names, none when it was never made. */
export async function fileNames(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(missingAsEmpty);
}

async function removeIfThere(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if (isMissing(err)) {
      return false;
    }
    throw err;
  }
}

function missingAsEmpty(err: unknown): string[] {
  if (isMissing(err)) {
    return [];
  }
  throw err;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
