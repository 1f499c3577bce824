import {
  callbackBookedReply,
  keywordReplies,
  parseKeyword,
} from '../../src/channels/sms/keywords';

describe('SMS keywords', () => {
  it.each([
    ['STOP', 'stop'],
    ['stop', 'stop'],
    ['  Stop  ', 'stop'],
    ['STOP.', 'stop'],
    ['stopall', 'stop'],
    ['Unsubscribe', 'stop'],
    ['cancel', 'stop'],
    ['END', 'stop'],
    ['quit!', 'stop'],
    ['START', 'start'],
    ['unstop', 'start'],
    ['help', 'help'],
    ['HELP?', 'help'],
    ['call me', 'callback'],
    ['Call  Me!', 'callback'],
    ['CALLBACK', 'callback'],
    ['call back', 'callback'],
    ['\tcall\nback\n', 'callback'],
  ])('reads %j as %s', (text, keyword) => {
    expect(parseKeyword(text)).toBe(keyword);
  });

  it.each([
    'Stop calling me at work',
    'please stop',
    'STOP STOP',
    'Can you call me back tomorrow?',
    'start over',
    'helpful',
    '',
    'constructor',
    'toString',
  ])('reads %j as an ordinary message', (text) => {
    expect(parseKeyword(text)).toBeUndefined();
  });

  it('keeps every answer within one 160-character SMS', () => {
    const answers = [
      ...Object.values(keywordReplies),
      callbackBookedReply(12, 3600),
    ];
    for (const answer of answers) {
      expect(answer.length).toBeLessThanOrEqual(160);
    }
  });

  it('tells a booked caller their place and wait in whole minutes', () => {
    expect(callbackBookedReply(3, 400)).toContain('number 3 in line');
    expect(callbackBookedReply(3, 400)).toContain('about 7 min');
    expect(callbackBookedReply(1, 0)).toContain('about 1 min');
  });
});
