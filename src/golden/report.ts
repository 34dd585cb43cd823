/** A fixture report as indented lines for a terminal: the error, the first differences, the rule violations. */
import { showValue } from './diff.js';
import type { FixtureReport } from './run.js';

export function reportDetails(report: FixtureReport): string[] {
  const lines: string[] = [];
  if (report.error !== undefined) lines.push(`      ${report.error}`);
  if (report.status === 'new') lines.push('      no expected file yet: run junction test --update to create it (read it before committing)');
  if (report.differenceCount > 0) {
    const shown = report.differences.length;
    lines.push(`      differs from ${report.fixture.expected.split('/').pop() ?? ''} in ${report.differenceCount} place(s)${shown < report.differenceCount ? `, first ${shown}` : ''}:`);
    const width = Math.min(60, Math.max(...report.differences.map((d) => d.path.length)));
    for (const d of report.differences) {
      lines.push(`        ${d.path.padEnd(width)}  expected ${showValue(d.expected)}`);
      lines.push(`        ${''.padEnd(width)}  actual   ${showValue(d.actual)}`);
    }
  }
  if (report.violations.length > 0) {
    lines.push(`      ${report.violations.length} rule violation(s):`);
    for (const v of report.violations) lines.push(`        ${v}`);
  }
  return lines;
}

