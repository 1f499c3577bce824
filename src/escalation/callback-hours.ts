import { weekdays } from '../ivr/flow';
import { inRange, localTime } from '../ivr/hours';

/**
 * When callbacks may ring: CALLBACK_HOURS in CALLBACK_TIMEZONE. The text
 * is `always`, or day ranges and a time range such as
 * `mon-fri 09:00-17:00` or `mon-fri 09:00-17:00, sat 10:00-13:00`. The
 * zone arithmetic is the IVR's (src/ivr/hours.ts), so a callback and the
 * hours node of a flow agree on what "open" means.
 */

type Weekday = (typeof weekdays)[number];

export interface CallbackHours {
  isOpen(now: Date): boolean;
  /** Milliseconds until the next opening; 0 when open now. */
  untilOpen(now: Date): number;
}

const always: CallbackHours = { isOpen: () => true, untilOpen: () => 0 };

const part =
  /^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?\s+(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d)$/;

/** Throws with a message naming the part it could not read. */
export function parseCallbackHours(
  text: string,
  timezone: string,
): CallbackHours {
  if (text.trim().toLowerCase() === 'always') {
    return always;
  }
  if (localTime(new Date(0), timezone) === undefined) {
    throw new Error(`CALLBACK_TIMEZONE: ${timezone} is not an IANA zone`);
  }
  const weekly = new Map<Weekday, string[]>();
  for (const piece of text.toLowerCase().split(',')) {
    const match = part.exec(piece.trim());
    const [, from, to, range] = match ?? [];
    if (!from || !range) {
      throw new Error(
        `CALLBACK_HOURS: cannot read "${piece.trim()}"; write e.g. ` +
          'always, or mon-fri 09:00-17:00, sat 10:00-13:00',
      );
    }
    const first = weekdays.indexOf(from as Weekday);
    const last = weekdays.indexOf((to ?? from) as Weekday);
    for (let day = first; day <= last; day += 1) {
      const name = weekdays[day] as Weekday;
      weekly.set(name, [...(weekly.get(name) ?? []), range]);
    }
  }

  const isOpen = (now: Date): boolean => {
    const local = localTime(now, timezone);
    return (
      local !== undefined &&
      (weekly.get(local.weekday) ?? []).some((r) => inRange(r, local.minutes))
    );
  };
  return {
    isOpen,
    untilOpen(now) {
      // A minute at a time over one week: a few thousand Intl lookups,
      // only ever for a callback that waits for the morning.
      const minute = 60_000;
      const start = Math.ceil(now.getTime() / minute) * minute;
      if (isOpen(now)) {
        return 0;
      }
      for (let t = start; t <= start + 8 * 24 * 60 * minute; t += minute) {
        if (isOpen(new Date(t))) {
          return t - now.getTime();
        }
      }
      // A schedule with no open minute: look again in a day.
      return 24 * 60 * minute;
    },
  };
}
