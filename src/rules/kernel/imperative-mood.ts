import type { PatchRule, RuleFinding } from '../types.js';
import { descriptionLines, isCommitPatch, messageLocation, quotedLineSet, messageLines } from './util.js';

const STEMS = [
  'add', 'fix', 'remove', 'change', 'update', 'use', 'move', 'make', 'clean', 'convert', 'drop',
  'introduce', 'implement', 'replace', 'rename', 'correct', 'improve', 'enable', 'disable',
  'refactor', 'rework', 'simplify', 'avoid', 'handle', 'ensure', 'allow', 'prevent', 'revert',
  'switch', 'support', 'set', 'modify', 'delete', 'create', 'extend', 'reduce', 'increase',
  'check', 'return', 'initialize', 'initialise', 'free', 'release', 'document', 'export',
  'split', 'merge', 'restore', 'skip', 'limit', 'align', 'adjust', 'protect', 'validate',
];

function forms(stem: string): string[] {
  const past =
    stem === 'make' ? ['made'] : stem === 'set' ? [] : stem === 'split' ? [] : stem.endsWith('e') ? [`${stem}d`] : stem.endsWith('y') ? [`${stem.slice(0, -1)}ied`] : [`${stem}ed`, `${stem}${stem.slice(-1)}ed`];
  const third = /(?:s|sh|ch|x)$/.test(stem) ? `${stem}es` : stem.endsWith('y') ? `${stem.slice(0, -1)}ies` : `${stem}s`;
  const gerund = stem.endsWith('e') && stem !== 'free' ? `${stem.slice(0, -1)}ing` : `${stem}ing`;
  return [...past, third, gerund, `${stem}${stem.slice(-1)}ing`];
}

const NON_IMPERATIVE = new Set(STEMS.flatMap(forms));
const THIRD_PERSON = STEMS.map((s) => (/(?:s|sh|ch|x)$/.test(s) ? `${s}es` : s.endsWith('y') ? `${s.slice(0, -1)}ies` : `${s}s`)).join('|');

const THIS_PATCH = new RegExp(`\\bthis (?:patch|commit)(?: set| series)? (?:also |now |simply |just )?(?:${THIRD_PERSON}|tries|attempts|is going)\\b`, 'i');
const CHANGE_STEMS = ['add', 'change', 'fix', 'remove', 'introduce', 'implement', 'rework', 'convert', 'replace', 'rename', 'refactor', 'drop', 'modify', 'update'];
const CHANGE_PAST = CHANGE_STEMS.flatMap(forms).filter((w) => w.endsWith('ed')).join('|');
/**
 * "I changed", "I add", "We add …" at a sentence start or after "so"/"here"/"this patch": "once we
 * add X" describes the future and "previously we added" the history, not this change.
 */
const FIRST_PERSON = new RegExp(`(?:\\bI(?: have| also| now| then)? (?:${CHANGE_STEMS.join('|')}|${CHANGE_PAST})|(?:^|[.;:!?]\\s+|\\bso |\\bhere,? |\\b(?:patch|commit),? )[Ww]e(?: also| now| then)? (?:${CHANGE_STEMS.join('|')}))\\b`);

/** First word of the summary after every `subsys: ` prefix. */
function summaryVerb(summary: string): string {
  const rest = summary.replace(/^(?:[^\s:]+(?:(?:,\s?| \/ )[^\s:]+)*: )+/, '');
  return (/^[A-Za-z]+/.exec(rest)?.[0] ?? '').toLowerCase();
}

export const imperativeMood: PatchRule = {
  id: 'kernel/imperative-mood',
  pack: 'kernel',
  scope: 'patch',
  severity: 'info',
  doc: {
    what: 'The summary starts with a past-tense or third-person verb ("Fixed", "Adds"), or the body says "This patch …", "I changed", "we add".',
    why: 'Kernel changelogs describe the change as an order to the code base ("Fix the leak"); it reads consistently in the shortlog. This is a heuristic; the LLM reviewer confirms.',
    fix: 'Rewrite in the imperative: "ice: fix the leak" rather than "ice: fixed the leak"; "Add X" rather than "This patch adds X".',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const out: RuleFinding[] = [];
    const verb = summaryVerb(patch.subject.summary);
    if (verb && NON_IMPERATIVE.has(verb)) {
      out.push({
        message: `summary starts with "${verb}"; use the imperative mood`,
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
      });
    }
    const quoted = quotedLineSet(messageLines(patch));
    for (const { line, text } of descriptionLines(patch)) {
      if (quoted.has(line)) continue;
      const m = THIS_PATCH.exec(text) ?? FIRST_PERSON.exec(text);
      if (m) {
        out.push({
          message: `"${m[0].replace(/^[.;:!?\s]+/, "")}": describe the change in the imperative mood`,
          location: messageLocation(patch, line),
          evidence: text,
        });
      }
    }
    return out;
  },
};
