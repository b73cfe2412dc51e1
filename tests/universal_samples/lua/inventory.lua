-- Inventory helpers for the game.
local json = require("json")
local utils = require "lib.utils"

local MAX_STACK = 64
DEBUG = false

--[[ A stack of items
     in one slot. ]]
local Stack = {}
Stack.__index = Stack

function Stack.new(name, count)
  local self = setmetatable({}, Stack)
  self.name = name
  self.count = count or 1
  return self
end

function Stack:add(n)
  self.count = math.min(self.count + n, MAX_STACK)
  return self.count
end

function Stack:is_full()
  return self.count >= MAX_STACK
end

local Inventory = {
  slots = {},
  size = 9,
}

function Inventory.put(stack)
  table.insert(Inventory.slots, stack)
end

local function describe(stack)
  return string.format("%s x%d", stack.name, stack.count)
end

function save(path)
  local names = {}
  for i, stack in ipairs(Inventory.slots) do
    names[i] = describe(stack)
  end
  local sorted = utils.sort(names, function(a, b) return a < b end)
  return json.encode({ path = path, items = sorted })
end

return { Stack = Stack, Inventory = Inventory, save = save }
