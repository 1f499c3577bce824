import type { BrowserContext } from 'playwright-core';
import { bridgelineOnOwnRedis, testAdminToken } from '../support/app';
import {
  anAgentStream,
  isType,
  type FrameSocket,
} from '../support/chat-client';
import { launchChromium } from '../support/browser';

/**
 * The chat page in Debian's chromium, driven as a visitor would: type,
 * read the agent's answer, reload and find the conversation still there.
 * scripts/setup.sh installs chromium.
 */

// Filled in by beforeAll; absent when it failed.
const opened: { browser?: BrowserContext; agents?: FrameSocket } = {};
// Declared before bridgeline's own afterAll, so it runs first.
afterAll(async () => {
  opened.agents?.close();
  await opened.browser?.close();
});
const running = bridgelineOnOwnRedis();

beforeAll(async () => {
  // A fresh profile: no token left in localStorage by an earlier run.
  opened.browser = await launchChromium();
  opened.agents = await anAgentStream(running.base, testAdminToken);
});

describe('the chat page', () => {
  it('shows an agent reply live and keeps the conversation across a reload', async () => {
    const { browser, agents } = opened as Required<typeof opened>;
    const page = await browser.newPage();
    await page.goto(`${running.base}/chat`);
    await page.getByText('Connected').waitFor();

    await page.getByLabel('Message').fill('Where is my order?');
    await page.getByRole('button', { name: 'Send' }).click();
    const seen = await agents.next(
      isType('message', (f) => f.text === 'Where is my order?'),
    );
    const response = await fetch(
      `${running.base}/api/chats/${String(seen.customerId)}/` +
        `${String(seen.conversationId)}/messages`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${testAdminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ text: 'It left our depot today' }),
      },
    );
    expect(response.status).toBe(200);
    await page.getByText('It left our depot today').waitFor();

    await page.reload();
    await page.getByText('Connected').waitFor();
    await page.getByText('It left our depot today').waitFor();

    const lines = await page.locator('.bl-msg').allTextContents();
    expect(lines).toEqual(['Where is my order?', 'It left our depot today']);
    await page.close();
  });
});
