import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  removeFiles,
  removeOlderThan,
  type CustomerFiles,
  type ErasedCustomer,
} from '../context/customer-files';
import { callSidPattern } from './payloads';
import {
  readWavHeader,
  wavHeaderBytes,
  WavWriter,
  type PcmFormat,
  type RecordingInfo,
} from './wav';

/**
 * Voicemail recordings: the URLs jambonz streams them to and they are
 * served from, the tokens that keep strangers from pushing audio, and the
 * WAV files under DATA_DIR/recordings.
 *
 * Recordings are customer files (context/customer-files.ts): a customer's
 * erasure removes theirs, found by the voicemail events of their timeline,
 * and the retention sweep removes those older than the timeline keeps.
 *
 * TODO(perf): the files live on this instance's disk; with several app
 * instances, the one that received the stream is the one that can serve it.
 */

export type { RecordingInfo };

export interface RecordingsOptions {
  dir: string;
  /** Key for the stream tokens; stable across restarts and instances. */
  tokenKey: Buffer;
  /** How jambonz reaches bridgeline, e.g. https://bl.example.com. */
  publicBaseUrl: () => string;
}

// The call sid in a recording URL, for a voicemail event without its own.
const urlCallSid = /\/recordings\/([^/?#]+)\.wav$/;

export class Recordings implements CustomerFiles {
  private readonly pending = new Map<string, Promise<RecordingInfo>>();

  constructor(private readonly options: RecordingsOptions) {}

  /** Where the listen verb streams a call's voicemail: ws(s)://.../<sid>. */
  streamUrl(callSid: string): string {
    const base = this.options.publicBaseUrl().replace(/^http/, 'ws');
    return `${base}/jambonz/voicemail/${callSid}?token=${this.token(callSid)}`;
  }

  /** Where an agent fetches the finished recording. */
  recordingUrl(callSid: string): string {
    return `${this.options.publicBaseUrl()}/api/recordings/${callSid}.wav`;
  }

  tokenMatches(callSid: string, token: string): boolean {
    const given = Buffer.from(token);
    const expected = Buffer.from(this.token(callSid));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  file(callSid: string): string {
    return path.join(this.options.dir, `${callSid}.wav`);
  }

  isRecording(callSid: string): boolean {
    return this.pending.has(callSid);
  }

  /**
   * Starts a recording. The file is written as `<sid>.wav.part` and renamed
   * once its header holds the final sizes, so the recordings route never
   * serves half a file.
   */
  start(callSid: string, format: PcmFormat, maxSeconds: number): WavWriter {
    const writer = new WavWriter(this.file(callSid), format, maxSeconds);
    const done = writer.finished.finally(() => {
      this.pending.delete(callSid);
    });
    // The action hook may wait on it; a failure is reported by the socket.
    done.catch(() => undefined);
    this.pending.set(callSid, done);
    return writer;
  }

  /** Waits for the recordings being written; shutdown calls it. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.pending.values());
  }

  /**
   * The finished recording of a call. jambonz posts the listen verb's
   * action hook as it closes the stream, so a recording still being written
   * is waited for, up to waitMs.
   */
  async settled(
    callSid: string,
    waitMs: number,
  ): Promise<RecordingInfo | undefined> {
    const writing = this.pending.get(callSid);
    if (writing) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => {
          resolve(undefined);
        }, waitMs);
      });
      const info = await Promise.race([
        writing.catch(() => undefined),
        timeout,
      ]);
      clearTimeout(timer);
      return info;
    }
    return this.stored(callSid);
  }

  /** The recordings of the customer's voicemail events. */
  erase(customer: ErasedCustomer): Promise<string[]> {
    const names = customer.events.flatMap((event) => {
      if (event.type !== 'voicemail') {
        return [];
      }
      const callSid = event.callSid ?? urlCallSid.exec(event.recordingUrl)?.[1];
      // Only a well-formed sid names a file here: never a path elsewhere.
      return callSid !== undefined && callSidPattern.test(callSid)
        ? [`${callSid}.wav`]
        : [];
    });
    return removeFiles(this.options.dir, 'recordings', names);
  }

  sweep(cutoffMs: number): Promise<number> {
    return removeOlderThan(this.options.dir, cutoffMs);
  }

  private async stored(callSid: string): Promise<RecordingInfo | undefined> {
    const handle = await fs.open(this.file(callSid), 'r').catch(() => null);
    if (!handle) {
      return undefined;
    }
    try {
      const header = Buffer.alloc(wavHeaderBytes);
      await handle.read(header, 0, wavHeaderBytes, 0);
      const info = readWavHeader(header);
      return info ? { durationSeconds: info.durationSeconds } : undefined;
    } finally {
      await handle.close();
    }
  }

  private token(callSid: string): string {
    return createHmac('sha256', this.options.tokenKey)
      .update(`voicemail:${callSid}`)
      .digest('base64url');
  }
}
