#include "toy_datasets.h"

#include "models/error.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <numbers>

namespace ds {
namespace {

constexpr double kPi = std::numbers::pi;

// Two interleaved half circles (as scikit-learn's make_moons), noise 0.1, centred.
at::Tensor twoMoons(int64_t n, at::Generator& g)
{
    const int64_t outer = n / 2, inner = n - outer;
    auto a = at::rand({outer}, g, at::kFloat) * kPi;
    auto b = at::rand({inner}, g, at::kFloat) * kPi;
    auto upper = at::stack({at::cos(a), at::sin(a)}, 1);
    auto lower = at::stack({1.0 - at::cos(b), 0.5 - at::sin(b)}, 1);
    auto x = at::cat({upper, lower}) + 0.1 * at::randn({n, 2}, g, at::kFloat);
    return (x - at::tensor({0.5f, 0.25f})) * 1.5;
}

// Eight Gaussians (σ = 0.1) on a circle of radius 2, scaled by 1/√2.
at::Tensor eightGaussians(int64_t n, at::Generator& g)
{
    auto which = at::randint(0, 8, {n}, g, at::kLong).to(at::kFloat);
    auto angle = which * (kPi / 4);
    auto centres = 2.0 * at::stack({at::cos(angle), at::sin(angle)}, 1);
    return (centres + 0.1 * at::randn({n, 2}, g, at::kFloat)) / std::numbers::sqrt2;
}

// Swiss roll: r = 1.5π(1 + 2u), (r cos r, r sin r)/5 plus N(0, 0.1²) noise.
at::Tensor swissRoll(int64_t n, at::Generator& g)
{
    auto r = 1.5 * kPi * (1.0 + 2.0 * at::rand({n}, g, at::kFloat));
    auto x = at::stack({r * at::cos(r), r * at::sin(r)}, 1) / 5.0;
    return x + 0.1 * at::randn({n, 2}, g, at::kFloat);
}

// 4×4 checkerboard on [−2, 2]² (FFJORD's), occupied cells alternate.
at::Tensor checkerboard(int64_t n, at::Generator& g)
{
    auto x1 = at::rand({n}, g, at::kFloat) * 4.0 - 2.0;
    auto x2 = at::rand({n}, g, at::kFloat) - at::randint(0, 2, {n}, g, at::kLong).to(at::kFloat) * 2.0;
    x2 = x2 + at::remainder(at::floor(x1), 2.0);
    return at::stack({x1, x2}, 1);
}

} // namespace

const std::vector<std::string>& toyDatasetNames()
{
    static const std::vector<std::string> names{"two-moons", "8-gaussians", "swiss-roll", "checkerboard"};
    return names;
}

bool isToyDataset(const std::string& name)
{
    const auto& names = toyDatasetNames();
    return std::find(names.begin(), names.end(), name) != names.end();
}

at::Tensor sampleToy(const std::string& name, int64_t n, uint64_t seed)
{
    require(n >= 1, "toy data set: need at least one point");
    auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
    at::Tensor x;
    if (name == "two-moons")
        x = twoMoons(n, g);
    else if (name == "8-gaussians")
        x = eightGaussians(n, g);
    else if (name == "swiss-roll")
        x = swissRoll(n, g);
    else if (name == "checkerboard")
        x = checkerboard(n, g);
    else
        throw Error("unknown toy data set '" + name + "'");
    return x.reshape({n, 2, 1, 1});
}

} // namespace ds
