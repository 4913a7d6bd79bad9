/** Hand-built ChangeSets for the engine, reporter and graph tests (no parser involved). */
import { ChangeSetSchema, PatchSchema, type ChangeSet, type Patch } from '../../src/model/changeset.js';
import type { Finding } from '../../src/model/finding.js';

export interface FileSpec {
  path: string;
  /** Added lines (new side, from newStart). */
  added: string[];
  newStart?: number;
  status?: 'added' | 'modified';
}

export interface PatchSpec {
  subject?: string;
  summary?: string;
  tree?: string;
  kind?: 'diff' | 'email' | 'commit';
  input?: string;
  index?: number;
  message?: string;
  files?: FileSpec[];
  isCover?: boolean;
  messageId?: string;
  counter?: number;
  total?: number;
}

export function makePatch(spec: PatchSpec = {}): Patch {
  const subject = spec.subject ?? '[PATCH net] net: foo: fix a leak';
  const message = spec.message ?? 'Free the buffer on the error path.\n\nSigned-off-by: A U Thor <author@example.com>';
  const messageStartLine = 8;
  const messageLines = message.split('\n').length;
  let line = messageStartLine + messageLines + 3;
  const files = (spec.files ?? [{ path: 'drivers/net/foo.c', added: ['\tkfree(buf);'] }]).map((file) => {
    const newStart = file.newStart ?? 10;
    const fileLine = line;
    const hunkLine = fileLine + 3;
    line = hunkLine + 1;
    const lines = file.added.map((text, i) => ({ kind: 'add' as const, text, newLine: newStart + i, patchLine: line++ }));
    return {
      oldPath: file.status === 'added' ? null : file.path,
      newPath: file.path,
      status: file.status ?? 'modified',
      patchLine: fileLine,
      hunks: [{ oldStart: newStart, oldLines: 0, newStart, newLines: file.added.length, section: '', patchLine: hunkLine, lines }],
    };
  });
  const summary = spec.summary ?? subject.replace(/^\[[^\]]*\]\s*/, '');
  return PatchSchema.parse({
    id: `${spec.input ?? 'test.patch'}#${spec.index ?? 0}`,
    source: { input: spec.input ?? 'test.patch', index: spec.index ?? 0, kind: spec.kind ?? 'email' },
    headers: { subject },
    ...(spec.messageId ? { messageId: spec.messageId } : {}),
    references: [],
    from: { name: 'A U Thor', email: 'author@example.com' },
    author: { name: 'A U Thor', email: 'author@example.com' },
    subject: {
      raw: subject,
      listTags: [],
      prefixes: subject.startsWith('[') ? subject.slice(1, subject.indexOf(']')).split(/\s+/) : [],
      hasPatchTag: /\[(PATCH|RFC)/.test(subject),
      hasPrefix: subject.startsWith('['),
      rfc: false,
      resend: false,
      version: 1,
      ...(spec.counter !== undefined ? { counter: spec.counter, total: spec.total ?? 1 } : {}),
      ...(spec.tree ? { tree: spec.tree } : /\[PATCH (net(-next)?)\b/.test(subject) ? { tree: /\[PATCH (net(-next)?)\b/.exec(subject)![1] } : {}),
      summary,
      isReply: false,
    },
    message,
    messageStartLine,
    trailers: [],
    notes: '',
    files,
    isCover: spec.isCover ?? false,
    mime: { attachment: false, html: false },
    lineCount: line,
    parseProblems: [],
  });
}

export function makeChangeSet(patches: Patch[], origin: 'mailing-list' | 'diff' | 'range' = 'mailing-list'): ChangeSet {
  return ChangeSetSchema.parse({
    inputs: [...new Set(patches.map((p) => p.source.input))],
    patches,
    series: [{ id: 's1', version: 1, total: patches.length, patches: patches.map((_p, i) => i), origin }],
  });
}

/** A finding as the engine would complete it. */
export function finding(partial: Partial<Finding> & Pick<Finding, 'rule' | 'location'>): Finding {
  return { severity: 'warning', message: `${partial.rule} says so`, source: 'rule', patch: 0, ...partial };
}
