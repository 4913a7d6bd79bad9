/**
 * What the traced values say, for the repair templates and their order:
 *  - the TYPE of a variable (from the repr()s the tracers record), so a variable is only replaced
 *    by another of the same type and `± 1` only goes on integers;
 *  - the variables whose value DIFFERS between the failing test and the passing tests, first one
 *    first: a value class (None, empty, negative, zero…) or an order between two integers
 *    (`i >= count`) seen while the failing test ran and never while a passing test ran. Those
 *    are the guards' conditions and move the edits that concern them ahead.
 * Values are repr() texts (Python, src/debug/python/rd_vars.py) or inspector previews (Node,
 * src/debug/trace-node.ts); both are read here, without evaluating anything.
 */
import type { VariableTrace } from '../types.js';

/** The type of a traced value: `int`, `float`, `str`, `bool`, `none`, `list`, `dict`, `set`, `tuple`, `obj:Name`, `fn`, or `?`. */
export function typeOf(repr: string): string {
  const v = repr.trim();
  if (v === 'None' || v === 'undefined' || v === 'null') return 'none';
  if (v === 'True' || v === 'False' || v === 'true' || v === 'false') return 'bool';
  if (/^-?\d+$/.test(v)) return 'int';
  if (/^-?(\d+\.\d*|\.\d+|\d+(\.\d*)?e[-+]?\d+)$/i.test(v) || v === 'NaN' || v === 'nan' || /^-?(Infinity|inf)$/.test(v)) return 'float';
  if (/^(['"`]).*\1$/s.test(v) || /^[bfru]?'.*'$/s.test(v)) return 'str';
  if (v.startsWith('[')) return 'list';
  if (/^deque\(/.test(v)) return 'list';
  if (v.startsWith('(')) return 'tuple';
  if (v === 'set()' || /^\{[^:]*\}$/s.test(v) && !/^\{\s*\}$/.test(v) && !v.includes(':')) return 'set';
  if (v.startsWith('{') || /^(defaultdict|OrderedDict|Counter)\(/.test(v)) return 'dict';
  if (/^(Map|Set)\b/.test(v)) return v.startsWith('Map') ? 'dict' : 'set';
  const obj = /^<([\w.]+) object at 0x/.exec(v) ?? /^([A-Z][\w.]*)\s*[({]/.exec(v) ?? /^([\w.]+)\(/.exec(v);
  if (obj) return `obj:${obj[1]!.split('.').pop()}`;
  if (/^<(function|bound method|built-in)/.test(v) || /^(async )?(function|class)\b/.test(v) || /=>/.test(v)) return 'fn';
  if (/^[A-Z]\w*$/.test(v)) return `obj:${v}`;
  return '?';
}

/** Numbers are one family for matching (an int and a float may stand for each other). */
export function sameFamily(a: string, b: string): boolean {
  const num = (t: string) => t === 'int' || t === 'float' || t === 'bool';
  return a === b || (num(a) && num(b)) || (a === 'tuple' && b === 'list') || (a === 'list' && b === 'tuple');
}

/** A finer class of a value: its type plus emptiness or sign (`list:empty`, `int:neg`, `none`). */
export function shapeOf(repr: string): string {
  const t = typeOf(repr);
  const v = repr.trim();
  switch (t) {
    case 'int':
    case 'float': {
      const n = Number(v.replace(/^(-?)inf$/, '$1Infinity'));
      return Number.isNaN(n) ? `${t}:nan` : n < 0 ? 'num:neg' : n === 0 ? 'num:zero' : 'num:pos';
    }
    case 'str':
      return v.length <= 2 || /^[bfru]?(''|"")$/.test(v) ? 'str:empty' : 'str';
    case 'list':
    case 'tuple':
    case 'dict':
    case 'set':
      return /^(\[\s*\]|\(\s*\)|\{\s*\}|set\(\)|deque\(\[\]\)|(Map|Set)\(0\).*|(Map|Set) \{0\}|\w+\(\[?\]?\)|\w+\(\{\}\))$/.test(v) ? `${t}:empty` : t;
    case 'bool':
      return /^(True|true)$/.test(v) ? 'bool:true' : 'bool:false';
    default:
      return t;
  }
}

/** An integer value of a repr, or undefined. */
export function intOf(repr: string): number | undefined {
  const v = repr.trim();
  return /^-?\d{1,15}$/.test(v) ? Number(v) : undefined;
}

/** A condition the failing test met and no passing test did (the makings of a guard). */
export interface Differing {
  /** The variable (or `a`, for a relation `a >= b`). */
  name: string;
  file: string;
  function: string;
  /** First line (1-based) where the failing test showed it. */
  line: number;
  /** What the failing run saw: `none`, `empty`, `neg`, `zero`, or a relation `>=` / `>` / `<=` / `<` / `==` to `other`. */
  kind: 'none' | 'empty' | 'neg' | 'zero' | 'relation';
  op?: '<' | '<=' | '>' | '>=' | '==';
  other?: string;
  /** The value in the failing run, and a few values seen in passing runs. */
  failing: string;
  passing: string[];
}

export interface TraceFacts {
  /** Types seen for `name` in the traced steps of `file` within [startLine, endLine] (failing and passing runs). */
  typesIn(file: string, startLine: number, endLine: number, name: string): Set<string>;
  /** Every variable name seen in those steps, with its types. */
  variablesIn(file: string, startLine: number, endLine: number): Map<string, Set<string>>;
  /** Values of `name` at `line` in the failing run. */
  failingValuesAt(file: string, line: number, name: string): string[];
  /** What differs between the failing and the passing runs, in the failing run's order. */
  differing: Differing[];
  /** The exception or assertion the failing test ended with. */
  exception?: string;
  /** True when a passing run was traced (so `differing` means something). */
  comparedWithPassing: boolean;
}

type Step = VariableTrace['steps'][number];
const SPECIAL = /^<(return|exception)>$/;

function shapeKind(shape: string): Differing['kind'] | undefined {
  if (shape === 'none') return 'none';
  if (shape.endsWith(':empty')) return 'empty';
  if (shape === 'num:neg') return 'neg';
  if (shape === 'num:zero') return 'zero';
  return undefined;
}

/** Integer locals of a step (including `self.x` / `this.x` fields), for the order relations. */
function intsOf(step: Step): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(step.locals)) {
    if (SPECIAL.test(k)) continue;
    const n = intOf(v);
    if (n !== undefined) out.push([k, n]);
    if (out.length >= 10) break;
  }
  return out;
}

const rel = (a: number, b: number): '<' | '==' | '>' => (a < b ? '<' : a > b ? '>' : '==');

/**
 * Facts from the failing test's trace and, when taken, the passing tests' trace over the same
 * functions. Works with either missing (no facts then).
 */
export function traceFacts(failing: VariableTrace | null | undefined, passing: VariableTrace | null | undefined): TraceFacts {
  const fSteps = failing?.steps ?? [];
  const pSteps = passing?.steps ?? [];
  const all = [...fSteps, ...pSteps];

  // Passing shapes and relations per line and variable (a name is undefined before its
  // assignment in every run: only the same line compares like with like).
  const key = (s: Step, name: string) => `${s.file}\0${s.function}\0${s.line}\0${name}`;
  const passShapes = new Map<string, Set<string>>();
  const passValues = new Map<string, string[]>();
  const passRel = new Map<string, Set<string>>();
  for (const s of pSteps) {
    for (const [name, v] of Object.entries(s.locals)) {
      if (SPECIAL.test(name)) continue;
      const k = key(s, name);
      let set = passShapes.get(k);
      if (!set) passShapes.set(k, (set = new Set()));
      set.add(shapeOf(v));
      const vals = passValues.get(k) ?? [];
      if (vals.length < 3 && !vals.includes(v)) vals.push(v);
      passValues.set(k, vals);
    }
    const ints = intsOf(s);
    for (let i = 0; i < ints.length; i++) {
      for (let j = i + 1; j < ints.length; j++) {
        const k = key(s, `${ints[i]![0]}\0${ints[j]![0]}`);
        let set = passRel.get(k);
        if (!set) passRel.set(k, (set = new Set()));
        set.add(rel(ints[i]![1], ints[j]![1]));
      }
    }
  }

  const differing: Differing[] = [];
  const seenDiff = new Set<string>();
  if (pSteps.length > 0) {
    for (const s of fSteps) {
      for (const [name, v] of Object.entries(s.locals)) {
        if (SPECIAL.test(name)) continue;
        const k = key(s, name);
        const seen = passShapes.get(k);
        if (!seen) continue; // no passing run went through here: no evidence either way
        const shape = shapeOf(v);
        const kind = shapeKind(shape);
        const id = `${s.file}\0${s.function}\0${name}\0${kind}`;
        if (!kind || seen.has(shape) || seenDiff.has(id)) continue;
        seenDiff.add(id);
        differing.push({ name, file: s.file, function: s.function, line: s.line, kind, failing: v, passing: passValues.get(k) ?? [] });
      }
      const ints = intsOf(s);
      for (let i = 0; i < ints.length; i++) {
        for (let j = i + 1; j < ints.length; j++) {
          const [a, av] = ints[i]!;
          const [b, bv] = ints[j]!;
          const seen = passRel.get(key(s, `${a}\0${b}`));
          if (!seen || seen.size === 0) continue;
          const r = rel(av, bv);
          if (seen.has(r)) continue;
          // The passing runs always kept one order; the failing run broke it. Say it as the
          // condition that holds now and never held before (`a >= b` when passing had a < b).
          const op: Differing['op'] = r === '==' ? (seen.has('<') && !seen.has('>') ? '>=' : seen.has('>') && !seen.has('<') ? '<=' : '==') : r === '>' ? (seen.has('==') ? '>' : '>=') : seen.has('==') ? '<' : '<=';
          const id = `${s.file}\0${s.function}\0${a}\0${b}\0${op}`;
          if (seenDiff.has(id)) continue;
          seenDiff.add(id);
          differing.push({ name: a, other: b, op, file: s.file, function: s.function, line: s.line, kind: 'relation', failing: `${a} = ${av}, ${b} = ${bv}`, passing: [] });
        }
      }
    }
  }

  const inSpan = (s: Step, file: string, a: number, b: number) => s.file === file && s.line >= a && s.line <= b;
  const facts: TraceFacts = {
    typesIn(file, startLine, endLine, name) {
      const out = new Set<string>();
      for (const s of all) {
        if (!inSpan(s, file, startLine, endLine)) continue;
        const v = s.locals[name];
        if (v !== undefined) out.add(typeOf(v));
      }
      out.delete('?');
      return out;
    },
    variablesIn(file, startLine, endLine) {
      const out = new Map<string, Set<string>>();
      for (const s of all) {
        if (!inSpan(s, file, startLine, endLine)) continue;
        for (const [name, v] of Object.entries(s.locals)) {
          if (SPECIAL.test(name)) continue;
          let set = out.get(name);
          if (!set) out.set(name, (set = new Set()));
          const t = typeOf(v);
          if (t !== '?') set.add(t);
        }
      }
      return out;
    },
    failingValuesAt(file, line, name) {
      return fSteps.filter((s) => s.file === file && s.line === line && s.locals[name] !== undefined).map((s) => s.locals[name]!);
    },
    differing,
    comparedWithPassing: pSteps.length > 0,
  };
  if (failing?.outcome) facts.exception = failing.outcome;
  return facts;
}

/** No facts at all (no trace could be taken). */
export const NO_FACTS: TraceFacts = traceFacts(null, null);
