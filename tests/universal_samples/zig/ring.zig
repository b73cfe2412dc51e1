//! A fixed-size ring buffer.
const std = @import("std");
const mem = std.mem;

/// How many items a buffer holds by default.
pub const default_capacity: usize = 16;
var created: u32 = 0;

pub const Color = enum {
    red,
    green,
    blue,

    pub fn isWarm(self: Color) bool {
        return self == .red;
    }
};

pub const Value = union(enum) {
    int: i64,
    text: []const u8,
};

pub fn RingBuffer(comptime T: type) type {
    return struct {
        const Self = @This();

        items: [default_capacity]T = undefined,
        head: usize = 0,
        len: usize = 0,

        pub fn init() Self {
            created += 1;
            return .{};
        }

        pub fn push(self: *Self, item: T) !void {
            if (self.len == default_capacity) return error.Full;
            self.items[(self.head + self.len) % default_capacity] = item;
            self.len += 1;
        }
    };
}

fn sum(values: []const i64) i64 {
    var total: i64 = 0;
    for (values) |v| total += v;
    return total;
}

test "push fills the buffer" {
    var buffer = RingBuffer(u8).init();
    try buffer.push(42);
    try std.testing.expect(buffer.len == 1);
}
