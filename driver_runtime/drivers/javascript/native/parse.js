'use strict';
// The native side of the JavaScript and TypeScript drivers: Babel's parser behind a JSON-lines
// loop (driver_runtime/sdk/native.py).  One request per line, {"content", "filename"}; one answer
// per line, {"ast": tree or null, "errors": [{"message", "line", "col"}]}.
//
// A request may also carry "keep" (a number) and "reuse" (the "keep" of the document's last
// parse): see KEPT below.
//
// The tree is Babel's own, in the wire form of a native UAST: "@type" (Babel's node type),
// "@pos" {start, end} in Babel's offsets (UTF-16 code units: the driver converts them to
// bytes), "@token" for the nodes whose text is their value (names, literals, comments), and
// every other field as Babel gives it ("loc" and "extra" are dropped: they repeat the
// positions and the source).  Comments stay where Babel puts them: all of them in
// File.comments, and attached to nodes as leading/trailing/inner comments.
//
//   node parse.js [DIALECT [MODULES]]
//
// DIALECT (javascript or typescript) is for files whose extension does not tell; MODULES is the
// node_modules folder that prepare.sh installed the pinned parser into (by default, Node's own
// lookup from this file).  Required as a module (bench/driver_javascript.py times Babel with the
// same options), it only exports what it is made of.

const path = require('path');
const readline = require('readline');

let babel = null; // @babel/parser, loaded by load()

function load(modules) {
  babel = require(modules ? path.join(modules, '@babel', 'parser') : '@babel/parser');
  return babel;
}

// Proposals that Babel parses but does not enable by default (Babelfish's driver enabled the
// proposals of its day in the same way): a file using them is still read.
const PROPOSALS = [
  'doExpressions', 'asyncDoExpressions', 'functionBind', 'functionSent', 'throwExpressions',
  'exportDefaultFrom', 'decoratorAutoAccessors', 'destructuringPrivate', 'importReflection',
  'sourcePhaseImports', 'deferredImportEvaluation', 'partialApplication',
  ['optionalChainingAssign', { version: '2023-07' }],
  ['pipelineOperator', { proposal: 'minimal' }],
];

const PLUGINS = {
  javascript: [...PROPOSALS, 'jsx', ['flow', { all: false, enums: true }], 'decorators'],
  // TypeScript's decorators are its own "experimental" ones (parameter decorators included).
  typescript: [...PROPOSALS, 'typescript', 'decorators-legacy'],
  tsx: [...PROPOSALS, 'typescript', 'decorators-legacy', 'jsx'],
};

const DIALECT_BY_EXTENSION = {
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.jsx': 'javascript',
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript', '.tsx': 'tsx',
};

// Leniency of an editor: code is read even where an engine would refuse it at run time.
const OPTIONS = {
  errorRecovery: true,
  attachComment: true,
  createParenthesizedExpressions: false,
  allowImportExportEverywhere: true,
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
  allowNewTargetOutsideFunction: true,
  allowSuperOutsideMethod: true,
  allowUndeclaredExports: true,
};

// Node types whose value is their token, and the Babel field that holds it.
const TOKEN_FIELDS = {
  Identifier: 'name', JSXIdentifier: 'name',
  StringLiteral: 'value', NumericLiteral: 'value', BooleanLiteral: 'value', BigIntLiteral: 'value',
  DecimalLiteral: 'value', DirectiveLiteral: 'value', RegExpLiteral: 'pattern',
  CommentLine: 'value', CommentBlock: 'value',
};

const DROPPED = new Set(['type', 'start', 'end', 'loc', 'range', 'extra']);

function dialectOf(filename, fallback) {
  const dot = filename.lastIndexOf('.');
  const extension = dot >= 0 ? filename.slice(dot).toLowerCase() : '';
  return DIALECT_BY_EXTENSION[extension] || fallback;
}

function isNode(value) {
  return typeof value.type === 'string' && typeof value.start === 'number';
}

function tokenOf(node, field) {
  const value = node[field];
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return node.extra && node.extra.raw !== undefined ? node.extra.raw : String(value);
  }
  return value;
}

function convertValue(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(convertValue);
  if (isNode(value)) return convertNode(value);
  const out = {};
  for (const key of Object.keys(value)) out[key] = convertValue(value[key]);
  return out;
}

function convertNode(node) {
  const out = { '@type': node.type, '@pos': { start: node.start, end: node.end } };
  const tokenField = TOKEN_FIELDS[node.type];
  if (tokenField) out['@token'] = tokenOf(node, tokenField);
  if (node.type === 'TemplateElement') return templateElement(node, out);
  const kept = KEEPING !== null ? KEPT_KINDS[node.type] : undefined;
  for (const key of Object.keys(node)) {
    if (DROPPED.has(key) || key === tokenField) continue;
    if (key === 'errors' && node.type === 'File') continue; // answered as errors
    const which = kept !== undefined ? kept[key] : undefined;
    out[key] = which !== undefined && Array.isArray(node[key]) ? keptList(which, node[key], node) : convertValue(node[key]);
  }
  return out;
}

function syntaxError(error) {
  const message = String(error.message || 'syntax error').replace(/ \(\d+:\d+\)$/, '');
  if (!error.loc) return { message };
  return { message, line: error.loc.line, col: error.loc.column + 1 };
}

// A piece of a template literal: its value (escapes applied) as the token, and its raw text.
// Babel's {raw, cooked} object is the only field that is neither a node nor a scalar: flat,
// every object in the tree is a node.
function templateElement(node, out) {
  const { raw, cooked } = node.value;
  out['@token'] = typeof cooked === 'string' ? cooked : raw;
  out.raw = raw;
  out.tail = node.tail;
  return out;
}

// A module first (strict, import/export), then a script (sloppy: `with`, legacy octals...).
// Babel recovers from errors that leave the code readable (a name declared twice, a strict-mode
// rule): the tree comes back with them, from the reading that had fewest.  When both readings
// fail, the error of the one that got further, and no tree.
function answer(request, fallbackDialect) {
  if (request === null || typeof request !== 'object' || typeof request.content !== 'string') {
    return { ast: null, errors: [{ message: 'bad request: {"content": string, "filename": string} expected' }] };
  }
  const content = request.content;
  const filename = typeof request.filename === 'string' ? request.filename : '';
  const dialect = dialectOf(filename, fallbackDialect);
  const plugins = PLUGINS[dialect];
  const readings = [];
  let thrown = null;
  for (const sourceType of ['module', 'script']) {
    try {
      const file = babel.parse(content, { ...OPTIONS, plugins, sourceType });
      readings.push(file);
      if (file.errors.length === 0) break;
    } catch (error) {
      if (!error.loc) return failure(error);
      if (thrown === null || error.loc.index > thrown.loc.index) thrown = error;
    }
  }
  if (readings.length === 0) return { ast: null, errors: [syntaxError(thrown)] };
  const best = readings.reduce((a, b) => (b.errors.length < a.errors.length ? b : a));
  const errors = best.errors.map(syntaxError);
  if (!Number.isInteger(request.keep)) return { ast: convertNode(best), errors };
  // Directives too: "use strict" in a script changes how the statements after it read.
  const reading = JSON.stringify([dialect, best.program.sourceType, best.program.directives.map((d) => d.value.value)]);
  return { ...keptAnswer(best, content, reading, request), errors };
}

// A kept document (an editor's, parsed again after every keystroke): the top-level statements,
// the members of classes and the comments whose text did not change since its last parse are
// not converted nor sent again.  A statement's or member's key is its text with what lies
// between it and its neighbours (comments Babel hangs on it as leading or trailing ones, blank
// lines); only its text when the request says "detached" (the host drops the comments hung on
// nodes: its semantic mode).  A comment's key is its text.  The same key under the same reading
// (dialect, source type, directives) is the same subtree, only moved.  The answer's tree has
// {"@kept": N} in place of such an item (N: its number among the items of its kind in that
// parse, KEPT_KINDS), "kept" echoes the request's "keep" (a program that does not know the
// fields answers neither), and "starts" says, per kind, where each item's key starts (the host
// moves a kept item's positions by how far that moved).  Items are numbered in the order the
// tree is written, a list's items all at once when it is reached (driver_runtime/sdk/
// native_reuse.py numbers them alike).  One document is kept at a time: the host's "reuse"
// names the parse it holds the conversions of.
const KEPT_KINDS = { Program: { body: 0 }, ClassBody: { body: 1 }, File: { comments: 2 } };
const COMMENTS = KEPT_KINDS.File.comments;
let KEPT = null; // the last kept parse: {generation, reading, keys: per kind, Map(key -> [numbers, in order])}
let KEEPING = null; // the kept parse being converted: {content, own, last, keys, starts}

function keptList(which, items, container) {
  const keeping = KEEPING;
  const own = keeping.own || which === COMMENTS;
  const top = container.type === 'Program';
  const low = top ? 0 : container.start;
  const high = top ? keeping.content.length : container.end;
  const keys = keeping.keys[which];
  const starts = keeping.starts[which];
  const last = keeping.last !== null ? keeping.last[which] : undefined;
  const numbers = items.map((item, i) => {
    const start = own ? item.start : i > 0 ? items[i - 1].end : low;
    const end = own ? item.end : i + 1 < items.length ? items[i + 1].start : high;
    const key = keeping.content.slice(start, end);
    const mine = keys.get(key);
    if (mine) mine.push(starts.length); else keys.set(key, [starts.length]);
    starts.push(start);
    const known = last !== undefined ? last.get(key) : undefined;
    return known && known.length ? known.shift() : -1;
  });
  return items.map((item, i) => (numbers[i] >= 0 ? { '@kept': numbers[i] } : convertNode(item)));
}

function keptAnswer(file, content, reading, request) {
  const own = request.detached === true; // keys of the statements' own text
  reading += own ? ' detached' : '';
  const last = KEPT !== null && KEPT.generation === request.reuse && KEPT.reading === reading ? KEPT.keys : null;
  const kinds = Object.keys(KEPT_KINDS).length;
  KEEPING = { content, own, last, keys: Array.from({ length: kinds }, () => new Map()),
    starts: Array.from({ length: kinds }, () => []) };
  try {
    const ast = convertNode(file);
    KEPT = { generation: request.keep, reading, keys: KEEPING.keys };
    return { ast, kept: request.keep, starts: KEEPING.starts };
  } finally {
    KEEPING = null;
  }
}

function failure(error) {
  if (error instanceof RangeError) {
    return { ast: null, errors: [{ message: 'the code is nested too deeply to parse' }] };
  }
  return { ast: null, errors: [{ message: `the parser failed: ${error && error.message}` }] };
}

function encode(reply) {
  try {
    return JSON.stringify(reply);
  } catch (error) { // a tree too deep for the encoder
    return JSON.stringify(failure(error));
  }
}

// V8 compiles a function to fast code only once it has run many times: measured on a 10 KB
// file, its first parses after a start took 8 ms (JavaScript) and 20 ms (TypeScript), and the
// next fifteen 4.7 and 12 ms; with 300 parses of a sample done first, 2.6 and 7.8 ms, then 2.4
// and 8.2.  So until WARM_UP_PARSES are done (the requests' included), a program that has had
// no request for WARM_UP_IDLE_MS reads a sample of its dialect, kept as an editor's document
// is, one round at a time (setImmediate: a request that came meanwhile is read first, and waits
// for one round at most), and leaves the documents it keeps as they were.  A busy program (a
// command line's search) warms up on its requests alone.
const WARM_UP_PARSES = 300;
const WARM_UP_IDLE_MS = 20;
const SAMPLES = { javascript: __filename, typescript: path.join(__dirname, 'warm-up.ts') };
let parses = 0;
let lastRequest = 0; // performance.now() when the last request was answered

function warmUp(dialect) {
  const file = SAMPLES[dialect] || SAMPLES.typescript;
  let sample;
  try {
    sample = require('fs').readFileSync(file, 'utf8');
  } catch (error) {
    return; // only slower without it
  }
  const filename = `warm-up${path.extname(file)}`;
  let warmKept = null; // the sample's own kept parse: every other round reuses the last one's
  const step = () => {
    if (parses >= WARM_UP_PARSES) return;
    const quiet = performance.now() - lastRequest;
    if (quiet < WARM_UP_IDLE_MS) {
      setTimeout(step, WARM_UP_IDLE_MS - quiet);
      return;
    }
    const documents = KEPT;
    KEPT = warmKept;
    try {
      encode(answer({ content: sample, filename, keep: -1 - parses, reuse: parses % 2 ? -parses : undefined }, dialect));
    } catch (error) {
      return;
    } finally {
      warmKept = KEPT;
      KEPT = documents;
    }
    parses += 1;
    setImmediate(step);
  };
  setImmediate(step);
}

function main() {
  load(process.argv[3]);
  const fallbackDialect = PLUGINS[process.argv[2]] ? process.argv[2] : 'javascript';
  warmUp(fallbackDialect);
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    let reply;
    try {
      reply = answer(JSON.parse(line), fallbackDialect);
    } catch (error) {
      reply = error instanceof SyntaxError && !error.loc
        ? { ast: null, errors: [{ message: `bad request (not JSON): ${error.message}` }] }
        : failure(error);
    }
    process.stdout.write(encode(reply) + '\n');
    parses += 1;
    lastRequest = performance.now();
  });
  // When stdin closes, Node exits by itself once the answers are written (process.exit() here
  // could cut an answer still in the pipe).
}

if (require.main === module) {
  main();
} else {
  module.exports = { PLUGINS, OPTIONS, dialectOf, load, answer };
}
