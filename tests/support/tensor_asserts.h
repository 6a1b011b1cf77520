#pragma once
// Qt Test helpers for tensors.
#include <ATen/ATen.h>
#include <QTest>

#include "models/error.h"

#include <string>

namespace ds::test {

// Largest |a − b| over all elements (float64).
inline double maxAbsDiff(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

// max |a − b| / max |b|: normwise, the bound the frozen-inference probe checks (frozen_inference.h).
inline double maxRelativeError(const at::Tensor& a, const at::Tensor& reference)
{
    return maxAbsDiff(a, reference) / reference.abs().max().item<double>();
}

inline std::string shapeOf(const at::Tensor& t)
{
    std::string out = "[";
    for (int64_t d = 0; d < t.dim(); ++d)
        out += (d ? ", " : "") + std::to_string(t.size(d));
    return out + "]";
}

} // namespace ds::test

// Fails unless every element of a and b agrees within `tol` (absolute).
#define DS_COMPARE_TENSORS(a, b, tol)                                                                          \
    do {                                                                                                       \
        const auto dsA_ = (a);                                                                                 \
        const auto dsB_ = (b);                                                                                 \
        QVERIFY2(dsA_.sizes() == dsB_.sizes(),                                                                 \
                 ("shape " + ds::test::shapeOf(dsA_) + " vs " + ds::test::shapeOf(dsB_)).c_str());            \
        const double dsDiff_ = ds::test::maxAbsDiff(dsA_, dsB_);                                               \
        QVERIFY2(dsDiff_ <= (tol), ("max |a-b| = " + std::to_string(dsDiff_) + " > " + std::to_string(tol)).c_str()); \
    } while (false)

// Fails with `text` in the message unless `statement` throws ds::Error whose message contains it.
#define DS_EXPECT_ERROR(statement, text)                                                                       \
    do {                                                                                                       \
        bool dsThrew_ = false;                                                                                 \
        try {                                                                                                  \
            statement;                                                                                         \
        } catch (const ds::Error& dsE_) {                                                                      \
            dsThrew_ = true;                                                                                   \
            QVERIFY2(std::string(dsE_.what()).find(text) != std::string::npos,                                 \
                     (std::string("message '") + dsE_.what() + "' lacks '" + (text) + "'").c_str());          \
        }                                                                                                      \
        QVERIFY2(dsThrew_, (std::string("expected ds::Error containing '") + (text) + "'").c_str());           \
    } while (false)
