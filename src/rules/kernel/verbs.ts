/**
 * A small English verb lexicon for kernel changelogs, kept by us: the verbs subjects and
 * changelogs start with, their past, third-person and -ing forms, and the words that start a noun
 * phrase. NLP packages on npm (compromise, wink-nlp) tag parts of speech well, but weigh
 * megabytes and tens of milliseconds a message for what a few hundred words decide here.
 */

/** Verbs in the imperative, as kernel subjects use them. */
const VERBS = `
abort accept access account adapt add address adjust advertise align allocate allow annotate append apply
assign attach avoid back bail batch bind block bound bring build bump cache calculate call cancel cap
capture carry cast catch change check clamp clarify clean cleanup clear close coalesce collapse collect combine
comment compile complete compute configure consolidate constify convert copy correct count create cut
decouple decrease default defer define delay delete deprecate deregister describe destroy detach detect disable
disallow disconnect document drop dump duplicate ease emit enable encode enforce ensure enumerate error escape
evaluate expand explain expose extend extract factor fail fill filter finalize finalise fix flag flush fold
follow force forbid forward free freeze gate generate get give grab group guard handle harden hide hold hook
ignore implement import improve include increase increment initialize initialise inline insert install
introduce invalidate inherit isolate keep kill launch limit link list load lock log look loop lower make map mark
mask match merge migrate mirror modify move name notify null offload omit open optimize optimise order parse
pass patch pause permit pick pin place plumb poll populate prefer prepare preserve prevent print probe process
program propagate protect provide prune publish pull purge push put query queue raise read rearrange rebuild
recalculate receive record recover reduce refactor refcount refine refresh refuse register reject release
relax relocate remove rename reorder reorganize reorganise repair replace report request require reserve reset
resize resolve respect restart restore restrict resume retain retry return reuse revert rework rewrite round
run save scan schedule select send separate serialize set setup share shift shorten show shrink shut signal
simplify skip sort specify split squash start stash stop store strip submit suppress support suspend swap switch
sync synchronize tag take teach teardown terminate test throttle tidy toggle track transfer translate treat
trigger trim truncate try tune turn unbind undo unexport unify unlock unmap unregister unset untangle update
upgrade use validate verify wait wake warn wire wrap write zero
`.trim().split(/\s+/);

/** Irregular past forms (past tense or participle) of the verbs above. */
const IRREGULAR_PAST: Record<string, string[]> = {
  bring: ['brought'], build: ['built'], catch: ['caught'], forbid: ['forbade', 'forbidden'], freeze: ['froze', 'frozen'],
  get: ['got', 'gotten'], give: ['gave', 'given'], hide: ['hid', 'hidden'], hold: ['held'], keep: ['kept'],
  make: ['made'], run: ['ran'], send: ['sent'], show: ['showed', 'shown'], take: ['took', 'taken'], teach: ['taught'],
  undo: ['undid', 'undone'], write: ['wrote', 'written'], rewrite: ['rewrote', 'rewritten'], rebuild: ['rebuilt'],
};

/** Verbs whose past is spelt like the base (`set`, `put`): never read as past tense. */
const SAME_PAST = new Set(['set', 'put', 'cut', 'read', 'reset', 'shut', 'split', 'cast', 'unset', 'setup', 'cleanup', 'teardown']);

const CONSONANT_DOUBLING = new Set(['drop', 'map', 'unmap', 'wrap', 'strip', 'skip', 'stop', 'ship', 'swap', 'trim', 'plan', 'pin', 'tag', 'flag', 'log', 'bump', 'plumb', 'scan', 'submit', 'omit', 'emit', 'permit', 'commit', 'patch']);

function past(verb: string): string[] {
  if (SAME_PAST.has(verb)) return [];
  const irregular = IRREGULAR_PAST[verb] ?? [];
  if (verb.endsWith('e')) return [...irregular, `${verb}d`];
  if (/[^aeiou]y$/.test(verb)) return [...irregular, `${verb.slice(0, -1)}ied`];
  const regular = [`${verb}ed`];
  if (CONSONANT_DOUBLING.has(verb) && /[^aeiou][aeiou][bdglmnprt]$/.test(verb)) regular.push(`${verb}${verb.slice(-1)}ed`);
  return [...irregular, ...regular];
}

function third(verb: string): string {
  if (/(?:s|sh|ch|x|z)$/.test(verb)) return `${verb}es`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

function gerunds(verb: string): string[] {
  if (verb.endsWith('ee')) return [`${verb}ing`];
  if (verb.endsWith('ie')) return [`${verb.slice(0, -2)}ying`];
  if (verb.endsWith('e')) return [`${verb.slice(0, -1)}ing`];
  const out = [`${verb}ing`];
  if (/[^aeiou][aeiou][bdglmnprt]$/.test(verb)) out.push(`${verb}${verb.slice(-1)}ing`);
  return out;
}

export type VerbForm = 'imperative' | 'past' | 'third-person' | 'gerund';

const FORMS = new Map<string, VerbForm>();
for (const verb of VERBS) {
  for (const word of gerunds(verb)) if (!FORMS.has(word)) FORMS.set(word, 'gerund');
  for (const word of past(verb)) if (!FORMS.has(word)) FORMS.set(word, 'past');
  if (!FORMS.has(third(verb))) FORMS.set(third(verb), 'third-person');
}
// The base form wins where a form collides with a verb (`process` is not third person of `proces`).
for (const verb of VERBS) FORMS.set(verb, 'imperative');

/** The form of a known verb, or undefined for a word the lexicon does not know. */
export function verbForm(word: string): VerbForm | undefined {
  return FORMS.get(word.toLowerCase());
}

/**
 * Words that start a noun phrase or a statement rather than an order: articles, determiners,
 * and the adjectives and nouns subjects open with ("Minor cleanups", "Missing lock", "Support for").
 */
const NOUN_STARTS = new Set(
  `a an the this that these those some any various several multiple two three few more less minor major small trivial
   tiny misc miscellaneous missing wrong incorrect improper proper possible potential unused unneeded unnecessary
   redundant useless stale bogus broken new better improved additional extra initial basic generic typo typos
   cleanup cleanups clean-up clean-ups refactoring rework support fixes fixups bugfix bugfixes improvements
   changes updates tweaks`
    .trim()
    .split(/\s+/),
);

export function startsNounPhrase(word: string): boolean {
  return NOUN_STARTS.has(word.toLowerCase());
}

/** "X has been …", "X is …", "X was …", "X are now …": a statement about the code, not an order. */
export const STATEMENT = /\b(?:has|have|had) been\b|\b(?:is|are|was|were|isn't|aren't|wasn't|weren't|doesn't|don't|didn't)\b/i;

/** Verbs that make a gerund the subject of a sentence ("Adding X causes …"), not a change description. */
export const PROBLEM_VERBS = /\b(?:can|could|may|might|will|would|should|must|causes?|caused|triggers?|triggered|results?|resulted|leads?|led|breaks?|broke|fails?|failed|crashes|crashed|hangs|hung|makes?|made|requires?|needs?|takes?|allows?|gives?|returns?|means)\b/i;
