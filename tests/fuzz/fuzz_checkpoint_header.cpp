// core/io/checkpoint: the JSON header of a .dsckpt. An accepted header serialises back to a
// header that parses to the same JSON.
#include "fuzz_support.h"

#include "core/io/checkpoint.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto j = nlohmann::json::parse(ds::fuzz::asText(data, size), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0; // not JSON: readHeader answers that before this parser runs
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto header = ds::checkpointHeaderFromJson(j, "fuzz.dsckpt");
        const auto text = ds::toJson(header);
        ds::fuzz::check(ds::toJson(ds::checkpointHeaderFromJson(text, "again.dsckpt")) == text, "header round trip");
    });
    return 0;
}
