#include "picard_record.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace ds {

PicardRecorder::PicardRecorder(int64_t steps, double tolerance) : steps_(steps), tolerance_(tolerance)
{
    require(steps >= 1 && tolerance > 0, "Picard record: needs steps >= 1 and a tolerance > 0");
}

RoundObserver PicardRecorder::observer()
{
    return [this](const SolveRound& round) {
        std::vector<double> row(size_t(steps_), std::nan(""));
        for (size_t w = 0; w < round.residuals.size(); ++w)
            row[size_t(round.windowBegin) + w] = round.residuals[w];
        rows_.push_back(std::move(row));
        record_.windowBegin.push_back(round.windowBegin);
        record_.windowEnd.push_back(round.windowEnd);
        record_.accepted.push_back(round.accepted);
        record_.sequentialCalls.push_back(round.sequentialCalls);
        record_.sample.push_back(round.states ? round.states->back().to(at::kCPU).clone() : at::Tensor());
        return true;
    };
}

PicardRecord PicardRecorder::record() const
{
    auto out = record_;
    out.steps = steps_;
    out.tolerance = tolerance_;
    out.residuals = at::empty({int64_t(rows_.size()), steps_}, at::kDouble);
    for (size_t r = 0; r < rows_.size(); ++r)
        out.residuals[int64_t(r)].copy_(at::tensor(rows_[r], at::kDouble));
    return out;
}

std::vector<int64_t> acceptanceRounds(const PicardRecord& record, double tolerance)
{
    require(tolerance >= record.tolerance, "Picard record: tolerance ", tolerance, " is below the run's ",
            record.tolerance, "; only looser tolerances can be read from it");
    const double tau2 = tolerance * tolerance;
    std::vector<int64_t> round(size_t(record.steps), 0);
    int64_t accepted = 0;
    auto residuals = record.residuals.contiguous();
    const double* r = residuals.data_ptr<double>();
    for (size_t i = 0; i < record.windowBegin.size(); ++i) {
        const int64_t s = record.windowBegin[i], e = record.windowEnd[i];
        int64_t lead = 0;
        while (s + lead < e && r[int64_t(i) * record.steps + s + lead] <= tau2)
            ++lead;
        // The run's own acceptance already holds (τ' ≥ τ); L leading converged residuals add s + L.
        const int64_t now = std::max({accepted, record.accepted[i], std::min(s + 1 + lead, e)});
        for (int64_t j = accepted; j < now; ++j)
            round[size_t(j)] = int64_t(i) + 1;
        accepted = now;
    }
    require(accepted == record.steps, "Picard record: the run did not finish (", accepted, " of ", record.steps,
            " positions accepted)");
    return round;
}

at::Tensor sampleAtTolerance(const PicardRecord& record, double tolerance)
{
    const auto rounds = acceptanceRounds(record, tolerance);
    return record.sample.at(size_t(rounds.back() - 1));
}

} // namespace ds
