//! Shapes on a plane, and the areas they cover.
use std::collections::HashMap;
use std::fmt;

/// A point on the plane.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

pub enum Shape {
    Circle { center: Point, radius: f64 },
    Square(Point, f64),
    Empty,
}

pub trait Area {
    fn area(&self) -> f64;
    fn describe(&self) -> String {
        format!("area {:.2}", self.area())
    }
}

impl Area for Shape {
    fn area(&self) -> f64 {
        match self {
            Shape::Circle { radius, .. } => std::f64::consts::PI * radius * radius,
            Shape::Square(_, side) => side * side,
            Shape::Empty => 0.0,
        }
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

pub mod registry {
    use super::*;

    pub const LIMIT: usize = 64;

    pub fn index(shapes: &[Shape]) -> HashMap<usize, f64> {
        shapes.iter().enumerate().map(|(i, s)| (i, s.area())).collect()
    }
}

fn main() {
    let shapes = vec![Shape::Square(Point { x: 0.0, y: 0.0 }, 2.0), Shape::Empty];
    for (i, area) in registry::index(&shapes) {
        println!("{i}: {area}");
    }
}
