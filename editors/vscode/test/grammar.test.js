// Tokenizes every .arch file of the catalogue (architectures/) and the samples with the TextMate grammar, as VS Code does, and checks
// (1) no character falls through to invalid.illegal, (2) every file ends with no comment, string,
// block or bracket left open, (3) known lines of the catalogue get the scopes a theme colours by, and
// (4) these checks do catch a broken file. Usage: node test/grammar.test.js [REPO_ROOT]
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = path.resolve(__dirname, '..');
const repoRoot = path.resolve(process.argv[2] || path.join(here, '..', '..'));
const grammarPath = path.join(here, 'syntaxes', 'arch.tmLanguage.json');

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => scopeName === 'source.arch'
      ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
      : null,
  });
  return registry.loadGrammar('source.arch');
}

/** Lines of tokens: { text, scopes } with the innermost scope last. */
function tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  const lines = text.split(/\r?\n/).map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens
      .map((t) => ({ text: line.slice(t.startIndex, t.endIndex), column: t.startIndex + 1, scopes: t.scopes }))
      .filter((t) => t.text.length > 0);
  });
  return { lines, state };
}

/** What is wrong with a tokenized file: illegal characters and constructs left open at the end. */
function problems(file, tokenized) {
  const found = [];
  tokenized.lines.forEach((tokens, i) => {
    for (const t of tokens) {
      if (t.scopes.some((s) => s.startsWith('invalid.')))
        found.push(`${file}:${i + 1}:${t.column}: '${t.text}' is ${t.scopes[t.scopes.length - 1]}`);
    }
  });
  if (tokenized.state.depth !== 1) {
    const open = tokenized.state.contentNameScopesList.getScopeNames().slice(1).join(' ');
    found.push(`${file}: ends inside ${open} (state depth ${tokenized.state.depth})`);
  }
  return found;
}

function archFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'bin', 'obj', 'artifacts', '.git'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...archFiles(full));
    else if (entry.name.endsWith('.arch')) out.push(full);
  }
  return out.sort();
}

/** Checks that on the first line of FILE containing LINE, the token TOKEN (its OCCURRENCE-th, from 1)
 *  has an innermost scope starting with SCOPE. */
function expectScope(failures, grammar, file, line, token, scope, occurrence = 1) {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  const index = text.split(/\r?\n/).findIndex((l) => l.includes(line));
  if (index < 0) { failures.push(`${file}: no line contains '${line}'`); return; }
  const tokens = tokenize(grammar, text).lines[index].filter((t) => t.text.trim() === token);
  const t = tokens[occurrence - 1];
  if (!t) { failures.push(`${file}:${index + 1}: no token '${token}' (occurrence ${occurrence}) in '${line}'`); return; }
  const actual = t.scopes[t.scopes.length - 1];
  if (!actual.startsWith(scope))
    failures.push(`${file}:${index + 1}:${t.column}: '${token}' is ${actual}, expected ${scope}`);
}

async function main() {
  const grammar = await loadGrammar();
  const failures = [];

  // The catalogue and the samples: files that must be valid (test fixtures may be broken on purpose).
  const files = ['architectures', 'samples'].flatMap((d) => archFiles(path.join(repoRoot, d)));
  if (!files.some((f) => f.endsWith(path.join('architectures', 'resnet.arch'))))
    failures.push(`no architectures/resnet.arch under ${repoRoot}`);
  for (const f of files) {
    const rel = path.relative(repoRoot, f);
    failures.push(...problems(rel, tokenize(grammar, fs.readFileSync(f, 'utf8'))));
  }

  const resnet = 'architectures/resnet.arch';
  const known = [
    ['// ResNet: He, Zhang', '//', 'punctuation.definition.comment'],
    ['// ResNet: He, Zhang', 'ResNet: He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.', 'comment.line.double-slash'],
    ['block BasicBlock(', 'block', 'keyword.other.definition'],
    ['block BasicBlock(', 'BasicBlock', 'entity.name.type.block'],
    ['block BasicBlock(', 'planes', 'variable.parameter'],
    ['block BasicBlock(', 'int', 'storage.type'],
    ['block BasicBlock(', '=', 'keyword.operator.assignment'],
    ['block BasicBlock(', '1', 'constant.numeric.integer'],
    ['  residual {', 'residual', 'keyword.other.structure'],
    ['  residual {', '{', 'punctuation.section.block.begin'],
    ['conv2: conv(planes, 3, padding: 1, bias: false)', 'conv2', 'entity.name.tag.module'],
    ['conv2: conv(planes, 3, padding: 1, bias: false)', 'conv', 'support.function.layer'],
    ['conv2: conv(planes, 3, padding: 1, bias: false)', '3', 'constant.numeric.integer'],
    ['conv2: conv(planes, 3, padding: 1, bias: false)', 'padding', 'variable.parameter'],
    ['conv2: conv(planes, 3, padding: 1, bias: false)', 'false', 'constant.language.boolean'],
    ['bn1: batchnorm', 'batchnorm', 'support.function.layer'],
    ['} shortcut downsample when stride != 1', 'shortcut', 'keyword.other.structure'],
    ['} shortcut downsample when stride != 1', 'when', 'keyword.control'],
    ['} shortcut downsample when stride != 1', '!=', 'keyword.operator.comparison'],
    ['} shortcut downsample when stride != 1', '||', 'keyword.operator.logical'],
    ['} shortcut downsample when stride != 1', 'in_channels', 'variable.language'],
    ['  @relu', '@', 'keyword.operator.reference'],
    ['  @relu', 'relu', 'variable.other.module'],
    ['let width = planes', 'let', 'keyword.other'],
    ['let width = planes', '64', 'constant.numeric.integer'],
    ['network ResNet(', 'network', 'keyword.other.definition'],
    ['network ResNet(', 'ResNet', 'entity.name.type.network'],
    ['network ResNet(', 'block', 'storage.type', 2],
    ['network ResNet(', '[]', 'storage.type.array'],
    // The parameter list continues on the next line: still parameters, not module labels.
    ['num_classes: int = 1000', 'num_classes', 'variable.parameter'],
    ['num_classes: int = 1000', '1000', 'constant.numeric.integer'],
    ['input 3x224x224', 'input', 'keyword.other'],
    ['input 3x224x224', '3x224x224', 'constant.numeric.dimensions'],
    ['for i in 0..4 {', 'for', 'keyword.control'],
    ['for i in 0..4 {', 'in', 'keyword.control'],
    ['for i in 0..4 {', '..', 'keyword.operator.range'],
    ['for i in 0..4 {', '4', 'constant.numeric.integer'],
    ['layer{i+1}: repeat', 'layer{i+1}', 'entity.name.tag.module'],
    ['layer{i+1}: repeat', 'repeat', 'keyword.control'],
    ['layer{i+1}: repeat', 'as', 'keyword.control'],
    ['block(64 * 2^i', 'block', 'entity.name.function'],
    ['block(64 * 2^i', '^', 'keyword.operator.arithmetic'],
    ['variant ResNet18 =', 'variant', 'keyword.other.definition'],
    ['variant ResNet18 =', 'ResNet18', 'entity.name.type.variant'],
    ['variant ResNet18 =', 'reference', 'keyword.other'],
    ['variant ResNet18 =', 'resnet18()', 'string.quoted.double'],
  ];
  for (const [line, token, scope, occurrence] of known) expectScope(failures, grammar, resnet, line, token, scope, occurrence);
  // Floats and builtin functions do not occur in resnet.arch.
  expectScope(failures, grammar, 'architectures/mobilenet_v2.arch', 'network MobileNetV2(', '1.0', 'constant.numeric.float');
  expectScope(failures, grammar, 'architectures/mobilenet_v2.arch', 'make_divisible(32 * width, 8)', 'make_divisible', 'support.function.builtin');

  // The checks themselves must catch a broken file: an unknown character, an unclosed comment and block.
  const broken = problems('broken.arch', tokenize(grammar, 'network N() {\n  conv(8, 3) $\n  /* never closed\n'));
  if (!broken.some((p) => p.includes("'$' is invalid.illegal")) || !broken.some((p) => p.includes('comment.block')))
    failures.push(`the checks missed problems in a broken file; they reported: ${JSON.stringify(broken)}`);

  if (failures.length) {
    console.error(`FAIL: ${failures.length} problem(s)\n` + failures.map((f) => '  ' + f).join('\n'));
    process.exit(1);
  }
  console.log(`ok: ${files.length} .arch files tokenized cleanly; ${known.length + 2} scope checks passed`);
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
