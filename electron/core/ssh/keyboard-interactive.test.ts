import { describe, expect, it } from 'vitest';
import { answerPrompts, isPasswordPrompt } from './keyboard-interactive.js';

const hidden = (prompt: string) => ({ prompt, echo: false });

describe('keyboard-interactive prompts', () => {
  it('answers the password prompts sshd and PAM send, and an instructions-only round', () => {
    for (const text of ['Password: ', '(root@10.77.0.11) Password: ', 'Password for ops@web1: ', "ops@code-server's password: ", '(ops@pin-01) Password: ', "ops@web1's password: ", 'Passwort: ', 'Mot de passe : ']) {
      expect(answerPrompts([hidden(text)], 'pw')).toEqual({ answers: ['pw'] });
    }
    expect(answerPrompts([], 'pw')).toEqual({ answers: [] });
  });

  it('never gives the password to a second-factor prompt', () => {
    for (const text of [
      'Verification code: ',
      'One-time password (OATH) for `ops\': ',
      'Enter passcode: ',
      'Passcode or option (1-3): ',
      'Enter PIN for token: ',
      'Duo two-factor login for ops',
      'OTP password: ',
      'Response: ',
    ]) {
      expect(isPasswordPrompt(hidden(text)), text).toBe(false);
      expect(answerPrompts([hidden(text)], 'pw')).toEqual({ refused: text.trim() });
    }
  });

  it('refuses a round that mixes the password with another question, an echoed prompt, and a password change', () => {
    expect(answerPrompts([hidden('Password: '), hidden('Verification code: ')], 'pw')).toEqual({ refused: 'Verification code:' });
    expect(answerPrompts([{ prompt: 'Password: ', echo: true }], 'pw')).toEqual({ refused: 'Password:' });
    expect(answerPrompts([hidden('New password: ')], 'pw')).toEqual({ refused: 'New password:' });
    expect(answerPrompts([hidden('Retype new password: ')], 'pw')).toEqual({ refused: 'Retype new password:' });
  });
});
