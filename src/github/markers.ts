import { createHash } from 'node:crypto';

/**
 * Hidden HTML comments that let the bot find its own comments again on the next run. GitHub keeps
 * them in the comment body and does not render them.
 */
export const SUMMARY_MARKER = '<!-- rubberduck:summary -->';
export const FIX_MARKER = '<!-- rubberduck:fix -->';
export const RESOLVED_MARKER = '<!-- rubberduck:resolved -->';
const FINGERPRINT_RE = /<!-- rubberduck:fingerprint=([0-9a-f]{16}(?:-\d+)?) -->/;

/**
 * A finding's identity across pushes: rule id, path and the offending line's content (trimmed),
 * never its line number, so a finding that only moves is still the same finding.
 */
export function fingerprintOf(rule: string, path: string, lineText: string): string {
  return createHash('sha256').update(`${rule}\0${path}\0${lineText.trim()}`).digest('hex').slice(0, 16);
}

/**
 * Fingerprints for a list of (rule, path, text) in order; the same triple seen again gets `-2`,
 * `-3`, … so two identical offending lines in one file stay two comments.
 */
export function numberFingerprints(items: readonly { rule: string; path: string; text: string }[]): string[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = fingerprintOf(item.rule, item.path, item.text);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}-${count}`;
  });
}

export function fingerprintMarker(fingerprint: string): string {
  return `<!-- rubberduck:fingerprint=${fingerprint} -->`;
}

/** The fingerprint in a comment body, if the bot wrote it. */
export function fingerprintIn(body: string | null | undefined): string | undefined {
  return body ? FINGERPRINT_RE.exec(body)?.[1] : undefined;
}

export function isResolved(body: string | null | undefined): boolean {
  return !!body && body.includes(RESOLVED_MARKER);
}
