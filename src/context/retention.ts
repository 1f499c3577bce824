import { scanKeys, type RedisClient } from '../redis/connect';
import { keys } from './keys';

export interface RetentionReport {
  timelines: number;
  eventsTrimmed: number;
}

/**
 * Trims every timeline to the retention window. Writes already trim the
 * timeline they append to, and the card never shows older events; this
 * sweep catches the customers who have gone quiet.
 */
export async function sweepRetention(
  redis: RedisClient,
  cutoffMs: number,
): Promise<RetentionReport> {
  const report: RetentionReport = { timelines: 0, eventsTrimmed: 0 };
  await scanKeys(
    redis,
    keys.timeline('*'),
    async (timelines) => {
      const trimmed = await Promise.all(
        timelines.map((key) => redis.xtrim(key, 'MINID', cutoffMs)),
      );
      report.timelines += timelines.length;
      report.eventsTrimmed += trimmed.reduce((sum, n) => sum + n, 0);
    },
    'stream',
  );
  return report;
}
