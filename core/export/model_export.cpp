#include "model_export.h"

#include "core/denoisers/network_denoiser.h"
#include "core/denoisers/torchscript_denoiser.h"
#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/checkpoint.h"
#include "core/user_message.h"

#include "models/script_export.h"

#include <torch/script.h>

#include <sstream>

namespace ds {
namespace {

constexpr double kExportTolerance = 1e-4;

} // namespace

ExportCheck exportTorchScript(const std::string& checkpointPath, const std::string& outPath)
{
    auto checkpoint = loadCheckpoint(checkpointPath);
    require(checkpoint.header.kind == "denoiser", checkpointPath + ": only denoisers export to TorchScript");
    auto module = withContext(checkpointPath + ": ", [&] { return exportToTorchScript(*checkpoint.ema); });
    auto info = NetworkDenoiser::infoFrom(checkpoint.header, outPath, checkpoint.ema->parameterCount());
    std::ostringstream bytes;
    module.save(bytes, {{"diffscope.json", makeDiffscopeHeader(info)}}); // to memory: see checkpoint.cpp
    const auto text = bytes.str();
    writeFileAtomically(outPath, [&](std::ostream& out) { out.write(text.data(), std::streamsize(text.size())); });

    auto exported = TorchScriptDenoiser::load(outPath);
    const auto& s = info.shape;
    auto x = at::randn({4, s[0], s[1], s[2]});
    auto k = at::randint(0, info.schedule.T, {4}, at::kLong);
    c10::NoGradGuard noGrad;
    ExportCheck check;
    check.parameters = exported->info().parameters;
    check.maxDifference = ((*exported)(x, k) - checkpoint.ema->forward(x, k)).abs().max().item<double>();
    require(check.maxDifference < kExportTolerance,
            outPath + ": the exported module disagrees with the checkpoint by " + std::to_string(check.maxDifference));
    return check;
}

void writeSlimCheckpoint(const std::string& checkpointPath, const std::string& outPath)
{
    auto checkpoint = loadCheckpoint(checkpointPath);
    auto header = checkpoint.header;
    header.trainingState = false;
    saveCheckpoint(outPath, header, CheckpointContents::emaOnly(checkpoint.ema.get()));
}

} // namespace ds
