import { isOpen, localTime } from '../../src/ivr/hours';

const newYork = {
  timezone: 'America/New_York',
  weekly: {
    mon: ['08:00-12:00', '13:00-17:00'],
    sat: ['10:00-24:00'],
  },
  holidays: ['2026-12-28'],
};

const at = (iso: string) => new Date(iso);

describe('unit: IVR business hours', () => {
  describe('when the schedule is in New York', () => {
    it('is open inside a range and closed in the gap between ranges', () => {
      expect(isOpen(newYork, at('2026-12-07T08:00:00-05:00'))).toBe(true);
      expect(isOpen(newYork, at('2026-12-07T12:30:00-05:00'))).toBe(false);
      expect(isOpen(newYork, at('2026-12-07T16:59:00-05:00'))).toBe(true);
    });

    it('closes at the minute a range ends', () => {
      expect(isOpen(newYork, at('2026-12-07T17:00:00-05:00'))).toBe(false);
    });

    it('keeps a range to 24:00 open until midnight', () => {
      expect(isOpen(newYork, at('2026-12-12T23:59:00-05:00'))).toBe(true);
      expect(isOpen(newYork, at('2026-12-13T00:00:00-05:00'))).toBe(false);
    });

    it('reads the hour after midnight as 00, not 24', () => {
      const night = { ...newYork, weekly: { sun: ['00:00-01:00'] } };

      expect(isOpen(night, at('2026-12-13T00:30:00-05:00'))).toBe(true);
    });

    it('is closed on a day with no ranges', () => {
      expect(isOpen(newYork, at('2026-12-08T10:00:00-05:00'))).toBe(false);
    });

    it('reads the weekday on the local calendar, not in UTC', () => {
      // Monday 23:30 in New York is already Tuesday in UTC.
      const lateMonday = { ...newYork, weekly: { mon: ['20:00-24:00'] } };

      expect(isOpen(lateMonday, at('2026-12-07T23:30:00-05:00'))).toBe(true);
    });

    it('is closed all day on a holiday of the local calendar', () => {
      expect(isOpen(newYork, at('2026-12-28T09:00:00-05:00'))).toBe(false);
      // 20:00 on the 27th in New York is already the 28th in UTC.
      const sunday = { ...newYork, weekly: { sun: ['09:00-22:00'] } };
      expect(isOpen(sunday, at('2026-12-27T20:00:00-05:00'))).toBe(true);
    });

    it('follows daylight saving time', () => {
      // 08:30 EDT on Monday 15 March 2027 is 12:30 UTC.
      expect(isOpen(newYork, at('2027-03-15T12:30:00Z'))).toBe(true);
      // The same UTC time in standard time would be 07:30, before opening.
      expect(isOpen(newYork, at('2027-03-08T12:30:00Z'))).toBe(false);
    });
  });

  describe('when the time zone is not one Intl knows', () => {
    it('counts as closed', () => {
      const nowhere = { ...newYork, timezone: 'Mars/Olympus_Mons' };

      expect(localTime(at('2026-12-07T10:00:00Z'), nowhere.timezone)).toBe(
        undefined,
      );
      expect(isOpen(nowhere, at('2026-12-07T10:00:00-05:00'))).toBe(false);
    });
  });

  describe('when the schedule is elsewhere', () => {
    it('uses that zone: 09:00 in Tokyo is open while New York sleeps', () => {
      const tokyo = { ...newYork, timezone: 'Asia/Tokyo' };

      expect(localTime(at('2026-12-07T00:00:00Z'), 'Asia/Tokyo')).toEqual({
        date: '2026-12-07',
        weekday: 'mon',
        minutes: 9 * 60,
      });
      expect(isOpen(tokyo, at('2026-12-07T00:00:00Z'))).toBe(true);
    });
  });

  describe('when calls come in one after another', () => {
    it('reads each instant to the minute, in any order and zone', () => {
      const seen = [
        ['2026-12-07T16:59:00-05:00', 'America/New_York', 16 * 60 + 59],
        ['2026-12-07T16:59:59.999-05:00', 'America/New_York', 16 * 60 + 59],
        ['2026-12-07T17:00:00-05:00', 'America/New_York', 17 * 60],
        ['2026-12-07T17:00:00-05:00', 'Asia/Kolkata', 3 * 60 + 30],
        ['2026-12-07T16:59:30-05:00', 'America/New_York', 16 * 60 + 59],
      ] as const;
      for (const [iso, zone, minutes] of seen) {
        expect(localTime(at(iso), zone)?.minutes).toBe(minutes);
      }
    });
  });
});
