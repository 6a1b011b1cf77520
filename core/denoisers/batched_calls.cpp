#include "batched_calls.h"

#include "models/error.h"

#include <ATen/ATen.h>

#include <exception>
#include <thread>

namespace ds {

struct BatchedCalls::Request {
    at::Tensor x, k, out;
    std::exception_ptr error;
    bool done = false;
};

class BatchedCalls::Member : public Denoiser {
public:
    Member(BatchedCalls& owner, const Denoiser& model) : Denoiser(model.info()), owner_(owner) { device_ = model.device(); }

protected:
    at::Tensor forward(const at::Tensor& x, const at::Tensor& k) override { return owner_.submit(x, k); }

private:
    BatchedCalls& owner_;
};

BatchedCalls::BatchedCalls(std::shared_ptr<Denoiser> model) : model_(std::move(model))
{
    require(model_ != nullptr, "batched calls: no model");
    require(model_->info().role == ModelRole::Denoiser, model_->info().source, ": batched calls need a model of role ",
            std::string(name(ModelRole::Denoiser)), ", not ", std::string(name(model_->info().role)));
}

void BatchedCalls::runTogether(const std::vector<std::function<void(Denoiser&)>>& runs)
{
    std::vector<std::unique_ptr<Member>> members;
    for (size_t i = 0; i < runs.size(); ++i)
        members.push_back(std::make_unique<Member>(*this, *model_));
    {
        std::lock_guard lock(mutex_);
        live_ = int(runs.size());
    }
    std::vector<std::exception_ptr> errors(runs.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < runs.size(); ++i)
        threads.emplace_back([&, i] {
            try {
                runs[i](*members[i]);
            } catch (...) {
                errors[i] = std::current_exception();
            }
            leave(); // also after a failure: the others must not wait for this run
        });
    for (auto& t : threads)
        t.join();
    for (const auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

at::Tensor BatchedCalls::submit(const at::Tensor& x, const at::Tensor& k)
{
    Request request;
    request.x = x;
    request.k = k;
    std::unique_lock lock(mutex_);
    pending_.push_back(&request);
    flushWhileReady(lock);
    answered_.wait(lock, [&] { return request.done; });
    if (request.error)
        std::rethrow_exception(request.error);
    return request.out;
}

void BatchedCalls::leave()
{
    std::unique_lock lock(mutex_);
    --live_;
    flushWhileReady(lock);
}

// Calls the model once every live run waits (one caller at a time: its counters are not
// shared-state safe), on whichever thread completed the set.
void BatchedCalls::flushWhileReady(std::unique_lock<std::mutex>& lock)
{
    while (!calling_ && !pending_.empty() && int(pending_.size()) >= live_) {
        auto batch = std::move(pending_);
        pending_.clear();
        calling_ = true;
        lock.unlock();
        std::vector<at::Tensor> xs, ks;
        for (const auto* r : batch) {
            xs.push_back(r->x);
            ks.push_back(r->k);
        }
        std::exception_ptr error;
        at::Tensor out;
        try {
            out = batch.size() == 1 ? (*model_)(xs[0], ks[0]) : (*model_)(at::cat(xs), at::cat(ks));
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        int64_t row = 0;
        for (auto* r : batch) {
            const auto n = r->x.size(0);
            if (error)
                r->error = error;
            else
                r->out = batch.size() == 1 ? out : out.narrow(0, row, n);
            row += n;
            r->done = true;
        }
        calling_ = false;
        ++stats_.calls;
        stats_.requests += int64_t(batch.size());
        stats_.largestRows = std::max(stats_.largestRows, row);
        answered_.notify_all();
    }
}

} // namespace ds
