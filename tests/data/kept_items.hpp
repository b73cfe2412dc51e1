// Declarations of every kind a C++ header holds, for the driver's kept items
// (tests/test_native_reuse.py types in it at random).
#include <vector>
#define SQUARE(x) ((x) * (x))

typedef struct point { int x, y; } point_t;
struct pair { int first; int second; } origin = {0, 0};
enum color { RED, GREEN = 2, BLUE };

static int counter = 0;  // its files are under C:\counts there

int next_count(void) {
    counter += SQUARE(2);
    return counter;
}

namespace geometry {

inline namespace v1 {

template <typename T>
struct box {
    T low, high;
    bool contains(T value) const { return low <= value && value < high; }
};

}  // namespace v1

class shape {
public:
    virtual ~shape() = default;
    virtual double area() const = 0;
    int id() const { return id_; }

private:
    int id_ = next_count();
};

class circle : public shape {
public:
    explicit circle(double radius) : radius_(radius) {}
    double area() const override { return 3.14159 * radius_ * radius_; }

private:
    double radius_;
};

double total_area(const std::vector<shape*>& shapes) {
    double sum = 0;
    for (const shape* item : shapes) {
        sum += item->area();
    }
    return sum;
}

using area_fn = double (*)(const shape&);

namespace detail {
int helper(int a, int b) { return a < b ? b - a : a - b; }
}  // namespace detail

}  // namespace geometry

extern "C" {
int c_entry(int argc, char** argv);
}

int c_entry(int argc, char** argv) {
    (void)argv;
    return geometry::detail::helper(argc, 1);
}
