package org.example.library;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A lending library: its books and who borrowed them.
 */
public class Library {
    public static final int MAX_LOANS = 3;

    private final List<Book> books = new ArrayList<>();
    private String name;

    public Library(String name) {
        this.name = name;
    }

    /** Adds a book to the catalogue. */
    public void add(Book book) {
        books.add(book);
    }

    public Optional<Book> find(String title) {
        return books.stream().filter(b -> b.title().equals(title)).findFirst();
    }

    public int lend(Member member, Book... wanted) throws LimitException {
        int lent = 0;
        for (Book book : wanted) {
            if (member.loans() >= MAX_LOANS) {
                throw new LimitException(member.name());
            }
            lent++;
        }
        return lent;
    }

    public record Book(String title, String author) {}

    public enum Genre {
        FICTION, HISTORY, SCIENCE;

        boolean isFiction() {
            return this == FICTION;
        }
    }

    interface Member {
        String name();
        int loans();
    }

    static class LimitException extends Exception {
        LimitException(String who) {
            super(who + " has too many loans");
        }
    }
}
