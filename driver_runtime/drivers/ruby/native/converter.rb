# frozen_string_literal: true

require 'set'
require_relative 'builder'
require_relative 'strings'

module RubyDriver
  # Turns Ripper's sexp into a native UAST in the wire form (docs/driver-protocol.md), shaped
  # after the `parser` gem's AST as Babelfish's Ruby driver emitted it: node types `def`,
  # `class`, `lvasgn`, `send_call`, `str`...; `@token` the name or value; `@pos` byte offsets.
  #
  # Ripper gives the start of each token only, and no token for keywords and brackets; the
  # spans of nodes are worked out from the tokens the lexer saw (Builder#tokens): a node spans
  # its children, widened to its own keyword, brackets or `end` when the token found there is
  # the one expected. When it is not (broken or unusual code), the node keeps the span of its
  # children: a span is left short rather than wrong.
  class Converter
    IGNORED = Set[:sp, :nl, :ignored_nl, :comment, :embdoc_beg, :embdoc, :embdoc_end, :semicolon,
                  :words_sep, :ignored_sp, :__end__].freeze

    # What may stand between the last child of a construct and its `end`.
    BEFORE_END = [[:kw, 'then'], [:kw, 'do'], [:kw, 'else'], [:kw, 'ensure'], [:kw, 'rescue'],
                  [:lparen, nil], [:rparen, nil], [:op, '|'], [:op, '||'], [:op, '*'], [:op, '**'],
                  [:op, '&'], [:comma, nil], [:op, '=>'], [:kw, 'in'], [:tlambda, nil]].freeze
    BEFORE_BRACE = [[:lbrace, nil], [:tlambeg, nil], [:op, '|'], [:op, '||'], [:lparen, nil],
                    [:rparen, nil], [:op, '*'], [:op, '**'], [:op, '&'], [:comma, nil], [:tlambda, nil]].freeze
    END_KW = [[:kw, 'end']].freeze

    # Babelfish's Ruby driver sorted calls (the parser gem's `send`) into kinds.
    STATEMENT_SENDS = %w[continue lambda require require_relative each public protected private].to_set.freeze
    REQUIRES = %w[require require_relative].to_set.freeze
    # Babelfish listed `<=>` as "<==>", which never matched: `a <=> b` is a call (as `<`, `>`).
    OPERATORS = %w[+ - * / % ** & | ^ ~ << >> == === <= >= != ! eql? equal?].to_set.freeze

    # `base`: where the source starts in the whole text, for a part of it parsed alone
    # (reparse.rb): the offsets given are the whole text's.
    def initialize(source, shift = 0, base = 0)
      @source = source
      @shift = shift
      # Byte offsets where lines start (String#index counts characters: search the bytes).
      bytes = source.b
      @line_starts = [base]
      pos = 0
      while (i = bytes.index("\n", pos))
        @line_starts << (base + i + 1)
        pos = i + 1
      end
    end

    attr_reader :line_starts

    def run(builder, sexp)
      @tokens = builder.tokens
      @reduced = builder.reduced
      @by_start = {}
      @by_end = {}
      @tokens.each_with_index do |t, i|
        next if t[2] == t[3]

        @by_start[t[2]] ||= i
        @by_end[t[3]] = i
      end
      @sorted = nil
      body = body_node(sexp[1])
      root = { '@type' => 'file', '@pos' => { 'start' => 0, 'end' => @source.bytesize } }
      root['file'] = body
      root['comments'] = comments
      root
    end

    private

    # --- nodes and spans ---------------------------------------------------------------------

    def mk(type, start, finish, fields = nil)
      node = fields || {}
      node['@type'] = type
      node['@pos'] = { 'start' => start, 'end' => finish } if start && finish
      node
    end

    def s_of(node)
      node.is_a?(Hash) && node['@pos'] ? node['@pos']['start'] : nil
    end

    def e_of(node)
      node.is_a?(Hash) && node['@pos'] ? node['@pos']['end'] : nil
    end

    # The span covering all the given nodes (lists are flattened), or [nil, nil].
    def cover(*nodes)
      span = [nil, nil]
      nodes.each { |n| widen(span, n) }
      span
    end

    def widen(span, node)
      if node.is_a?(Array)
        node.each { |n| widen(span, n) }
        return
      end
      pos = node.is_a?(Hash) ? node['@pos'] : nil
      return unless pos

      ns = pos['start']
      ne = pos['end']
      span[0] = ns if span[0].nil? || ns < span[0]
      span[1] = ne if span[1].nil? || ne > span[1]
    end

    def off(pos)
      @line_starts[pos[0] - 1] + pos[1] + (pos[0] == 1 ? @shift : 0)
    end

    # The span of a scanner token from the sexp, [:@ident, "name", [line, col]].
    def tok_span(tok)
      s = off(tok[2])
      i = @by_start[s]
      e = i && @tokens[i][1].equal?(tok[1]) ? @tokens[i][3] : s + tok[1].bytesize
      [s, e]
    end

    # Scanner tokens in the sexp are [:@ident, "name", [line, col]].
    TOKEN_TYPES = Ripper::SCANNER_EVENTS.to_set { |event| :"@#{event}" }.freeze

    def token?(sexp)
      sexp.is_a?(Array) && TOKEN_TYPES.include?(sexp[0])
    end

    def sexp?(x)
      x.is_a?(Array) && x[0].is_a?(Symbol)
    end

    # --- tokens around nodes -----------------------------------------------------------------

    def ignored?(i, heredoc)
      t = @tokens[i]
      (t[4] != heredoc && t[4] != 0) || IGNORED.include?(t[0])
    end

    def match?(t, matchers)
      matchers.any? { |type, text| t[0] == type && (text.nil? || t[1] == text) }
    end

    # Tokens are in the order the lexer read them: source order, except that a heredoc's
    # body comes right after its opener. Lookups of offsets between tokens use a sorted view.
    def sorted_view
      return if @sorted

      @sorted = (0...@tokens.size).sort_by { |i| (@tokens[i][2] << 24) | i }
      @sorted_starts = @sorted.map { |i| @tokens[i][2] }
    end

    def index_ending_at(offset)
      @by_end[offset] || begin
        sorted_view
        k = @sorted_starts.bsearch_index { |s| s >= offset }
        k = k.nil? ? @sorted.size - 1 : k - 1
        k >= 0 ? @sorted[k] : nil
      end
    end

    def index_starting_at(offset)
      @by_start[offset] || begin
        sorted_view
        k = @sorted_starts.bsearch_index { |s| s >= offset }
        k.nil? ? @tokens.size : @sorted[k]
      end
    end

    # The first significant token after `offset` if it is one of `wanted`, passing over the
    # tokens in `skip`; its index, or nil.
    def find_after(offset, wanted, skip = [])
      return nil unless offset

      i = index_ending_at(offset)
      return nil unless i

      heredoc = @tokens[i][4]
      i += 1
      while i < @tokens.size
        unless ignored?(i, heredoc)
          t = @tokens[i]
          return i if match?(t, wanted)
          return nil unless match?(t, skip)
        end
        i += 1
      end
      nil
    end

    # The last significant token before `offset` if it is one of `wanted` (passing over `skip`).
    def find_before(offset, wanted, skip = [])
      return nil unless offset

      i = index_starting_at(offset)
      heredoc = i < @tokens.size ? @tokens[i][4] : 0
      i -= 1
      while i >= 0
        unless ignored?(i, heredoc)
          t = @tokens[i]
          return i if match?(t, wanted)
          return nil unless match?(t, skip)
        end
        i -= 1
      end
      nil
    end

    def tstart(i)
      i && @tokens[i][2]
    end

    def tend(i)
      i && @tokens[i][3]
    end

    # Where a construct with no token of its own in the sexp ends: among the last tokens the
    # lexer had read when the parser reduced it (one token of lookahead at most).
    def reduced_token(sexp, wanted, lookahead: 2)
      t = @reduced[sexp]
      return nil unless t

      i = t - 1
      seen = 0
      while i >= 0 && seen <= lookahead
        tok = @tokens[i]
        unless IGNORED.include?(tok[0])
          return i if match?(tok, wanted)

          seen += 1
        end
        i -= 1
      end
      nil
    end

    # The span of a bracketed construct (`(...)`, `[...]`, `{...}`) whose parts are `nodes`:
    # widened to its brackets when both are found (for an empty one, from where the parser
    # reduced it); `skip` may stand before the closer (a trailing comma).
    def bracketed(sexp, nodes, opener, closer, skip = [])
      s, e = cover(nodes)
      if s
        open = find_before(s, [[opener, nil]])
        close = find_after(e, [[closer, nil]], skip)
      else
        close = reduced_token(sexp, [[closer, nil]])
        open = close && find_before(tstart(close), [[opener, nil]])
      end
      open && close ? [tstart(open), tend(close)] : [s, e]
    end

    # The `end` of a keyword construct whose last positioned part ends at `offset`.
    def end_after(offset)
      tend(find_after(offset, END_KW, BEFORE_END))
    end

    # The keyword that opens a construct whose first positioned part starts at `offset`.
    def keyword_before(offset, keyword, skip = [])
      tstart(find_before(offset, [[:kw, keyword]], skip))
    end

    # --- statements ----------------------------------------------------------------------------

    def stmts(list)
      return [] if list.nil? || list == false
      return [convert(list)].compact if sexp?(list)

      list.filter_map { |s| s.is_a?(Array) && s[0] != :void_stmt ? convert(s) : nil }
    end

    # A body: nothing, one statement, or a `begin` (uast:Block) spanning several.
    def body_node(list)
      nodes = stmts(list)
      case nodes.size
      when 0 then nil
      when 1 then nodes[0]
      else
        s, e = cover(nodes)
        mk('begin', s, e, 'body' => nodes)
      end
    end

    # [:bodystmt, stmts, rescue, else, ensure] -> body, rescue or ensure.
    def bodystmt(sexp)
      return body_node(sexp) unless sexp.is_a?(Array) && sexp[0] == :bodystmt

      _, list, rescue_clause, else_list, ensure_clause = sexp
      body = body_node(list)
      if rescue_clause
        handlers = resbodies(rescue_clause)
        else_body = body_node(else_list)
        s, e = cover(body, handlers, else_body)
        body = mk('rescue', s, e, 'body' => body, 'handlers' => handlers, 'else' => else_body)
      elsif else_list
        # `else` without `rescue` (a warning in Ruby): its statements follow the body's.
        rest = stmts(else_list)
        all = [body, *rest].compact
        body = all.size > 1 ? mk('begin', *cover(all), 'body' => all) : all[0]
      end
      if ensure_clause
        ensure_body = body_node(ensure_clause[1])
        s, e = cover(body, ensure_body)
        body = mk('ensure', s, e, 'body' => body, 'ensure_body' => ensure_body)
      end
      body
    end

    def resbodies(clause)
      out = []
      while clause.is_a?(Array) && clause[0] == :rescue
        _, exceptions, var, list, clause_next = clause
        exc = exceptions ? exception_list(exceptions) : nil
        alias_node = var ? target_node(var) : nil
        body = body_node(list)
        s, e = cover(exc, alias_node, body)
        k = s ? keyword_before(s, 'rescue', [[:op, '=>']]) : nil
        s = k if k
        out << mk('resbody', s, e, 'exceptions' => exc, 'alias' => alias_node, 'body' => body)
        clause = clause_next
      end
      out
    end

    def exception_list(exceptions)
      items = sexp?(exceptions) && !%i[mrhs_new_from_args mrhs_add_star args_add_star].include?(exceptions[0]) ?
                [convert(exceptions)] : args(exceptions)
      s, e = cover(items)
      mk('array', s, e, 'contents' => items)
    end

    # --- conversion ------------------------------------------------------------------------------

    def convert(sexp)
      return nil unless sexp.is_a?(Array)

      head = sexp[0]
      return convert_token(sexp) if TOKEN_TYPES.include?(head)

      handler = HANDLERS[head]
      return send(handler, sexp) if handler
      return generic(sexp) if head.is_a?(Symbol)

      # A bare list of statements.
      body_node(sexp)
    end

    def generic(sexp)
      kids = sexp[1..].flat_map { |x| generic_children(x) }
      s, e = cover(kids)
      mk(sexp[0].to_s, s, e, 'children' => kids)
    end

    def generic_children(x)
      return [] unless x.is_a?(Array)
      return [convert(x)].compact if sexp?(x)

      x.flat_map { |y| generic_children(y) }
    end

    HANDLERS = {
      program: :c_program, var_ref: :c_var_ref, vcall: :c_vcall, fcall: :c_vcall,
      var_field: :c_var_ref, const_ref: :c_const_ref, const_path_ref: :c_const_path_ref,
      top_const_ref: :c_top_const_ref, command: :c_command, command_call: :c_command_call,
      call: :c_call, method_add_arg: :c_method_add_arg, method_add_block: :c_method_add_block,
      aref: :c_aref, super: :c_super, zsuper: :c_zsuper, yield: :c_yield, yield0: :c_yield0,
      binary: :c_binary, unary: :c_unary, assign: :c_assign, opassign: :c_opassign,
      massign: :c_massign, def: :c_def, defs: :c_defs, class: :c_class, module: :c_module,
      sclass: :c_sclass, if: :c_if, elsif: :c_elsif, unless: :c_unless, if_mod: :c_if_mod,
      unless_mod: :c_unless_mod, ifop: :c_ifop, while: :c_while, until: :c_while,
      while_mod: :c_while_mod, until_mod: :c_while_mod, case: :c_case, for: :c_for,
      return: :c_return, return0: :c_jump0, break: :c_return, next: :c_return, redo: :c_jump0,
      retry: :c_jump0, begin: :c_begin, rescue_mod: :c_rescue_mod, BEGIN: :c_prepost,
      END: :c_prepost, alias: :c_alias, var_alias: :c_alias, undef: :c_undef,
      defined: :c_defined, lambda: :c_lambda, paren: :c_paren, string_literal: :c_string_literal,
      xstring_literal: :c_xstring_literal, dyna_symbol: :c_dyna_symbol,
      symbol_literal: :c_symbol_literal, regexp_literal: :c_regexp_literal, array: :c_array,
      hash: :c_hash, bare_assoc_hash: :c_bare_assoc_hash, dot2: :c_range, dot3: :c_range,
      string_concat: :c_string_concat, bodystmt: :bodystmt, args_forward: :c_args_forward,
      mlhs: :c_mlhs, stmts_add: :generic, void_stmt: :c_void
    }.freeze

    def c_void(_sexp)
      nil
    end

    def c_program(sexp)
      body_node(sexp[1])
    end

    # --- leaves ---------------------------------------------------------------------------------

    def convert_token(tok)
      s, e = tok_span(tok)
      text = tok[1]
      case tok[0]
      when :@int then mk('int', s, e, '@token' => number(text) { |t| Integer(t) })
      when :@float then mk('float', s, e, '@token' => number(text) { |t| Float(t) })
      when :@rational then mk('rational', s, e, '@token' => rational_token(text))
      when :@imaginary then mk('complex', s, e, '@token' => complex_token(text))
      when :@CHAR then mk('str', s, e, '@token' => Strings.char_value(text))
      when :@ident then mk('lvar', s, e, '@token' => text)
      when :@ivar then mk('ivar', s, e, '@token' => text)
      when :@cvar then mk('cvar', s, e, '@token' => text)
      when :@gvar then mk('gvar', s, e, '@token' => text)
      when :@const then mk('const', s, e, '@token' => text, 'base' => nil)
      when :@backref
        text =~ /\A\$\d+\z/ ? mk('nth_ref', s, e, '@token' => text) : mk('back_ref', s, e, '@token' => text)
      when :@label then mk('sym', s, e - 1, '@token' => text.chomp(':'))
      when :@kw then keyword_leaf(text, s, e)
      when :@tstring_content then mk('str', s, e, '@token' => text)
      else mk(tok[0].to_s.delete_prefix('@'), s, e, '@token' => text)
      end
    end

    def keyword_leaf(text, s, e)
      case text
      when 'self', 'nil', 'true', 'false' then mk(text, s, e)
      when '__FILE__', '__LINE__', '__ENCODING__' then mk(text, s, e)
      else mk('kw', s, e, '@token' => text)
      end
    end

    # Integers beyond 64 bits travel as text (JSON readers stop at 64 bits).
    def number(text)
      value = yield(text.delete('_'))
      value.is_a?(Integer) && (value >= 2**63 || value < -2**63) ? text : value
    rescue ArgumentError, TypeError
      text
    end

    def rational_token(text)
      Rational(text.delete('_').chomp('r')).to_s
    rescue ArgumentError, ZeroDivisionError
      text
    end

    def complex_token(text)
      t = text.delete('_')
      (t.end_with?('ri') ? Complex(0, Rational(t.delete_suffix('ri'))) : Complex(t)).to_s
    rescue ArgumentError
      text
    end

    def c_var_ref(sexp)
      tok = sexp[1]
      return nil unless token?(tok)

      convert_token(tok)
    end

    def c_const_ref(sexp)
      convert_token(sexp[1])
    end

    def c_const_path_ref(sexp)
      base = convert(sexp[1])
      s, e = tok_span(sexp[2])
      mk('const', s_of(base) || s, e, '@token' => sexp[2][1], 'base' => base)
    end

    def c_top_const_ref(sexp)
      s, e = tok_span(sexp[1])
      i = find_before(s, [[:op, '::']])
      cbase = i ? mk('cbase', tstart(i), tend(i)) : mk('cbase', nil, nil)
      mk('const', tstart(i) || s, e, '@token' => sexp[1][1], 'base' => cbase)
    end

    def c_args_forward(sexp)
      i = reduced_token(sexp, [[:op, '...']])
      mk('forwarded_args', tstart(i), tend(i))
    end

    def c_jump0(sexp)
      word = { return0: 'return', redo: 'redo', retry: 'retry' }[sexp[0]]
      i = reduced_token(sexp, [[:kw, word]])
      mk(word, tstart(i), tend(i))
    end

    # --- calls -----------------------------------------------------------------------------------

    # Arguments of a call, an array, a `when`... as nodes.
    def args(x)
      return [] if x.nil? || x == false

      if sexp?(x)
        case x[0]
        when :args_add_block
          out = args(x[1])
          out << block_pass(x[2]) if x[2] && x[2] != false
          return out
        when :args_add_star, :mrhs_add_star
          return args(x[1]) + [splat(x[2])] + x[3..].flat_map { |y| args_item(y) }
        when :mrhs_new_from_args
          return args(x[1]) + args_item(x[2])
        when :arg_paren, :paren
          return args(x[1])
        when :args_forward
          return [c_args_forward(x)]
        else
          return args_item(x)
        end
      end
      x.flat_map { |y| args_item(y) }
    end

    def args_item(y)
      return [] unless y.is_a?(Array)
      return args(y) if sexp?(y) && %i[args_add_star args_add_block mrhs_new_from_args mrhs_add_star].include?(y[0])

      [convert(y)].compact
    end

    def splat(x, type = 'splat', op = '*')
      value = convert(x)
      s, e = cover(value)
      i = s ? find_before(s, [[:op, op]]) : nil
      mk(type, tstart(i) || s, e, 'value' => value)
    end

    def block_pass(x)
      value = x == :& || x.nil? ? nil : convert(x)
      s, e = cover(value)
      i = s ? find_before(s, [[:op, '&']]) : nil
      mk('block_pass', tstart(i) || s, e, 'value' => value)
    end

    # A call, sorted into Babelfish's kinds of `send`.
    def send_node(base, selector, values, s, e, safe: false)
      selector = selector.to_s
      fields = { '@token' => selector, 'base' => base, 'selector' => selector }
      fields['values'] = values if values && !values.empty?
      type =
        if STATEMENT_SENDS.include?(selector)
          REQUIRES.include?(selector) ? 'send_require' : 'send_statement'
        elsif OPERATORS.include?(selector)
          'send_operator'
        elsif selector.end_with?('=') && fields['values']
          'send_assign'
        elsif base.nil?
          'send_qualified'
        elsif selector == '[]'
          'send_array'
        elsif fields['values']
          'send_call'
        else
          'send_identifier'
        end
      fields['safe_navigation'] = true if safe
      declare_attributes(fields['values']) if base.nil? && ATTRIBUTE_DECLARATIONS.include?(selector)
      mk(type, s, e, fields)
    end

    ATTRIBUTE_DECLARATIONS = %w[attr attr_reader attr_writer attr_accessor].to_set.freeze

    # attr_reader :a, :b declares the attributes a and b: their symbols become `attribute`
    # nodes (the outline's properties).
    def declare_attributes(values)
      (values || []).each do |value|
        value['@type'] = 'attribute' if value.is_a?(Hash) && value['@type'] == 'sym'
      end
    end

    def selector_of(meth)
      return 'call' if meth == :call
      return meth.to_s if meth.is_a?(Symbol)

      meth[1]
    end

    def safe_op?(op)
      token?(op) && op[1] == '&.'
    end

    def c_vcall(sexp)
      s, e = tok_span(sexp[1])
      send_node(nil, sexp[1][1], nil, s, e)
    end

    def c_command(sexp)
      values = args(sexp[2])
      s, = tok_span(sexp[1])
      _, e = cover(values)
      send_node(nil, sexp[1][1], values, s, e || tok_span(sexp[1])[1])
    end

    def c_call(sexp)
      _, recv, op, meth = sexp
      base = convert(recv)
      if meth == :call
        e = token?(op) ? tok_span(op)[1] : e_of(base)
      else
        e = tok_span(meth)[1]
      end
      send_node(base, selector_of(meth), nil, s_of(base) || (token?(meth) ? tok_span(meth)[0] : nil), e,
                safe: safe_op?(op))
    end

    def c_command_call(sexp)
      _, recv, op, meth, arglist = sexp
      base = convert(recv)
      values = args(arglist)
      ms, me = token?(meth) ? tok_span(meth) : [nil, nil]
      _, e = cover(values)
      send_node(base, selector_of(meth), values, s_of(base) || ms, e || me || e_of(base), safe: safe_op?(op))
    end

    # foo(...) / a.b(...): the call with its arguments and parentheses.
    def c_method_add_arg(sexp)
      _, call, arglist = sexp
      node = convert(call)
      return node unless node.is_a?(Hash)

      values = args(arglist)
      if values.any?
        node = resend(node, values)
        _, ve = cover(values)
        node['@pos']['end'] = ve if node['@pos'] && ve && ve > node['@pos']['end']
      end
      if arglist.is_a?(Array) && arglist[0] == :arg_paren && node['@pos']
        last = cover(values)[1] || node['@pos']['end']
        i = values.empty? ? find_after(node['@pos']['end'], [[:rparen, nil]], [[:lparen, nil]]) :
              find_after(last, [[:rparen, nil]], [[:comma, nil]])
        node['@pos']['end'] = tend(i) if i
      end
      node
    end

    # Re-sort a call once its arguments are known.
    def resend(node, values)
      return node unless node['@type'].start_with?('send_')

      s, e = cover(node)
      send_node(node['base'], node['selector'], (node['values'] || []) + values, s, e,
                safe: node['safe_navigation'])
    end

    def c_aref(sexp)
      _, recv, arglist = sexp
      base = convert(recv)
      values = args(arglist)
      last = cover(values)[1] || e_of(base)
      i = values.empty? ? find_after(e_of(base), [[:rbracket, nil]], [[:lbracket, nil]]) :
            find_after(last, [[:rbracket, nil]], [[:comma, nil]])
      send_node(base, '[]', values, s_of(base), tend(i) || last)
    end

    def c_super(sexp)
      values = args(sexp[1])
      parens = sexp[1].is_a?(Array) && sexp[1][0] == :arg_paren
      mk('super', *keyword_call(sexp, 'super', values, parens), 'values' => values)
    end

    # The span of `super ...` / `yield ...`: from the keyword, to the `)` when the arguments
    # are in parentheses.
    def keyword_call(sexp, word, values, parens)
      s, e = cover(values)
      k = keyword_before(s, word, [[:lparen, nil]])
      if parens
        i = values.empty? ? reduced_token(sexp, [[:rparen, nil]]) : find_after(e, [[:rparen, nil]], [[:comma, nil]])
        e = tend(i) if i
        k ||= i && (j = find_before(tstart(i), [[:kw, word]], [[:lparen, nil]])) && tstart(j)
      end
      [k || s, e]
    end

    def c_zsuper(sexp)
      i = reduced_token(sexp, [[:kw, 'super']])
      mk('zsuper', tstart(i), tend(i))
    end

    def c_yield(sexp)
      arglist = sexp[1]
      values = args(arglist)
      parens = arglist.is_a?(Array) && arglist[0] == :paren
      fields = { 'target' => values[0] }
      fields['values'] = values[1..] if values.size > 1
      mk('yield', *keyword_call(sexp, 'yield', values, parens), fields)
    end

    def c_yield0(sexp)
      i = reduced_token(sexp, [[:kw, 'yield']])
      mk('yield', tstart(i), tend(i), 'target' => nil)
    end

    def c_binary(sexp)
      _, l, op, r = sexp
      left = convert(l)
      right = convert(r)
      s, e = cover(left, right)
      case op
      when :'=>' then mk('match_as', s, e, 'value' => left, 'as' => right)
      when :'&&', :and then mk('and', s, e, '@token' => 'and', 'left' => left, 'right' => right)
      when :'||', :or then mk('or', s, e, '@token' => 'or', 'left' => left, 'right' => right)
      else send_node(left, op, [right].compact, s, e)
      end
    end

    NEGATABLE = %w[int float rational complex].freeze

    def c_unary(sexp)
      _, op, x = sexp
      value = convert(x)
      vs, ve = cover(value)
      word = op == :not ? [:kw, 'not'] : [:op, op.to_s.delete_suffix('@')]
      i = vs ? find_before(vs, [word], [[:lparen, nil]]) : nil
      s = tstart(i) || vs
      if op == :-@ && value.is_a?(Hash) && NEGATABLE.include?(value['@type']) && i && tend(i) == vs
        return mk(value['@type'], s, ve, '@token' => negate(value['@token']))
      end

      # not(x): the parentheses belong to the expression.
      if op == :not && i && (lp = find_after(tend(i), [[:lparen, nil]])) && tstart(lp) < vs.to_i &&
         (rp = find_after(ve, [[:rparen, nil]]))
        ve = tend(rp)
      end
      selector = op == :not ? '!' : op.to_s
      selector = '!' if selector == '!@'
      send_node(value, selector, nil, s, ve)
    end

    def negate(token)
      return -token if token.is_a?(Numeric)
      return token.delete_prefix('-') if token.start_with?('-')

      "-#{token}"
    end

    # --- blocks -----------------------------------------------------------------------------------

    def c_method_add_block(sexp)
      _, call, blk = sexp
      data = convert(call)
      kind, var, body_sexp = blk
      params = block_params(var)
      body = kind == :do_block ? bodystmt(body_sexp) : body_node(body_sexp)
      closer = kind == :do_block ? END_KW : [[:rbrace, nil]]
      skip = kind == :do_block ? BEFORE_END : BEFORE_BRACE
      _, last = cover(data, params, body)
      i = find_after(last, closer, skip + [[:kw, 'do'], [:lbrace, nil]])
      mk('block', s_of(data), tend(i) || last,
         'blockdata' => data, 'args' => params.empty? ? nil : params, 'body' => body)
    end

    def block_params(var)
      return [] unless var.is_a?(Array) && var[0] == :block_var

      out = params(var[1])
      if var[2].is_a?(Array)
        var[2].each do |tok|
          next unless token?(tok)

          s, e = tok_span(tok)
          out << mk('shadowarg', s, e, '@token' => tok[1])
        end
      end
      out
    end

    def c_lambda(sexp)
      _, par, body_sexp = sexp
      params = params(par.is_a?(Array) && par[0] == :paren ? par[1] : par)
      do_body = body_sexp.is_a?(Array) && body_sexp[0] == :bodystmt
      body = do_body ? bodystmt(body_sexp) : body_node(body_sexp)
      s, last = cover(params, body)
      closer = do_body ? END_KW : [[:rbrace, nil]]
      i = if last
            find_after(last, closer, (do_body ? BEFORE_END : BEFORE_BRACE) + [[:kw, 'do'], [:tlambeg, nil]])
          else
            reduced_token(sexp, closer)
          end
      arrow = s ? find_before(s, [[:tlambda, nil]], [[:lparen, nil], [:tlambeg, nil], [:kw, 'do']]) : nil
      arrow ||= i && find_before(tstart(i), [[:tlambda, nil]], BEFORE_BRACE + [[:kw, 'do']])
      lam = mk('lambda', tstart(arrow), tend(arrow))
      mk('block', tstart(arrow) || s, tend(i) || last,
         'blockdata' => lam, 'args' => params.empty? ? nil : params, 'body' => body)
    end

    # --- parameters ---------------------------------------------------------------------------

    def params(sexp)
      return [] unless sexp.is_a?(Array) && sexp[0] == :params

      _, req, opt, rest, post, kw, kwrest, blk = sexp
      out = []
      out.concat(required_params(req))
      (opt || []).each do |name, default|
        s, e = tok_span(name)
        out << mk('optarg', s, e, '@token' => name[1], 'default' => convert(default))
      end
      if rest.is_a?(Array) && rest[0] == :rest_param
        out << named_param('restarg', rest[1])
      elsif rest.is_a?(Array) && rest[0] == :args_forward
        out << c_args_forward(rest)
      end
      out.concat(required_params(post))
      (kw || []).each do |label, default|
        s, e = tok_span(label)
        name = label[1].chomp(':')
        if default && default != false
          out << mk('kwoptarg', s, e - 1, '@token' => name, 'default' => convert(default))
        else
          out << mk('kwarg', s, e - 1, '@token' => name)
        end
      end
      if kwrest.is_a?(Array)
        case kwrest[0]
        when :kwrest_param then out << named_param('kwrestarg', kwrest[1])
        when :args_forward then out << c_args_forward(kwrest)
        when :nokw_param then out << mk('kwnilarg', nil, nil)
        end
      elsif kwrest == :nil
        out << mk('kwnilarg', nil, nil)
      end
      out << named_param('blockarg', blk[1]) if blk.is_a?(Array) && blk[0] == :blockarg
      out
    end

    def required_params(list)
      return [] unless list.is_a?(Array)

      list.filter_map do |item|
        if token?(item)
          s, e = tok_span(item)
          mk('arg', s, e, '@token' => item[1])
        elsif item.is_a?(Array) && item[0] == :mlhs
          param_mlhs(item)
        end
      end
    end

    def param_mlhs(item)
      kids = item[1..].filter_map do |x|
        if token?(x)
          s, e = tok_span(x)
          mk('arg', s, e, '@token' => x[1])
        elsif x.is_a?(Array) && x[0] == :mlhs
          param_mlhs(x)
        elsif x.is_a?(Array) && x[0] == :rest_param
          named_param('restarg', x[1])
        end
      end
      s, e = cover(kids)
      lp = s ? find_before(s, [[:lparen, nil]]) : nil
      rp = e ? find_after(e, [[:rparen, nil]], [[:comma, nil]]) : nil
      mk('mlhs', tstart(lp) || s, tend(rp) || e, 'children' => kids)
    end

    # *name, **name, &name: the span of the name, as Babelfish (none when anonymous).
    def named_param(type, tok)
      if token?(tok)
        s, e = tok_span(tok)
        mk(type, s, e, '@token' => tok[1])
      else
        mk(type, nil, nil, '@token' => nil)
      end
    end

    def args_node(list, par_sexp)
      s, e = cover(list, list.map { |a| a['default'] })
      if par_sexp.is_a?(Array) && par_sexp[0] == :paren
        if s
          lp = find_before(s, [[:lparen, nil]])
          rp = find_after(e, [[:rparen, nil]], [[:comma, nil]])
          s = tstart(lp) || s
          e = tend(rp) || e
        end
      end
      mk('args', s, e, 'children' => list)
    end

    # --- definitions ---------------------------------------------------------------------------

    def def_name(tok)
      token?(tok) ? tok[1] : tok.to_s
    end

    def c_def(sexp)
      _, name_tok, par, body_sexp = sexp
      ns, ne = tok_span(name_tok)
      list = params(par.is_a?(Array) && par[0] == :paren ? par[1] : par)
      endless = body_sexp.is_a?(Array) && body_sexp[0] == :bodystmt && sexp?(body_sexp[1])
      body = bodystmt(body_sexp)
      k = keyword_before(ns, 'def')
      args_n = args_node(list, par)
      _, last = cover(mk('x', ns, ne), args_n, body)
      e = endless ? last : end_after(last)
      mk('def', k || ns, e || last, '@token' => def_name(name_tok), 'args' => args_n, 'body' => body)
    end

    def c_defs(sexp)
      _, recv, _op, name_tok, par, body_sexp = sexp
      base = convert(recv)
      ns, ne = tok_span(name_tok)
      list = params(par.is_a?(Array) && par[0] == :paren ? par[1] : par)
      endless = body_sexp.is_a?(Array) && body_sexp[0] == :bodystmt && sexp?(body_sexp[1])
      body = bodystmt(body_sexp)
      bs = s_of(base) || ns
      k = keyword_before(bs, 'def', [[:lparen, nil]])
      args_n = args_node(list, par)
      _, last = cover(mk('x', ns, ne), args_n, body)
      e = endless ? last : end_after(last)
      mk('defs', k || bs, e || last, '@token' => def_name(name_tok), 'base' => base,
                                     'args' => list.empty? ? nil : list, 'body' => body)
    end

    # The name of a class or module and the scope it is written in (A::B -> "B", const A).
    def const_name(cpath)
      case cpath[0]
      when :const_ref then [cpath[1][1], nil, tok_span(cpath[1])]
      when :const_path_ref then [cpath[2][1], convert(cpath[1]), tok_span(cpath[2])]
      when :top_const_ref
        s, = tok_span(cpath[1])
        i = find_before(s, [[:op, '::']])
        [cpath[1][1], mk('cbase', tstart(i), tend(i)), tok_span(cpath[1])]
      else
        node = convert(cpath)
        [node.is_a?(Hash) ? node['@token'].to_s : '', nil, cover(node)]
      end
    end

    def c_class(sexp)
      _, cpath, superclass, body_sexp = sexp
      name, scope, (ns, ne) = const_name(cpath)
      parent = convert(superclass)
      body = bodystmt(body_sexp)
      first = scope && s_of(scope) || ns
      k = keyword_before(first, 'class')
      _, last = cover(mk('x', ns, ne), parent, body)
      e = end_after(last)
      fields = { '@token' => name }
      fields['scope'] = scope if scope
      fields['parent'] = parent
      fields['body'] = body
      mk('class', k || first, e || last, fields)
    end

    def c_module(sexp)
      _, cpath, body_sexp = sexp
      name, scope, (ns, ne) = const_name(cpath)
      body = bodystmt(body_sexp)
      first = scope && s_of(scope) || ns
      k = keyword_before(first, 'module')
      _, last = cover(mk('x', ns, ne), body)
      e = end_after(last)
      fields = { '@token' => name }
      fields['scope'] = scope if scope
      fields['begin'] = body
      mk('module', k || first, e || last, fields)
    end

    def c_sclass(sexp)
      _, target, body_sexp = sexp
      object = convert(target)
      body = bodystmt(body_sexp)
      k = keyword_before(s_of(object), 'class', [[:op, '<<']])
      _, last = cover(object, body)
      e = end_after(last)
      mk('sclass', k || s_of(object), e || last, 'object' => object, 'body' => body)
    end

    # --- assignments ---------------------------------------------------------------------------

    ASSIGN_TYPES = { :@ident => 'lvasgn', :@ivar => 'ivasgn', :@cvar => 'cvasgn', :@gvar => 'gvasgn',
                     :@const => 'casgn' }.freeze

    # What an assignment assigns to, as the parser gem's *asgn (without value) or send.
    def assign_target(target)
      case target[0]
      when :var_field
        tok = target[1]
        return mk('lvasgn', nil, nil, '@token' => nil, 'value' => nil) unless token?(tok)

        s, e = tok_span(tok)
        type = ASSIGN_TYPES[tok[0]] || 'lvasgn'
        type == 'casgn' ? mk(type, s, e, 'base' => nil, '@token' => tok[1], 'value' => nil) :
          mk(type, s, e, '@token' => tok[1], 'value' => nil)
      when :const_path_field
        base = convert(target[1])
        s, e = tok_span(target[2])
        mk('casgn', s_of(base) || s, e, 'base' => base, '@token' => target[2][1], 'value' => nil)
      when :top_const_field
        s, e = tok_span(target[1])
        i = find_before(s, [[:op, '::']])
        mk('casgn', tstart(i) || s, e, 'base' => mk('cbase', tstart(i), tend(i)), '@token' => target[1][1],
                                       'value' => nil)
      when :field
        _, recv, _op, name = target
        base = convert(recv)
        s, e = tok_span(name)
        mk('field', s_of(base) || s, e, 'base' => base, 'selector' => name[1], 'safe' => safe_op?(target[2]))
      when :aref_field
        base = convert(target[1])
        values = args(target[2])
        last = cover(values)[1] || e_of(base)
        i = values.empty? ? find_after(e_of(base), [[:rbracket, nil]], [[:lbracket, nil]]) :
              find_after(last, [[:rbracket, nil]], [[:comma, nil]])
        mk('index', s_of(base), tend(i) || last, 'base' => base, 'values' => values)
      when :mlhs
        c_mlhs(target)
      when :rest_param
        splat_target(target[1])
      else
        convert(target)
      end
    end

    # A target assigned without a value of its own (rescue => e, for x in, a, b = ...).
    def target_node(x)
      t = assign_target(x)
      t.is_a?(Hash) && %w[field index].include?(t['@type']) ? with_value(t, nil, *cover(t)) : t
    end

    # *a in a multiple assignment; a bare * is found after the item before it.
    def splat_target(x, previous = nil)
      value = x ? target_node(x) : nil
      s, e = cover(value)
      i = s ? find_before(s, [[:op, '*']]) : (previous && find_after(previous, [[:op, '*']], [[:comma, nil]]))
      mk('splat', tstart(i) || s, e || tend(i), 'value' => value)
    end

    # A target used in an assignment with a value: *asgn get the value, fields and indexes
    # become the parser gem's attribute-assignment calls (a.b = 1 -> send a :b= 1).
    def with_value(target, value, s, e)
      case target['@type']
      when 'field'
        send_node(target['base'], "#{target['selector']}=", [value].compact, s, e, safe: target['safe'])
      when 'index'
        send_node(target['base'], '[]=', target['values'] + [value].compact, s, e)
      else
        target['value'] = value
        target['@pos'] = { 'start' => s, 'end' => e } if s && e
        target
      end
    end

    # A target read before being written (a += 1, a.b ||= 2).
    def as_read(target)
      case target['@type']
      when 'field'
        send_node(target['base'], target['selector'], nil, *cover(target), safe: target['safe'])
      when 'index'
        send_node(target['base'], '[]', target['values'], *cover(target))
      else
        target
      end
    end

    # The right side of an assignment: `a = 1, *b` assigns an array.
    def rhs(sexp)
      return convert(sexp) unless sexp?(sexp) && %i[mrhs_new_from_args mrhs_add_star args_add_star].include?(sexp[0])

      list = args(sexp)
      mk('array', *cover(list), 'contents' => list)
    end

    def c_assign(sexp)
      _, t, v = sexp
      target = assign_target(t)
      value = rhs(v)
      s, e = cover(target, value)
      with_value(target, value, s, e)
    end

    def c_opassign(sexp)
      _, t, op, v = sexp
      target = as_read(assign_target(t))
      value = convert(v)
      s, e = cover(target, value)
      case op[1]
      when '||=' then mk('or_asgn', s, e, 'target' => target, 'value' => value)
      when '&&=' then mk('and_asgn', s, e, 'target' => target, 'value' => value)
      else mk('op_asgn', s, e, 'target' => target, 'operator' => op[1].chomp('='), 'value' => value)
      end
    end

    def mlhs_items(list)
      previous = nil
      list.filter_map do |x|
        next nil unless x.is_a?(Array)

        item =
          case x[0]
          when :mlhs then c_mlhs(x)
          when :rest_param then splat_target(x[1], previous)
          when :excessed_comma then nil
          else target_node(x)
          end
        previous = e_of(item) || previous
        item
      end
    end

    # (a, b) in a multiple assignment or a `for`.
    def c_mlhs(sexp)
      items = mlhs_items(sexp[1..])
      s, e = cover(items)
      lp = s ? find_before(s, [[:lparen, nil]]) : nil
      rp = e ? find_after(e, [[:rparen, nil]], [[:comma, nil]]) : nil
      if lp && rp
        s = tstart(lp)
        e = tend(rp)
      end
      mk('mlhs', s, e, 'children' => items)
    end

    def c_massign(sexp)
      _, lhs, value_sexp = sexp
      items = sexp?(lhs) && lhs[0] == :mlhs ? [c_mlhs(lhs)] : mlhs_items(lhs)
      targets = items.size == 1 && items[0]['@type'] == 'mlhs' ? items[0] : mk('mlhs', *cover(items), 'children' => items)
      values = rhs(value_sexp)
      s, e = cover(targets, values)
      mk('masgn', s, e, 'targets' => targets, 'values' => values)
    end

    # --- control flow --------------------------------------------------------------------------

    # A condition: there, a range is a flip-flop (the parser gem's iflipflop/eflipflop).
    def condition(sexp)
      node = convert(sexp)
      return node unless node.is_a?(Hash) && %w[irange erange].include?(node['@type'])

      node['@type'] = node['@type'] == 'irange' ? 'iflipflop' : 'eflipflop'
      node['flip_1'] = node.delete('_1')
      node['flip_2'] = node.delete('_2')
      node
    end

    def else_branch(sexp)
      return nil unless sexp.is_a?(Array)

      case sexp[0]
      when :elsif then c_elsif(sexp)
      when :else then body_node(sexp[1])
      else convert(sexp)
      end
    end

    def c_if(sexp, keyword = 'if')
      _, c, list, else_sexp = sexp
      cond = condition(c)
      body = body_node(list)
      other = else_branch(else_sexp)
      k = keyword_before(s_of(cond), keyword, [[:lparen, nil]])
      _, last = cover(cond, body, other)
      e = end_after(last)
      if keyword == 'unless'
        mk('if', k || s_of(cond), e || last, 'condition' => cond, 'body' => other, 'else' => body)
      else
        mk('if', k || s_of(cond), e || last, 'condition' => cond, 'body' => body, 'else' => other)
      end
    end

    def c_unless(sexp)
      c_if(sexp, 'unless')
    end

    def c_elsif(sexp)
      _, c, list, else_sexp = sexp
      cond = condition(c)
      body = body_node(list)
      other = else_branch(else_sexp)
      k = keyword_before(s_of(cond), 'elsif', [[:lparen, nil]])
      _, last = cover(cond, body, other)
      mk('if', k || s_of(cond), last, 'condition' => cond, 'body' => body, 'else' => other)
    end

    def c_if_mod(sexp)
      _, c, stmt = sexp
      cond = condition(c)
      body = convert(stmt)
      s, e = cover(cond, body)
      mk('if', s, e, 'condition' => cond, 'body' => body, 'else' => nil)
    end

    def c_unless_mod(sexp)
      _, c, stmt = sexp
      cond = condition(c)
      body = convert(stmt)
      s, e = cover(cond, body)
      mk('if', s, e, 'condition' => cond, 'body' => nil, 'else' => body)
    end

    def c_ifop(sexp)
      _, c, a, b = sexp
      cond = condition(c)
      yes = convert(a)
      no = convert(b)
      s, e = cover(cond, yes, no)
      mk('if', s, e, 'condition' => cond, 'body' => yes, 'else' => no)
    end

    def c_while(sexp)
      word = sexp[0].to_s
      _, c, list = sexp
      cond = condition(c)
      body = body_node(list)
      k = keyword_before(s_of(cond), word, [[:lparen, nil]])
      _, last = cover(cond, body)
      e = end_after(last)
      mk(word, k || s_of(cond), e || last, 'condition' => cond, 'body' => body)
    end

    def c_while_mod(sexp)
      word = sexp[0] == :while_mod ? 'while' : 'until'
      _, c, stmt = sexp
      cond = condition(c)
      body = convert(stmt)
      post = stmt.is_a?(Array) && stmt[0] == :begin
      s, e = cover(cond, body)
      mk(post ? "#{word}_post" : word, s, e, 'condition' => cond, 'body' => body)
    end

    def c_case(sexp)
      _, subject, clause = sexp
      casevar = convert(subject)
      whens = []
      else_body = nil
      pattern = clause.is_a?(Array) && clause[0] == :in
      while clause.is_a?(Array)
        case clause[0]
        when :when, :in
          _, conds, list, clause_next = clause
          conditions = clause[0] == :when ? args(conds) : [convert(conds)].compact
          body = body_node(list)
          s, e = cover(conditions, body)
          word = clause[0].to_s
          k = keyword_before(s, word, [[:lparen, nil], [:op, '*'], [:lbracket, nil], [:lbrace, nil]])
          whens << mk(clause[0] == :when ? 'when' : 'in_pattern', k || s, e,
                      'conditions' => conditions, 'body' => body)
          clause = clause_next
        when :else
          else_body = body_node(clause[1])
          clause = nil
        else
          clause = nil
        end
      end
      first = casevar || whens[0]
      k = keyword_before(s_of(first), 'case', [[:lparen, nil]])
      _, last = cover(casevar, whens, else_body)
      e = end_after(last)
      mk(pattern ? 'case_match' : 'case', k || s_of(first), e || last,
         'casevar' => casevar, 'when_clauses' => whens, 'else' => else_body)
    end

    def c_for(sexp)
      _, var, iter, list = sexp
      iterators = var.is_a?(Array) && (var[0] == :mlhs || !sexp?(var)) ? c_mlhs([:mlhs, *(sexp?(var) ? var[1..] : var)]) :
                    target_node(var)
      iterated = convert(iter)
      body = body_node(list)
      k = keyword_before(s_of(iterators), 'for')
      _, last = cover(iterators, iterated, body)
      e = end_after(last)
      mk('for', k || s_of(iterators), e || last, 'iterators' => iterators, 'iterated' => iterated, 'body' => body)
    end

    # return/break/next with values: `target` the first (Babelfish kept that one only), `values`
    # the others.
    def c_return(sexp)
      word = sexp[0].to_s
      values = args(sexp[1])
      s, e = cover(values)
      k = s ? keyword_before(s, word, [[:lparen, nil]]) : nil
      if sexp[1].is_a?(Array) && sexp[1][0] == :paren && e
        i = find_after(e, [[:rparen, nil]], [[:comma, nil]])
        e = tend(i) if i
      end
      unless k
        i = reduced_token(sexp, [[:kw, word]])
        if values.empty? && i
          s = tstart(i)
          e = tend(i)
        end
      end
      fields = { 'target' => values[0] }
      fields['values'] = values[1..] if values.size > 1
      mk(word, k || s, e, fields)
    end

    def c_begin(sexp)
      body = bodystmt(sexp[1])
      s, e = cover(body)
      if s
        k = keyword_before(s, 'begin')
        close = end_after(e)
      else
        close_i = reduced_token(sexp, END_KW)
        close = tend(close_i)
        k = close_i ? tstart(find_before(tstart(close_i), [[:kw, 'begin']], BEFORE_END)) : nil
      end
      mk('kwbegin', k || s, close || e, 'body' => body)
    end

    def c_rescue_mod(sexp)
      _, x, r = sexp
      body = convert(x)
      handler = convert(r)
      hs, he = cover(handler)
      k = hs ? keyword_before(hs, 'rescue') : nil
      resbody = mk('resbody', k || hs, he, 'exceptions' => nil, 'alias' => nil, 'body' => handler)
      s, e = cover(body, resbody)
      mk('rescue', s, e, 'body' => body, 'handlers' => [resbody], 'else' => nil)
    end

    def c_prepost(sexp)
      word = sexp[0].to_s
      body = body_node(sexp[1])
      i = reduced_token(sexp, [[:rbrace, nil]])
      k = find_before(tstart(i) || s_of(body), [[:kw, word]], [[:lbrace, nil]] + BEFORE_BRACE)
      k ||= s_of(body) && find_before(s_of(body), [[:kw, word]], [[:lbrace, nil]])
      s, e = cover(body)
      mk(word == 'BEGIN' ? 'preexe' : 'postexe', tstart(k) || s, tend(i) || e, 'body' => body)
    end

    def alias_part(x)
      return convert(x) unless token?(x)

      s, e = tok_span(x)
      x[0] == :@gvar ? mk('gvar', s, e, '@token' => x[1]) : mk('sym', s, e, '@token' => x[1])
    end

    def c_alias(sexp)
      a = alias_part(sexp[1])
      b = alias_part(sexp[2])
      s, e = cover(a, b)
      k = keyword_before(s, 'alias')
      mk('alias', k || s, e, '_1' => a, '_2' => b)
    end

    def c_undef(sexp)
      names = (sexp[1] || []).map { |x| alias_part(x) }
      s, e = cover(names)
      k = keyword_before(s, 'undef')
      fields = { 'target' => names[0] }
      fields['values'] = names[1..] if names.size > 1
      mk('undef', k || s, e, fields)
    end

    def c_defined(sexp)
      value = convert(sexp[1])
      s, e = cover(value)
      k = find_before(s, [[:kw, 'defined?']], [[:lparen, nil]])
      if k && find_after(tend(k), [[:lparen, nil]])
        i = find_after(e, [[:rparen, nil]])
        e = tend(i) if i
      end
      mk('defined?', tstart(k) || s, e, 'value' => value)
    end

    def c_paren(sexp)
      inner = sexp[1]
      return convert(inner) if inner.is_a?(Array) && inner[0] == :params

      nodes = stmts(inner)
      mk('begin', *bracketed(sexp, nodes, :lparen, :rparen), 'body' => nodes)
    end

    # --- literals ------------------------------------------------------------------------------

    def c_range(sexp)
      a = convert(sexp[1])
      b = convert(sexp[2])
      s, e = cover(a, b)
      op = sexp[0] == :dot2 ? '..' : '...'
      if a.nil? && s
        i = find_before(s, [[:op, op]])
        s = tstart(i) || s
      elsif b.nil? && e
        i = find_after(e, [[:op, op]])
        e = tend(i) || e
      end
      mk(sexp[0] == :dot2 ? 'irange' : 'erange', s, e, '_1' => a, '_2' => b)
    end

    def c_array(sexp)
      list = sexp[1]
      return words_array(sexp) if words?(list)

      items = args(list)
      mk('array', *bracketed(sexp, items, :lbracket, :rbracket, [[:comma, nil]]), 'contents' => items)
    end

    def words?(list)
      list.is_a?(Array) && !sexp?(list) &&
        list.all? { |w| token?(w) && w[0] == :@tstring_content || (w.is_a?(Array) && !sexp?(w)) }
    end

    # %w() %W() %i() %I()
    def words_array(sexp)
      list = sexp[1]
      return empty_words(sexp) if list.empty?

      first = list[0]
      first_tok = token?(first) ? first : first.find { |p| token?(p) }
      fs = first_tok ? tok_span(first_tok)[0] : nil
      opener = fs ? find_before(fs, [[:qwords_beg, nil], [:words_beg, nil], [:qsymbols_beg, nil], [:symbols_beg, nil]]) : nil
      symbols = opener && %i[qsymbols_beg symbols_beg].include?(@tokens[opener][0])
      raw = opener && %i[qwords_beg qsymbols_beg].include?(@tokens[opener][0])
      items = list.map do |w|
        parts = token?(w) ? [w] : w
        word_node(parts, symbols, raw)
      end
      s, e = cover(items)
      close = e ? find_after(e, [[:tstring_end, nil]]) : nil
      mk('array', tstart(opener) || s, tend(close) || e, 'contents' => items)
    end

    # %w() and the like, empty: `[]` too ([:array, []]), told apart by their opener.
    def empty_words(sexp)
      close = reduced_token(sexp, [[:tstring_end, nil], [:rbracket, nil]])
      open = close && find_before(tstart(close), [[:qwords_beg, nil], [:words_beg, nil], [:qsymbols_beg, nil],
                                                  [:symbols_beg, nil], [:lbracket, nil]])
      return mk('array', nil, nil, 'contents' => []) unless open

      mk('array', tstart(open), tend(close), 'contents' => [])
    end

    def word_node(parts, symbols, raw)
      nodes = parts.filter_map { |p| string_part(p, raw ? :single : :double) }.flatten
      s, e = cover(nodes)
      if nodes.all? { |n| n['@type'] == 'str' }
        value = nodes.map { |n| n['@token'] }.join
        mk(symbols ? 'sym' : 'str', s, e, '@token' => value)
      else
        mk(symbols ? 'dsym' : 'dstr', s, e, 'children' => nodes)
      end
    end

    def c_hash(sexp)
      list = sexp[1]
      items = list.is_a?(Array) && list[0] == :assoclist_from_args ? assocs(list[1]) : assocs(list)
      mk('hash', *bracketed(sexp, items, :lbrace, :rbrace, [[:comma, nil]]), 'contents' => items)
    end

    def c_bare_assoc_hash(sexp)
      items = assocs(sexp[1])
      mk('hash', *cover(items), 'contents' => items)
    end

    def assocs(list)
      return [] unless list.is_a?(Array)

      list.filter_map do |a|
        next nil unless a.is_a?(Array)

        case a[0]
        when :assoc_new
          key = convert(a[1])
          value = convert(a[2])
          s, e = cover(key, value)
          s = s_of(key) || s
          e = [e, token?(a[1]) ? tok_span(a[1])[1] : nil].compact.max
          mk('pair', s, e, '_1' => key, '_2' => value)
        when :assoc_splat
          splat(a[1], 'kwsplat', '**')
        else
          convert(a)
        end
      end
    end

    # --- strings -------------------------------------------------------------------------------

    # The token that opens a string-like literal: the last one read when its content started.
    def opener_of(content_sexp, s_hint)
      i = content_sexp && reduced_token(content_sexp, OPENERS, lookahead: 2)
      i ||= s_hint && find_before(s_hint, OPENERS)
      i
    end

    OPENERS = [[:tstring_beg, nil], [:heredoc_beg, nil], [:backtick, nil], [:symbeg, nil],
               [:regexp_beg, nil]].freeze
    CLOSERS = [[:tstring_end, nil], [:label_end, nil], [:regexp_end, nil]].freeze

    # How a literal's escapes are read, from its opener.
    def quoting(opener_text)
      return :double unless opener_text

      if opener_text.start_with?('<<')
        opener_text.include?("'") ? :raw : :double
      elsif opener_text.start_with?("'") || opener_text =~ /\A%[qws]/ || opener_text == ":'"
        :single
      else
        :double
      end
    end

    # A piece of a string's content: str nodes (one per source line, as the parser gem),
    # an interpolation (`begin`), or an interpolated variable.
    def string_part(part, quote)
      return nil unless part.is_a?(Array)

      case part[0]
      when :@tstring_content
        s, = tok_span(part)
        text = part[1]
        pieces = []
        offset = s
        text.each_line do |line|
          value = case quote
                  when :raw then line
                  when :single then Strings.unescape_single(line)
                  else Strings.unescape_double(line)
                  end
          pieces << mk('str', offset, offset + line.bytesize, '@token' => value)
          offset += line.bytesize
        end
        pieces
      when :string_embexpr
        nodes = stmts(part[1])
        s, e = cover(nodes)
        open_i = s ? find_before(s, [[:embexpr_beg, nil]]) : reduced_token(part, [[:embexpr_beg, nil]], lookahead: 3)
        close_i = e ? find_after(e, [[:embexpr_end, nil]]) : (open_i && find_after(tend(open_i), [[:embexpr_end, nil]]))
        mk('begin', tstart(open_i) || s, tend(close_i) || e, 'body' => nodes)
      when :string_dvar
        convert(part[1])
      else
        convert(part)
      end
    end

    # The offset of the first token in a sexp, if any.
    def first_offset(sexp)
      return nil unless sexp.is_a?(Array)
      return tok_span(sexp)[0] if token?(sexp)

      sexp.each do |x|
        found = first_offset(x)
        return found if found
      end
      nil
    end

    def content_parts(content)
      return [] unless content.is_a?(Array)

      list = content[0] == :string_content ? content[1..] : (sexp?(content) ? [content] : content)
      list
    end

    # A string literal as the parser gem has it: `str` when it is one piece of text, else
    # `dstr` with its pieces; a heredoc spans its opener only (its body is elsewhere).
    def string_node(content, sexp, single_type, multi_type)
      open_i = opener_of(content, first_offset(content))
      opener = open_i ? @tokens[open_i] : nil
      quote = quoting(opener && opener[1])
      parts = content_parts(content).filter_map { |p| string_part(p, quote) }.flatten
      heredoc = opener && opener[0] == :heredoc_beg
      if heredoc
        s = opener[2]
        e = opener[3]
      else
        close_i = reduced_token(sexp, CLOSERS)
        s = opener ? opener[2] : cover(parts)[0]
        e = close_i ? @tokens[close_i][3] : cover(parts)[1]
        e -= 1 if close_i && @tokens[close_i][0] == :label_end
      end
      if parts.size <= 1 && parts.all? { |p| p['@type'] == 'str' } && single_type
        mk(single_type, s, e, '@token' => parts[0] ? parts[0]['@token'] : '')
      else
        mk(multi_type, s, e, 'children' => parts)
      end
    end

    def c_string_literal(sexp)
      string_node(sexp[1], sexp, 'str', 'dstr')
    end

    def c_xstring_literal(sexp)
      string_node(sexp[1], sexp, nil, 'xstr')
    end

    def c_dyna_symbol(sexp)
      string_node(sexp[1], sexp, 'sym', 'dsym')
    end

    def c_string_concat(sexp)
      a = convert(sexp[1])
      b = convert(sexp[2])
      kids = [a, b].compact.flat_map { |n| n['@type'] == 'dstr' ? n['children'] : [n] }
      s, e = cover(a, b)
      mk('dstr', s, e, 'children' => kids)
    end

    def c_symbol_literal(sexp)
      inner = sexp[1]
      tok = inner.is_a?(Array) && inner[0] == :symbol ? inner[1] : inner
      return convert(inner) unless token?(tok)

      s, e = tok_span(tok)
      i = find_before(s, [[:symbeg, ':']])
      mk('sym', tstart(i) || s, e, '@token' => tok[1])
    end

    def c_regexp_literal(sexp)
      _, parts_sexp, end_tok = sexp
      parts = (parts_sexp || []).filter_map { |p| string_part(p, :raw) }.flatten
      es, ee = tok_span(end_tok)
      flags = end_tok[1][1..] || ''
      opts = flags.chars.map { |c| { '@type' => 'Symbol', '@token' => c } }
      regopt = flags.empty? ? mk('regopt', nil, nil, 'options' => []) : mk('regopt', es + 1, ee, 'options' => opts)
      open_i = opener_of(parts_sexp, nil) || (parts.empty? ? find_before(es, [[:regexp_beg, nil]]) : nil)
      open_i ||= find_before(cover(parts)[0], [[:regexp_beg, nil]]) if cover(parts)[0]
      text =
        if parts.size == 1 || parts.empty?
          parts[0] || mk('str', es, es, '@token' => '')
        else
          parts
        end
      text = merge_lines(text) if text.is_a?(Array) && text.all? { |p| p['@type'] == 'str' }
      mk('regexp', tstart(open_i) || cover(parts)[0] || es, ee, 'text' => text, 'options' => regopt)
    end

    # A regexp's source written over several lines is one piece of text.
    def merge_lines(parts)
      mk('str', *cover(parts), '@token' => parts.map { |p| p['@token'] }.join)
    end

    # --- comments ------------------------------------------------------------------------------

    def comments
      out = []
      block = nil
      @tokens.each do |t|
        case t[0]
        when :comment
          text = t[1].chomp
          out << { '@type' => 'comment', '@token' => text,
                   '@pos' => { 'start' => t[2], 'end' => t[2] + text.bytesize } }
        when :embdoc_beg
          block = [t[2], +t[1]]
        when :embdoc
          block[1] << t[1] if block
        when :embdoc_end
          if block
            text = (block[1] + t[1]).chomp
            out << { '@type' => 'comment', '@token' => text, 'block' => true,
                     '@pos' => { 'start' => block[0], 'end' => block[0] + text.bytesize } }
          end
          block = nil
        end
      end
      out
    end
  end
end
