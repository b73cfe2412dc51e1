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
        $handler = new Collecting();
        $stmts = $this->parser->parse($code, $handler);
        $errors = [];
        foreach ($handler->getErrors() as $error) {
            $errors[] = self::error($error, $code);
        }
        if ($stmts === null) {
            return ['ast' => null, 'errors' => $errors];
        }
        $keep = $request['keep'] ?? null;
        $kept = is_int($keep) ? new Kept($code, $keep, $request['reuse'] ?? null) : null;
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
        return ['ast' => $tree, 'errors' => $errors, 'kept' => $keep, 'starts' => $kept->starts];
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
