/** The human report of `hlsify verify` (one line per rule, its evidence, a summary) and its JSON. */
import chalk from 'chalk';
import type { RuleResult, VerifyReport } from '../../core/verify/report.js';
import { terminalSafe } from './format.js';

const BADGE: Record<RuleResult['status'], (text: string) => string> = {
  PASS: chalk.green,
  FAIL: chalk.red,
  WARN: chalk.yellow,
  'N/A': chalk.dim,
};

/**
 * A string from the ladder (URIs, names, attribute values) made safe to print: C0 and C1 control
 * characters (ESC starts a terminal escape sequence that could rewrite the verdict line), DEL, line and
 * paragraph separators and bidi overrides become visible `\xNN` / `\uNNNN` escapes, and so does a backslash
 * that could fake one.
 */
export function printable(text: string): string {
  return terminalSafe(text.replace(/\\/g, '\\\\'));
}

function ruleLines(rule: RuleResult): string[] {
  const head = `${BADGE[rule.status](rule.status.padEnd(4))} ${printable(rule.id).padEnd(18)} ${rule.level.padEnd(6)} ${printable(rule.title)}`;
  if (rule.status === 'PASS' || rule.status === 'N/A') return [rule.evidence[0] ? `${head} ${chalk.dim(`(${printable(rule.evidence[0])})`)}` : head];
  return [head, ...rule.evidence.map((line) => `       ${printable(line)}`)];
}

/** The summary line alone (also used after transcode). */
export function verifySummaryLine(report: VerifyReport): string {
  const { summary } = report;
  const counts = `${summary.pass} pass, ${summary.fail} fail, ${summary.warn} warn, ${summary.notApplicable} n/a; ${report.segments.total} segments (${report.segments.decoded} decoded), ${report.iFrameRanges.total} I-frame ranges (${report.iFrameRanges.decoded} decoded)${report.quick ? ', quick' : ''}`;
  return summary.ok
    ? `${chalk.green('✔')} every MUST holds (${counts})${summary.warned.length > 0 ? `; SHOULD not met: ${summary.warned.map(printable).join(', ')}` : ''}`
    : `${chalk.red('✘')} MUST failed: ${summary.failedMust.map(printable).join(', ')} (${counts})`;
}

export function verifyReportText(report: VerifyReport): string {
  return [`Verifying ${printable(report.location)}`, ...report.rules.flatMap(ruleLines), verifySummaryLine(report)].join('\n');
}

export function verifyReportJson(report: VerifyReport) {
  return { ok: report.summary.ok, ...report };
}
