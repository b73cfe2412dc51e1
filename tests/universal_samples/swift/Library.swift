import Foundation
import struct Swift.Array

/// How many books a member may borrow.
let maxLoans = 5
var openToday = true

// Anything with a title.
protocol Titled {
    var title: String { get }
    func summary() -> String
}

enum Genre: String {
    case fiction
    case science, history
}

struct Book: Titled {
    let title: String
    var pages: Int = 0

    func summary() -> String {
        return "\(title) (\(pages) pages)"
    }
}

class Library {
    private var books: [Book] = []
    static let shared = Library()

    init() {
        books = []
    }

    func add(_ book: Book) {
        books.append(book)
    }

    func longest() -> Book? {
        return books.max { a, b in a.pages < b.pages }
    }
}

extension Library {
    func count(of genre: Genre) -> Int {
        return books.count
    }
}

func greet(name: String, loud: Bool = false) -> String {
    let text = "Hello, " + name
    return loud ? text.uppercased() : text
}

let shout: (String) -> String = { word in word.uppercased() }
