import type { ActionPayload } from '../types';
import type { NodeHandler } from './handler';

/**
 * Takes a message: the prompt, a beep, then jambonz streams the caller's
 * audio to bridgeline's websocket (jambonz docs, "listen") until they press
 * # or hang up, or maxLength seconds pass. The webhook adds the recording's
 * URL and length to the listen verb's action hook before the node resumes.
 */
export const voicemail: NodeHandler<'voicemail'> = {
  enter(node, turn) {
    turn.say(node.prompt, turn.voice(node));
    turn.verbs.push({
      verb: 'listen',
      url: turn.context.voicemailUrl(turn.state.callSid),
      actionHook: turn.hook(),
      playBeep: true,
      maxLength: node.maxSeconds,
      finishOnKey: '#',
    });
    return { wait: true };
  },

  resume(node, payload, turn) {
    const recordingUrl = recordingUrlOf(payload);
    if (recordingUrl !== undefined) {
      const seconds = durationOf(payload);
      turn.attach({
        type: 'voicemail',
        at: turn.context.now.toISOString(),
        callSid: turn.state.callSid,
        recordingUrl,
        ...(seconds === undefined ? {} : { durationSeconds: seconds }),
        ...turn.conversation(),
      });
    }
    return { next: node.next };
  },
};

function recordingUrlOf(payload: ActionPayload): string | undefined {
  const url = payload.recording_url;
  return typeof url === 'string' &&
    /^https?:\/\/\S+$/.test(url) &&
    url.length <= 2000
    ? url
    : undefined;
}

function durationOf(payload: ActionPayload): number | undefined {
  const raw = payload.duration;
  const seconds = typeof raw === 'string' ? Number(raw) : raw;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? Math.round(seconds)
    : undefined;
}
