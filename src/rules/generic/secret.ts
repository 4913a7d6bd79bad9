import { addedLines } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';

interface Shape {
  name: string;
  pattern: RegExp;
}

/** Well-known secret shapes, anchored on their fixed prefixes and exact lengths. */
export const SECRET_SHAPES: readonly Shape[] = [
  { name: 'private key block', pattern: /-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'GitHub token', pattern: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/ },
  { name: 'GitHub fine-grained token', pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/ },
  { name: 'AWS access key id', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)(?![A-Z0-9]{0,9}EXAMPLE)[A-Z0-9]{16}(?![A-Za-z0-9])/ },
  {
    name: 'OpenAI API key',
    pattern: /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})(?![A-Za-z0-9_-])/,
  },
  { name: 'Slack token', pattern: /(?<![A-Za-z0-9])xox[bapors]-\d+-[A-Za-z0-9][A-Za-z0-9-]{8,}(?![A-Za-z0-9-])/ },
];

/** The line with each secret cut to its first characters, so reports do not spread it further. */
export function redact(text: string): string {
  let out = text;
  for (const { pattern } of SECRET_SHAPES) {
    if (pattern.source.startsWith('-----BEGIN')) continue;
    out = out.replace(new RegExp(pattern.source, 'g'), (m) => `${m.slice(0, 4)}…[redacted]`);
  }
  return out;
}

export const secret: PatchRule = {
  id: 'generic/secret',
  pack: 'generic',
  severity: 'error',
  scope: 'patch',
  doc: {
    what: 'An added line holding a private key block or a token of a well-known shape (GitHub, AWS, OpenAI, Slack).',
    why: 'A secret pushed to a repository is compromised, even if a later commit removes it.',
    fix: 'Remove it, revoke and rotate the credential, and load it from the environment or a secret store instead.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const { file, line } of addedLines(patch)) {
      const shape = SECRET_SHAPES.find((s) => s.pattern.test(line.text));
      if (!shape) continue;
      // Evidence is redacted: the finding must not republish the secret in a report or PR comment.
      out.push(lineFinding(file, line, `${shape.name} committed: revoke it and load it from a secret store`, { evidence: redact(line.text) }));
    }
    return out;
  },
};
