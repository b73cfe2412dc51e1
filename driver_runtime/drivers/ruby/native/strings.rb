# frozen_string_literal: true

module RubyDriver
  # The values of string literals: Ripper gives their source text, escapes and all.
  module Strings
    SIMPLE = { 'n' => "\n", 't' => "\t", 's' => ' ', 'r' => "\r", '0' => "\0", 'a' => "\a", 'b' => "\b",
               'e' => "\e", 'f' => "\f", 'v' => "\v" }.freeze
    DOUBLE = /\\(?:u\{([0-9a-fA-F \t]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{1,2})|([0-7]{1,3})|
                 (?:C-|c|M-)+(.)|(\n)|(.))/mx.freeze

    module_function

    # A double-quoted literal's text (also heredocs, backquotes, %Q, %W, %I, symbols).
    def unescape_double(text)
      return text unless text.include?('\\')

      out = text.gsub(DOUBLE) do
        braces, four, hex, octal, control, newline, other = Regexp.last_match.captures
        if braces then braces.split.map { |h| codepoint(h.to_i(16)) }.join
        elsif four then codepoint(four.to_i(16))
        elsif hex then byte(hex.to_i(16))
        elsif octal then byte(octal.to_i(8) & 0xff)
        elsif control then control_char(Regexp.last_match(0), control)
        elsif newline then ''
        else SIMPLE.fetch(other, other)
        end
      end
      valid(out)
    end

    # A single-quoted literal's text (also %q, %w, %i, <<'EOS'): only \\ and \' are escapes.
    def unescape_single(text)
      return text unless text.include?('\\')

      text.gsub(/\\([\\'])/, '\1')
    end

    # ?a, ?\n, ?\u00e9
    def char_value(text)
      body = text[1..] || ''
      body.start_with?('\\') ? unescape_double(body) : body
    end

    def codepoint(code)
      code.chr(Encoding::UTF_8)
    rescue RangeError
      ''
    end

    def control_char(sequence, char)
      code = char.ord
      code &= 0x9f if sequence.include?('c') || sequence.include?('C-')
      code |= 0x80 if sequence.include?('M-')
      byte(code & 0xff)
    end

    def byte(code)
      code.chr.force_encoding(Encoding::UTF_8)
    end

    # Escapes can make bytes that are not UTF-8 (a "\xff"); JSON carries text.
    def valid(text)
      text = text.dup.force_encoding(Encoding::UTF_8)
      text.valid_encoding? ? text : text.scrub("\uFFFD")
    end
  end
end
