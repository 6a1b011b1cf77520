#pragma once
// Tensor work on the UI thread stays serial.
//
// The UI thread runs only small tensor ops (one frame to an image, a pixel readout), and ATen
// forks an OpenMP team for every op over 32768 elements (one 128×128×3 frame is 49152). When
// the cores are busy — with a sampling run, an export, a compiler — each fork waits at a
// barrier for a descheduled worker: measured 13–30 ms per scrubbed frame instead of ~1 ms.
// OpenMP's thread count is a per-thread setting, so the UI thread can run its ops on itself
// while the engine thread and the thread pool keep every core (at::set_num_threads).
namespace ds {

// Call once on the UI thread, after at::set_num_threads(). No-op without OpenMP.
void keepTensorOpsSerialOnThisThread();

} // namespace ds
