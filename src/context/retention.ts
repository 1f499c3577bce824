import { scanKeys, type RedisClient } from '../redis/connect';
import type { CustomerFiles } from './customer-files';
import { keys } from './keys';

export interface RetentionReport {
  timelines: number;
  eventsTrimmed: number;
  /** Files outside Redis older than the window, removed. */
  filesRemoved: number;
}

/**
 * Trims every timeline to the retention window. Writes already trim the
 * timeline they append to, and the card never shows older events; this
 * sweep catches the customers who have gone quiet. Files kept outside
 * Redis age out by the same window.
 */
export async function sweepRetention(
  redis: RedisClient,
  cutoffMs: number,
  onTrimmed: (customerId: string) => Promise<void>,
  files: readonly CustomerFiles[] = [],
): Promise<RetentionReport> {
  const report: RetentionReport = {
    timelines: 0,
    eventsTrimmed: 0,
    filesRemoved: 0,
  };
  await scanKeys(
    redis,
    keys.timeline('*'),
    async (timelines) => {
      const trimmed = await Promise.all(
        timelines.map((key) => redis.xtrim(key, 'MINID', cutoffMs)),
      );
      // A card shows no expired event past its own expiry; rebuilding it
      // now also drops the trimmed events from it at once.
      await Promise.all(
        timelines
          .filter((_key, i) => (trimmed[i] ?? 0) > 0)
          .map((key) => onTrimmed(customerOfTimeline(key))),
      );
      report.timelines += timelines.length;
      report.eventsTrimmed += trimmed.reduce((sum, n) => sum + n, 0);
    },
    'stream',
  );
  for (const kept of files) {
    report.filesRemoved += await kept.sweep(cutoffMs);
  }
  return report;
}

function customerOfTimeline(key: string): string {
  return key.slice(key.indexOf('{') + 1, key.lastIndexOf('}'));
}
