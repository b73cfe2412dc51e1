defmodule Shop.Cart do
  @moduledoc """
  A shopping cart: items and their quantities.
  """

  alias Shop.{Item, Price}
  import Enum, only: [map: 2, sum: 1]
  require Logger
  use GenServer

  @max_items 50

  defstruct items: [], owner: nil

  # Public API

  @doc "Adds an item to the cart."
  def add(%__MODULE__{items: items} = cart, %Item{} = item, qty \\ 1) do
    if length(items) >= @max_items do
      {:error, :full}
    else
      {:ok, %{cart | items: [{item, qty} | items]}}
    end
  end

  def total(cart) do
    cart.items
    |> map(fn {item, qty} -> Price.of(item) * qty end)
    |> sum()
  end

  def empty?(%__MODULE__{items: []}), do: true
  def empty?(_cart), do: false

  defp log_change(cart, change) do
    Logger.info("cart #{cart.owner}: #{inspect(change)}")
    :ok
  end

  defmacro with_cart(cart, do: block) do
    quote do
      unquote(cart) |> then(fn _ -> unquote(block) end)
    end
  end
end

defprotocol Shop.Describable do
  def describe(value)
end

defimpl Shop.Describable, for: Shop.Cart do
  def describe(cart), do: "cart with #{length(cart.items)} items"
end
