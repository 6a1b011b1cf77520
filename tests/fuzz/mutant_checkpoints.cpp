// The mutated-checkpoint test under ASan/UBSan (issue 14): every mutant of
// tests/support/checkpoint_mutants.h of one checkpoint is written to a scratch file and opened
// the way `info` (the header) and `sample` (the EMA network and a forward pass) open it. Each
// must be refused with a ds::Error whose user line names the file (no backtrace text), or load and
// give bit for bit the original's output; kinds that can never be harmless must be refused.
// A sanitizer report aborts the run. Prints one line per kind; exit 1 on a finding.
//
//   mutant_checkpoints CHECKPOINT [SEED]
#include "models/error.h"
#include "core/io/checkpoint.h"
#include "core/user_message.h"
#include "tests/support/checkpoint_mutants.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <unistd.h>

namespace {

struct Tally {
    int refused = 0, harmless = 0;
    bool mustRefuse = false;
};

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot read");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error(path + ": cannot write");
}

// What `info` reads and what `sample`'s first network pass computes.
at::Tensor outputOf(const std::string& path, const at::Tensor& x, const at::Tensor& k)
{
    (void)ds::readCheckpointHeader(path);
    auto loaded = ds::loadCheckpoint(path);
    return loaded.ema->forward(x, k);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: mutant_checkpoints CHECKPOINT [SEED]\n";
        return 2;
    }
    c10::NoGradGuard noGrad;
    const std::string source = argv[1];
    const uint64_t seed = argc > 2 ? std::stoull(argv[2]) : 20261201;
    const auto original = readAll(source);
    const auto header = ds::readCheckpointHeader(source);
    const auto& s = header.shape;
    const int64_t n = 4;
    auto x = at::linspace(-2, 2, n * s[0] * s[1] * s[2]).reshape({n, s[0], s[1], s[2]});
    auto k = at::arange(0, n, at::kLong) * (header.schedule.T / n);
    const auto expected = outputOf(source, x, k);

    const std::string scratch = "/tmp/diffscope-mutant-" + std::to_string(::getpid()) + ".dsckpt";
    std::map<std::string, Tally> tally;
    int findings = 0;
    const auto mutants = ds::testing::checkpointMutants(original, seed);
    for (const auto& m : mutants) {
        auto& t = tally[m.kind];
        t.mustRefuse = m.mustRefuse;
        writeAll(scratch, m.bytes);
        std::string problem;
        try {
            if (at::equal(outputOf(scratch, x, k), expected))
                ++t.harmless;
            else
                problem = "loaded with a different output";
        } catch (const ds::Error& e) {
            const auto message = ds::userMessage(e); // the line the CLI prints
            if (message.find(scratch) == std::string::npos || message.find("Exception raised from") != std::string::npos)
                problem = "message does not name the file, or carries a backtrace: " + message;
            ++t.refused;
        } catch (const std::exception& e) {
            problem = std::string("not a ds::Error: ") + e.what();
        }
        if (!problem.empty()) {
            ++findings;
            std::cerr << "FINDING: " << m.kind << " " << m.what << ": " << problem.substr(0, 400) << '\n';
        }
    }
    ::unlink(scratch.c_str());
    for (const auto& [kind, t] : tally) {
        std::cout << "mutant_checkpoints: " << kind << ": " << t.refused << " refused, " << t.harmless << " harmless\n";
        if (t.mustRefuse && t.harmless > 0) {
            ++findings;
            std::cerr << "FINDING: " << kind << ": " << t.harmless << " mutant(s) loaded that must be refused\n";
        }
    }
    std::cout << "mutant_checkpoints: " << mutants.size() << " mutants of " << source << ", " << findings
              << " finding(s)\n";
    return findings == 0 && mutants.size() >= 500 ? 0 : 1;
}
