// core/denoisers/spec_string: "head?key=value&…" model specs typed by users. Every accessor
// either answers or throws ds::Error.
#include "fuzz_support.h"

#include "core/denoisers/spec_string.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto text = ds::fuzz::asText(data, size);
    ds::fuzz::expectOnlyDsErrors([&] {
        const ds::SpecString spec(text);
        ds::fuzz::check(spec.text() == text && text.rfind(spec.head(), 0) == 0, "head is a prefix");
        for (const char* key : {"n", "schedule", "T", "gamma", "seed", "sigma", "dataset"}) {
            if (!spec.has(key))
                continue;
            (void)spec.get(key, "");
            ds::fuzz::expectOnlyDsErrors([&] { (void)spec.getDouble(key, 0); });
            ds::fuzz::expectOnlyDsErrors([&] { (void)spec.getInt(key, 0); });
        }
        spec.requireKnownKeys({"n", "schedule", "T"});
    });
    return 0;
}
