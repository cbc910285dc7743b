// The operator image's dependencies: the repository's package.json lists what every component needs
// (Consul's client, express, koffi...), the operator loads four or five of them. Run by
// docker/operator/Dockerfile's deps stage, in /app, with Node's type stripping:
//   node deps.ts trim PKG...          package.json keeps only these dependencies (no devDependencies),
//                                     so `npm install` against the unchanged lock installs just them
//   node deps.ts verify-lock ORIG     every package npm installed has the version and integrity that
//                                     ORIG (the repository's package-lock.json) pins
//   node deps.ts check-imports MAIN   every package the modules MAIN loads import is in node_modules
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';

interface LockEntry {
  version?: string;
  integrity?: string;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function fail(message: string): never {
  console.error(`deps.ts: ${message}`);
  process.exit(1);
}

function trim(keep: string[]): void {
  const pkg = readJson<Record<string, unknown> & { dependencies?: Record<string, string> }>('package.json');
  const all = pkg.dependencies ?? {};
  const unknown = keep.filter((name) => !(name in all));
  if (unknown.length > 0) fail(`not dependencies in package.json: ${unknown.join(', ')}`);
  pkg.dependencies = Object.fromEntries(keep.map((name) => [name, all[name]!]));
  // Nor devDependencies, nor the repository's scripts and bin: the image's package.json says what it holds.
  delete pkg.devDependencies;
  delete pkg.scripts;
  delete pkg.bin;
  writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
}

function verifyLock(originalLock: string): void {
  const pinned = readJson<{ packages: Record<string, LockEntry> }>(originalLock).packages;
  const installed = readJson<{ packages: Record<string, LockEntry> }>('package-lock.json').packages;
  const drifted = Object.entries(installed)
    .filter(([where]) => where !== '')
    .filter(
      ([where, got]) => pinned[where]?.version !== got.version || pinned[where]?.integrity !== got.integrity,
    )
    .map(([where, got]) => `${where} ${got.version} (pinned: ${pinned[where]?.version ?? 'absent'})`);
  if (drifted.length > 0)
    fail(`installed packages differ from package-lock.json:\n  ${drifted.join('\n  ')}`);
}

// What a module loads: `import ... from`, `export ... from`, side-effect and dynamic imports; not
// `import type` / `export type`, which type stripping erases.
const IMPORTS =
  /^\s*(?:import|export)\s+(type\s+[{*\w])?[\w\s{},*$]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

function specifiersOf(file: string): string[] {
  const found: string[] = [];
  for (const [, typeOnly, from, bare, dynamic] of readFileSync(file, 'utf8').matchAll(IMPORTS)) {
    if (!typeOnly) found.push((from ?? bare ?? dynamic)!);
  }
  return found;
}

// A package's name is a bare specifier's first path segment, or its first two when scoped.
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

// Walks the modules the entry point loads (following relative imports) and fails on a package
// that is not in node_modules. Build-time modules nothing at run time reaches (the CRD generator's
// yaml and prettier) are not the image's business.
function checkImports(entry: string): void {
  if (!existsSync(entry)) {
    console.warn(`deps.ts: no ${entry} yet; the image's dependencies are not checked against it`);
    return;
  }
  const seen = new Set<string>();
  const missing = new Set<string>();
  const pending = [path.resolve(entry)];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('.')) pending.push(path.resolve(path.dirname(file), specifier));
      else if (
        !isBuiltin(specifier) &&
        !existsSync(path.join('node_modules', packageOf(specifier), 'package.json'))
      ) {
        missing.add(`${packageOf(specifier)} (${path.relative(path.dirname(entry), file)})`);
      }
    }
  }
  if (missing.size > 0) {
    fail(
      `loaded but not installed (add them to docker/operator/Dockerfile's list): ${[...missing].join(', ')}`,
    );
  }
  console.log(`deps.ts: ${seen.size} modules from ${entry}, their packages all installed`);
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'trim':
    trim(args);
    break;
  case 'verify-lock':
    verifyLock(args[0] ?? fail('verify-lock needs the original package-lock.json'));
    break;
  case 'check-imports':
    checkImports(args[0] ?? fail('check-imports needs the entry point'));
    break;
  default:
    fail(`unknown command ${command ?? '(none)'}; see the header of docker/operator/deps.ts`);
}
