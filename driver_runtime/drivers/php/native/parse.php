<?php
/*
 * The PHP driver's native side: nikic/PHP-Parser, kept alive, spoken to in JSON lines.
 *
 *   php parse.php LIBRARY_DIR      (LIBRARY_DIR holds PhpParser/autoload.php)
 *
 * Reads one request per line, {"content": str, "filename": str} (and for a kept document "keep"
 * and "reuse": see Kept), and answers one line,
 * {"ast": tree|null, "errors": [{"message", "line", "col"}]}.  The tree is PHP-Parser's own,
 * shaped as a native UAST: "@type" is the node's getType() (Stmt_Class, Expr_Variable...),
 * "@pos" {"start", "end"} its byte offsets (end exclusive), "@token" the name or value of
 * nodes that have one, then the node's sub-nodes as fields (and the attributes "kind" and
 * "docLabel" where PHP-Parser sets them).  Comments ride on the first
 * (outermost) node PHP-Parser attached them to, in its "comments" field.  Syntax errors are
 * collected: the partial tree comes back with them where PHP-Parser could recover.
 * Nothing here may crash the loop: every failure becomes an error line.
 */

declare(strict_types=1);

use PhpParser\Comment;
use PhpParser\Error;
use PhpParser\ErrorHandler\Collecting;
use PhpParser\Lexer\Emulative;
use PhpParser\Node;
use PhpParser\Parser\Php7;

const MAX_DEPTH = 1000;  // node levels; deeper code is reported as an error, not sent

final class TooDeep extends \Exception {}

final class Converter
{
    // How a node's token is read, by class (see tokenKind()).
    const TOKEN_NONE = 0, TOKEN_NAME = 1, TOKEN_STRING = 2, TOKEN_VARIABLE = 3, TOKEN_VALUE = 4, TOKEN_MAGIC = 5;

    /** @var array<string, array{string, string[], int}> class name => [type, sub-node names, token kind] */
    private static $classes = [];
    /** @var array<int, true> start offsets of comments already placed */
    private $placed = [];
    /** @var Kept|null a kept document's items (Kept) */
    private $kept;

    public function __construct(?Kept $kept = null)
    {
        $this->kept = $kept;
    }

    /** The file's statements: kept ones as stubs, for a kept document. */
    public function convertFile(array $nodes, int $size): array
    {
        if ($this->kept === null) {
            return $this->convertList($nodes, 0);
        }
        return $this->kept->convert(Kept::kind('Module', 'children'), $nodes, 0, $size,
            function ($item) { return $this->value($item, 0); });
    }

    public function convertList(array $nodes, int $depth): array
    {
        $out = [];
        foreach ($nodes as $node) {
            $out[] = $this->value($node, $depth);
        }
        return $out;
    }

    private function value($value, int $depth)
    {
        if ($value instanceof Node) {
            return $this->node($value, $depth + 1);
        }
        if (is_array($value)) {
            return $this->convertList($value, $depth);
        }
        if (is_float($value) && !is_finite($value)) {
            return is_nan($value) ? 'NAN' : ($value > 0 ? 'INF' : '-INF');
        }
        return $value;
    }

    private function node(Node $node, int $depth): array
    {
        if ($depth > MAX_DEPTH) {
            throw new TooDeep();
        }
        $class = get_class($node);
        $known = self::$classes[$class] ?? null;
        if ($known === null) {
            $known = self::$classes[$class] = [$node->getType(), $node->getSubNodeNames(), self::tokenKind($node)];
        }
        $out = ['@type' => $known[0]];
        switch ($known[2]) {
            case self::TOKEN_NAME:
                $out['@token'] = $node->name;
                break;
            case self::TOKEN_STRING:
                $out['@token'] = $node->toString();
                break;
            case self::TOKEN_VARIABLE:
                if (is_string($node->name)) {
                    $out['@token'] = $node->name;
                }
                break;
            case self::TOKEN_VALUE:
                if (!is_float($node->value) || is_finite($node->value)) {
                    $out['@token'] = $node->value;
                }
                break;
            case self::TOKEN_MAGIC:
                $out['@token'] = $node->getName();
                break;
        }
        $attributes = $node->getAttributes();
        $start = $attributes['startFilePos'] ?? -1;
        $end = $attributes['endFilePos'] ?? -1;
        if ($start >= 0 && $end >= $start - 1) {
            $out['@pos'] = ['start' => $start, 'end' => $end + 1];
        }
        if (isset($attributes['comments'])) {
            $own = [];
            foreach ($attributes['comments'] as $comment) {
                $at = $comment->getStartFilePos();
                if (!isset($this->placed[$at])) {
                    $this->placed[$at] = true;
                    $own[] = self::comment($comment);
                }
            }
            if ($own) {
                $out['comments'] = $own;
            }
        }
        foreach ($known[1] as $name) {
            $value = $node->$name;
            if ($this->kept !== null && is_array($value) && ($which = Kept::kind($known[0], $name)) >= 0) {
                $out[$name] = $this->kept->convert($which, $value, $start, $end + 1,
                    function ($item) use ($depth) { return $this->value($item, $depth); });
                continue;
            }
            $out[$name] = $value instanceof Node ? $this->node($value, $depth + 1)
                : (is_array($value) ? $this->convertList($value, $depth) : $this->value($value, $depth));
        }
        // What PHP-Parser keeps in attributes that tells literals apart: the kind of a string,
        // an array, a number, a cast, a namespace...; a heredoc's label.
        if (isset($attributes['kind'])) {
            $out['kind'] = $attributes['kind'];
            if (isset($attributes['docLabel'])) {
                $out['docLabel'] = $attributes['docLabel'];
            }
        }
        return $out;
    }

    /** How the token of nodes of this class is read: their name or their literal value. */
    private static function tokenKind(Node $node): int
    {
        if ($node instanceof Node\Identifier) {
            return self::TOKEN_NAME;
        }
        if ($node instanceof Node\Name) {
            return self::TOKEN_STRING;
        }
        if ($node instanceof Node\Expr\Variable) {
            return self::TOKEN_VARIABLE;
        }
        if ($node instanceof Node\Scalar\String_ || $node instanceof Node\Scalar\EncapsedStringPart
            || $node instanceof Node\Scalar\LNumber || $node instanceof Node\Scalar\DNumber
            || $node instanceof Node\Stmt\InlineHTML) {
            return self::TOKEN_VALUE;
        }
        if ($node instanceof Node\Scalar\MagicConst) {
            return self::TOKEN_MAGIC;
        }
        return self::TOKEN_NONE;
    }

    private static function comment(Comment $comment): array
    {
        return [
            '@type' => $comment instanceof Comment\Doc ? 'Comment_Doc' : 'Comment',
            '@token' => $comment->getText(),
            '@pos' => ['start' => $comment->getStartFilePos(), 'end' => $comment->getEndFilePos() + 1],
        ];
    }
}

/*
 * A kept document (an editor's, parsed again after every keystroke): the statements and class
 * members whose text did not change since its last parse are not sent again.  An item's key is
 * its text with what lies between it and its neighbours (the comments PHP-Parser hangs on it,
 * blank lines): the same key in the same kind of list is the same subtree, only moved.  The
 * answer's tree has {"@kept": N} in place of such an item (N: its number among the items of its
 * kind in that parse: KINDS), "kept" echoes the request's "keep", and "starts" says, per kind,
 * where each item's key starts.  Items are numbered in the order the tree is written, a list's
 * items all at once when it is reached (the host, driver_runtime/sdk/native_reuse.py, numbers
 * them alike); a kept item is neither converted nor walked (its key comes from PHP-Parser's
 * positions).  The request's "reuse" names the parse whose items the host holds: one document
 * is kept at a time.
 */
final class Kept
{
    /** (container type, field) of each kind of kept list, in the host's order (PhpDriver). */
    const KINDS = [['Module', 'children'], ['Stmt_Namespace', 'stmts'], ['Stmt_Class', 'stmts'],
                   ['Stmt_Interface', 'stmts'], ['Stmt_Trait', 'stmts'], ['Stmt_Enum', 'stmts']];

    /** @var int */
    private static $generation = -1;
    /** @var array|null per kind, key => list of numbers */
    private static $lastKeys = null;

    private $code;
    private $last;
    private $keys = [];
    public $starts = [];

    public function __construct(string $code, int $keep, $reuse)
    {
        $this->code = $code;
        $this->last = is_int($reuse) && $reuse === self::$generation ? self::$lastKeys : null;
        foreach (self::KINDS as $which => $_) {
            $this->keys[$which] = [];
            $this->starts[$which] = [];
        }
        self::$generation = -1; // until this parse is done: a failed one keeps nothing
        self::$lastKeys = null;
    }

    /** This parse's keys are the kept ones from now on, as generation $keep. */
    public function done(int $keep): void
    {
        self::$generation = $keep;
        self::$lastKeys = $this->keys;
    }

    public static function kind(string $type, string $field): int
    {
        foreach (self::KINDS as $which => [$container, $name]) {
            if ($container === $type && $name === $field) {
                return $which;
            }
        }
        return -1;
    }

    /**
     * A kept list's items, numbered, a kept one as ['@kept' => N], the others converted (after
     * every item is numbered: the host numbers alike).  $low, $high: the container's span.
     */
    public function convert(int $which, array $nodes, int $low, int $high, callable $convert): array
    {
        $numbers = [];
        $count = count($nodes);
        $items = array_values($nodes);
        foreach ($items as $i => $item) {
            $start = $i > 0 ? self::end($items[$i - 1]) : $low;
            $end = $i + 1 < $count ? self::start($items[$i + 1]) : $high;
            $number = count($this->starts[$which]);
            $key = $start >= 0 && $end >= $start ? substr($this->code, $start, $end - $start) : "\0" . $number;
            $this->keys[$which][$key][] = $number;
            $this->starts[$which][] = max($start, 0);
            $known = $this->last[$which][$key] ?? [];
            $numbers[$i] = $known ? array_shift($this->last[$which][$key]) : -1;
        }
        $out = [];
        foreach ($items as $i => $item) {
            $out[] = $numbers[$i] >= 0 ? ['@kept' => $numbers[$i]] : $convert($item);
        }
        return $out;
    }

    private static function start($node): int
    {
        return $node instanceof Node ? $node->getAttribute('startFilePos', -1) : -1;
    }

    private static function end($node): int
    {
        $end = $node instanceof Node ? $node->getAttribute('endFilePos', -2) : -2;
        return $end + 1;
    }
}

/*
 * A kept document's next version, read from its last one where an edit allows: the innermost
 * item of a kept list (Kept::KINDS: a statement, a class member) whose text, with what lies
 * between it and the item before it (its comments, blank lines), holds the edit is parsed alone,
 * in the same kind of container (a statement after "<?php ", a member inside "class X {"...).
 * PHP's grammar reads a statement or a member alike wherever it is: it holds no state from the
 * text around it but the lexer's mode, which is PHP code after the item before and after a
 * complete item (a text with "?>", "<?" or __halt_compiler is parsed whole).  The item's text
 * alone must parse, without errors, as one item of the same class ending where it ends.  The
 * rest of the tree is the last version's, its offsets after the item moved by what the edit
 * added or removed (PHP-Parser's line attributes are left as they were: nothing here reads them).
 * Otherwise the whole text is parsed.
 */
final class Reparse
{
    /** Where a member parsed alone stands, by the class of its container. */
    const WRAPPERS = [Node\Stmt\Class_::class => 'class X {', Node\Stmt\Interface_::class => 'interface X {',
                      Node\Stmt\Trait_::class => 'trait X {', Node\Stmt\Enum_::class => 'enum X {'];

    /** @var string|null */
    private static $code = null;
    /** @var Node[] the last version's statements */
    private static $stmts = [];
    /** @var int */
    private static $generation = -1;

    public static function remember(string $code, array $stmts, int $generation): void
    {
        self::$code = $code;
        self::$stmts = $stmts;
        self::$generation = $generation;
    }

    public static function forget(): void
    {
        self::$code = null;
        self::$stmts = [];
        self::$generation = -1;
    }

    /**
     * [statements, what was parsed alone (the item's type)] for $code, the next version of the
     * document kept as generation $reuse; null: parse it whole.
     */
    public static function next(Php7 $parser, string $code, $reuse): ?array
    {
        $old = self::$code;
        if ($old === null || !is_int($reuse) || $reuse !== self::$generation) {
            return null;
        }
        if ($old === $code) {
            return [self::$stmts, 'nothing'];
        }
        $length = min(strlen($old), strlen($code));
        // The bytes XORed are zero where both texts agree.
        $start = strspn(substr($old, 0, $length) ^ substr($code, 0, $length), "\0");
        $tail = strspn(strrev(substr($old, $start)) ^ strrev(substr($code, $start)), "\0");
        $tail = min($tail, $length - $start);
        $oldEnd = strlen($old) - $tail;
        $delta = strlen($code) - strlen($old);
        $found = self::innermost(self::$stmts, null, 0, $old, $start, $oldEnd);
        if ($found === null) {
            return null;
        }
        [$owner, $index, $low, $high] = $found;
        $items = $owner === null ? self::$stmts : $owner->stmts;
        $item = $items[$index];
        $piece = substr($code, $low, $high + $delta - $low);
        if (preg_match('/\?>|<\?|__halt_compiler/i', $piece)) {
            return null;
        }
        $wrapper = $owner === null || $owner instanceof Node\Stmt\Namespace_ ? '' : self::WRAPPERS[get_class($owner)];
        $prefix = '<?php ' . $wrapper;
        $handler = new Collecting();
        $alone = $parser->parse($prefix . $piece . ($wrapper === '' ? '' : "\n}"), $handler);
        if ($alone === null || $handler->hasErrors() || count($alone) !== 1) {
            return null;
        }
        if ($wrapper !== '') {
            $alone = $alone[0]->stmts;
            if (count($alone) !== 1) {
                return null;
            }
        }
        $new = $alone[0];
        if (get_class($new) !== get_class($item)
            || $new->getAttribute('endFilePos', -2) + 1 - strlen($prefix) + $low !== $high + $delta) {
            return null;
        }
        self::move($new, 0, $low - strlen($prefix));
        foreach (self::$stmts as $top) {
            self::move($top, $high, $delta, $item);
        }
        if ($owner === null) {
            self::$stmts[$index] = $new;
        } else {
            $owner->stmts[$index] = $new;
        }
        self::$code = $code;
        return [self::$stmts, $new->getType()];
    }

    /**
     * The innermost kept item whose text with the gap before it holds [$start, $end]:
     * [its container (null: the file), its index, where its text starts, where it ends].
     */
    private static function innermost(array $items, ?Node $owner, int $low, string $code, int $start, int $end): ?array
    {
        $items = array_values($items);
        foreach ($items as $i => $item) {
            $from = $i > 0 ? $items[$i - 1]->getAttribute('endFilePos', -2) + 1 : $low;
            $to = $item->getAttribute('endFilePos', -2) + 1;
            if ($from < 0 || $to < $from || $start < $from || $end > $to) {
                continue;
            }
            $inner = self::members($item, $code);
            $found = $inner === null ? null : self::innermost($inner[0], $item, $inner[1], $code, $start, $end);
            if ($found !== null) {
                return $found;
            }
            // The first statement's text holds the opening tag.
            return $from === 0 && $owner === null ? null : [$owner, $i, $from, $to];
        }
        return null;
    }

    /** [the kept list of a namespace or class-like, where its first item's text starts], or null. */
    private static function members(Node $item, string $code): ?array
    {
        if ($item instanceof Node\Stmt\Namespace_) {
            $after = $item->name !== null ? $item->name->getAttribute('endFilePos', -2) + 1
                : $item->getAttribute('startFilePos', -1) + strlen('namespace');
        } elseif (isset(self::WRAPPERS[get_class($item)])) {
            $after = $item->getAttribute('startFilePos', -1);
            foreach (['name', 'extends', 'implements', 'scalarType'] as $part) {
                foreach (is_array($item->$part ?? null) ? $item->$part : [$item->$part ?? null] as $node) {
                    if ($node instanceof Node) {
                        $after = max($after, $node->getAttribute('endFilePos', -2) + 1);
                    }
                }
            }
        } else {
            return null;
        }
        $brace = strcspn($code, '{;', $after);
        $at = $after + $brace;
        if ($after < 0 || $at >= strlen($code) || trim(substr($code, $after, $brace)) !== '') {
            return null;
        }
        return [$item->stmts, $at + 1];
    }

    /** Moves by $delta every offset at or after $from in $node's subtree (but $skip's). */
    private static function move(Node $node, int $from, int $delta, ?Node $skip = null): void
    {
        if ($node === $skip || $node->getAttribute('endFilePos', PHP_INT_MAX - 1) + 1 < $from) {
            return; // all of it (its comments come before it) is before the offsets that move
        }
        foreach (['startFilePos', 'endFilePos'] as $name) {
            $at = $node->getAttribute($name);
            if ($at !== null && $at + ($name === 'endFilePos' ? 1 : 0) >= $from) {
                $node->setAttribute($name, $at + $delta);
            }
        }
        $comments = $node->getAttribute('comments');
        if ($comments) {
            $moved = [];
            foreach ($comments as $comment) {
                $moved[] = $comment->getStartFilePos() >= $from ? self::movedComment($comment, $delta) : $comment;
            }
            $node->setAttribute('comments', $moved);
        }
        foreach ($node->getSubNodeNames() as $name) {
            $value = $node->$name;
            if ($value instanceof Node) {
                self::move($value, $from, $delta, $skip);
            } elseif (is_array($value)) {
                array_walk_recursive($value, function ($child) use ($from, $delta, $skip) {
                    if ($child instanceof Node) {
                        self::move($child, $from, $delta, $skip);
                    }
                });
            }
        }
    }

    private static function movedComment(Comment $comment, int $delta): Comment
    {
        $class = get_class($comment);
        return new $class($comment->getText(), $comment->getStartLine(), $comment->getStartFilePos() + $delta,
            $comment->getStartTokenPos(), $comment->getEndLine(), $comment->getEndFilePos() + $delta,
            $comment->getEndTokenPos());
    }
}

final class Service
{
    private $parser;

    public function __construct()
    {
        $lexer = new Emulative(['usedAttributes' => ['comments', 'startLine', 'endLine', 'startFilePos', 'endFilePos']]);
        $this->parser = new Php7($lexer);
    }

    public function answer(string $line): array
    {
        $request = json_decode($line, true, 16);
        if (!is_array($request) || !is_string($request['content'] ?? null)) {
            return ['ast' => null, 'errors' => [['message' => 'bad request: ' . (json_last_error() ? json_last_error_msg() : 'no content')]]];
        }
        $code = $request['content'];
        $keep = $request['keep'] ?? null;
        $reuse = $request['reuse'] ?? null;
        $partly = is_int($keep) ? Reparse::next($this->parser, $code, $reuse) : null;
        Reparse::forget(); // until this version is done: a failure leaves nothing to read from
        $errors = [];
        if ($partly !== null) {
            $stmts = $partly[0];
        } else {
            $handler = new Collecting();
            $stmts = $this->parser->parse($code, $handler);
            foreach ($handler->getErrors() as $error) {
                $errors[] = self::error($error, $code);
            }
        }
        if ($stmts === null) {
            return ['ast' => null, 'errors' => $errors];
        }
        $kept = is_int($keep) ? new Kept($code, $keep, $reuse) : null;
        try {
            $children = (new Converter($kept))->convertFile($stmts, strlen($code));
        } catch (TooDeep $exc) {
            return ['ast' => null, 'errors' => [['message' => 'the code is nested too deeply to parse']]];
        }
        $tree = ['@type' => 'Module', 'children' => $children];
        if ($kept === null) {
            return ['ast' => $tree, 'errors' => $errors];
        }
        $kept->done($keep);
        $answer = ['ast' => $tree, 'errors' => $errors, 'kept' => $keep, 'starts' => $kept->starts];
        if (!$errors) {
            Reparse::remember($code, $stmts, $keep); // a tree PHP-Parser recovered is not read from
        }
        if ($partly !== null) {
            $answer['reparsed'] = $partly[1];
        }
        return $answer;
    }

    private static function error(Error $error, string $code): array
    {
        $out = ['message' => $error->getRawMessage()];
        $line = $error->getStartLine();
        if ($line > 0) {
            $out['line'] = $line;
            if ($error->hasColumnInfo()) {
                $out['col'] = $error->getStartColumn($code);
            }
        }
        return $out;
    }
}

function main(array $argv): int
{
    $library = $argv[1] ?? __DIR__;
    require $library . '/PhpParser/autoload.php';
    ini_set('display_errors', 'stderr');
    $service = new Service();
    $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PRESERVE_ZERO_FRACTION;
    while (($line = fgets(STDIN)) !== false) {
        if (trim($line) === '') {
            continue;
        }
        try {
            $answer = $service->answer($line);
        } catch (\Throwable $exc) {
            $answer = ['ast' => null, 'errors' => [['message' => 'internal error in the PHP parser: ' . $exc->getMessage()]]];
        }
        $out = json_encode($answer, $flags, 2 * MAX_DEPTH + 16);
        if ($out === false) {
            $out = json_encode(['ast' => null, 'errors' => [['message' => 'cannot encode the tree: ' . json_last_error_msg()]]], $flags);
        }
        fwrite(STDOUT, $out . "\n");
        fflush(STDOUT);
        unset($answer, $out);
    }
    return 0;
}

exit(main($argv));
