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

    result = parse(content)
    keep = request['keep']
    return result unless keep.is_a?(Integer) && result['ast']

    result.merge('kept' => keep, 'starts' => Kept.stub(result['ast'], content.b, keep, request['reuse']))
  rescue JSON::ParserError => e
    error_answer("not a JSON request: #{e.message[0, 200]}", nil, nil)
  rescue StandardError, ScriptError => e
    warn "ruby driver: #{e.class}: #{e.message}\n#{e.backtrace&.first(8)&.join("\n")}"
    error_answer("the Ruby driver failed on this file (#{e.class}: #{e.message[0, 200]})", nil, nil)
  end

  # A kept document (an editor's, parsed again after every keystroke): the methods, classes and
  # modules whose text did not change since its last parse, and the comments, are not sent
  # again.  Only what opens a scope of its own is kept (a def, `def self.x`, a class or module
  # named by constants, `class << self`): what else a statement holds may read differently when
  # the code around it changes (a name is a local variable only after an assignment to it).
  # An item's key is its text: the same key in the same kind of list is the same subtree, only
  # moved.  The answer's tree has {"@kept": N} in place of such an item (N: its number among the
  # items of its kind in that parse: KINDS), "kept" echoes the request's "keep", and "starts"
  # says, per kind, where each item's key starts.  Every item of a kind is numbered, in the
  # order the tree is written, a list's items all at once when it is reached (the host,
  # driver_runtime/sdk/native_reuse.py, numbers them alike); a kept item is not walked.  The
  # request's "reuse" names the parse whose items the host holds: one document is kept at a
  # time.  The conversion is done whole; what is spared is the encoding, the transfer and the
  # host's work.
  class Kept
    KINDS = [%w[begin body], %w[file comments]].freeze
    COMMENTS = KINDS.index(%w[file comments])
    @generation = nil
    @last_keys = nil

    class << self
      attr_accessor :generation, :last_keys

      def stub(tree, data, keep, reuse)
        kept = new(data, reuse.is_a?(Integer) && reuse == generation ? last_keys : nil)
        kept.walk(tree)
        self.generation = keep
        self.last_keys = kept.keys
        kept.starts
      end
    end

    attr_reader :keys, :starts

    def initialize(data, last)
      @data = data
      @last = last
      @keys = KINDS.map { {} }
      @starts = KINDS.map { [] }
    end

    def walk(value)
      if value.is_a?(Array)
        value.each { |item| walk(item) if item.is_a?(Hash) || item.is_a?(Array) }
        return
      end
      type = value['@type']
      value.each do |key, child|
        next if key == '@pos'

        which = KINDS.index([type, key])
        if which && child.is_a?(Array)
          number(which, child)
        elsif child.is_a?(Hash) || child.is_a?(Array)
          walk(child)
        end
      end
    end

    private

    def number(which, items)
      numbers = items.map do |item|
        number = @starts[which].size
        pos = item.is_a?(Hash) ? item['@pos'] : nil
        key = pos && (which == COMMENTS || scope?(item)) ? @data.byteslice(pos['start'], pos['end'] - pos['start']) : nil
        @starts[which] << (pos ? pos['start'] : 0)
        next -1 unless key # numbered, never kept

        (@keys[which][key] ||= []) << number
        known = @last && @last[which][key]
        known && !known.empty? ? known.shift : -1
      end
      items.each_index do |i|
        if numbers[i] >= 0
          items[i] = { '@kept' => numbers[i] }
        elsif items[i].is_a?(Hash) || items[i].is_a?(Array)
          walk(items[i])
        end
      end
    end

    # Whether an item opens a scope of its own, all of it read the same wherever it is.
    def scope?(item)
      case item['@type']
      when 'def' then true
      when 'defs', 'sclass'
        receiver = item['base'] || item['object']
        receiver.is_a?(Hash) && receiver['@type'] == 'self'
      when 'class', 'module' then constants?(item['scope']) && constants?(item['parent'])
      else false
      end
    end

    def constants?(node)
      node.nil? || (node.is_a?(Hash) && node['@type'] == 'const' && constants?(node['base']))
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
