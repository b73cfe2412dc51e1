# Shapes and their measurements.
module Geometry

using LinearAlgebra
import Base: show, +

export Point, Circle, area, scale

const ORIGIN_LABEL = "origin"
tolerance = 1e-9

"""
    AbstractShape

Anything with an area.
"""
abstract type AbstractShape end

struct Point
    x::Float64
    y::Float64
end

mutable struct Circle <: AbstractShape
    center::Point
    radius::Float64
end

@enum Unit meters feet inches

Base.:+(a::Point, b::Point) = Point(a.x + b.x, a.y + b.y)

area(c::Circle) = pi * c.radius^2

function scale(c::Circle, factor::Real = 2; inplace::Bool = false)
    if inplace
        c.radius *= factor
        return c
    end
    return Circle(c.center, c.radius * factor)
end

function show(io::IO, p::Point)
    print(io, "Point($(p.x), $(p.y))")
end

distances(points) = map(p -> norm([p.x, p.y]), points)

macro twice(expr)
    return :($(esc(expr)); $(esc(expr)))
end

end # module
