// models/diffusers: a UNet2DModel's config.json (block types, widths, heads, norms). An accepted
// config writes back to JSON that parses to the same config.
#include "fuzz_support.h"

#include "models/diffusers_unet.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto j = nlohmann::json::parse(ds::fuzz::asText(data, size), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0; // not JSON: the loader says so before this parser runs
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto config = ds::DiffusersUNetConfig::fromJson(j, "config.json");
        const auto text = config.toJson();
        ds::fuzz::check(ds::DiffusersUNetConfig::fromJson(text, "again.json").toJson() == text, "config round trip");
    });
    return 0;
}
