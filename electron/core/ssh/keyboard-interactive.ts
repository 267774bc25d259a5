import type { Prompt } from 'ssh2';

/** What to do about one keyboard-interactive round: answer it, or refuse because a prompt is not the password. */
export type PromptAnswer = { answers: string[] } | { refused: string };

const PASSWORD = /pass(word|phrase)|passwort|mot de passe|contrase[ñn]a|senha/i;
/** One-time codes, tokens, PINs and push choices: a second factor, which the login password must never answer. */
const SECOND_FACTOR =
  /one[- ]?time|\b(otp|totp|hotp|pin|mfa|2fa|oath|duo|yubikey|token|code|passcode|option)\b|verification|two[- ]?factor|second factor|authenticator|challenge|response/i;
/** An expired password being changed: answering "New password" with the old one is never right. */
const PASSWORD_CHANGE = /\b(new|retype|re-enter|again|confirm|expired|change)\b/i;

/** A prompt the login password answers: it asks for a password (and nothing else) and does not echo. */
export function isPasswordPrompt(prompt: Prompt): boolean {
  // user@host, as sshd and PAM name the account, says nothing about what is asked (a host may be "code-server").
  const text = prompt.prompt.replace(/\S*@\S*/g, ' ');
  return prompt.echo !== true && PASSWORD.test(text) && !SECOND_FACTOR.test(text) && !PASSWORD_CHANGE.test(text);
}

/**
 * keyboard-interactive (RFC 4256) carries PAM's questions. Backline answers only the password prompt
 * with the password typed for the server; a round with any other prompt (a verification code, a token,
 * a new password) is refused as a whole, so the password is never typed into a second-factor prompt.
 * A round with no prompts (instructions only) is answered with nothing, as the RFC asks.
 */
export function answerPrompts(prompts: readonly Prompt[], password: string): PromptAnswer {
  const other = prompts.find((prompt) => !isPasswordPrompt(prompt));
  if (other) return { refused: other.prompt.trim() || '(an empty prompt)' };
  return { answers: prompts.map(() => password) };
}
