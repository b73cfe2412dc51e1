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
  const partly = Number.isInteger(request.keep) ? nextVersion(KEPT, content, dialect, request) : null;
  if (partly !== null) {
    return { ...keptAnswer(partly.file, content, dialect, KEPT.reading.replace(/ detached$/, ''), request, true), errors: [],
      reparsed: partly.what };
  }
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
  return { ...keptAnswer(best, content, dialect, reading, request, errors.length === 0), errors };
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

// `clean`: the parse had no errors; then its tree is kept too, to read the next version from
// (nextVersion).
function keptAnswer(file, content, dialect, reading, request, clean) {
  const own = request.detached === true; // keys of the statements' own text
  reading += own ? ' detached' : '';
  const last = KEPT !== null && KEPT.generation === request.reuse && KEPT.reading === reading ? KEPT.keys : null;
  const kinds = Object.keys(KEPT_KINDS).length;
  KEEPING = { content, own, last, keys: Array.from({ length: kinds }, () => new Map()),
    starts: Array.from({ length: kinds }, () => []) };
  KEPT = null; // until this parse is done: a failed one keeps nothing
  try {
    const ast = convertNode(file);
    KEPT = { generation: request.keep, reading, keys: KEEPING.keys, file: clean && own ? file : null, content, dialect };
    return { ast, kept: request.keep, starts: KEEPING.starts };
  } finally {
    KEEPING = null;
  }
}

// A kept document's next version, read from its last one where an edit allows (only when the
// host drops the comments Babel hangs on nodes, "detached": what is parsed alone has none from
// outside it).  Babel's tree of the last version, changed in place, with
//   * a comment the edit stays inside, if it stays one comment of its kind (a line comment on
//     one line; a block comment closed at its end, with a line break if and only if it had one,
//     which is what automatic semicolon insertion reads), and is no Flow comment or pragma;
//   * else the innermost top-level statement or class member whose own text holds the edit,
//     parsed alone (a statement after the program's directives, a member in a class of the same
//     kind: extends, abstract, declare), if the text alone is one item of the same type, ends
//     where the item ends, and has no errors; and where what stands before it and what it ends
//     with cannot run into each other (automatic semicolon insertion: each ends in `;`, or is a
//     declaration or method ending in `}`, or the item is a class's first member).  Errors that
//     Babel finds across items are ruled out: a statement must declare the same names at the
//     top level as before (an expression statement declares none; a function, class or
//     TypeScript declaration its own), a member must not be private (#x) nor a new constructor.
// The rest is the last version's, its offsets after the part moved by what the edit added or
// removed.  {file, what: the part's type}, or null: parse the whole text.
function nextVersion(kept, content, dialect, request) {
  if (kept === null || kept.file === null || kept.generation !== request.reuse || request.detached !== true
      || kept.dialect !== dialect) {
    return null;
  }
  const old = kept.content;
  if (old === content) return { file: kept.file, what: 'nothing' };
  const shortest = Math.min(old.length, content.length);
  let start = 0;
  while (start < shortest && old.charCodeAt(start) === content.charCodeAt(start)) start += 1;
  let tail = 0;
  while (tail < shortest - start
         && old.charCodeAt(old.length - 1 - tail) === content.charCodeAt(content.length - 1 - tail)) tail += 1;
  const edit = { start, end: old.length - tail, delta: content.length - old.length };
  try {
    return commentEdited(kept, content, edit) || itemEdited(kept, content, dialect, edit);
  } catch (error) {
    KEPT = null;
    return null;
  }
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;
const FLOW = /^\/\*\s*::?|@(no)?flow\b/; // a Flow comment (read as code) or pragma (Flow syntax on or off)

function commentEdited(kept, content, edit) {
  const comments = kept.file.comments;
  const index = comments.findIndex((c) => c.start <= edit.start && edit.end <= c.end);
  if (index < 0) return null;
  const comment = comments[index];
  const text = content.slice(comment.start, comment.end + edit.delta);
  const was = kept.content.slice(comment.start, comment.end);
  if (FLOW.test(text) || FLOW.test(was)) return null;
  if (comment.type === 'CommentLine') {
    if (!text.startsWith('//') || !was.startsWith('//') || LINE_BREAK.test(text)) return null;
  } else if (!(text.startsWith('/*') && text.length >= 4 && text.indexOf('*/', 2) === text.length - 2
               && LINE_BREAK.test(text) === LINE_BREAK.test(was))) {
    return null;
  }
  move(kept.file, comment.end, edit.delta, comment, comments);
  comment.end += edit.delta;
  comment.value = comment.type === 'CommentLine' ? text.slice(2) : text.slice(2, -2);
  kept.content = content;
  return { file: kept.file, what: comment.type };
}

const CLOSED_BY_BRACE = new Set(['ClassMethod', 'ClassPrivateMethod', 'StaticBlock', 'FunctionDeclaration',
  'ClassDeclaration', 'TSInterfaceDeclaration', 'TSEnumDeclaration', 'TSModuleDeclaration']);
const ATTACHED = new Set(['leadingComments', 'trailingComments', 'innerComments', 'comments', 'loc', 'extra',
  'errors', 'tokens']);

// Whether what follows an item's text can never run into it (automatic semicolon insertion).
function closed(node, text) {
  const last = text[text.length - 1];
  if (last === ';') return true;
  const inner = node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration' ? node.declaration : node;
  return last === '}' && inner != null && CLOSED_BY_BRACE.has(inner.type);
}

// What a top-level statement declares at the top level, as a text to compare; null: not read
// alone (what it declares is not known here).
function declares(node, content) {
  switch (node.type) {
    case 'ExpressionStatement':
      return node.expression.type === 'StringLiteral' ? null : ''; // a string may read as a directive
    case 'FunctionDeclaration': case 'ClassDeclaration': case 'TSInterfaceDeclaration':
    case 'TSTypeAliasDeclaration': case 'TSEnumDeclaration': case 'TSDeclareFunction':
      return `${node.type} ${node.id ? node.id.name : ''} ${Boolean(node.declare)}`;
    case 'TSModuleDeclaration':
      return `${node.type} ${content.slice(node.id.start, node.id.end)} ${Boolean(node.declare)} ${Boolean(node.global)}`;
    case 'ExportNamedDeclaration': {
      const inner = node.declaration && !node.source && node.specifiers.length === 0 ? declares(node.declaration, content)
        : null;
      return inner === null ? null : `export ${inner}`;
    }
    case 'ExportDefaultDeclaration': {
      const inner = ['FunctionDeclaration', 'ClassDeclaration'].includes(node.declaration.type)
        ? declares(node.declaration, content) : 'an expression';
      return `default ${inner}`;
    }
    default:
      return null;
  }
}

// The innermost item of a kept list (Program.body, ClassBody.body) whose own text holds the
// edit: {list, index, owner (the class of a ClassBody)}, or null.
function innermostItem(file, edit) {
  let found = null;
  let node = file.program;
  let owner = null;
  while (node) {
    const list = node.type === 'Program' || node.type === 'ClassBody' ? node.body : null;
    let next = null;
    for (const key of Object.keys(node)) {
      if (ATTACHED.has(key)) continue;
      const value = node[key];
      const children = Array.isArray(value) ? value : [value];
      for (let i = 0; i < children.length; i += 1) {
        const child = children[i];
        if (child === null || typeof child !== 'object' || !isNode(child)) continue;
        if (child.start <= edit.start && edit.end <= child.end) {
          if (value === list) found = { list, index: i, owner: node.type === 'ClassBody' ? owner : null };
          next = child;
          break;
        }
      }
      if (next !== null) break;
    }
    if (next !== null && next.type === 'ClassBody') owner = node;
    node = next;
  }
  return found;
}

function itemEdited(kept, content, dialect, edit) {
  const found = innermostItem(kept.file, edit);
  if (found === null) return null;
  const { list, index, owner } = found;
  const item = list[index];
  const old = kept.content;
  if (index === 0 ? owner === null : !closed(list[index - 1], old.slice(list[index - 1].start, list[index - 1].end))) {
    return null; // the first statement follows the directives, which its text alone would not
  }
  const piece = content.slice(item.start, item.end + edit.delta);
  const program = kept.file.program;
  const directives = program.directives.length
    ? `${old.slice(program.directives[0].start, program.directives[program.directives.length - 1].end)}\n` : '';
  const prefix = owner === null ? directives
    : `${directives}${owner.declare ? 'declare ' : ''}${owner.abstract ? 'abstract ' : ''}class X${owner.superClass ? ' extends Y' : ''} {\n`;
  const suffix = owner === null ? '' : '\n}';
  let alone;
  try {
    alone = babel.parse(prefix + piece + suffix, { ...OPTIONS, plugins: PLUGINS[dialect], sourceType: program.sourceType });
  } catch (error) {
    return null;
  }
  if (alone.errors.length || alone.program.body.length !== 1) return null;
  let items = alone.program.body;
  if (owner !== null) {
    if (alone.program.body[0].type !== 'ClassDeclaration') return null;
    items = alone.program.body[0].body.body;
  }
  const fresh = items.length === 1 ? items[0] : null;
  if (fresh === null || fresh.type !== item.type || fresh.start !== prefix.length
      || fresh.end !== prefix.length + piece.length || !closed(fresh, piece)) {
    return null;
  }
  if (owner === null) {
    const before = declares(item, old);
    if (before === null || before !== declares(fresh, prefix + piece)) return null;
  } else if ((fresh.key && fresh.key.type === 'PrivateName') || (fresh.kind === 'constructor' && item.kind !== 'constructor')
             || (fresh.computed && /\b(await|yield)\b/.test(piece))) {
    return null;
  }
  // The comments inside the item are the new text's; those after it move with the rest.
  const comments = kept.file.comments;
  const first = comments.findIndex((c) => c.start >= item.start);
  const outside = first < 0 ? comments.length : first;
  let last = outside;
  while (last < comments.length && comments[last].start < item.end) last += 1;
  const moved = alone.comments.filter((c) => c.start >= prefix.length && c.end <= prefix.length + piece.length);
  comments.splice(outside, last - outside);
  move(kept.file, item.end, edit.delta, item, comments);
  move(fresh, 0, item.start - prefix.length, null, moved);
  comments.splice(outside, 0, ...moved);
  list[index] = fresh;
  kept.content = content;
  return { file: kept.file, what: fresh.type };
}

// Moves by `delta` every offset at or after `from` in the tree (`skip`: a subtree not to move),
// and in `comments`, the tree's (each once: Babel hangs the same objects on nodes).  A subtree
// that ends before `from` is left as it is: its nodes lie inside it.
function move(root, from, delta, skip, comments) {
  const visit = (node) => {
    if (node === skip || node.end < from) return;
    if (node.start >= from) node.start += delta;
    node.end += delta;
    for (const key of Object.keys(node)) {
      if (ATTACHED.has(key)) continue;
      const value = node[key];
      if (value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) {
        for (const child of value) if (child !== null && typeof child === 'object' && isNode(child)) visit(child);
      } else if (isNode(value)) {
        visit(value);
      }
    }
  };
  visit(root);
  for (const comment of comments) {
    // A comment that starts before `from` ends before it (an offset that moves is a token's).
    if (comment !== skip && comment.start >= from) {
      comment.start += delta;
      comment.end += delta;
    }
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
let stdinClosed = false; // stdin is closed: no request will come, nothing to warm up for

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
    if (parses >= WARM_UP_PARSES || stdinClosed) return;
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
  // could cut an answer still in the pipe), the warm-up stopped: a caller that is done (a
  // command line's search) would otherwise leave it to burn a second and a half of CPU.
  lines.on('close', () => { stdinClosed = true; });
}

if (require.main === module) {
  main();
} else {
  module.exports = { PLUGINS, OPTIONS, dialectOf, load, answer };
}
