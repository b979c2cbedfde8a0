#!/usr/bin/env node
// Checks the project rule "TSDoc on every export": every symbol reachable from
// the package's `exports` map (functions, classes and their public members,
// enums and their members, interfaces and their properties, type aliases,
// constants) must carry a `/** ... */` comment with non-empty text. Properties
// of option interfaces (names ending in `Options` or `Policy`) that are optional must also
// state their default ("Default ...", "defaults to ...", "No default" or
// `@defaultValue`), since an optional option always has one, even if it is
// "absent means off".
//
// Usage: node scripts/check-docs.mjs [--list] [--json] [path-substring...]
//   --list   print every miss (the default when there are misses, up to 200)
//   --all    print every miss, however many
//   --json   print { documented, missing: [{ file, line, name, reason }] }
//   path-substring  only report symbols declared in files whose path contains one
// Exits 1 when anything is missing, 0 otherwise. The last line is always
// "N documented, N missing".
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
const argv = process.argv.slice(2);
const asJson = argv.includes('--json');
const showAll = argv.includes('--all');
const filters = argv.filter((a) => !a.startsWith('--'));

// Entry modules: each `exports` subpath's built file mapped back to its source.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = [];
for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
  const built = typeof target === 'string' ? target : target?.default ?? target?.import;
  if (typeof built !== 'string' || !built.startsWith('./dist/') || !built.endsWith('.js')) continue;
  entries.push({ subpath, file: resolve(root, 'src', built.slice('./dist/'.length).replace(/\.js$/, '.ts')) });
}

const configPath = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
const checker = program.getTypeChecker();

const inSrc = (node) => {
  const f = node.getSourceFile().fileName;
  return resolve(f).startsWith(srcDir + '/') && !f.endsWith('.d.ts');
};

/** The text (description and tags but `@internal`) of the JSDoc block(s) attached to `node`, '' when none. */
function docText(node) {
  let text = '';
  for (const doc of ts.getJSDocCommentsAndTags(node)) {
    if (!ts.isJSDoc(doc)) continue;
    const comment = typeof doc.comment === 'string' ? doc.comment : ts.getTextOfJSDocComment(doc.comment) ?? '';
    const tags = (doc.tags ?? [])
      .filter((t) => t.tagName.text !== 'internal')
      .map((t) => [t.tagName.text, (typeof t.comment === 'string' ? t.comment : ts.getTextOfJSDocComment(t.comment) ?? '').trim()])
      .filter(([, c]) => c !== '')
      .map(([name, c]) => `@${name} ${c}`);
    text += comment + '\n' + tags.join('\n') + '\n';
  }
  return text.trim();
}

function isInternal(node) {
  return ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');
}

// Interfaces whose optional properties are settings with a default: option
// bags (`...Options`) and policies passed as options (`security`, CSR policy).
const OPTION_NAME = /(Options|Policy)$/;
const DEFAULT_WORDING = /\bdefault(s|value)?\b|\bno default\b/i;

// One entry per declaration (an inherited property is documented once, where it
// is declared); a property is an option when any interface that has it is one.
const decls = new Map(); // node -> { name, option }
function checkDecl(node, name, { option = false } = {}) {
  if (!inSrc(node) || isInternal(node)) return;
  const owner = ts.isInterfaceDeclaration(node.parent) ? node.parent : ts.isTypeLiteralNode(node.parent) && ts.isTypeAliasDeclaration(node.parent.parent) ? node.parent.parent : null;
  if (owner && OPTION_NAME.test(owner.name.text)) option = true;
  const prev = decls.get(node);
  if (prev) prev.option ||= option;
  else decls.set(node, { name, option });
}

function evaluate(node, { name, option }) {
  const sf = node.getSourceFile();
  const file = relative(root, sf.fileName);
  const line = sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const text = docText(node);
  let reason = null;
  if (text === '') reason = 'no TSDoc';
  else if (option && node.questionToken && !DEFAULT_WORDING.test(text)) reason = 'optional option without its default';
  return { file, line, name, ok: reason === null, reason };
}

function memberName(m) {
  if (!m.name) return ts.isConstructorDeclaration(m) ? 'constructor' : ts.isCallSignatureDeclaration(m) ? '(call)' : '(member)';
  return m.name.getText();
}

function isPublicClassMember(m) {
  if (m.name && ts.isPrivateIdentifier(m.name)) return false;
  const flags = ts.getCombinedModifierFlags(m);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  if (ts.isClassStaticBlockDeclaration(m) || ts.isSemicolonClassElement(m) || ts.isIndexSignatureDeclaration(m)) return false;
  if (ts.isConstructorDeclaration(m) && !m.body) return false; // overload signature documented with the implementation
  return true;
}

// Properties (own and inherited from declarations in src/) of an object-like type.
function checkTypeMembers(type, owner, option) {
  const seen = new Set();
  for (const prop of checker.getPropertiesOfType(type)) {
    for (const d of prop.declarations ?? []) {
      if (seen.has(d) || !inSrc(d)) continue;
      seen.add(d);
      if (ts.isPropertySignature(d) || ts.isMethodSignature(d) || ts.isPropertyDeclaration(d) || ts.isGetAccessor(d) || ts.isSetAccessor(d) || ts.isMethodDeclaration(d)) {
        if (d.parent && ts.isClassLike(d.parent) && !isPublicClassMember(d)) continue;
        checkDecl(d, `${owner}.${memberName(d)}`, { option });
      }
    }
  }
}

const visited = new Set();
function checkSymbol(sym, exportedName) {
  if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  if (visited.has(sym)) return;
  visited.add(sym);
  for (const d of sym.declarations ?? []) {
    if (!inSrc(d)) continue;
    const name = exportedName;
    if (ts.isFunctionDeclaration(d)) {
      // Overloads are one symbol, documented on the first signature (where
      // TypeScript shows the doc); the implementation signature is not public.
      const fns = (sym.declarations ?? []).filter(ts.isFunctionDeclaration);
      if (fns.length > 1 && d !== fns[0]) continue;
      checkDecl(d, name);
    } else if (ts.isClassDeclaration(d)) {
      checkDecl(d, name);
      for (const m of d.members) {
        if (!isPublicClassMember(m)) continue;
        if (ts.isConstructorDeclaration(m) && m.parameters.length === 0 && !docText(m)) continue;
        const same = ts.isMethodDeclaration(m) ? d.members.filter((o) => ts.isMethodDeclaration(o) && o.name.getText() === m.name.getText()) : [m];
        if (same.length > 1 && m !== same[0]) continue;
        const isStatic = ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static;
        checkDecl(m, `${name}${isStatic ? '.' : '#'}${memberName(m)}`);
      }
      // Public members inherited from a base class declared in src/ that is not itself exported.
      const instance = checker.getDeclaredTypeOfSymbol(sym);
      for (const base of checker.getBaseTypes(instance) ?? []) {
        const bsym = base.getSymbol();
        if (bsym && !visited.has(bsym)) checkTypeMembers(base, name, false);
      }
    } else if (ts.isInterfaceDeclaration(d)) {
      checkDecl(d, name);
      const option = OPTION_NAME.test(name);
      checkTypeMembers(checker.getDeclaredTypeOfSymbol(sym), name, option);
    } else if (ts.isTypeAliasDeclaration(d)) {
      checkDecl(d, name);
      if (ts.isTypeLiteralNode(d.type)) checkTypeMembers(checker.getTypeFromTypeNode(d.type), name, OPTION_NAME.test(name));
    } else if (ts.isEnumDeclaration(d)) {
      checkDecl(d, name);
      for (const m of d.members) checkDecl(m, `${name}.${m.name.getText()}`);
    } else if (ts.isVariableDeclaration(d)) {
      checkDecl(d, name);
    } else if (ts.isModuleDeclaration(d)) {
      checkDecl(d, name);
    }
  }
}

for (const { subpath, file } of entries) {
  const sf = program.getSourceFile(file);
  if (!sf) {
    console.error(`check-docs: ${subpath} -> ${relative(root, file)} is not part of the program`);
    process.exit(2);
  }
  const modSym = checker.getSymbolAtLocation(sf);
  if (!modSym) continue;
  for (const exp of checker.getExportsOfModule(modSym)) checkSymbol(exp, exp.getName());
}

let all = [...decls].map(([node, info]) => evaluate(node, info));
if (filters.length) all = all.filter((r) => filters.some((f) => r.file.includes(f)));
all.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
const missing = all.filter((r) => !r.ok);
const documented = all.length - missing.length;

if (asJson) {
  console.log(JSON.stringify({ documented, missing: missing.map(({ ok, ...r }) => r) }, null, 2));
} else {
  const shown = showAll ? missing : missing.slice(0, 200);
  for (const r of shown) console.log(`${r.file}:${r.line}  ${r.name}  (${r.reason})`);
  if (shown.length < missing.length) console.log(`... and ${missing.length - shown.length} more (--all)`);
  console.log(`${documented} documented, ${missing.length} missing`);
}
process.exit(missing.length === 0 ? 0 : 1);
