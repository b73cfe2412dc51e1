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
 * them alike); a kept item is not walked.  The request's "reuse" names the parse whose items the
 * host holds: one document is kept at a time.  The conversion is done whole; what is spared is
 * the encoding, the transfer and the host's work.
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
    private $starts = [];

    private function __construct(string $code, ?array $last)
    {
        $this->code = $code;
        $this->last = $last;
        foreach (self::KINDS as $which => $_) {
            $this->keys[$which] = [];
            $this->starts[$which] = [];
        }
    }

    /** Put stubs in the tree in place of the items kept since parse $reuse; this parse is kept as $keep. */
    public static function stub(array &$tree, string $code, int $keep, $reuse): array
    {
        $kept = new Kept($code, is_int($reuse) && $reuse === self::$generation ? self::$lastKeys : null);
        $kept->walk($tree);
        self::$generation = $keep;
        self::$lastKeys = $kept->keys;
        return $kept->starts;
    }

    private static function kind($type, $field): int
    {
        foreach (self::KINDS as $which => [$container, $name]) {
            if ($container === $type && $name === $field) {
                return $which;
            }
        }
        return -1;
    }

    private function walk(array &$node): void
    {
        $type = $node['@type'] ?? null;
        foreach ($node as $key => &$child) {
            if (!is_array($child) || $key === '@pos') {
                continue;
            }
            $which = is_string($type) ? self::kind($type, $key) : -1;
            if ($which >= 0 && array_is_list($child)) {
                $this->number($which, $child, $node);
            } else {
                $this->walk($child);
            }
        }
        unset($child);
    }

    private function number(int $which, array &$items, array $container): void
    {
        $top = $container['@type'] === 'Module';
        $low = $top ? 0 : ($container['@pos']['start'] ?? -1);
        $high = $top ? strlen($this->code) : ($container['@pos']['end'] ?? -1);
        $numbers = [];
        $count = count($items);
        foreach ($items as $i => $item) { // every key from the items as they are, then the stubs
            $start = $i > 0 ? ($items[$i - 1]['@pos']['end'] ?? -1) : $low;
            $end = $i + 1 < $count ? ($items[$i + 1]['@pos']['start'] ?? -1) : $high;
            $number = count($this->starts[$which]);
            $key = $start >= 0 && $end >= $start && is_array($item) && isset($item['@pos'])
                ? substr($this->code, $start, $end - $start) : "\0" . $number;
            $this->keys[$which][$key][] = $number;
            $this->starts[$which][] = max($start, 0);
            $known = $this->last[$which][$key] ?? [];
            $numbers[$i] = $known ? array_shift($this->last[$which][$key]) : -1;
        }
        foreach ($items as $i => &$item) {
            if ($numbers[$i] >= 0) {
                $item = ['@kept' => $numbers[$i]];
            } elseif (is_array($item)) {
                $this->walk($item);
            }
        }
        unset($item);
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
        try {
            $children = (new Converter())->convertList($stmts, 0);
        } catch (TooDeep $exc) {
            return ['ast' => null, 'errors' => [['message' => 'the code is nested too deeply to parse']]];
        }
        $tree = ['@type' => 'Module', 'children' => $children];
        $keep = $request['keep'] ?? null;
        if (!is_int($keep)) {
            return ['ast' => $tree, 'errors' => $errors];
        }
        $starts = Kept::stub($tree, $code, $keep, $request['reuse'] ?? null);
        return ['ast' => $tree, 'errors' => $errors, 'kept' => $keep, 'starts' => $starts];
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
