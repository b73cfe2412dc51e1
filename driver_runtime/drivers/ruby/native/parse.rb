# frozen_string_literal: true

# The Ruby driver's native side: Ruby's own parser (Ripper) behind a JSON-lines loop.
#
#   in:  {"content": "...", "filename": "..."}            one request per line
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

    parse(content)
  rescue JSON::ParserError => e
    error_answer("not a JSON request: #{e.message[0, 200]}", nil, nil)
  rescue StandardError, ScriptError => e
    warn "ruby driver: #{e.class}: #{e.message}\n#{e.backtrace&.first(8)&.join("\n")}"
    error_answer("the Ruby driver failed on this file (#{e.class}: #{e.message[0, 200]})", nil, nil)
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
