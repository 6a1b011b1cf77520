#pragma once
// Turning a native checkpoint into files for elsewhere.
#include <string>

namespace ds {

struct ExportCheck {
    double maxDifference = 0; // max |native − exported| on a random probe batch
    int64_t parameters = 0;
};

// Writes a TorchScript module with a diffscope.json extra file (EMA weights), loadable by
// torch.jit.load in PyTorch and by diffscope itself; then loads it back and checks its outputs
// against the native network on a random batch. Throws ds::Error naming the file.
ExportCheck exportTorchScript(const std::string& checkpointPath, const std::string& outPath);

// Writes an inference-only copy (header + EMA weights, no optimizer or RNG state).
void writeSlimCheckpoint(const std::string& checkpointPath, const std::string& outPath);

} // namespace ds
