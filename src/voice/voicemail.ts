import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
// The type import brings in the plugin's websocket route options.
import type {} from '@fastify/websocket';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { BridgelineError } from '../errors';
import { callSidPattern } from './payloads';
import type { Recordings } from './recordings';
import type { WavWriter } from './wav';

/**
 * Voicemail audio. jambonz's listen verb opens a websocket to the URL the
 * engine put in it, with the subprotocol audio.jambonz.org, sends one text
 * frame of JSON metadata (the call's attributes plus sampleRate and
 * mixType), then only binary frames of 16-bit PCM, and closes the socket
 * when the caller is done (jambonz docs, "listen"). Each call's stream
 * becomes DATA_DIR/recordings/<call sid>.wav.
 */

export const audioSubprotocol = 'audio.jambonz.org';

/**
 * The ws server's choice among the subprotocols a client offers. jambonz
 * offers audio.jambonz.org; other websocket routes get ws's default, the
 * first one offered.
 */
export function chooseSubprotocol(offered: Set<string>): string | false {
  if (offered.has(audioSubprotocol)) {
    return audioSubprotocol;
  }
  const [first] = offered;
  return first ?? false;
}

// The voicemail node allows at most 600 s; a little more covers the beep
// and the time jambonz takes to close the stream.
const hardCapSeconds = 615;

const streamMetadata = z.looseObject({
  callSid: z.string().optional(),
  call_sid: z.string().optional(),
  // jambonz streams 8000 Hz unless the verb asks for one of its other rates.
  sampleRate: z.number().int().min(8000).max(64000).default(8000),
  mixType: z.enum(['mono', 'stereo', 'mixed']).default('mono'),
  /** The listen verb's maxLength, when its metadata passes it on. */
  maxLength: z.number().positive().optional(),
});

// RFC 6455 section 7.4.1: 1000 is a normal closure, 1008 a policy violation.
const closeCodes = { normal: 1000, policy: 1008 } as const;

type WithCallSid = { Params: { callSid: string } };

export function voicemailStreamRoute(
  app: FastifyInstance,
  { recordings }: { recordings: Recordings },
): void {
  app.get<WithCallSid & { Querystring: { token?: string | string[] } }>(
    '/jambonz/voicemail/:callSid',
    {
      websocket: true,
      // Runs before the upgrade: a refused stream never becomes a socket.
      // eslint-disable-next-line @typescript-eslint/require-await
      preValidation: async (request) => {
        const { callSid } = request.params;
        const { token } = request.query;
        if (
          !callSidPattern.test(callSid) ||
          typeof token !== 'string' ||
          !recordings.tokenMatches(callSid, token)
        ) {
          throw new BridgelineError('BL_ERR_VOICEMAIL_TOKEN', {
            field: 'token',
          });
        }
      },
    },
    (socket, request) => {
      const { callSid } = request.params;
      receiveStream(socket, callSid, {
        recordings,
        log: request.log.child({ callSid }),
      });
    },
  );
}

function receiveStream(
  socket: WebSocket,
  callSid: string,
  { recordings, log }: { recordings: Recordings; log: FastifyBaseLogger },
): void {
  let writer: WavWriter | undefined;

  socket.on('message', (data: RawData, isBinary: boolean) => {
    const frame = toBuffer(data);
    if (!isBinary) {
      if (writer) {
        return; // jambonz sends metadata once; later text is not audio
      }
      const metadata = parseMetadata(frame);
      const named = metadata?.callSid ?? metadata?.call_sid ?? callSid;
      if (!metadata || named !== callSid) {
        log.warn('voicemail stream refused: bad metadata frame');
        socket.close(closeCodes.policy, 'bad metadata');
        return;
      }
      if (recordings.isRecording(callSid)) {
        log.warn('voicemail stream refused: the call is already recording');
        socket.close(closeCodes.policy, 'already recording');
        return;
      }
      writer = recordings.start(
        callSid,
        {
          sampleRate: metadata.sampleRate,
          channels: metadata.mixType === 'stereo' ? 2 : 1,
        },
        Math.min(metadata.maxLength ?? hardCapSeconds, hardCapSeconds),
      );
      log.info(
        { sampleRate: metadata.sampleRate, mixType: metadata.mixType },
        'voicemail recording started',
      );
      return;
    }
    if (!writer) {
      log.warn('voicemail stream refused: audio before metadata');
      socket.close(closeCodes.policy, 'metadata first');
      return;
    }
    if (!writer.write(frame) && socket.readyState === socket.OPEN) {
      log.info('voicemail recording reached its maximum length');
      socket.close(closeCodes.normal, 'maximum length reached');
    }
  });

  socket.on('close', () => {
    writer?.finish().then(
      (info) => {
        log.info(
          { durationSeconds: Math.round(info.durationSeconds) },
          'voicemail recording saved',
        );
      },
      (err: unknown) => {
        log.error({ err }, 'voicemail recording could not be saved');
      },
    );
  });

  socket.on('error', (err) => {
    log.warn({ err: err.message }, 'voicemail stream error');
  });
}

function parseMetadata(frame: Buffer) {
  try {
    const parsed = streamMetadata.safeParse(JSON.parse(frame.toString()));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) {
    return data;
  }
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * GET /recordings/:callSid.wav under /api, behind the admin token until
 * agents get their own sign-in.
 */
export function recordingRoutes(
  app: FastifyInstance,
  { recordings }: { recordings: Recordings },
): void {
  app.get<WithCallSid>('/recordings/:callSid.wav', async (request, reply) => {
    const { callSid } = request.params;
    if (!callSidPattern.test(callSid)) {
      throw new BridgelineError('BL_ERR_INVALID_INPUT', {
        field: 'callSid',
        message: 'A call sid is letters, digits, - and _.',
      });
    }
    const file = recordings.file(callSid);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) {
      throw new BridgelineError('BL_ERR_RECORDING_NOT_FOUND', {
        field: 'callSid',
      });
    }
    return reply
      .type('audio/wav')
      .header('content-length', stat.size)
      .send(createReadStream(file));
  });
}
