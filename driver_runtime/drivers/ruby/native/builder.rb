# frozen_string_literal: true

require 'ripper'

module RubyDriver
  # Ripper's sexp builder, extended with what the sexp leaves out:
  #
  # * every token the lexer saw (keywords, brackets and comments are not in the sexp), with its
  #   byte span and, for the lines of a heredoc's body, the heredoc it belongs to;
  # * for some parser events, how many tokens had been read when it fired: a construct that
  #   has no token of its own in the sexp (`[]`, `""`, `super`, `retry`...) ends among the last
  #   tokens read at that moment;
  # * syntax errors, with their line and column.
  class Builder < Ripper::SexpBuilderPP
    # A token: [type, text, start byte, end byte, heredoc body id (0 outside heredoc bodies)]
    attr_reader :tokens, :errors, :reduced

    # `line_starts`: byte offsets of the lines of the whole text; `shift`: bytes before the
    # parsed text on its first line (a byte order mark).
    def initialize(source, line_starts, shift = 0)
      super(source, '-', 1)
      @line_starts = line_starts
      @shift = shift
      @tokens = []
      @errors = []
      @reduced = {}.compare_by_identity
      @heredoc_stack = []
      @heredoc_count = 0
    end

    def offset(line, column)
      (@line_starts[line - 1] || @line_starts.last) + column + (line == 1 ? @shift : 0)
    end

    private

    def record(type, text)
      # A magic comment (`# encoding: euc-jp`) makes the lexer label its tokens with that
      # encoding; the source is UTF-8 text here, so they are read back as such.
      text.force_encoding(Encoding::UTF_8) unless text.encoding == Encoding::UTF_8 || text.frozen?
      start = offset(lineno, column)
      id = @heredoc_stack.empty? ? 0 : @heredoc_stack.last
      @tokens << [type, text, start, start + text.bytesize, id]
    end

    SCANNER_EVENTS.each do |event|
      module_eval(<<~RUBY, __FILE__, __LINE__ + 1)
        def on_#{event}(tok)
          record(:#{event}, tok)
          super
        end
      RUBY
    end

    # The lexer reads a heredoc's body as soon as it has read its opener: every token from
    # there to the heredoc's end belongs to the body, wherever the source continues.
    def on_heredoc_beg(tok)
      record(:heredoc_beg, tok)
      @heredoc_count += 1
      @heredoc_stack.push(@heredoc_count)
      super
    end

    def on_heredoc_end(tok)
      record(:heredoc_end, tok)
      @heredoc_stack.pop
      super
    end

    # The events whose nodes may have no token of their own in the sexp (Converter#reduced_token),
    # and those that open a literal's content (its opener is the last token read then).
    REDUCED_EVENTS = %i[args_forward return0 redo retry super zsuper yield yield0 lambda return break next
                        begin BEGIN END paren array hash string_content xstring_new regexp_new
                        string_literal xstring_literal dyna_symbol string_embexpr].freeze

    REDUCED_EVENTS.each do |event|
      module_eval(<<~RUBY, __FILE__, __LINE__ + 1)
        def on_#{event}(*args)
          node = super
          @reduced[node] ||= @tokens.size if node.is_a?(Array)
          node
        end
      RUBY
    end

    def on_parse_error(message)
      @errors << [message, lineno, column]
    end

    def compile_error(message)
      @errors << [message, lineno, column]
    end

    %i[on_alias_error on_assign_error on_class_name_error on_param_error].each do |name|
      define_method(name) do |message, *rest|
        @errors << [message.to_s, lineno, column]
        rest.last
      end
    end
  end
end
