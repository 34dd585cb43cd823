import { main } from '../main.js';

export async function runStart(): Promise<void> {
  await main(process.env);
}
