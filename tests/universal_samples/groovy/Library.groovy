package org.example.library

import groovy.transform.ToString
import java.time.LocalDate as Date
import static java.lang.Math.max

// Books and the shelves they sit on.
interface Lendable {
    boolean isAvailable()
}

enum Format { HARDCOVER, PAPERBACK, EBOOK }

@ToString
class Book implements Lendable {
    static final int MAX_LOANS = 3
    String title
    String author
    private int loans = 0

    Book(String title, String author) {
        this.title = title
        this.author = author
    }

    boolean isAvailable() {
        return loans != MAX_LOANS
    }

    def lend(String borrower, Date until = Date.now()) {
        loans++
        println "Lent ${title} to ${borrower} until ${until}"
    }
}

trait Searchable {
    List<Book> search(String text) {
        books.findAll { it.title.contains(text) }
    }
}

class Shelf implements Searchable {
    List<Book> books = []

    int count() { books.size() }
}

def describe(Book book) {
    "${book.title} by ${book.author}"
}

def shelf = new Shelf()
shelf.books.add(new Book('Dune', 'Herbert'))
def longest = shelf.books.max { a, b -> a.title.size() - b.title.size() }
println describe(longest)
