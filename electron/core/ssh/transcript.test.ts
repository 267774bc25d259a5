import { describe, expect, it } from 'vitest';
import { transcriptNote, transcriptText } from './transcript.js';

describe('transcriptText', () => {
  it('removes colours and resolves carriage returns as the terminal showed them', () => {
    expect(transcriptText('\u001b[01;32mroot@web1\u001b[00m:~# uptime\r\n 10:00:01 up 3 days\r\nprogress 10%\rprogress 100%\r\n')).toBe(
      'root@web1:~# uptime\n 10:00:01 up 3 days\nprogress 100%',
    );
  });
});

describe('transcriptNote', () => {
  it('fences the transcript so backticks in it cannot break out', () => {
    const note = transcriptNote('web1', 'root@10.77.0.11:22', 'a', 'b', 'echo ```\r\n```\r\n', null);
    expect(note).toContain('````\necho ```\n```\n````');
  });
});
