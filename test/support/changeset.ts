/**
 * The one builder of Patches and ChangeSets for tests, so rules, reporters and graphs can be
 * tested on exactly the case at hand without going through the parser — and, for the cases that
 * should, the same data as a patch email through the real parser (`mail`, `parseMail`).
 *
 * Every Patch it makes is validated with PatchSchema. Tests that depend on a value (an author, a
 * message, where a line sits) say so in their spec rather than relying on a default.
 */
import { ChangeSetSchema, PatchSchema, type ChangeSet, type DiffLine, type FilePatch, type Hunk, type Patch, type Series, type Subject, type Trailer } from '../../src/model/changeset.js';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import type { Finding } from '../../src/model/finding.js';
import { parsePatchEmail } from '../../src/parse/email.js';
import { parseTrailers } from '../../src/parse/trailers.js';
import type { RuleContext } from '../../src/rules/types.js';

/** `[PATCH net-next v2 3/5] summary` → a Subject (enough for the code under test; not the real parser). */
export function subject(raw: string, trees: readonly string[] = defaultConfig().netdev.trees): Subject {
  const m = /^((?:\[[^\]]*\]\s*)*)(.*)$/.exec(raw);
  const bracket = m?.[1] ?? '';
  const summary = m?.[2] ?? raw;
  const prefixes = [...bracket.matchAll(/\[([^\]]*)\]/g)].flatMap((b) => (b[1] ?? '').split(/[\s,]+/).filter(Boolean));
  let version = 1;
  let counter: number | undefined;
  let total: number | undefined;
  let tree: string | undefined;
  for (const p of prefixes) {
    const v = /^v(\d+)$/i.exec(p);
    const c = /^(\d+)\/(\d+)$/.exec(p);
    if (v) version = Number(v[1]);
    else if (c) {
      counter = Number(c[1]);
      total = Number(c[2]);
    } else if (trees.includes(p.toLowerCase())) tree = p;
  }
  return {
    raw,
    listTags: [],
    prefixes,
    hasPatchTag: prefixes.some((p) => /^(PATCH|RFC)$/i.test(p)),
    hasPrefix: prefixes.length > 0,
    rfc: prefixes.some((p) => /^RFC$/i.test(p)),
    resend: prefixes.some((p) => /^RESEND$/i.test(p)),
    version,
    ...(counter !== undefined ? { counter } : {}),
    ...(total !== undefined ? { total } : {}),
    ...(tree !== undefined ? { tree } : {}),
    summary,
    isReply: false,
  };
}

/**
 * A file from hunks written as in a diff: each hunk starts with its `@@ -a,b +c,d @@ section`
 * line, then lines starting with ' ', '+' or '-'. `\` marks "no newline" on the previous line.
 * Lines are numbered as in a diff file that starts with this file's `diff --git` line (line 1),
 * unless `firstLine` says where that line is.
 */
export function file(path: string, diff: string, opts: Partial<FilePatch> & { firstLine?: number } = {}): FilePatch {
  const { firstLine = 1, ...rest } = opts;
  const hunks: Hunk[] = [];
  let patchLine = firstLine;
  let oldNo = 0;
  let newNo = 0;
  let hunk: Hunk | undefined;
  for (const raw of diff.replace(/\n$/, '').split('\n')) {
    patchLine++;
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/.exec(raw);
    if (h) {
      oldNo = Number(h[1]);
      newNo = Number(h[3]);
      hunk = { oldStart: oldNo, oldLines: Number(h[2] ?? 1), newStart: newNo, newLines: Number(h[4] ?? 1), section: (h[5] ?? '').trim(), patchLine, lines: [] };
      hunks.push(hunk);
      continue;
    }
    if (!hunk) throw new Error(`line before any hunk: ${raw}`);
    if (raw.startsWith('\\')) {
      const last = hunk.lines[hunk.lines.length - 1];
      if (last) last.noNewlineAtEnd = true;
      continue;
    }
    const kind = raw[0] === '+' ? 'add' : raw[0] === '-' ? 'del' : 'ctx';
    const line: DiffLine = { kind, text: raw.slice(1), crlf: false, patchLine, noNewlineAtEnd: false };
    if (kind !== 'add') line.oldLine = oldNo++;
    if (kind !== 'del') line.newLine = newNo++;
    hunk.lines.push(line);
  }
  return { oldPath: path, newPath: path, status: 'modified', binary: false, patchLine: firstLine, hunks, ...rest };
}

/**
 * A file whose one hunk adds `added` at new-side line `start` (default 10). Its `diff --git`
 * line is at `firstLine` (default 15), the hunk header four lines further, the added lines after.
 */
export function addedFile(path: string, added: string[], opts: Partial<FilePatch> & { start?: number; crlf?: boolean; firstLine?: number } = {}): FilePatch {
  const { start = 10, crlf = false, firstLine = 15, ...rest } = opts;
  const built = file(path, [`@@ -${start},0 +${start},${added.length} @@`, ...added.map((text) => `+${text}`)].join('\n'), { firstLine: firstLine + 3 });
  for (const line of built.hunks[0]!.lines) line.crlf = crlf;
  return { ...built, patchLine: firstLine, ...rest };
}

/** Added lines of one file, laid out in the patch after the message. */
export interface FileSpec {
  path: string;
  added: string[];
  /** New-side line of the first added line (default 10). */
  newStart?: number;
  status?: 'added' | 'modified';
}

export type PatchSpec = Partial<Omit<Patch, 'subject' | 'trailers' | 'files' | 'source'>> & {
  /** The subject line (default `[PATCH net] net: foo: fix a leak`), or a Subject as is. */
  subject?: string | Subject;
  /** Subject fields to set over what the subject line says. */
  tree?: string;
  counter?: number;
  total?: number;
  summary?: string;
  /**
   * Trailers, as `[key, value]` pairs (appended to a one-line description when no message is
   * given) or as Trailer objects; default: those the message has.
   */
  trailers?: Array<[string, string]> | Trailer[];
  /** Files as they come out of the parser (`file`, `addedFile`), or added lines to lay out. */
  files?: Array<FilePatch | FileSpec>;
  input?: string;
  index?: number;
  kind?: Patch['source']['kind'];
};

const AUTHOR = { name: 'A U Thor', email: 'author@example.com' };

/**
 * A patch email as the parser would give it: by default a one-line fix to drivers/net/foo.c for
 * `net`, signed off by its author A U Thor, message on line 8 of the email.
 */
export function patch(spec: PatchSpec = {}): Patch {
  const { subject: subjectSpec, tree, counter, total, summary, trailers: trailerSpec, files: fileSpecs, input = 'test.patch', index = 0, kind = 'email', ...over } = spec;
  const pairs = Array.isArray(trailerSpec) && trailerSpec.every((t) => Array.isArray(t)) ? (trailerSpec as Array<[string, string]>) : undefined;
  const message =
    over.message ?? (pairs ? ['Some description of the change.', '', ...pairs.map(([k, v]) => `${k}: ${v}`)].join('\n') : `Free the buffer on the error path.\n\nSigned-off-by: ${AUTHOR.name} <${AUTHOR.email}>`);
  const messageLines = message.split('\n');
  const trailers: Trailer[] = pairs
    ? pairs.map(([key, value], i) => {
        const at = messageLines.indexOf(`${key}: ${value}`);
        return { key, value, raw: `${key}: ${value}`, line: at >= 0 ? at + 1 : 3 + i, wrapped: false, separator: ' ' };
      })
    : ((trailerSpec as Trailer[] | undefined) ?? parseTrailers(message));
  const messageStartLine = over.messageStartLine ?? 8;

  let line = messageStartLine + messageLines.length + 3;
  const files = (fileSpecs ?? [{ path: 'drivers/net/foo.c', added: ['\tkfree(buf);'] }]).map((f): FilePatch => {
    if (!('added' in f)) return f;
    const built = addedFile(f.path, f.added, { start: f.newStart ?? 10, firstLine: line });
    line = built.hunks[0]!.lines.at(-1)!.patchLine + 1;
    return f.status === 'added' ? { ...built, oldPath: null, status: 'added' } : built;
  });

  const parsed = typeof subjectSpec === 'object' ? subjectSpec : subject(subjectSpec ?? '[PATCH net] net: foo: fix a leak');
  const subj: Subject = {
    ...parsed,
    ...(tree !== undefined ? { tree } : {}),
    ...(counter !== undefined ? { counter, total: total ?? parsed.total ?? 1 } : total !== undefined ? { total } : {}),
    ...(summary !== undefined ? { summary } : {}),
  };
  return PatchSchema.parse({
    id: `${input}#${index}`,
    source: { input, index, kind },
    headers: {},
    references: [],
    from: AUTHOR,
    author: AUTHOR,
    notes: '',
    isCover: subj.counter === 0,
    mime: { attachment: false, html: false },
    lineCount: Math.max(line, 10),
    parseProblems: [],
    ...over,
    subject: subj,
    message,
    messageStartLine,
    trailers,
    files,
  });
}

/**
 * These patches as one series (the cover letter is the patch marked isCover), or with `origin`
 * 'diff' / 'range' as such. Inputs are the patches' inputs.
 */
export function changeset(patches: Patch[], origin: Series['origin'] = 'mailing-list', extra: Partial<Series> = {}): ChangeSet {
  const cover = patches.findIndex((p) => p.isCover);
  const members = patches.map((_, i) => i).filter((i) => i !== cover);
  const first = patches[members[0] ?? 0];
  const series: Series = {
    id: 's1',
    version: first?.subject.version ?? 1,
    total: first?.subject.total ?? members.length,
    ...(cover >= 0 ? { cover } : {}),
    patches: members,
    origin,
    ...extra,
  };
  const inputs = [...new Set(patches.map((p) => p.source.input))];
  return ChangeSetSchema.parse({ inputs: inputs.length > 0 ? inputs : ['test'], patches, series: [series] });
}

/** What a rule is given: the change set (default: empty) and the configuration. */
export function ctx(cs: ChangeSet = { inputs: [], patches: [], series: [] }, config: Config = defaultConfig()): RuleContext {
  return { config, changeset: cs };
}

/** A finding as the engine would complete it. */
export function finding(partial: Partial<Finding> & Pick<Finding, 'rule' | 'location'>): Finding {
  return { severity: 'warning', message: `${partial.rule} says so`, source: 'rule', patch: 0, ...partial };
}

// ---- the same, as a patch email through the real parser ----

/** A git format-patch style email with sensible defaults (a fix to drivers/net/ethernet/acme for net). */
export function mail(opts: {
  subject?: string;
  from?: string;
  headers?: string;
  inBodyFrom?: string;
  message?: string;
  notes?: string;
  diff?: string;
}): string {
  const subjectLine = opts.subject ?? '[PATCH net] acme: fix rx ring refill on page allocation failure';
  const message =
    opts.message ??
    `When dev_alloc_page() fails while the rx ring is refilled, the driver
maps a NULL page and hands a bogus address to the NIC.

Stop refilling when the allocation fails.

Signed-off-by: Jane Doe <jane.doe@example.com>`;
  const diff =
    opts.diff ??
    `diff --git a/drivers/net/ethernet/acme/acme_main.c b/drivers/net/ethernet/acme/acme_main.c
index 1045ea8dd2a6..32dfd6cad99c 100644
--- a/drivers/net/ethernet/acme/acme_main.c
+++ b/drivers/net/ethernet/acme/acme_main.c
@@ -412,4 +412,6 @@ static int acme_refill_rx(struct acme_ring *ring)
 		buf->page = dev_alloc_page();
+		if (!buf->page)
+			break;
 		buf->dma = dma_map_page(ring->dev, buf->page, 0, PAGE_SIZE,
 					DMA_FROM_DEVICE);
`;
  return [
    `From: ${opts.from ?? 'Jane Doe <jane.doe@example.com>'}`,
    'Date: Tue, 4 Mar 2025 10:12:45 +0100',
    `Subject: ${subjectLine}`,
    'Message-ID: <20250304091245.1-1-jane.doe@example.com>',
    ...(opts.headers ? [opts.headers.replace(/\n$/, '')] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...(opts.inBodyFrom ? [`From: ${opts.inBodyFrom}`, ''] : []),
    message,
    '---',
    ...(opts.notes ? [opts.notes] : []),
    ' drivers/net/ethernet/acme/acme_main.c | 2 ++',
    ' 1 file changed, 2 insertions(+)',
    '',
    diff + '-- ',
    '2.43.0',
    '',
  ].join('\n');
}

/** Parse one patch email given as text (the mbox `From <sha> …` line, when present, is dropped). */
export async function parseMail(raw: string, input = 'test.patch'): Promise<Patch> {
  const text = raw.startsWith('From ') && !raw.startsWith('From: ') ? raw.slice(raw.indexOf('\n') + 1) : raw;
  return parsePatchEmail(text, { input, index: 0 });
}
