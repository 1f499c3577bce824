import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * The canonical 44-byte WAV header for 16-bit linear PCM, the format
 * jambonz's listen verb streams (jambonz docs, "listen": 16-bit PCM at the
 * sample rate the verb asks for). Little-endian throughout, like the PCM.
 */

export const wavHeaderBytes = 44;

export interface PcmFormat {
  sampleRate: number;
  channels: number;
}

export function bytesPerSecond(format: PcmFormat): number {
  return format.sampleRate * format.channels * 2;
}

export function wavHeader(format: PcmFormat, dataBytes: number): Buffer {
  const header = Buffer.alloc(wavHeaderBytes);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // size of the fmt chunk
  header.writeUInt16LE(1, 20); // 1: uncompressed PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(bytesPerSecond(format), 28);
  header.writeUInt16LE(format.channels * 2, 32); // bytes per sample frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export interface WavInfo extends PcmFormat {
  dataBytes: number;
  durationSeconds: number;
}

/** Reads a header written by wavHeader; undefined for anything else. */
export function readWavHeader(header: Buffer): WavInfo | undefined {
  if (
    header.length < wavHeaderBytes ||
    header.toString('ascii', 0, 4) !== 'RIFF' ||
    header.toString('ascii', 8, 12) !== 'WAVE' ||
    header.toString('ascii', 36, 40) !== 'data' ||
    header.readUInt16LE(34) !== 16
  ) {
    return undefined;
  }
  const format = {
    channels: header.readUInt16LE(22),
    sampleRate: header.readUInt32LE(24),
  };
  const dataBytes = header.readUInt32LE(40);
  const rate = bytesPerSecond(format);
  return {
    ...format,
    dataBytes,
    durationSeconds: rate > 0 ? dataBytes / rate : 0,
  };
}

export interface RecordingInfo {
  durationSeconds: number;
}

/**
 * Appends PCM to a WAV file in arrival order, up to a length. The file is
 * written as `<name>.part` and renamed once its header holds the final
 * sizes, so nobody is ever served half a file.
 */
export class WavWriter {
  readonly finished: Promise<RecordingInfo>;
  private readonly maxBytes: number;
  private written = 0;
  private failure: unknown;
  // Never rejects: a failed write is kept in `failure` and reported by
  // finish(), so no rejection is left unhandled between two frames.
  private chain: Promise<FileHandle | undefined>;
  private settle!: (outcome: Promise<RecordingInfo>) => void;

  constructor(
    private readonly target: string,
    private readonly format: PcmFormat,
    maxSeconds: number,
  ) {
    this.maxBytes = Math.floor(maxSeconds * bytesPerSecond(format));
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.chain = this.open().catch((err: unknown) => {
      this.failure = err;
      return undefined;
    });
  }

  /** Queues audio; false once the limit is reached and the rest dropped. */
  write(pcm: Buffer): boolean {
    const frame = this.format.channels * 2;
    const room = this.maxBytes - this.written;
    // Whole sample frames only, so a cut never splits a sample.
    const take = Math.min(pcm.length, room - (room % frame));
    if (take > 0) {
      const position = wavHeaderBytes + this.written;
      this.written += take;
      this.chain = this.chain.then(async (handle) => {
        try {
          await handle?.write(pcm, 0, take, position);
        } catch (err) {
          this.failure ??= err;
        }
        return handle;
      });
    }
    return take === pcm.length && this.written < this.maxBytes;
  }

  /** Writes the final header and gives the file its name. */
  finish(): Promise<RecordingInfo> {
    const outcome = this.complete();
    this.settle(outcome);
    return outcome;
  }

  private async open(): Promise<FileHandle> {
    await fs.mkdir(path.dirname(this.target), { recursive: true });
    const handle = await fs.open(this.partFile, 'w');
    // A placeholder; complete() writes the sizes once they are known.
    await handle.write(wavHeader(this.format, 0), 0, wavHeaderBytes, 0);
    return handle;
  }

  private async complete(): Promise<RecordingInfo> {
    const handle = await this.chain;
    if (!handle || this.failure !== undefined) {
      await handle?.close();
      await fs.rm(this.partFile, { force: true });
      throw this.failure;
    }
    // A stray odd byte at the end is not a sample: leave it out.
    const frame = this.format.channels * 2;
    const dataBytes = this.written - (this.written % frame);
    await handle.write(wavHeader(this.format, dataBytes), 0, wavHeaderBytes, 0);
    await handle.truncate(wavHeaderBytes + dataBytes);
    await handle.close();
    await fs.rename(this.partFile, this.target);
    return { durationSeconds: dataBytes / bytesPerSecond(this.format) };
  }

  private get partFile(): string {
    return `${this.target}.part`;
  }
}
