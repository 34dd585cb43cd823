/** `junction map FILE --explain [--json]`: the real command, in its own process. */
import { describe, expect, it } from 'vitest';
import { junction } from '../support/cli-process.js';

describe('junction map --explain', () => {
  it('prints, per resource, each element with its mapping file:line, rule and message place', async () => {
    const r = await junction(['map', 'fixtures/hl7v2/adt-a01-admit.hl7', '--explain']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^entry\[\d\] Patient\/[0-9a-f]+ +template Patient +mappings\/hl7v2\/segments\/PID\.yaml:\d+:\d+$/m);
    expect(r.stdout).toMatch(/^ {2}name\[0\]\.family +"SMITH" +mappings\/hl7v2\/datatypes\/XPN\.yaml:\d+:\d+ +XPN\.family +PID-5\.1\.1$/m);
    expect(r.stdout).toMatch(/^ {2}gender +"male" +mappings\/hl7v2\/segments\/PID\.yaml:\d+:\d+ +Patient\.gender +PID-8$/m);
    expect(r.stdout).toMatch(/^unmapped: /m);
  }, 60_000);

  it('--json gives every element with path, value, where, rule and input', async () => {
    const r = await junction(['map', 'fixtures/hl7v2/adt-a03-discharge.hl7', '--explain', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const end = out.elements.find((e: { path: string }) => /\.resource\.period\.end$/.test(e.path));
    expect(end).toMatchObject({ where: expect.stringMatching(/PV1\.yaml:\d+:\d+$/), rule: 'Encounter.period.end', input: 'PV1-45' });
    expect(out.elements.find((e: { path: string }) => e.path === 'entry[0].fullUrl')).toMatchObject({ where: '(engine)' });
    expect(Array.isArray(out.unmapped)).toBe(true);
  }, 60_000);

  it('maps the other input kinds too: a GP CSV extract gives one result per row', async () => {
    const r = await junction(['map', 'fixtures/gp/problems.csv', '--channel', 'rgt-adt']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(Array.isArray(out)).toBe(true);
    expect(out.length).toBeGreaterThan(1);
    expect(out[0].bundle.entry.map((e: any) => e.resource.resourceType)).toContain('Condition');
    const explained = await junction(['map', 'fixtures/gp/problems.csv', '--explain']);
    expect(explained.stdout).toMatch(/^— result 1 of \d+$/m);
    expect(explained.stdout).toMatch(/^ {2}code\.coding\[0\]\.code +"\d+" +mappings\/gp\/csv\/problems\.yaml:\d+:\d+ +CsvProblem\.code\.coding\[0\]\.code +problems\.csv:2 snomed_code$/m);
  }, 60_000);

  it('says which files it reads when it cannot tell what a file holds', async () => {
    const r = await junction(['map', 'README.md']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot tell what README\.md holds.*\.hl7 \(hl7v2\).*\.csv/);
  }, 60_000);
});
