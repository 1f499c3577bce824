import { collect } from './collect';
import { queue, transfer } from './connect';
import { back, goto, hangup, set, subflow } from './control';
import { branch, hours } from './decide';
import type { NodeHandlers } from './handler';
import { menu } from './menu';
import { callback, handoff } from './offers';
import { play, say } from './say';
import { voicemail } from './voicemail';

/** Every node type's handler; the type makes a missing one a compile error. */
export const handlers: NodeHandlers = {
  say,
  play,
  menu,
  collect,
  branch,
  hours,
  queue,
  transfer,
  handoff,
  callback,
  voicemail,
  set,
  goto,
  subflow,
  return: back,
  hangup,
};
