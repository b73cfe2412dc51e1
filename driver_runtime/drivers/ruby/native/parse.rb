# frozen_string_literal: true

# The Ruby driver's native side: Ruby's own parser (Ripper) behind a JSON-lines loop.
#
#   in:  {"content": "...", "filename": "..."}            one request per line
#        (and for a kept document "keep" and "reuse": see Kept)
#   out: {"ast": <native UAST or null>, "errors": [{"message", "line", "col"}]}
#
# Positions are UTF-8 byte offsets; error lines and columns are 1-based (columns in bytes).
# Nothing on stdin can make it stop but the end of stdin.

require 'json'
require_relative 'converter'
require_relative 'reparse'

module RubyDriver
  module_function

  def parse(content)
    source = content.dup.force_encoding(Encoding::UTF_8)
    return invalid_utf8(source) unless source.valid_encoding?

    # A byte order mark is not Ruby: the parser reads the text after it, and positions on the
    # first line are shifted by its 3 bytes.
    bom = source.start_with?("\uFEFF")
    converter = Converter.new(source, bom ? 3 : 0)
    builder = Builder.new(bom ? source[1..] : source, converter.line_starts, bom ? 3 : 0)
    sexp = builder.parse
    if builder.error? || sexp.nil?
      # The first error only: after it, Ripper's recovery reports errors of its own making.
      message, line, column = builder.errors.first
      column += 3 if bom && line == 1 && column
      return error_answer(message ? message.to_s : 'syntax error', line, column && column + 1)
    end
    { 'ast' => converter.run(builder, sexp), 'errors' => [] }
  rescue SystemStackError
    error_answer('the code is nested too deeply to parse', nil, nil)
  end

  # Where the first byte that is not UTF-8 is.
  def invalid_utf8(source)
    offset = 0
    source.each_char do |char|
      break unless char.valid_encoding?

      offset += char.bytesize
    end
    before = source.byteslice(0, offset)
    line = before.count("\n") + 1
    col = offset - (before.rindex("\n") ? before.b.rindex("\n") + 1 : 0) + 1
    error_answer('the source is not valid UTF-8', line, col)
  end

  def error_answer(message, line, col)
    error = { 'message' => message }
    error['line'] = line if line
    error['col'] = col if col
    { 'ast' => nil, 'errors' => [error] }
  end

  def answer(line)
    request = JSON.parse(line)
    content = request.is_a?(Hash) ? request['content'] : nil
    return error_answer('the request has no "content" string', nil, nil) unless content.is_a?(String)

    keep = request['keep']
    return parse(content) unless keep.is_a?(Integer)

    data = content.b
    reuse = request['reuse']
    partly = Kept.next_version(data, reuse)
    result = partly ? { 'ast' => partly[0], 'errors' => [], 'reparsed' => partly[1] } : parse(content)
    return result unless result['ast']

    tree, starts = Kept.stub(result['ast'], data, keep, reuse)
    result.merge('ast' => tree, 'kept' => keep, 'starts' => starts)
  rescue JSON::ParserError => e
    error_answer("not a JSON request: #{e.message[0, 200]}", nil, nil)
  rescue StandardError, ScriptError => e
    Kept.last_version = nil # it may have been changed halfway
    warn "ruby driver: #{e.class}: #{e.message}\n#{e.backtrace&.first(8)&.join("\n")}"
    error_answer("the Ruby driver failed on this file (#{e.class}: #{e.message[0, 200]})", nil, nil)
  end

  # A kept document (an editor's, parsed again after every keystroke): the methods, classes and
  # modules whose text did not change since its last parse, and the comments, are not sent
  # again; only what reads the same wherever it is (Scope) is kept.  An item's key is its text:
  # the same key in the same kind of list is the same subtree, only moved.  The answer's tree
  # has {"@kept": N} in place of such an item (N: its number among the items of its kind in that
  # parse: KINDS), "kept" echoes the request's "keep", and "starts" says, per kind, where each
  # item's key starts.  Every item of a kind is numbered, in the order the tree is written, a
  # list's items all at once when it is reached (the host, driver_runtime/sdk/native_reuse.py,
  # numbers them alike); a kept item is not walked.  The request's "reuse" names the parse whose
  # items the host holds: one document is kept at a time.  The next version of that document is
  # read from this one where an edit allows (Reparse: "reparsed" in the answer says what was
  # parsed alone).
  class Kept
    KINDS = [%w[begin body], %w[file comments]].freeze
    COMMENTS = KINDS.index(%w[file comments])
    @generation = nil
    @last_keys = nil
    @last_version = nil

    class << self
      attr_accessor :generation, :last_keys, :last_version

      # [the tree with kept items stubbed (what holds one is copied, the rest shared), starts].
      def stub(tree, data, keep, reuse)
        kept = new(data, reuse.is_a?(Integer) && reuse == generation ? last_keys : nil)
        stubbed = kept.walk(tree)
        self.generation = keep
        self.last_keys = kept.keys
        self.last_version = Reparse.new(data, tree)
        [stubbed, kept.starts]
      end

      # [tree, what was parsed alone] of the next version of the document kept as `reuse`, or
      # nil: parse it whole.
      def next_version(data, reuse)
        return nil unless reuse.is_a?(Integer) && reuse == generation && last_version

        source = data.dup.force_encoding(Encoding::UTF_8)
        source.valid_encoding? ? last_version.next_version(data) : nil
      end
    end

    attr_reader :keys, :starts

    def initialize(data, last)
      @data = data
      @last = last
      @keys = KINDS.map { {} }
      @starts = KINDS.map { [] }
    end

    # The value with its kept items stubbed: a list or node that holds one is copied.
    def walk(value)
      if value.is_a?(Array)
        out = nil
        value.each_with_index do |item, i|
          next unless item.is_a?(Hash) || item.is_a?(Array)

          walked = walk(item)
          (out ||= value.dup)[i] = walked unless walked.equal?(item)
        end
        return out || value
      end
      type = value['@type']
      out = nil
      value.each do |key, child|
        next if key == '@pos' || !(child.is_a?(Hash) || child.is_a?(Array))

        which = KINDS.index([type, key])
        walked = which && child.is_a?(Array) ? number(which, child) : walk(child)
        (out ||= value.dup)[key] = walked unless walked.equal?(child)
      end
      out || value
    end

    private

    def number(which, items)
      numbers = items.map do |item|
        number = @starts[which].size
        pos = item.is_a?(Hash) ? item['@pos'] : nil
        key = pos && (which == COMMENTS || Scope.scope?(item)) ? @data.byteslice(pos['start'], pos['end'] - pos['start']) : nil
        @starts[which] << (pos ? pos['start'] : 0)
        next -1 unless key # numbered, never kept

        (@keys[which][key] ||= []) << number
        known = @last && @last[which][key]
        known && !known.empty? ? known.shift : -1
      end
      items.each_with_index.map do |item, i|
        if numbers[i] >= 0
          { '@kept' => numbers[i] }
        elsif item.is_a?(Hash) || item.is_a?(Array)
          walk(item)
        else
          item
        end
      end
    end
  end

  def encode(result)
    JSON.generate(result, max_nesting: false)
  rescue JSON::GeneratorError, Encoding::UndefinedConversionError => e
    JSON.generate(error_answer("cannot encode the tree: #{e.message[0, 200]}", nil, nil))
  end

  def serve(input = $stdin, output = $stdout)
    output.sync = false
    input.each_line do |line|
      next if line.strip.empty?

      output.write(encode(answer(line)))
      output.write("\n")
      output.flush
    end
  end
end

if $PROGRAM_NAME == __FILE__
  $stdin.set_encoding(Encoding::UTF_8)
  $stdout.set_encoding(Encoding::UTF_8)
  begin
    RubyDriver.serve
  rescue Interrupt, Errno::EPIPE
    exit 0
  end
end
