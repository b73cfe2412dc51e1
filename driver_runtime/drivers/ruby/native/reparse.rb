# frozen_string_literal: true

require_relative 'converter'

module RubyDriver
  # Whether a node opens a scope of its own and reads the same wherever it is: a def, `def
  # self.x`, a class or module named by constants, `class << self`.  What else a statement holds
  # may read differently when the code around it changes (a name is a local variable only after
  # an assignment to it).  Kept (parse.rb) keeps only such items; Reparse parses only such an
  # item again.
  module Scope
    module_function

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

  # A kept document's next version, read from its last version and the one part an edit
  # changed, when that part can be read alone exactly as in the whole text:
  #
  # * a comment the edit stays inside (one line of `#` text, still one line, not a magic
  #   comment): its text is taken as the comment;
  # * else the innermost scope (Scope.scope?) holding the edit, whose new text parses alone as
  #   one node of the same type spanning all of it.  A scope sees no local variable from outside,
  #   and a text that parses alone as one complete scope ends in the lexer's state after `end`,
  #   so the text after it reads as before (an unclosed string, heredoc or block makes it fail
  #   alone).  A heredoc opened on the scope's first line, before it, has its body inside the
  #   scope's lines: such a scope is not parsed alone.
  #
  # Everything else in the tree is the last version's, its offsets after the part moved by what
  # the edit added or removed.  Otherwise (or for a text with a byte order mark) the whole text
  # is parsed.
  class Reparse
    MAGIC = /coding|frozen.string.literal|shareable.constant.value|warn.indent|warn.past.scope/i.freeze
    BOM = "\xEF\xBB\xBF".b.freeze

    # `data`: the version's text (binary); `tree`: its whole native tree, not stubbed.  The tree
    # becomes the next version's, changed in place.
    def initialize(data, tree)
      @data = data
      @tree = tree
    end

    # [tree, what was parsed alone ("comment", "def", "class"...)] for `data`, the next version
    # of the text (binary, valid UTF-8); nil when it must be parsed whole.
    def next_version(data)
      return nil if @data.start_with?(BOM) || data.start_with?(BOM)

      start = Reparse.common_prefix(@data, data)
      return [@tree, 'nothing'] if start == @data.bytesize && start == data.bytesize

      tail = Reparse.common_suffix(@data, data, start)
      old_end = @data.bytesize - tail
      delta = data.bytesize - @data.bytesize
      comment(data, start, old_end, delta) || scope(data, start, old_end, delta)
    end

    # The length of the longest common prefix of two binary strings.
    def self.common_prefix(old, new)
      longest([old.bytesize, new.bytesize].min) do |low, mid|
        old.byteslice(low, mid - low) == new.byteslice(low, mid - low)
      end
    end

    # The length of the longest common suffix that leaves `prefix` bytes of both alone.
    def self.common_suffix(old, new, prefix)
      longest([old.bytesize, new.bytesize].min - prefix) do |low, mid|
        old.byteslice(old.bytesize - mid, mid - low) == new.byteslice(new.bytesize - mid, mid - low)
      end
    end

    # The largest length up to `limit` that the block accepts, the block saying whether the
    # lengths from `low` (accepted) to `mid` are: halves compared as strings (memcmp), not a
    # loop over bytes in Ruby.
    def self.longest(limit)
      low = 0
      high = limit
      while low < high
        mid = (low + high + 1) / 2
        if yield(low, mid)
          low = mid
        else
          high = mid - 1
        end
      end
      low
    end

    private

    def comment(data, start, old_end, delta)
      comments = @tree['comments']
      # In the lexer's order, which is not always the text's (a comment inside a heredoc's body).
      index = comments.index { |c| c['@pos']['start'] <= start && old_end <= c['@pos']['end'] }
      return nil unless index

      node = comments[index]
      pos = node['@pos']
      return nil if node['block']

      text = data.byteslice(pos['start'], pos['end'] + delta - pos['start']).force_encoding(Encoding::UTF_8)
      return nil unless text.start_with?('#') && !text.match?(/[\r\n]/) && text.valid_encoding?
      return nil if MAGIC.match?(text) || MAGIC.match?(node['@token'])

      new_tree = move(pos['end'], delta, node)
      comments[index] = { '@type' => 'comment', '@token' => text,
                          '@pos' => { 'start' => pos['start'], 'end' => pos['end'] + delta } }
      @data = data
      [new_tree, 'comment']
    end

    def scope(data, start, old_end, delta)
      found = innermost_scope(@tree, start, old_end)
      return nil unless found

      holder, key, node = found
      s = node['@pos']['start']
      e = node['@pos']['end']
      line = s.zero? ? 0 : (@data.rindex("\n", s - 1)&.+(1) || 0)
      return nil if @data.byteslice(line, s - line).include?('<<')

      piece = data.byteslice(s, e + delta - s).force_encoding(Encoding::UTF_8)
      replacement, comments = parse_alone(piece, s)
      return nil unless replacement && replacement['@type'] == node['@type'] &&
                        replacement['@pos'] == { 'start' => s, 'end' => e + delta }

      # The comments inside the scope are the new text's; those after it move with the rest.
      outside = @tree['comments'].reject { |c| c['@pos']['start'] >= s && c['@pos']['start'] < e }
      at = outside.index { |c| c['@pos']['start'] >= s } || outside.size
      @tree['comments'] = outside
      new_tree = move(e, delta, node)
      holder[key] = replacement
      outside.insert(at, *comments)
      @data = data
      [new_tree, node['@type']]
    end

    # The innermost scope whose span holds [start, finish], with what holds it (a node or a
    # list) and its key there: [holder, key, node]; nil if there is none, or if a node around it
    # does not span all of it (a span left short: docs in converter.rb).
    def innermost_scope(tree, start, finish)
      path = []
      found = nil
      step = child_holding(tree, start, finish)
      while step
        found = path.size if Scope.scope?(step[2])
        path << step
        step = child_holding(step[2], start, finish)
      end
      return nil unless found

      pos = path[found][2]['@pos']
      spans = path[0, found].map { |_, _, node| node['@pos'] }.compact
      spans.all? { |p| p['start'] <= pos['start'] && pos['end'] <= p['end'] } ? path[found] : nil
    end

    # The child (of a node or list) whose span holds [start, finish]: [holder, key, child].
    def child_holding(node, start, finish)
      children = node.is_a?(Hash) ? node.each_pair : node.each_with_index.map { |child, i| [i, child] }
      children.each do |key, child|
        next if key == '@pos' || !(child.is_a?(Hash) || child.is_a?(Array))

        if child.is_a?(Array)
          inner = child_holding(child, start, finish)
          return inner if inner

          next
        end
        pos = child['@pos']
        next unless pos && pos['start'] <= start && finish <= pos['end']

        return [node, key, child]
      end
      nil
    end

    # The scope's text parsed alone, at its offset in the whole text: [node, comments] (nil if
    # it does not parse, or is not one statement).
    def parse_alone(piece, offset)
      return nil unless piece.valid_encoding?

      converter = Converter.new(piece, 0, offset)
      builder = Builder.new(piece, converter.line_starts, 0)
      sexp = builder.parse
      return nil if builder.error? || sexp.nil? || !builder.errors.empty?

      root = converter.run(builder, sexp)
      node = root['file']
      node.is_a?(Hash) && node['@pos'] ? [node, root['comments']] : nil
    rescue SystemStackError
      nil
    end

    # The tree with every offset at or after `from` moved by `delta`, except inside `skip` (the
    # part that is replaced): the last version's tree, changed in place.
    def move(from, delta, skip)
      return @tree if delta.zero?

      seen = {}.compare_by_identity
      shift = lambda do |value|
        if value.is_a?(Array)
          value.each { |item| shift.call(item) if item.is_a?(Hash) || item.is_a?(Array) }
          next
        end
        next if value.equal?(skip)

        pos = value['@pos']
        if pos && !seen.key?(pos)
          seen[pos] = true
          # A scope's children lie inside it: one that ends before the edit is left as it is.
          next if pos['end'] < from && Scope.scope?(value)

          pos['start'] += delta if pos['start'] >= from
          pos['end'] += delta if pos['end'] >= from
        end
        value.each_value { |child| shift.call(child) if child.is_a?(Hash) || child.is_a?(Array) }
      end
      shift.call(@tree)
      @tree
    end
  end
end
