import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the DejaVu TTF files are (they have every Vietnamese glyph): `dir` when given (the Lambda
 * bundle's copy), else the npm package `dejavu-fonts-ttf`.
 */
export function fontsDir(dir?: string): string {
  if (dir) return dir;
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}
