import type { NodeHandler } from './handler';

/** Speaks a prompt and goes on: jambonz plays the verbs in order. */
export const say: NodeHandler<'say'> = {
  enter(node, turn) {
    turn.say(node.text, turn.voice(node));
    return { next: node.next };
  },
};

/** Plays an audio file (jambonz "play") and goes on. */
export const play: NodeHandler<'play'> = {
  enter(node, turn) {
    turn.verbs.push({ verb: 'play', url: node.url });
    return { next: node.next };
  },
};
