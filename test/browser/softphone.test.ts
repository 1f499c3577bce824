import type { BrowserContext, JSHandle, Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import { anAccountInput } from '../support/accounts';
import { launchChromium } from '../support/browser';
import {
  aSipRegistrar,
  isSipRequest,
  isSipResponse,
  startDesktopServer,
  type DesktopServer,
} from '../support/desktop';
import { storeOnOwnRedis } from '../support/redis';
import {
  headerParam,
  headerValue,
  type SipMessage,
} from '../support/sip-messages';

/**
 * The desktop's softphone in Debian's chromium, on a call from the test's
 * SIP peer: the agent answers, mutes, holds, presses a key and hangs up,
 * and the peer sees each control as RFC 3261 signalling, or sees none
 * where the control is the browser's alone.
 */

const realm = 'sip.example.com';
const sipPassword = 'sip-secret-1234';

type Registrar = Awaited<ReturnType<typeof aSipRegistrar>>;
const opened: {
  browser?: BrowserContext;
  server?: DesktopServer;
  registrar?: Registrar;
} = {};
// Declared before the store's own afterAll, so it runs before Redis stops.
afterAll(async () => {
  await opened.browser?.close();
  await opened.server?.close();
  await opened.registrar?.close();
});
const context = storeOnOwnRedis();

beforeAll(async () => {
  // The page loads JsSIP from the bundle the build writes.
  await buildWeb();
  opened.registrar = await aSipRegistrar(realm, sipPassword);
  opened.server = await startDesktopServer(context.store, {
    withAcd: true,
    withSessions: true,
    sipWsUri: opened.registrar.uri,
    sipDomain: realm,
  });
  // Answering takes the microphone: a fake one, granted without asking.
  opened.browser = await launchChromium(undefined, [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
  ]);
});

function started() {
  const { browser, server, registrar } = opened;
  if (!browser || !server?.acd || !server.accounts || !registrar) {
    throw new Error('the browser, the desktop or the registrar did not start');
  }
  return { browser, server, registrar };
}

/** The desktop signed in through its form, the softphone registered. */
async function aRegisteredDesktop() {
  const { browser, server, registrar } = started();
  const input = anAccountInput({ displayName: 'Grace Hopper', sipPassword });
  await server.accounts?.accounts.create(input);
  const page = await browser.newPage();
  page.setDefaultTimeout(8000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.base}/desktop`);
  await page.getByLabel('Username').fill(input.username);
  await page.getByLabel('Password', { exact: true }).fill(input.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('softphone ready').waitFor();
  await page.getByLabel('SIP password').fill(sipPassword);
  await page.getByRole('button', { name: 'Connect phone' }).click();
  await page.getByText('registered', { exact: true }).waitFor();
  expect(registrar.registered).toContain(input.username);
  return { page, user: input.username, errors };
}

// Only what the caller's page uses of RTCPeerConnection: this project's
// TypeScript is built without the DOM library.
interface Description {
  type: 'offer' | 'answer';
  sdp: string;
}
interface CallerConnection {
  addTransceiver(kind: 'audio', init: { direction: 'sendrecv' }): unknown;
  createOffer(): Promise<Description>;
  createAnswer(): Promise<Description>;
  setLocalDescription(description: Description): Promise<void>;
  setRemoteDescription(description: Description): Promise<void>;
  readonly localDescription: Description | null;
  readonly iceGatheringState: string;
  addEventListener(type: 'icegatheringstatechange', done: () => void): void;
}
declare const RTCPeerConnection: new () => CallerConnection;

/**
 * The caller's media end, a real WebRTC peer in a page of its own, so
 * the softphone is offered, and answered, SDP as a browser writes it.
 */
async function aCallerMedia(page: Page) {
  const connection: JSHandle<CallerConnection> = await page.evaluateHandle(
    () => new RTCPeerConnection(),
  );
  return {
    /** An audio offer with every ICE candidate in it (no trickle). */
    offer: () =>
      connection.evaluate(async (peer) => {
        peer.addTransceiver('audio', { direction: 'sendrecv' });
        await peer.setLocalDescription(await peer.createOffer());
        await new Promise<void>((resolve) => {
          peer.addEventListener('icegatheringstatechange', () => {
            if (peer.iceGatheringState === 'complete') {
              resolve();
            }
          });
          if (peer.iceGatheringState === 'complete') {
            resolve();
          }
        });
        return peer.localDescription?.sdp ?? '';
      }),
    accept: (sdp: string) =>
      connection.evaluate(
        (peer, answer) =>
          peer.setRemoteDescription({ type: 'answer', sdp: answer }),
        sdp,
      ),
    /** The answer to the softphone's re-INVITE offer (RFC 3264 §8). */
    answer: (sdp: string) =>
      connection.evaluate(async (peer, offer) => {
        await peer.setRemoteDescription({ type: 'offer', sdp: offer });
        await peer.setLocalDescription(await peer.createAnswer());
        return peer.localDescription?.sdp ?? '';
      }, sdp),
  };
}

function direction(message: SipMessage): string | undefined {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(
    message.body,
  )?.[1];
}

const requests = (registrar: Registrar) =>
  registrar.received.filter((message) => !message.startLine.startsWith('SIP/'));

describe('the desktop softphone', () => {
  it('answers, mutes, holds, sends a digit and hangs up a call from the SIP server', async () => {
    const { browser, registrar } = started();
    const { page, user, errors } = await aRegisteredDesktop();
    const callerPage = await browser.newPage();
    const caller = await aCallerMedia(callerPage);
    // The agent's tab in front, as on their screen: a hidden tab's frames
    // are throttled and every click would wait for them.
    await page.bringToFront();
    const call = registrar.invite(user, await caller.offer());

    // Answer: 200 OK with the softphone's SDP answer; the ACK confirms.
    await page.getByText('ringing', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Answer' }).click();
    const ok = await registrar.next(isSipResponse(200, 'INVITE'));
    expect(headerValue(ok, 'content-type')).toBe('application/sdp');
    expect(headerValue(ok, 'call-id')).toBe(
      headerValue(call.invite, 'call-id'),
    );
    // The softphone's tag in To makes the dialog (RFC 3261 §12.1.1).
    expect(headerParam(headerValue(ok, 'to') ?? '', 'tag')).toBeDefined();
    expect(ok.body).toMatch(/^m=audio /m);
    expect(direction(ok)).toBe('sendrecv');
    await caller.accept(ok.body);
    call.ack(ok);
    await page.getByText('on call', { exact: true }).waitFor();

    // Mute is the microphone's alone: no request reaches the peer.
    const before = requests(registrar).length;
    await page.getByRole('button', { name: 'Mute', exact: true }).click();
    await page.getByText('on call, muted', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Unmute' }).click();
    await page.getByText('on call', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Mute', exact: true }).waitFor();

    // Hold: a re-INVITE offering sendonly, answered recvonly.
    await page.getByRole('button', { name: 'Hold' }).click();
    const hold = await registrar.next(isSipRequest('INVITE'));
    expect(requests(registrar).slice(before)).toEqual([hold]);
    expect(headerValue(hold, 'content-type')).toBe('application/sdp');
    expect(direction(hold)).toBe('sendonly');
    const held = await caller.answer(hold.body);
    expect(held).toMatch(/^a=recvonly\r?$/m);
    registrar.reply(user, hold, '200 OK', held);
    await registrar.next(isSipRequest('ACK'));
    await page.getByText('on hold', { exact: true }).waitFor();

    // Resume: a re-INVITE offering sendrecv again.
    await page.getByRole('button', { name: 'Resume' }).click();
    const resume = await registrar.next(isSipRequest('INVITE'));
    expect(direction(resume)).toBe('sendrecv');
    registrar.reply(user, resume, '200 OK', await caller.answer(resume.body));
    await registrar.next(isSipRequest('ACK'));
    await page.getByText('on call', { exact: true }).waitFor();

    // A key on the keypad: SIP INFO, application/dtmf-relay.
    await page.getByRole('button', { name: '5', exact: true }).click();
    const info = await registrar.next(isSipRequest('INFO'));
    expect(headerValue(info, 'content-type')).toBe('application/dtmf-relay');
    expect(info.body).toMatch(/^Signal=5\r?$/m);
    registrar.reply(user, info, '200 OK');

    // Hang up: BYE, and the page says the call is over.
    await page.getByRole('button', { name: 'Hang up' }).click();
    const bye = await registrar.next(isSipRequest('BYE'));
    expect(headerValue(bye, 'call-id')).toBe(
      headerValue(call.invite, 'call-id'),
    );
    registrar.reply(user, bye, '200 OK');
    await page.getByText('call ended', { exact: true }).waitFor();
    expect(
      await page.getByRole('button', { name: 'Hang up' }).isDisabled(),
    ).toBe(true);
    expect(errors).toEqual([]);
    await callerPage.close();
    await page.close();
  });
});
