import { resolve } from 'node:path';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/patches/parse');
export const CORPUS = resolve(import.meta.dirname, '../../../shared/corpus');

export function fixture(name: string): string {
  return resolve(FIXTURES, name);
}
