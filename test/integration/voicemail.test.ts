import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WebSocket } from 'ws';
import { bridgelineOnOwnRedis, testAdminToken as token } from '../support/app';
import type { ContextCard } from '../../src/context/card';
import { readWavHeader } from '../../src/voice/wav';
import { aCustomer } from '../support/factories';
import {
  aCallBody,
  aCallSid,
  aDialledNumber,
  aStatusBody,
  aVoiceFlow,
  postWebhook,
  publishFlow,
  spoken,
  validVerbs,
  type Verb,
} from '../support/jambonz';

/**
 * jambonz's listen verb streams a voicemail to bridgeline over a websocket
 * (jambonz docs, "listen"); these tests play jambonz's part with a real
 * websocket client and check the WAV file bridgeline serves afterwards.
 */

// Webhooks are signed, as in production; the stream carries its own token.
const secret = 'jambonz-webhook-secret-for-tests';
let dialled: string;

const running = bridgelineOnOwnRedis({ JAMBONZ_WEBHOOK_SECRET: secret });

beforeAll(async () => {
  dialled = aDialledNumber();
  await publishFlow(running.redis.client, aVoiceFlow(), dialled);
});

function post(path: string, body: unknown) {
  return postWebhook(running.base, path, body, { secret });
}

/** A second of 16-bit mono PCM at `rate`: a ramp, so every byte counts. */
function pcm(seconds: number, rate = 8000, channels = 1): Buffer {
  const samples = Math.round(seconds * rate * channels);
  const audio = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    audio.writeInt16LE((i % 2000) - 1000, i * 2);
  }
  return audio;
}

/** jambonz sends audio in 20 ms frames. */
function frames(audio: Buffer, bytes = 320): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < audio.length; at += bytes) {
    chunks.push(audio.subarray(at, at + bytes));
  }
  return chunks;
}

/** A known caller who pressed 1 and hears the voicemail prompt. */
async function callerAtTheBeep() {
  const { customer, phone } = await aCustomer(running.app.store);
  const body = aCallBody({ from: phone, to: dialled });
  const callSid = String(body.call_sid);
  await post('/jambonz/call', body);
  const reply = await post('/jambonz/action/main-menu', {
    call_sid: callSid,
    digits: '1',
  });
  const verbs = validVerbs(reply.body);
  const listen = verbs.find((verb) => verb.verb === 'listen');
  if (!listen || typeof listen.url !== 'string') {
    throw new Error(`no listen verb in ${JSON.stringify(verbs)}`);
  }
  return { customerId: customer.id, callSid, listen };
}

/** The listen URL, reached on the loopback address the server binds. */
function streamUrl(listen: Verb): string {
  return String(listen.url).replace('//localhost:', '//127.0.0.1:');
}

async function openStream(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, 'audio.jambonz.org');
  await once(socket, 'open');
  return socket;
}

/** Streams like jambonz: metadata, audio, then a normal close. */
async function leaveMessage(
  url: string,
  metadata: Record<string, unknown>,
  audio: Buffer,
): Promise<{ code: number; reason: string }> {
  const socket = await openStream(url);
  socket.send(JSON.stringify(metadata));
  for (const frame of frames(audio)) {
    socket.send(frame);
  }
  socket.close(1000);
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

async function recording(callSid: string, auth = `Bearer ${token}`) {
  const response = await fetch(
    `${running.base}/api/recordings/${callSid}.wav`,
    {
      headers: { authorization: auth },
    },
  );
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

async function voicemailEvents(customerId: string, callSid: string) {
  const response = await fetch(
    `${running.base}/api/context?customerId=${customerId}`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  const card = (await response.json()) as ContextCard;
  return card.timeline.filter(
    (entry) => entry.type === 'voicemail' && entry.callSid === callSid,
  );
}

describe('voicemail', () => {
  it('records the stream as a WAV file, puts it on the timeline and serves it', async () => {
    const { customerId, callSid, listen } = await callerAtTheBeep();
    expect(listen).toMatchObject({
      actionHook: '/jambonz/action/message',
      playBeep: true,
    });
    const audio = pcm(1.5);

    const closed = await leaveMessage(
      streamUrl(listen),
      { callSid, sampleRate: 8000, mixType: 'mono', from: '+14155550100' },
      audio,
    );
    expect(closed.code).toBe(1000);
    const after = await post('/jambonz/action/message', {
      call_sid: callSid,
      dial_call_duration: 2,
    });
    expect(spoken(validVerbs(after.body))).toEqual(['Thank you. Goodbye.']);

    const url = `http://localhost:${running.app.port}/api/recordings/${callSid}.wav`;
    expect(await voicemailEvents(customerId, callSid)).toEqual([
      expect.objectContaining({ recordingUrl: url, durationSeconds: 2 }),
    ]);

    const served = await recording(callSid);
    expect(served.status).toBe(200);
    expect(served.type).toBe('audio/wav');
    expect(readWavHeader(served.bytes)).toEqual({
      sampleRate: 8000,
      channels: 1,
      dataBytes: audio.length,
      durationSeconds: 1.5,
    });
    expect(served.bytes.subarray(44).equals(audio)).toBe(true);
  });

  it('writes a stereo stream as two channels', async () => {
    const { callSid, listen } = await callerAtTheBeep();
    const audio = pcm(0.5, 16000, 2);
    await leaveMessage(
      streamUrl(listen),
      { callSid, sampleRate: 16000, mixType: 'stereo' },
      audio,
    );
    await post('/jambonz/action/message', { call_sid: callSid });

    const header = readWavHeader((await recording(callSid)).bytes);
    expect(header).toMatchObject({
      sampleRate: 16000,
      channels: 2,
      durationSeconds: 0.5,
    });
  });

  it('stops at the length the metadata allows and keeps what came before', async () => {
    const { callSid, listen } = await callerAtTheBeep();
    const socket = await openStream(streamUrl(listen));
    socket.send(JSON.stringify({ callSid, sampleRate: 8000, maxLength: 1 }));
    for (const frame of frames(pcm(3))) {
      socket.send(frame);
    }
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(1000);
    await post('/jambonz/action/message', { call_sid: callSid });

    const header = readWavHeader((await recording(callSid)).bytes);
    expect(header).toMatchObject({ dataBytes: 16000, durationSeconds: 1 });
  });

  it('keeps the message of a caller who hangs up instead of pressing #', async () => {
    const { customerId, callSid, listen } = await callerAtTheBeep();
    await leaveMessage(streamUrl(listen), { callSid }, pcm(1));
    await post(
      '/jambonz/status',
      aStatusBody(callSid, 'completed', { duration: 30 }),
    );

    expect(await voicemailEvents(customerId, callSid)).toEqual([
      expect.objectContaining({ durationSeconds: 1 }),
    ]);
  });

  describe('when the stream is not what jambonz sends', () => {
    it('refuses a stream without the call’s token before it opens', async () => {
      const { callSid, listen } = await callerAtTheBeep();
      const forged = streamUrl(listen).replace(/token=[^&]+/, 'token=forged');
      const other = streamUrl(listen).replace(callSid, aCallSid());

      for (const url of [forged, other]) {
        const socket = new WebSocket(url, 'audio.jambonz.org');
        const [error] = (await once(socket, 'error')) as [Error];
        expect(error.message).toBe('Unexpected server response: 401');
      }
    });

    it('closes a stream that sends audio before its metadata and keeps nothing', async () => {
      const { callSid, listen } = await callerAtTheBeep();
      const socket = await openStream(streamUrl(listen));
      socket.send(pcm(0.1));
      const [code] = (await once(socket, 'close')) as [number];

      expect(code).toBe(1008);
      expect((await recording(callSid)).status).toBe(404);
    });

    it('closes a stream whose metadata names another call', async () => {
      const { listen } = await callerAtTheBeep();
      const socket = await openStream(streamUrl(listen));
      socket.send(JSON.stringify({ callSid: aCallSid(), sampleRate: 8000 }));
      const [code] = (await once(socket, 'close')) as [number];
      expect(code).toBe(1008);
    });
  });

  describe('when the caller is erased or the recording grows old', () => {
    async function aRecordedMessage() {
      const { customerId, callSid, listen } = await callerAtTheBeep();
      await leaveMessage(
        streamUrl(listen),
        { callSid, sampleRate: 8000, mixType: 'mono' },
        pcm(0.2),
      );
      await post('/jambonz/action/message', { call_sid: callSid });
      expect((await recording(callSid)).status).toBe(200);
      return { customerId, callSid };
    }

    it('removes the recordings of an erased caller with the rest of them', async () => {
      const erased = await aRecordedMessage();
      const kept = await aRecordedMessage();

      const response = await fetch(
        `${running.base}/api/customers/${erased.customerId}`,
        { method: 'DELETE', headers: { authorization: `Bearer ${token}` } },
      );

      expect(response.status).toBe(200);
      const receipt = (await response.json()) as { files: string[] };
      expect(receipt.files).toEqual([`recordings/${erased.callSid}.wav`]);
      expect((await recording(erased.callSid)).status).toBe(404);
      expect((await recording(kept.callSid)).status).toBe(200);
    });

    it('ages a recording out with the timeline', async () => {
      const old = await aRecordedMessage();
      const recent = await aRecordedMessage();
      // Last written a day before TIMELINE_RETENTION_DAYS (365) ago.
      const written = new Date(Date.now() - 366 * 24 * 3_600_000);
      const file = path.join(
        running.dataDir,
        'recordings',
        `${old.callSid}.wav`,
      );
      await fs.utimes(file, written, written);

      const report = await running.app.store.sweepRetention();

      expect(report.filesRemoved).toBe(1);
      expect((await recording(old.callSid)).status).toBe(404);
      expect((await recording(recent.callSid)).status).toBe(200);
    });
  });

  describe('the recordings route', () => {
    it('wants the admin token', async () => {
      const reply = await recording(aCallSid(), 'Bearer wrong-token-000000');
      expect(reply.status).toBe(401);
    });

    it('answers 404 for a call without a recording', async () => {
      const reply = await recording(aCallSid());
      expect(reply.status).toBe(404);
      expect(JSON.parse(reply.bytes.toString())).toMatchObject({
        code: 'BL_ERR_RECORDING_NOT_FOUND',
      });
    });
  });
});
