import { createHash } from 'node:crypto';
import type { Finding, ReviewReport, Severity } from '../model/finding.js';
import type { ReportContext, RuleMeta } from './types.js';

/** SARIF 2.1.0 as GitHub code scanning accepts it (one run, driver rules, located results). */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown?: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[] };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{
    physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations?: Array<{ name: string; kind: string; fullyQualifiedName?: string }>;
    message?: { text: string };
  }>;
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: { driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] } };
    results: SarifResult[];
  }>;
}

function ruleName(id: string): string {
  // SARIF `name` is an identifier-like string: `kernel/fixes-format` → `KernelFixesFormat`.
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function sarifRule(meta: RuleMeta): SarifRule {
  const what = meta.doc?.what ?? meta.id;
  const full = meta.doc ? `${meta.doc.what} ${meta.doc.why}`.trim() : meta.id;
  const help = meta.doc ? `${meta.doc.what}\nWhy: ${meta.doc.why}\nFix: ${meta.doc.fix}` : `See the rule catalogue for ${meta.id}.`;
  return {
    id: meta.id,
    name: ruleName(meta.id),
    shortDescription: { text: what },
    fullDescription: { text: full },
    help: { text: help, markdown: help.replace(/\n/g, '  \n') },
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: { tags: [meta.pack ?? meta.id.split('/')[0] ?? 'rubberduck', 'patch-review'] },
  };
}

function toUri(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '');
}

/** The file a patch came from, when it is a file (not stdin, not a git range). */
function patchFile(report: ReviewReport, finding: Finding, context: ReportContext): string | undefined {
  const patch = finding.patch === undefined ? undefined : context.changeset?.patches[finding.patch];
  const input = patch ? patch.source.input : report.inputs.length === 1 ? report.inputs[0] : undefined;
  if (!input || input === '-' || (patch && patch.source.kind === 'commit') || /\.\./.test(input) && !/[/\\]/.test(input)) return undefined;
  return input;
}

function location(report: ReviewReport, finding: Finding, context: ReportContext): SarifResult['locations'][number] {
  const l = finding.location;
  if (l.kind === 'diff') {
    return { physicalLocation: { artifactLocation: { uri: toUri(l.file) }, region: { startLine: l.line } } };
  }
  const subject = finding.subject ?? (finding.patch !== undefined ? report.patches[finding.patch]?.subject : undefined) ?? 'series';
  const file = patchFile(report, finding, context);
  const line = l.kind === 'message' ? (l.patchLine ?? l.line) : 1;
  const logical = [{ name: subject, kind: l.kind === 'series' ? 'module' : 'member', fullyQualifiedName: `${subject}#${l.kind}` }];
  if (file) return { physicalLocation: { artifactLocation: { uri: toUri(file) }, region: { startLine: line } }, logicalLocations: logical };
  return { logicalLocations: logical };
}

function fingerprint(finding: Finding): string {
  const l = finding.location;
  const place = l.kind === 'diff' ? `${l.file}:${(finding.evidence ?? String(l.line)).trim()}` : `${finding.subject ?? ''}:${l.kind}:${(finding.evidence ?? '').trim()}`;
  return createHash('sha256').update(`${finding.rule}\0${place}`).digest('hex').slice(0, 32);
}

export function buildSarif(report: ReviewReport, context: ReportContext = {}): SarifLog {
  const known = new Map((context.rules ?? []).map((rule) => [rule.id, rule]));
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  for (const finding of report.findings) {
    if (ruleIndex.has(finding.rule)) continue;
    ruleIndex.set(finding.rule, rules.length);
    rules.push(sarifRule(known.get(finding.rule) ?? { id: finding.rule, severity: finding.severity }));
  }
  const results: SarifResult[] = report.findings.map((finding) => ({
    ruleId: finding.rule,
    ruleIndex: ruleIndex.get(finding.rule)!,
    level: LEVEL[finding.severity],
    message: { text: finding.subject ? `${finding.message} (in "${finding.subject}")` : finding.message },
    locations: [location(report, finding, context)],
    partialFingerprints: { 'rubberduckFinding/v1': fingerprint(finding) },
    properties: { source: finding.source, ...(finding.patch !== undefined ? { patch: finding.patch } : {}) },
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          // informationUri is optional in SARIF 2.1.0 and left out until the project has a public home.
          driver: { name: 'rubberduck', version: report.version, semanticVersion: report.version, rules },
        },
        results,
      },
    ],
  };
}

export function renderSarif(report: ReviewReport, context: ReportContext = {}): string {
  return `${JSON.stringify(buildSarif(report, context), null, 2)}\n`;
}
