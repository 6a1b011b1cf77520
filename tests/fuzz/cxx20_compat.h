#pragma once
// Force-included in the fuzz build only. clang (14 and 16 alike) cannot compile LibTorch 1.13's
// headers as C++20 against libstdc++ 12: a constexpr std::vector<c10::IValue> is instantiated
// while IValue is still incomplete. So the fuzz build is C++17, and the few C++20 library names
// that the parsers' sources use are supplied here (libstdc++'s <numbers> and <bit> hold them
// only from C++20 on, so nothing clashes).
#if __cplusplus < 202002L
namespace std {
namespace numbers {
inline constexpr double pi = 3.141592653589793238462643383279502884;
inline constexpr double sqrt2 = 1.414213562373095048801688724209698079;
} // namespace numbers
enum class endian { little = __ORDER_LITTLE_ENDIAN__, big = __ORDER_BIG_ENDIAN__, native = __BYTE_ORDER__ };
} // namespace std
#endif
