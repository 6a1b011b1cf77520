#pragma once
// diffscope's native checkpoint: one file (a LibTorch archive) holding a versioned JSON header
// and the EMA weights, plus, for resumable checkpoints, the live weights, the optimizer state
// and the RNG state. Written atomically (temp file, fsync, rename, fsync of the folder).
//
// Archive keys: "header" (JSON string), "header_sha256" (its SHA-256, hex), "ema" (network;
// its tensors' SHA-256 is in the header, weights_sha256), and when training state is kept
// "weights" (network), "optimizer" (AdamW state), "rng" (CPU generator state, uint8).
#include "core/data/data_range.h"
#include "core/denoisers/prediction.h"
#include "core/schedule.h"

#include "models/network.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <memory>
#include <string>

namespace torch::optim {
class Optimizer;
}
namespace torch::serialize {
class InputArchive;
}

namespace ds {

struct CheckpointHeader {
    static constexpr int kVersion = 1;
    int version = kVersion;
    std::string kind = "denoiser";       // "denoiser" or "classifier"
    nlohmann::json network;              // rebuilds the network (models/registry.h)
    ScheduleSpec schedule;
    Prediction prediction = Prediction::Epsilon;
    std::array<int64_t, 3> shape{1, 28, 28};
    DataRange range;
    std::string dataset;                 // data set trained on
    int64_t step = 0;                    // optimizer steps taken
    std::string created;                 // ISO 8601 UTC
    nlohmann::json training = nlohmann::json::object(); // the training config (for --resume)
    bool trainingState = true;           // live weights, optimizer and RNG are in the file
    nlohmann::json extra = nlohmann::json::object();    // e.g. {"test_accuracy": 0.91}
    // SHA-256 of each network's tensors ("ema", "weights"; networkDigest), set by
    // saveCheckpoint and checked at load. Files written before it existed have none (the zip
    // CRC-32s still guard them).
    std::map<std::string, std::string> weightsSha256;
};

nlohmann::json toJson(const CheckpointHeader& header);
// SHA-256 over every parameter and buffer in registration order: for each, its name, dtype,
// shape and the bytes of its contiguous CPU copy. Independent of the archive's layout, so a
// damaged tensor is caught even where a zip tool rewrote the CRC-32s.
std::string networkDigest(const NetworkImpl& network);
CheckpointHeader checkpointHeaderFromJson(const nlohmann::json& j, const std::string& where);
std::string utcNow();

struct CheckpointContents {
    const NetworkImpl* ema = nullptr;               // required
    const NetworkImpl* weights = nullptr;           // with training state
    torch::optim::Optimizer* optimizer = nullptr;   // with training state
    at::Tensor rngState;                            // with training state

    // Inference-only contents: the EMA weights, no training state.
    static CheckpointContents emaOnly(const NetworkImpl* ema)
    {
        CheckpointContents c;
        c.ema = ema;
        return c;
    }
};

// Throws ds::Error naming `path` (full disk, no permission); the previous file stays intact.
void saveCheckpoint(const std::string& path, const CheckpointHeader& header, const CheckpointContents& contents);

struct LoadedCheckpoint {
    CheckpointHeader header;
    Network ema;                                         // EMA weights, ready for inference
    Network weights;                                     // live weights (training state only)
    std::shared_ptr<torch::serialize::InputArchive> optimizer; // feed to Optimizer::load
    at::Tensor rngState;
};

// Loads and checks everything: archive integrity, header version and fields, that the
// network config builds, every key and shape, every tensor's storage and finiteness.
// Throws ds::Error that names `path` and the problem.
LoadedCheckpoint loadCheckpoint(const std::string& path);
// Only the header (for `info`); still checks the archive and the version.
CheckpointHeader readCheckpointHeader(const std::string& path);

} // namespace ds
