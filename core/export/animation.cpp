#include "animation.h"

#include "models/error.h"

#include <ATen/ATen.h>

namespace ds {

void validateAnimation(const std::string& path, const FrameSequence& frames, const AnimationOptions& options)
{
    require(frames.count >= 1 && bool(frames.frame), path + ": an animation needs at least one frame");
    require(options.fps > 0 && options.fps <= 100, path + ": frames per second must be in (0, 100]");
    require(options.scale >= 1 && options.scale <= 32, path + ": scale must be 1..32");
}

at::Tensor preparedFrame(const std::string& path, const FrameSequence& frames, int64_t i, int64_t scale,
                         const at::Tensor& first)
{
    auto f = frames.frame(i);
    require(f.defined() && f.dim() == 3 && (f.size(2) == 1 || f.size(2) == 3) && f.scalar_type() == at::kByte,
            path + ": frame " + std::to_string(i) + " is not a uint8 [H, W, 1|3] image");
    if (scale > 1) // nearest neighbour: every pixel becomes a scale × scale block
        f = f.repeat_interleave(scale, 0).repeat_interleave(scale, 1);
    require(!first.defined() || f.sizes() == first.sizes(),
            path + ": frame " + std::to_string(i) + " differs in size from the first frame");
    return f.contiguous();
}

} // namespace ds
