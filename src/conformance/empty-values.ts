/**
 * Finds values that FHIR JSON does not allow: `{}`, `[]`, `''` (or only whitespace), `null` and `undefined`.
 * Paths are written like FHIRPath with indexes: `Patient.name[0].family`.
 */
export function findEmptyValues(value: unknown, path: string): string[] {
  const issues: string[] = [];
  walk(value, path, issues);
  return issues;
}

function walk(value: unknown, path: string, issues: string[]): void {
  if (value === undefined) {
    issues.push(`${path}: undefined value (leave the element out)`);
  } else if (value === null) {
    issues.push(`${path}: null value (leave the element out)`);
  } else if (typeof value === 'string') {
    if (value.trim() === '') issues.push(`${path}: empty string`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) issues.push(`${path}: empty array`);
    value.forEach((item: unknown, index) => walk(item, `${path}[${index}]`, issues));
  } else if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) issues.push(`${path}: empty object`);
    for (const [key, child] of entries) walk(child, `${path}.${key}`, issues);
  }
}
