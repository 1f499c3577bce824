import type { QueueDefinition } from './queues';
import type { ScriptResult } from './results';

/**
 * Real-time queue statistics, as contact centers read them: today's
 * counters (UTC day) plus what is waiting now.
 */
export interface QueueStats {
  queue: string;
  name: string;
  waiting: number;
  /** How long the contact waiting longest has waited, in this queue. */
  longestWaitSeconds: number;
  /** Share of today's answered contacts answered within the target. */
  serviceLevel: number | null;
  serviceLevelSeconds: number;
  averageSpeedOfAnswerSeconds: number | null;
  /** Contacts that joined the queue today. */
  offered: number;
  answered: number;
  abandoned: number;
  agentsAvailable: number;
  agentsStaffed: number;
}

export function queueStats(
  queue: QueueDefinition,
  figures: ScriptResult,
  now: number,
): QueueStats {
  const day = figures.day ?? {};
  const answered = day.answered ?? 0;
  const oldest = figures.oldestQueuedAt ?? 0;
  return {
    queue: queue.id,
    name: queue.name,
    waiting: figures.waiting ?? 0,
    longestWaitSeconds:
      oldest > 0 ? Math.max(0, Math.round((now - oldest) / 1000)) : 0,
    serviceLevel:
      answered > 0 ? round((day.answeredInSl ?? 0) / answered, 4) : null,
    serviceLevelSeconds: queue.serviceLevelSeconds,
    averageSpeedOfAnswerSeconds:
      answered > 0
        ? round((day.totalAnswerMs ?? 0) / answered / 1000, 1)
        : null,
    offered: day.offered ?? 0,
    answered,
    abandoned: day.abandoned ?? 0,
    agentsAvailable: figures.agentsAvailable ?? 0,
    agentsStaffed: figures.agentsStaffed ?? 0,
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The UTC day a counter belongs to, as the stats keys name it. */
export function statsDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}
