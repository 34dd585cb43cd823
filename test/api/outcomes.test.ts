import { describe, expect, it } from 'vitest';
import { errorToResponse, invalidParameters, methodNotAllowed, quote } from '../../src/api/outcomes.js';

describe('errorToResponse', () => {
  it('gives one issue per offending parameter, naming it', () => {
    const response = errorToResponse(
      invalidParameters([
        { param: 'birthdate', message: 'bad date' },
        { param: 'colour', message: 'unknown' },
      ]),
    );
    expect(response.status).toBe(400);
    expect(response.internal).toBe(false);
    expect(response.outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', diagnostics: "Search parameter 'birthdate': bad date", expression: ['birthdate'] },
        { severity: 'error', code: 'invalid', diagnostics: "Search parameter 'colour': unknown", expression: ['colour'] },
      ],
    });
  });

  it('carries headers such as Allow', () => {
    const response = errorToResponse(methodNotAllowed('DELETE', ['GET']));
    expect(response.status).toBe(405);
    expect(response.headers).toEqual({ Allow: 'GET' });
  });

  it('maps body-parser failures by their type', () => {
    expect(errorToResponse(Object.assign(new Error('Unexpected token'), { type: 'entity.parse.failed', status: 400 })).status).toBe(400);
    const tooLarge = errorToResponse(Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 }), '1kb');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.outcome.issue[0]?.diagnostics).toContain('1kb');
    expect(errorToResponse(Object.assign(new Error('x'), { type: 'charset.unsupported', status: 415 })).status).toBe(415);
  });

  it('keeps the 4xx status of other request errors, with a fixed message', () => {
    const response = errorToResponse(Object.assign(new Error("Failed to decode param '%E0'"), { status: 400 }));
    expect(response.status).toBe(400);
    expect(response.internal).toBe(false);
    expect(response.outcome.issue[0]?.diagnostics).not.toContain('%E0');
    expect(errorToResponse(Object.assign(new Error('x'), { status: 503 })).status).toBe(500);
  });

  it('turns a store error about search input into a 400, and other store errors into a 500', () => {
    const storeError = (code: string) => Object.assign(new Error(`Search parameter "date": bad (${code})`), { name: 'StoreError', code });
    const input = errorToResponse(storeError('invalid-date'));
    expect(input.status).toBe(400);
    expect(input.outcome.issue[0]?.diagnostics).toBe('Search parameter "date": bad (invalid-date)');
    expect(errorToResponse(storeError('schema-too-new')).status).toBe(500);
  });

  it('turns anything else into a 500 that leaks nothing', () => {
    const response = errorToResponse(new Error('relation "patient_9434765919" does not exist'));
    expect(response.status).toBe(500);
    expect(response.internal).toBe(true);
    expect(JSON.stringify(response.outcome)).not.toContain('9434765919');
    expect(response.outcome.issue[0]).toMatchObject({ severity: 'fatal', code: 'exception' });
    expect(errorToResponse('a thrown string').status).toBe(500);
  });
});

describe('quote', () => {
  it('truncates long client input', () => {
    expect(quote('x'.repeat(500)).length).toBeLessThan(90);
    expect(quote('Foo')).toBe("'Foo'");
  });
});
