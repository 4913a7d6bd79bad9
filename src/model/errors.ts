/**
 * Exit codes shared by every command: 0 clean / fixed, 1 findings / not fixed,
 * 2 unusable input. A UsageError is printed as one line (`rubberduck: <input>: <what>`), never
 * as a stack trace.
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(
    message: string,
    /** The input the message is about (file name, range, option), printed first. */
    readonly input?: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'UsageError';
  }

  oneLine(): string {
    const text = this.input ? `${this.input}: ${this.message}` : this.message;
    return `rubberduck: ${text.replace(/\s*\n\s*/g, ' ')}`;
  }
}
