// Shapes and their areas.
#include <cmath>
#include <string>
#include "geometry.h"

#define GEOMETRY_EPSILON 1e-9

namespace geometry {

constexpr double PI = 3.14159265358979;

enum class Kind { Circle, Rectangle };

struct Point {
  double x;
  double y;
};

class Shape {
 public:
  explicit Shape(Kind kind) : kind_(kind) {}
  virtual ~Shape() = default;
  virtual double area() const = 0;
  std::string name() const;

 protected:
  Kind kind_;
};

class Circle : public Shape {
 public:
  Circle(Point center, double radius) : Shape(Kind::Circle), center_(center), radius_(radius) {}
  double area() const override { return PI * radius_ * radius_; }

 private:
  Point center_;
  double radius_;
};

std::string Shape::name() const {
  return kind_ == Kind::Circle ? "circle" : "rectangle";
}

double distance(const Point& a, const Point& b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);
}

}  // namespace geometry

int main(int argc, char** argv) {
  geometry::Circle circle({0.0, 0.0}, 2.0);
  return circle.area() > geometry::PI ? 0 : 1;
}
