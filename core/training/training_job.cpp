#include "training_job.h"

#include "checkpoint_rotation.h"
#include "learning_rate.h"
#include "mixed_precision.h"
#include "objectives.h"
#include "parameter_updates.h"
#include "run_folder.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser.h"
#include "core/denoisers/network_denoiser.h"
#include "models/error.h"
#include "core/forward_process.h"
#include "core/interrupt_shield.h"
#include "core/io/atomic_file.h"
#include "core/io/checkpoint.h"
#include "core/noise_source.h"
#include "core/samplers/sampler_registry.h"
#include "core/user_message.h"
#include "models/registry.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adamw.h>
#include <torch/serialize/input-archive.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ds {

struct TrainingState {
    TrainingConfig config;
    std::unique_ptr<Objective> objective;
    c10::Device device{c10::kCPU};
    Schedule schedule;
    Network network;
    Network ema;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    at::Generator generator;
    int64_t step = 0;
    double smoothedLoss = 0;
    std::string lastCheckpoint;
    int64_t savedStep = -1;      // step of the last checkpoint written by this run
    at::Tensor data;             // [M, C, H, W] on device
    DataRange range;
    std::array<int64_t, 3> shape{};
};

namespace {

constexpr int kPreviewSteps = 20;
constexpr int64_t kToyPoints = 100000;

std::string_view statusNames[] = {"finished", "cancelled", "failed"};

// Loads the data set and fills the network config with its shape.
void prepareData(TrainingState& s)
{
    DatasetOptions options;
    options.limit = s.config.datasetLimit > 0 ? s.config.datasetLimit : (s.config.dataset == "fashion-mnist" ? 0 : kToyPoints);
    options.seed = s.config.seed;
    if (s.config.schedule.kind == ScheduleKind::PixelAware)
        options.range = {s.config.schedule.epsilon, 1.0};
    auto data = loadDataset(s.config.dataset, options);
    s.range = data.range;
    s.shape = {data.images.size(1), data.images.size(2), data.images.size(3)};
    s.data = data.images.to(s.device);
    auto& net = s.config.network;
    if (net.value("kind", "") == "unet" || net.value("kind", "") == "pixel-aware") {
        net["channels"] = s.shape[0];
        net["image_size"] = s.shape[1];
        if (net.value("kind", "") == "pixel-aware")
            net["steps"] = s.config.schedule.T;
    } else if (net.value("kind", "") == "mlp") {
        net["dims"] = s.shape[0] * s.shape[1] * s.shape[2];
    } else if (net.value("kind", "") == "diffusers-unet" && net.value("config", nlohmann::json()).is_object()) {
        auto& unet = net["config"]; // a UNet2DModel config.json: channels and size from the data
        unet["in_channels"] = unet["out_channels"] = s.shape[0];
        unet["sample_size"] = s.shape[1] == s.shape[2] ? nlohmann::json(s.shape[1]) : nlohmann::json{s.shape[1], s.shape[2]};
    }
}

// LibTorch modules initialise from the global CPU generator: seed it for the build so the
// initial weights depend on the run's seed only, then put its state back. (The lock is not
// held while building: the initialisers take it themselves.)
Network buildSeeded(const nlohmann::json& config, uint64_t seed)
{
    auto global = at::detail::getDefaultCPUGenerator();
    at::Tensor saved;
    {
        std::lock_guard<std::mutex> lock(global.mutex());
        saved = global.get_state();
        global.set_current_seed(seed);
    }
    auto restore = [&] {
        std::lock_guard<std::mutex> lock(global.mutex());
        global.set_state(saved);
    };
    try {
        auto network = buildNetwork(config);
        restore();
        return network;
    } catch (const std::invalid_argument& e) {
        restore();
        throw Error(std::string("training: ") + e.what());
    }
}

void makeOptimizer(TrainingState& s)
{
    auto options = torch::optim::AdamWOptions(s.config.lr).weight_decay(s.config.weightDecay);
    s.optimizer = std::make_unique<torch::optim::AdamW>(s.network->parameters(), options);
}

void copyWeights(NetworkImpl& to, const NetworkImpl& from)
{
    torch::NoGradGuard noGrad;
    auto source = from.parameters();
    auto target = to.parameters();
    for (size_t i = 0; i < target.size(); ++i)
        target[i].copy_(source[i]);
}

CheckpointHeader headerFor(const TrainingState& s)
{
    CheckpointHeader h;
    h.kind = s.objective->checkpointKind();
    h.network = s.network->config();
    h.schedule = s.config.schedule;
    h.prediction = s.config.prediction;
    h.shape = s.shape;
    h.range = s.range;
    h.dataset = s.config.dataset;
    h.step = s.step;
    h.created = utcNow();
    h.training = toJson(s.config);
    h.trainingState = true;
    return h;
}

std::string saveState(TrainingState& s)
{
    namespace fs = std::filesystem;
    const auto dir = s.config.runDir();
    fs::create_directories(dir);
    char name[64];
    std::snprintf(name, sizeof name, "step_%08lld.dsckpt", static_cast<long long>(s.step));
    const auto path = (fs::path(dir) / name).string();
    InterruptShield shield; // a second Ctrl-C must not kill the process mid-save
    auto rng = s.generator.get_state();
    s.network->to(c10::kCPU);
    s.ema->to(c10::kCPU);
    try {
        saveCheckpoint(path, headerFor(s), {s.ema.get(), s.network.get(), s.optimizer.get(), rng});
    } catch (...) {
        s.network->to(s.device);
        s.ema->to(s.device);
        throw;
    }
    s.network->to(s.device);
    s.ema->to(s.device);
    rotateCheckpoints(dir, s.config.keepCheckpoints, path);
    s.lastCheckpoint = path;
    s.savedStep = s.step;
    return path;
}

TrainingContext contextOf(TrainingState& s)
{
    return {s.config, *s.network, s.schedule, s.data, s.generator, s.device};
}

// One optimizer step; returns the loss (not finite: nothing was updated).
double trainStep(TrainingState& s, double lr)
{
    const auto& c = s.config;
    for (auto& group : s.optimizer->param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    s.optimizer->zero_grad();
    at::Tensor loss;
    {
        MixedPrecisionScope autocast(c.mixedPrecision && s.device.is_cuda());
        auto context = contextOf(s);
        loss = s.objective->loss(context).to(at::kFloat);
    }
    const double value = loss.item<double>();
    if (!std::isfinite(value))
        return value;
    loss.backward();
    if (c.gradClip > 0)
        clipGradNorm(*s.network, c.gradClip);
    s.optimizer->step();
    updateEma(*s.ema, *s.network, emaDecayAt(s.step, c.emaDecay));
    return value;
}

at::Tensor preview(TrainingState& s)
{
    torch::NoGradGuard noGrad;
    auto info = NetworkDenoiser::infoFrom(headerFor(s), "preview", 0);
    NetworkDenoiser denoiser(s.ema, info);
    denoiser.to(s.device);
    const auto role = denoiser.info().role;
    auto sampler = makeSampler(defaultSamplerFor(denoiser.info())); // previews
    SamplerOptions options;
    options.steps = std::min<int64_t>(kPreviewSteps, s.schedule.steps());
    if (role == ModelRole::PixelAware) // Algorithm 1 from noise over the whole chain
        options.steps = s.schedule.steps();
    if (role == ModelRole::DnmDelta) { // deterministic; the naive model needs every unit step
        options.sigmaScale = 0;
        options.steps = s.config.objective == TrainingObjective::DnmDistilled ? s.config.dnmSteps : s.schedule.steps();
    }
    NoiseSource noise(s.config.seed + 7919, s.device); // its own stream: previews never shift training's
    auto xT = initialNoise(denoiser, s.config.previewCount, noise);
    return runSampler(*sampler, denoiser, xT, options, noise).x.cpu();
}

std::string logPath(const TrainingState& s) { return (std::filesystem::path(s.config.runDir()) / "loss.csv").string(); }

// The step of a well-formed row "step,loss,lr" (a row torn by a kill has fewer fields), or -1.
int64_t loggedStep(const std::string& line)
{
    int64_t step = -1;
    const auto* end = line.data() + line.size();
    const auto [next, error] = std::from_chars(line.data(), end, step);
    if (error != std::errc() || next == end || *next != ',' || std::count(line.begin(), line.end(), ',') != 2)
        return -1;
    return step;
}

// Keeps the log's rows up to `step` (a resumed run rewrites what came after its checkpoint) and
// opens it for appending. The kept rows are written atomically (temp file + rename), so a kill
// during the rewrite leaves the old log, never a truncated one. Throws ds::Error naming the file.
std::ofstream openLog(const TrainingState& s)
{
    namespace fs = std::filesystem;
    fs::create_directories(s.config.runDir());
    const auto path = logPath(s);
    require(!fs::is_directory(path), path + ": is a folder; the loss log cannot be written");
    std::vector<std::string> kept{"step,loss,lr"};
    std::ifstream in(path);
    std::string line;
    while (s.step > 0 && std::getline(in, line))
        if (const auto step = loggedStep(line); step >= 1 && step <= s.step)
            kept.push_back(line);
    in.close();
    writeFileAtomically(path, [&](std::ostream& out) {
        for (const auto& l : kept)
            out << l << '\n';
    });
    std::ofstream out(path, std::ios::app);
    require(bool(out), path + ": cannot write the loss log: " + std::strerror(errno));
    return out;
}

TrainingOutcome failure(const TrainingState& s, const std::string& what)
{
    const auto kept = s.lastCheckpoint.empty() ? std::string("no checkpoint was written")
                                               : "the last good checkpoint is " + s.lastCheckpoint;
    return {TrainingStatus::Failed, what + "; " + kept, s.step, s.lastCheckpoint};
}

// Everything before the first step: data, networks (fresh or resumed), the objective's own
// preparation. Returns an error message, or nothing.
std::string startRun(TrainingState& s)
{
    if (!s.network) { // a fresh run must not mix its checkpoints with an earlier run's
        const auto existing = stepCheckpoints(s.config.runDir());
        if (!existing.empty())
            return s.config.runDir() + " already holds checkpoints of an earlier run (" + existing.back()
                + "); choose another name, or resume that run";
    }
    try {
        prepareData(s);
        if (!s.network) {
            s.network = buildSeeded(s.config.network, s.config.seed);
            s.ema = buildSeeded(s.config.network, s.config.seed);
            copyWeights(*s.ema, *s.network);
            makeOptimizer(s);
        }
        s.network->to(s.device);
        s.ema->to(s.device);
        s.network->train();
        s.ema->eval();
        s.schedule = Schedule(s.config.schedule, s.range);
        auto context = contextOf(s);
        s.objective->prepare(context);
    } catch (const std::exception& e) {
        return "could not start: " + userMessage(e);
    }
    return {};
}

void saveAndReport(TrainingState& s, const TrainingCallbacks& callbacks)
{
    auto path = saveState(s);
    if (callbacks.checkpoint)
        callbacks.checkpoint(s.step, path);
}

// A cancel keeps the work: it saves a checkpoint if any step was taken since the last one.
TrainingOutcome cancelRun(TrainingState& s, const TrainingCallbacks& callbacks, int64_t firstStep)
{
    try {
        if (s.step > firstStep && s.step != s.savedStep)
            saveAndReport(s, callbacks);
    } catch (const std::exception& e) {
        return failure(s, "cancelled, but saving failed: " + userMessage(e));
    }
    return {TrainingStatus::Cancelled, "cancelled at step " + std::to_string(s.step), s.step, s.lastCheckpoint};
}

void reportProgress(const TrainingState& s, const TrainingCallbacks& callbacks, double loss, double lr, int64_t firstStep,
                    std::chrono::steady_clock::time_point start)
{
    if (!callbacks.progress)
        return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = double(s.step - firstStep) / std::max(elapsed, 1e-9);
    callbacks.progress({s.step, s.config.steps, loss, s.smoothedLoss, lr, rate, rate * double(s.config.batch),
                        double(s.config.steps - s.step) / rate});
}

// Previews and checkpoints that fall due after a step (the last step always saves).
void afterStep(TrainingState& s, const TrainingCallbacks& callbacks, std::ofstream& log)
{
    if (callbacks.preview && s.config.previewEvery > 0 && s.step % s.config.previewEvery == 0)
        callbacks.preview(s.step, preview(s));
    const bool due = s.config.checkpointEvery > 0 && s.step % s.config.checkpointEvery == 0;
    if (due || s.step == s.config.steps) {
        log.flush();
        saveAndReport(s, callbacks);
    }
}

// A failure to write the mark loses nothing: the folder is then offered for resume once more.
void markEnd(const RunLock& lock, const TrainingOutcome& outcome, const TrainingCallbacks& callbacks)
{
    try {
        lock.markEnded(std::string(name(outcome.status)), outcome.step, outcome.checkpoint);
    } catch (const std::exception& e) {
        if (callbacks.note)
            callbacks.note(userMessage(e));
    }
}

} // namespace

std::string_view name(TrainingStatus status) { return statusNames[int(status)]; }

TrainingJob::TrainingJob(const TrainingConfig& config) : state_(std::make_unique<TrainingState>())
{
    config.validate();
    state_->config = config;
    state_->device = parseDevice(config.device);
    state_->schedule = Schedule(config.schedule);
    state_->generator = at::make_generator<at::CPUGeneratorImpl>(config.seed);
    state_->objective = makeObjective(config);
}

TrainingJob::~TrainingJob() = default;
TrainingJob::TrainingJob(TrainingJob&&) noexcept = default;
TrainingJob& TrainingJob::operator=(TrainingJob&&) noexcept = default;

TrainingJob TrainingJob::resume(const std::string& path, int64_t steps)
{
    return resume(path, [steps](TrainingConfig& c) {
        if (steps > 0)
            c.steps = steps;
    });
}

TrainingJob TrainingJob::resume(const std::string& path, const std::function<void(TrainingConfig&)>& adjust)
{
    auto checkpoint = loadCheckpoint(path);
    require(checkpoint.header.trainingState,
            path + ": holds EMA weights only (no optimizer or RNG state), so it cannot be resumed");
    auto config = trainingConfigFromJson(checkpoint.header.training, path);
    if (adjust)
        adjust(config);
    require(config.steps >= checkpoint.header.step, path + ": is at step " + std::to_string(checkpoint.header.step)
                                                       + "; the run's total steps (" + std::to_string(config.steps)
                                                       + ") cannot be lower");
    TrainingJob job(config);
    auto& s = *job.state_;
    s.step = checkpoint.header.step;
    s.network = checkpoint.weights;
    s.ema = checkpoint.ema;
    s.network->train();
    makeOptimizer(s);
    try {
        s.optimizer->load(*checkpoint.optimizer);
    } catch (const c10::Error& e) {
        throw Error(path + ": optimizer state does not match the network: " + e.what_without_backtrace());
    }
    require(checkpoint.rngState.scalar_type() == at::kByte, path + ": rng state has the wrong type");
    s.generator.set_state(checkpoint.rngState);
    s.lastCheckpoint = path;
    return job;
}

const TrainingConfig& TrainingJob::config() const { return state_->config; }
int64_t TrainingJob::step() const { return state_->step; }
int64_t TrainingJob::parameterCount() const { return state_->network ? state_->network->parameterCount() : 0; }

TrainingOutcome TrainingJob::run(const TrainingCallbacks& callbacks, const StopToken& stop)
{
    auto& s = *state_;
    std::unique_ptr<RunLock> lock; // one writer per run folder, from before the first file is touched
    try {
        lock = std::make_unique<RunLock>(s.config.runDir(), callbacks.note);
        for (const auto& name : removeStaleTempFiles(s.config.runDir()))
            if (callbacks.note)
                callbacks.note(s.config.runDir() + ": removed " + name + ", left by a save that was killed");
    } catch (const std::exception& e) {
        return failure(s, userMessage(e));
    }
    if (auto error = startRun(s); !error.empty())
        return failure(s, error);
    std::ofstream log;
    try {
        log = openLog(s);
    } catch (const std::exception& e) {
        return failure(s, userMessage(e));
    }
    // Between steps a second Ctrl-C is ignored: the first already asked for a stop, which
    // comes at the next step boundary, with a checkpoint.
    InterruptShield shield;
    auto outcome = trainLoop(callbacks, stop, log);
    if (outcome.status != TrainingStatus::Failed) // a clean end: run_recovery.h does not offer it again
        markEnd(*lock, outcome, callbacks);
    return outcome;
}

TrainingOutcome TrainingJob::trainLoop(const TrainingCallbacks& callbacks, const StopToken& stop, std::ofstream& log)
{
    auto& s = *state_;
    const auto start = std::chrono::steady_clock::now();
    const int64_t firstStep = s.step;
    while (s.step < s.config.steps) {
        if (stop.stopRequested())
            return cancelRun(s, callbacks, firstStep);
        const double lr = learningRateAt(s.step, s.config.steps, s.config.lr, s.config.warmup, s.config.minLrRatio);
        double loss = 0;
        try {
            loss = trainStep(s, lr);
        } catch (const std::exception& e) {
            return failure(s, "training step " + std::to_string(s.step + 1) + " failed: " + userMessage(e));
        }
        if (!std::isfinite(loss))
            return failure(s, "loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step "
                                  + std::to_string(s.step + 1) + " (lr " + std::to_string(lr) + "); training stopped");
        ++s.step;
        s.smoothedLoss = s.step == firstStep + 1 ? loss : 0.99 * s.smoothedLoss + 0.01 * loss;
        log << s.step << ',' << loss << ',' << lr << '\n';
        if (s.step % 50 == 0)
            log.flush();
        if (!log)
            return failure(s, logPath(s) + ": writing the loss log failed (disk full?); training stopped");
        reportProgress(s, callbacks, loss, lr, firstStep, start);
        try {
            afterStep(s, callbacks, log);
        } catch (const std::exception& e) {
            return failure(s, "could not save a checkpoint: " + userMessage(e));
        }
    }
    return {TrainingStatus::Finished, "finished " + std::to_string(s.step) + " steps", s.step, s.lastCheckpoint};
}

} // namespace ds
