// Writes the CustomResourceDefinitions in crds/ from the operator's API source of truth
// (operator/src/api/*/schema.ts). With --check it writes nothing and fails when the committed file
// is stale, for CI and the unit tests' sake.
//
//   node scripts/generate-crds.ts           # regenerate crds/
//   node scripts/generate-crds.ts --check   # exit 1 if crds/ is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CRD_FILE, renderCrdYaml } from '../operator/src/api/v1alpha1/crd.ts';

const check = process.argv.includes('--check');
const unknown = process.argv.slice(2).filter((arg) => arg !== '--check');
if (unknown.length > 0) {
  console.error(`usage: node scripts/generate-crds.ts [--check] (unknown: ${unknown.join(' ')})`);
  process.exit(2);
}

function committed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const wanted = await renderCrdYaml();
const current = committed(CRD_FILE);
const relative = path.relative(process.cwd(), CRD_FILE);
if (current === wanted) {
  console.log(`${relative} is up to date`);
} else if (check) {
  console.error(
    `${relative} is ${current === undefined ? 'missing' : 'stale'}: regenerate it from ` +
      'operator/src/api/v1alpha1/schema.ts with `node scripts/generate-crds.ts` and commit the result.',
  );
  process.exit(1);
} else {
  writeFileSync(CRD_FILE, wanted);
  console.log(`wrote ${relative}`);
}
