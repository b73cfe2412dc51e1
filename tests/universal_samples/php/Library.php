<?php
declare(strict_types=1);

namespace App\Library;

use App\Contracts\Repository;
use DateTimeImmutable as Clock;

define('LIBRARY_VERSION', '2.1');

interface Lendable
{
    public function lend(string $member): bool;
}

trait Timestamps
{
    protected ?Clock $updatedAt = null;

    public function touch(): void
    {
        $this->updatedAt = new Clock();
    }
}

enum Genre: string
{
    case Fiction = 'fiction';
    case Science = 'science';
}

final class Book implements Lendable
{
    use Timestamps;

    public const MAX_LOANS = 3;
    private int $loans = 0;

    public function __construct(
        private string $title,
        private Genre $genre = Genre::Fiction,
    ) {
    }

    public function lend(string $member): bool
    {
        if ($this->loans >= self::MAX_LOANS) {
            return false;
        }
        $this->loans++;
        $this->touch();
        return true;
    }

    public static function fromArray(array $data): self
    {
        return new self($data['title'], Genre::from($data['genre']));
    }
}

function shelve(Repository $repository, Book ...$books): int
{
    foreach ($books as $book) {
        $repository->save($book);
    }
    return count($books);
}
