import { weekdays, type NodeOf } from './flow';

/**
 * Business hours: is the line open at a given instant, in the time zone the
 * schedule is written in? Intl does the zone arithmetic (daylight saving
 * included), so no date library is needed.
 */

type Weekday = (typeof weekdays)[number];

export interface LocalTime {
  /** YYYY-MM-DD on the wall calendar of the zone. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
}

// Building a DateTimeFormat costs far more than using one, and a line has
// few zones: keep one per zone for the life of the process.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timezone, format);
  }
  return format;
}

// Every zone's offset from UTC is whole minutes today, so the wall clock
// read to the minute holds for a whole UTC minute: calls in the same minute
// reuse it (formatToParts was the hours node's whole cost). One entry per
// zone that formatFor knows.
const lastRead = new Map<string, { minute: number; time: LocalTime }>();
const minuteMs = 60_000;

/** The wall-clock time in `timezone`, or undefined for an unknown zone. */
export function localTime(now: Date, timezone: string): LocalTime | undefined {
  const minute = Math.floor(now.getTime() / minuteMs);
  const last = lastRead.get(timezone);
  if (last?.minute === minute) {
    return last.time;
  }
  const time = readLocalTime(now, timezone);
  if (time) {
    lastRead.set(timezone, { minute, time });
  }
  return time;
}

function readLocalTime(now: Date, timezone: string): LocalTime | undefined {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatFor(timezone).formatToParts(now);
  } catch {
    return undefined; // RangeError: not an IANA zone
  }
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';

  const weekday = part('weekday').toLowerCase() as Weekday;
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    weekday,
    minutes: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

function toMinutes(clock: string): number {
  const [hours, minutes] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** Whether `minutes` falls in a range such as 09:00-17:30 (end excluded). */
export function inRange(range: string, minutes: number): boolean {
  const [start = '', end = ''] = range.split('-');
  return minutes >= toMinutes(start) && minutes < toMinutes(end);
}

/**
 * Open when the local day is no holiday and the local time falls in one of
 * that weekday's ranges. A zone Intl does not know counts as closed: the
 * flow validator reports it, and closed is the outcome that takes a message
 * rather than ringing an empty room.
 */
export function isOpen(
  schedule: Pick<NodeOf<'hours'>, 'timezone' | 'weekly' | 'holidays'>,
  now: Date,
): boolean {
  const local = localTime(now, schedule.timezone);
  if (!local || schedule.holidays.includes(local.date)) {
    return false;
  }
  const ranges = schedule.weekly[local.weekday] ?? [];
  return ranges.some((range) => inRange(range, local.minutes));
}
