// core/training/training_config: `train --config FILE` and the "training" object of every
// checkpoint header (what --resume continues). An accepted config round-trips through JSON.
#include "fuzz_support.h"

#include "core/training/training_config.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto j = nlohmann::json::parse(ds::fuzz::asText(data, size), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0; // not JSON: the CLI says so before this parser runs
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto config = ds::trainingConfigFromJson(j, "fuzz.json");
        const auto text = ds::toJson(config);
        ds::fuzz::check(ds::toJson(ds::trainingConfigFromJson(text, "again.json")) == text, "config round trip");
    });
    return 0;
}
