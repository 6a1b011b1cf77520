#pragma once
// A run folder keeps its newest N step checkpoints (step_00001000.dsckpt, …) and a
// latest.dsckpt that always names the newest one (a hard link, replaced atomically).
#include <string>
#include <vector>

namespace ds {

// Deletes the oldest step_*.dsckpt files of `dir` beyond `keep`, counting only steps up to
// `newest`'s (later ones belong to an earlier, longer run), then points latest.dsckpt at
// `newest`. Failures to delete are ignored (the checkpoint itself is already safe).
void rotateCheckpoints(const std::string& dir, int64_t keep, const std::string& newest);

// The step checkpoints of a run folder, oldest first.
std::vector<std::string> stepCheckpoints(const std::string& dir);

} // namespace ds
