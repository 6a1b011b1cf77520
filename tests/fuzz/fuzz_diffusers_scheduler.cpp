// core/denoisers/diffusers_scheduler: scheduler_config.json of a diffusers folder, read from a
// file as the loader does. An accepted config gives a schedule that validates.
#include "fuzz_support.h"

#include "core/denoisers/diffusers_scheduler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto& path = ds::fuzz::asFile(data, size, ".json");
    ds::fuzz::expectOnlyDsErrors([&] {
        const auto s = ds::readDiffusersScheduler(path);
        s.schedule.validate();
        ds::fuzz::check(!s.sampler.empty(), "a sampler name");
    });
    return 0;
}
