import type { Patch } from '../../model/changeset.js';
import { messageLocation } from '../lib/location.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { descriptionLines, isCommitPatch, messageLines, quotedLineSet } from './util.js';
import { PROBLEM_VERBS, STATEMENT, startsNounPhrase, verbForm } from './verbs.js';

/** Adverbs and negations an order may open with: "Properly handle …", "Don't create …". */
const OPENERS = new Set(['do', "don't", 'dont', 'never', 'always', 'only', 'also', 'properly', 'correctly', 'really', 'just', 'partially', 'temporarily', 'explicitly', 'consistently', 'actually', 'again', 'please']);

/** The summary after every `subsys: ` prefix (and a `Revert "…"` wrapper). */
function summaryText(summary: string): string {
  return summary.replace(/^(?:[^\s:]+(?:(?:,\s?| \/ )[^\s:]+)*: )+/, '');
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

function word(token: string | undefined): string {
  return /^[A-Za-z][A-Za-z'-]*/.exec(token ?? '')?.[0] ?? '';
}

/** What is not imperative about a summary (or a paragraph's first sentence), with the words to quote. */
export function summaryProblem(text: string): { kind: 'past' | 'third-person' | 'gerund' | 'statement' | 'noun phrase'; quote: string } | undefined {
  const tokens = words(text);
  let i = 0;
  while (i < tokens.length - 1 && OPENERS.has(word(tokens[i]).toLowerCase())) i++;
  const first = word(tokens[i]);
  if (!first) return undefined;
  const form = verbForm(first);
  if (form === 'imperative') return undefined;
  if (form === 'past' || form === 'third-person' || form === 'gerund') return { kind: form, quote: first };
  const statement = STATEMENT.exec(text);
  if (statement) {
    const at = text.slice(0, statement.index).split(/\s+/).filter(Boolean).length;
    return { kind: 'statement', quote: tokens.slice(Math.max(0, at - 2), at + 2).join(' ') };
  }
  if (startsNounPhrase(first)) return { kind: 'noun phrase', quote: tokens.slice(i, i + 3).join(' ') };
  return undefined;
}

const CHANGE_STEMS = ['add', 'change', 'fix', 'remove', 'introduce', 'implement', 'rework', 'convert', 'replace', 'rename', 'refactor', 'drop', 'modify', 'update', 'move', 'make', 'use', 'handle', 'switch', 'avoid', 'ensure', 'check'];
const CHANGE_PAST = ['added', 'changed', 'fixed', 'removed', 'introduced', 'implemented', 'reworked', 'converted', 'replaced', 'renamed', 'refactored', 'dropped', 'modified', 'updated', 'moved', 'made', 'used', 'handled', 'switched'];
const THIRD = CHANGE_STEMS.map((s) => (/(?:s|sh|ch|x)$/.test(s) ? `${s}es` : `${s}s`));

/** "This patch adds", "this commit now makes", "With this patch", "In this patch". */
const THIS_PATCH = new RegExp(
  `\\b(?:this (?:patch|commit|change)(?: set| series)? (?:also |now |simply |just |will )?(?:${THIRD.join('|')}|${CHANGE_STEMS.join('|')}|tries|attempts|is going)|(?:with|in|after) this (?:patch|commit|change)(?: set| series)?)\\b`,
  'i',
);
/**
 * "I changed", "I add", "We add …", "We now …" at a sentence start or after "so"/"here"/"this
 * patch": "once we add X" describes the future and "previously we added" the history.
 */
const FIRST_PERSON = new RegExp(
  `(?:\\bI(?: have| also| now| then)? (?:${CHANGE_STEMS.join('|')}|${CHANGE_PAST.join('|')})|(?:^|[.;:!?]\\s+|\\bso |\\bhere,? |\\b(?:patch|commit),? )[Ww]e(?: also| then)? (?:${CHANGE_STEMS.join('|')})|(?:^|[.;:!?]\\s+)[Ww]e now \\w+)\\b`,
);

interface Hit {
  where: 'subject' | 'body';
  line?: number;
  quote: string;
  message: string;
}

function bodyHits(patch: Patch): Hit[] {
  const hits: Hit[] = [];
  const quoted = quotedLineSet(messageLines(patch));
  let previousBlank = true;
  const described = descriptionLines(patch);
  described.forEach(({ line, text }, index) => {
    const blank = text.trim() === '';
    const paragraphStart = previousBlank && !blank;
    previousBlank = blank;
    if (blank || quoted.has(line)) return;
    const m = THIS_PATCH.exec(text) ?? FIRST_PERSON.exec(text);
    if (m) {
      const quote = m[0].replace(/^[.;:!?\s]+/, '');
      hits.push({ where: 'body', line, quote, message: `"${quote}"` });
      return;
    }
    // A paragraph that opens by describing the change in the past, the third person or a gerund
    // ("Added a check…", "Adds a check…", "Adding a check…"). Statements about the code are what
    // a body is for, so only the verb forms count here.
    if (paragraphStart) {
      const problem = summaryProblem(text);
      // The paragraph's first sentence, over as many lines as it takes.
      const paragraph: string[] = [];
      for (let k = index; k < described.length && described[k]!.text.trim() !== ''; k++) paragraph.push(described[k]!.text.trim());
      const sentence = paragraph.join(' ').split(/(?<=[.!?])\s/)[0] ?? text;
      const gerundAsSubject = problem?.kind === 'gerund' && (STATEMENT.test(sentence) || PROBLEM_VERBS.test(sentence));
      if (problem && problem.kind !== 'statement' && problem.kind !== 'noun phrase' && !gerundAsSubject && /^[A-Z]/.test(text.trim())) {
        hits.push({ where: 'body', line, quote: problem.quote, message: `"${problem.quote}"` });
      }
    }
  });
  return hits;
}

export const imperativeMood: PatchRule = {
  id: 'kernel/imperative-mood',
  pack: 'kernel',
  scope: 'patch',
  severity: 'info',
  doc: {
    what: 'The summary is not an order (past tense "Fixed", third person "Adds", a gerund "Adding", a statement "X has been …", a noun phrase "Minor cleanups"), or the body describes the change as "This patch …", "With this patch …", "I changed", "We add" or opens a paragraph with such a verb form. One finding per patch: a warning for the subject, info for the body.',
    why: 'Kernel changelogs describe the change as an order to the code base ("Fix the leak"); it reads consistently in the shortlog. This is a heuristic with a small verb lexicon; the LLM reviewer confirms.',
    fix: 'Rewrite in the imperative: "ice: fix the leak" rather than "ice: fixed the leak"; "Add X" rather than "This patch adds X".',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const problem = summaryProblem(summaryText(patch.subject.summary));
    const body = bodyHits(patch);
    const alsoBody = body.length > 0 ? ` (also in the body: ${body.map((h) => h.message).join(', ')})` : '';
    if (problem) {
      const what =
        problem.kind === 'statement'
          ? `summary is a statement ("${problem.quote}"); say what the patch does, in the imperative`
          : problem.kind === 'noun phrase'
            ? `summary is a noun phrase ("${problem.quote}"); start it with a verb in the imperative`
            : `summary starts with "${problem.quote}"; use the imperative mood`;
      return [{ message: `${what}${alsoBody}`, severity: 'warning', location: { kind: 'subject' }, evidence: patch.subject.raw }];
    }
    const first = body[0];
    if (!first || first.line === undefined) return [];
    return [
      {
        message: `${body.map((h) => h.message).join(', ')}: describe the change in the imperative mood`,
        location: messageLocation(patch, first.line),
        evidence: messageLines(patch)[first.line - 1] ?? '',
      },
    ];
  },
};
