/** What `verify` reports: one result per rule, with the evidence behind it, and the verdict. */

export type RuleLevel = 'MUST' | 'SHOULD';
export type RuleStatus = 'PASS' | 'FAIL' | 'WARN' | 'N/A';

/** A rule as the specification states it: Apple's section number or an RFC 8216 section. */
export interface RuleDefinition {
  /** `1.26` (Apple HLS Authoring Specification) or `RFC 8216 §4.3.3.1`. */
  id: string;
  level: RuleLevel;
  /** What the rule asks, in a few words. */
  title: string;
}

export interface RuleResult extends RuleDefinition {
  status: RuleStatus;
  /** Which playlist, rendition or segment, measured vs declared. */
  evidence: string[];
}

export interface VerifySummary {
  /** Every MUST holds. */
  ok: boolean;
  pass: number;
  fail: number;
  warn: number;
  notApplicable: number;
  /** Ids of the MUST rules that failed. */
  failedMust: string[];
  /** Ids of the SHOULD rules that warned. */
  warned: string[];
}

export interface VerifyReport {
  /** The master playlist checked (path or URL). */
  location: string;
  rules: RuleResult[];
  summary: VerifySummary;
  /** Media segments read and probed; those fully decoded (all, or a sample with quick). */
  segments: { total: number; decoded: number };
  /** I-frame byte ranges read; those decoded. */
  iFrameRanges: { total: number; decoded: number };
  quick: boolean;
}

/** Most evidence lines kept per rule, so a broken 1000-segment ladder still gives a readable report. */
export const MAX_EVIDENCE = 12;

/**
 * The result of a rule from its problems: none → PASS (with `passEvidence`), some → FAIL for a MUST,
 * WARN for a SHOULD; `applicable: false` → N/A.
 */
export function judge(rule: RuleDefinition, problems: readonly string[], options: { applicable?: boolean; passEvidence?: string[] } = {}): RuleResult {
  if (options.applicable === false) return { ...rule, status: 'N/A', evidence: [] };
  if (problems.length === 0) return { ...rule, status: 'PASS', evidence: (options.passEvidence ?? []).slice(0, MAX_EVIDENCE) };
  const evidence = problems.slice(0, MAX_EVIDENCE);
  if (problems.length > MAX_EVIDENCE) evidence.push(`… and ${problems.length - MAX_EVIDENCE} more`);
  return { ...rule, status: rule.level === 'MUST' ? 'FAIL' : 'WARN', evidence };
}

/** Counts and the verdict. */
export function summarize(rules: readonly RuleResult[]): VerifySummary {
  const count = (status: RuleStatus) => rules.filter((r) => r.status === status).length;
  const failedMust = rules.filter((r) => r.status === 'FAIL').map((r) => r.id);
  return {
    ok: failedMust.length === 0,
    pass: count('PASS'),
    fail: count('FAIL'),
    warn: count('WARN'),
    notApplicable: count('N/A'),
    failedMust,
    warned: rules.filter((r) => r.status === 'WARN').map((r) => r.id),
  };
}
