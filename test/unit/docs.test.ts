import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configVariables } from '../../src/config';
import { errorCatalog } from '../../src/errors';

/**
 * The docs an operator reads at 3 a.m. say what the code does: every
 * setting is in the README with its default, and every error code is in
 * the architecture notes' table with the status it answers.
 */

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('the README', () => {
  const readme = read('README.md');

  it.each([...configVariables])('documents %s', (variable) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${variable}\` +\\|`, 'm'));
  });
});

describe('the error table of docs/ARCHITECTURE.md', () => {
  const architecture = read('docs/ARCHITECTURE.md');

  it.each(Object.entries(errorCatalog))(
    'lists %s with its status',
    (code, { status }) => {
      expect(architecture).toMatch(
        new RegExp(`^\\| \`${code}\` +\\| ${status} +\\|`, 'm'),
      );
    },
  );
});
