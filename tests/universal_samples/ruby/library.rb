# A tiny lending library.
require "json"
require_relative "support/clock"

module Library
  VERSION = "1.4.0"
  MAX_LOANS = 3

  class LoanError < StandardError; end

  class Book
    attr_reader :title, :author
    attr_accessor :loans

    def initialize(title, author, loans: 0)
      @title = title
      @author = author
      @loans = loans
    end

    def available?
      loans < MAX_LOANS
    end

    def lend!(member)
      raise LoanError, "#{title} is out" unless available?
      @loans += 1
      "#{member} borrowed #{title}"
    end

    def self.from_hash(data)
      new(data["title"], data["author"], loans: data.fetch("loans", 0))
    end

    def to_s
      format("%s by %s", title, author)
    end
  end

  module Catalog
    def self.load(path)
      JSON.parse(File.read(path)).map { |entry| Book.from_hash(entry) }
    end
  end
end

def shelve(books, *extra)
  (books + extra).sort_by(&:title).each do |book|
    puts book
  end
end
