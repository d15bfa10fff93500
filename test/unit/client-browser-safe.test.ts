import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/heimdall-process.js';

const DIR = join(ROOT, 'src/client');

/** The module specifiers a file imports or re-exports at run time (type-only ones vanish from the build). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause !== undefined &&
          !clause.name &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : null;
      if (!named?.every((e) => e.isTypeOnly)) found.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

describe('heimdall-auth/client is browser-safe', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

  it('imports nothing at run time but its own files (no Node module, no TypeBox, no server code)', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      for (const specifier of runtimeImports(join(DIR, file))) {
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\/[a-z-]+\.js$/);
      }
    }
  });

  it('the check sees a runtime import when there is one', () => {
    const probe = join(ROOT, 'src/client/transport.ts');
    expect(runtimeImports(probe)).toEqual(['./api-error.js']);
  });

  it('names no Node global (process, Buffer, require)', () => {
    for (const file of files) {
      const text = readFileSync(join(DIR, file), 'utf8');
      expect(text, file).not.toMatch(/\b(process\.|Buffer\b|require\(|__dirname)/);
    }
  });
});
