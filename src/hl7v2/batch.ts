/**
 * HL7 batch files: FHS (file header), BHS (batch header), MSH… messages, BTS (batch trailer),
 * FTS (file trailer). Splits a batch into its messages, in order, each with segments separated by CR.
 * Text that does not start with FHS or BHS is returned whole, as one message.
 */
export function splitBatch(text: string): string[] {
  const body = text.replace(/^[\uFEFF\s]+/, '');
  if (!body.startsWith('FHS') && !body.startsWith('BHS')) return [text];
  const messages: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line.trim() === '') continue;
    const name = line.slice(0, 3);
    if (name === 'FHS' || name === 'BHS' || name === 'BTS' || name === 'FTS') {
      if (current !== undefined) messages.push(current.join('\r'));
      current = undefined;
      continue;
    }
    if (name === 'MSH' && current !== undefined) {
      messages.push(current.join('\r'));
      current = undefined;
    }
    (current ??= []).push(line);
  }
  if (current !== undefined) messages.push(current.join('\r'));
  return messages;
}
