#include "progress_bar.h"

#include <cstdio>
#include <unistd.h>

namespace ds::cli {
namespace {

constexpr int kWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

} // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), lastDraw_(start_ - kRedrawInterval)
{
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(int64_t done)
{
    last_ = done;
    if (!enabled_)
        return;
    if (!terminal_) { // a log file: one line per 10%
        const int64_t tenth = total_ > 0 ? 10 * done / total_ : 0;
        if (tenth > lastTenth_) {
            lastTenth_ = tenth;
            draw(done);
            std::fputc('\n', stderr);
        }
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - lastDraw_ < kRedrawInterval && done < total_)
        return;
    lastDraw_ = now;
    draw(done);
}

void ProgressBar::draw(int64_t done)
{
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? double(done) / elapsed : 0;
    const double eta = rate > 0 ? double(total_ - done) / rate : 0;
    const int filled = total_ > 0 ? int(kWidth * done / total_) : 0;
    std::string bar(size_t(filled), '#');
    bar.append(size_t(kWidth - filled), '.');
    std::fprintf(stderr, "%s%s [%s] %lld/%lld  %.1f it/s  ETA %.0fs ", terminal_ ? "\r" : "", label_.c_str(), bar.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total_), rate, eta);
    std::fflush(stderr);
}

void ProgressBar::finish()
{
    if (!enabled_ || finished_)
        return;
    finished_ = true;
    if (terminal_) {
        draw(last_);
        std::fputc('\n', stderr);
    }
}

} // namespace ds::cli
