#include "diffusers_scheduler.h"

#include "models/error.h"
#include "models/json_fields.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

namespace ds {
namespace {

using nlohmann::json;

// Reads the config's fields by name, remembering which were used so the rest can be noted.
// A null value counts as absent (diffusers writes `"trained_betas": null`).
class Fields {
public:
    Fields(const json& j, const std::string& where) : j_(j), where_(where) {}

    bool has(const std::string& key)
    {
        used_.insert(key);
        return j_.contains(key) && !j_.at(key).is_null();
    }
    double number(const std::string& key, double fallback)
    {
        if (!has(key))
            return fallback;
        require(j_.at(key).is_number(), where_ + ": field '" + key + "' must be a number");
        return j_.at(key).get<double>();
    }
    int64_t integer(const std::string& key, int64_t fallback)
    {
        if (!has(key))
            return fallback;
        require(j_.at(key).is_number_integer(), where_ + ": field '" + key + "' must be an integer");
        return j_.at(key).get<int64_t>();
    }
    bool boolean(const std::string& key, bool fallback)
    {
        if (!has(key))
            return fallback;
        require(j_.at(key).is_boolean(), where_ + ": field '" + key + "' must be true or false");
        return j_.at(key).get<bool>();
    }
    std::string text(const std::string& key, const std::string& fallback)
    {
        if (!has(key))
            return fallback;
        require(j_.at(key).is_string(), where_ + ": field '" + key + "' must be a string");
        return j_.at(key).get<std::string>();
    }
    std::vector<double> numbers(const std::string& key)
    {
        require(j_.at(key).is_array(), where_ + ": field '" + key + "' must be an array of numbers");
        std::vector<double> out;
        for (const auto& v : j_.at(key)) {
            require(v.is_number(), where_ + ": field '" + key + "' holds a non-number");
            out.push_back(v.get<double>());
        }
        return out;
    }
    std::vector<std::string> unused() const
    {
        std::vector<std::string> out;
        for (const auto& [key, value] : j_.items())
            if (!used_.count(key) && key.rfind("_", 0) != 0) // "_diffusers_version" etc. are bookkeeping
                out.push_back(key);
        return out;
    }
    const std::string& where() const { return where_; }

private:
    const json& j_;
    std::string where_;
    std::set<std::string> used_;
};

[[noreturn]] void refuseValue(const std::string& where, const std::string& key, const std::string& value,
                              const std::string& why)
{
    throw Error(where + ": field '" + key + "' = '" + value + "' " + why);
}

std::string samplerFor(const std::string& className, std::vector<std::string>& notes)
{
    if (className == "DDPMScheduler") return "ddpm";
    if (className == "DDIMScheduler") return "ddim";
    if (className == "DPMSolverMultistepScheduler") return "dpmpp-2m";
    if (className == "EulerDiscreteScheduler") return "euler";
    if (className == "EulerAncestralDiscreteScheduler") return "euler-ancestral";
    if (className == "PNDMScheduler") {
        notes.push_back("PNDMScheduler: pseudo linear multistep is not in diffscope; sampling with DDIM "
                        "(PNDM's PLMS steps are a higher-order solver of the same ODE)");
        return "ddim";
    }
    notes.push_back("scheduler class '" + (className.empty() ? std::string("(none)") : className)
                    + "' has no diffscope counterpart; sampling with DDIM");
    return "ddim";
}

// The training schedule: beta_schedule or trained_betas, num_train_timesteps, zero-SNR rescaling.
ScheduleSpec readSchedule(Fields& f, std::vector<std::string>& notes)
{
    const std::string& where = f.where();
    ScheduleSpec s;
    const bool hasT = f.has("num_train_timesteps");
    s.T = f.integer("num_train_timesteps", 1000);
    if (!hasT)
        notes.push_back("num_train_timesteps missing: diffusers' default 1000");
    s.betaStart = f.number("beta_start", 0.0001);
    s.betaEnd = f.number("beta_end", 0.02);
    const auto schedule = f.text("beta_schedule", "linear");
    if (f.has("trained_betas")) {
        s.kind = ScheduleKind::Betas;
        s.values = f.numbers("trained_betas");
        require(!hasT || int64_t(s.values.size()) == s.T,
                where + ": field 'trained_betas' has " + std::to_string(s.values.size())
                    + " entries but num_train_timesteps is " + std::to_string(s.T));
        s.T = int64_t(s.values.size());
        notes.push_back("trained_betas given: beta_schedule '" + schedule + "' ignored, as diffusers does");
    } else if (schedule == "linear") {
        s.kind = ScheduleKind::Linear;
    } else if (schedule == "scaled_linear") {
        s.kind = ScheduleKind::ScaledLinear;
    } else if (schedule == "squaredcos_cap_v2") {
        s.kind = ScheduleKind::Cosine; // diffusers' betas_for_alpha_bar: s = 0.008, β ≤ 0.999, the same form
        s.cosineOffset = 0.008;
    } else if (schedule == "sigmoid") {
        s.kind = ScheduleKind::Sigmoid;
    } else {
        refuseValue(where, "beta_schedule", schedule, "is unknown (expected linear|scaled_linear|squaredcos_cap_v2|sigmoid)");
    }
    s.rescaleZeroTerminalSnr = f.boolean("rescale_betas_zero_snr", false);
    try {
        s.validate();
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    return s;
}

Prediction readPrediction(Fields& f)
{
    const auto p = f.text("prediction_type", "epsilon");
    if (p == "epsilon") return Prediction::Epsilon;
    if (p == "sample") return Prediction::X0;
    if (p == "v_prediction") return Prediction::V;
    refuseValue(f.where(), "prediction_type", p, "is not supported (expected epsilon|sample|v_prediction)");
}

bool isOneOf(const std::string& c, std::initializer_list<const char*> names)
{
    for (const char* n : names)
        if (c == n)
            return true;
    return false;
}

// Static clipping and Imagen's dynamic thresholding of x̂0; diffusers applies thresholding
// instead of clipping when both are on.
void readClipping(Fields& f, const std::string& className, SamplerOptions& o, std::vector<std::string>& notes)
{
    const bool clipByDefault = isOneOf(className, {"DDPMScheduler", "DDIMScheduler"});
    const bool hasClip = f.has("clip_sample");
    o.clipDenoised = f.boolean("clip_sample", clipByDefault);
    if (!hasClip && clipByDefault)
        notes.push_back("clip_sample missing: " + className + "'s default true");
    o.clipRange = f.number("clip_sample_range", 1.0);
    require(o.clipRange > 0, f.where() + ": field 'clip_sample_range' must be > 0");
    o.dynamicThreshold = f.boolean("thresholding", false);
    o.thresholdQuantile = f.number("dynamic_thresholding_ratio", 0.995);
    o.thresholdMax = f.number("sample_max_value", 1.0);
    require(o.thresholdQuantile > 0 && o.thresholdQuantile <= 1,
            f.where() + ": field 'dynamic_thresholding_ratio' must be in (0, 1]");
    require(o.thresholdMax >= 1, f.where() + ": field 'sample_max_value' must be >= 1");
    if (o.dynamicThreshold && o.clipDenoised) {
        o.clipDenoised = false;
        notes.push_back("clip_sample ignored: thresholding takes precedence, as in diffusers");
    }
}

// timestep_spacing (+ steps_offset); use_karras_sigmas / use_exponential_sigmas override it.
void readSpacing(Fields& f, const std::string& className, SamplerOptions& o, std::vector<std::string>& notes)
{
    const bool leadingByDefault = isOneOf(className, {"DDPMScheduler", "DDIMScheduler", "PNDMScheduler"});
    const std::string fallback = leadingByDefault ? "leading" : "linspace";
    if (!f.has("timestep_spacing"))
        notes.push_back("timestep_spacing missing: " + fallback + " (diffusers' default for this class)");
    const auto spacing = f.text("timestep_spacing", fallback);
    if (spacing == "leading") o.spacing = Spacing::Leading;
    else if (spacing == "trailing") o.spacing = Spacing::Trailing;
    else if (spacing == "linspace") o.spacing = Spacing::Linspace;
    else refuseValue(f.where(), "timestep_spacing", spacing, "is unknown (expected leading|trailing|linspace)");
    o.stepsOffset = f.integer("steps_offset", 0);
    require(o.stepsOffset >= 0, f.where() + ": field 'steps_offset' must be >= 0");
    if (o.stepsOffset != 0 && o.spacing == Spacing::Trailing)
        notes.push_back("steps_offset applies to leading and linspace grids only; ignored for trailing");
    if (f.boolean("use_karras_sigmas", false)) {
        o.spacing = Spacing::Karras;
        notes.push_back("use_karras_sigmas: Karras grid (rho 7) on the nearest training indices; timestep_spacing "
                        "ignored");
    } else if (f.boolean("use_exponential_sigmas", false)) {
        o.spacing = Spacing::Exponential;
        notes.push_back("use_exponential_sigmas: log-uniform sigma grid on the nearest training indices");
    }
}

void readVariance(Fields& f, SamplerOptions& o, std::vector<std::string>& notes)
{
    const auto v = f.text("variance_type", "fixed_small");
    if (v == "fixed_small") {
        o.sigma = SigmaMode::Small;
    } else if (v == "fixed_large") {
        o.sigma = SigmaMode::Large;
    } else if (v == "fixed_small_log" || v == "fixed_large_log") {
        o.sigma = v == "fixed_small_log" ? SigmaMode::Small : SigmaMode::Large;
        notes.push_back("variance_type " + v + ": the same variance as without _log (diffusers only computes it "
                        "in log space)");
    } else if (v == "learned" || v == "learned_range") {
        refuseValue(f.where(), "variance_type", v,
                       "needs the variance the network predicts (extra output channels), which diffscope does not use");
    } else {
        refuseValue(f.where(), "variance_type", v, "is unknown (expected fixed_small|fixed_large)");
    }
}

// Fields that change a specific scheduler's algorithm but that diffscope's sampler does not copy.
void noteApproximations(Fields& f, const std::string& className, SamplerOptions& o, std::vector<std::string>& notes)
{
    if (f.has("set_alpha_to_one") && !f.boolean("set_alpha_to_one", true))
        notes.push_back("set_alpha_to_one false: diffusers' last DDIM step would go to alpha-bar_1; diffscope's "
                        "last step goes to alpha-bar = 1 (clean data)");
    const auto algorithm = f.text("algorithm_type", "dpmsolver++");
    if (algorithm != "dpmsolver++")
        notes.push_back("algorithm_type " + algorithm + ": diffscope runs dpmsolver++ (data prediction)");
    const auto order = f.integer("solver_order", 2);
    if (order != 2 && className == "DPMSolverMultistepScheduler")
        notes.push_back("solver_order " + std::to_string(order) + ": diffscope's DPM-Solver++ is second order");
    const auto solver = f.text("solver_type", "midpoint");
    if (solver != "midpoint")
        notes.push_back("solver_type " + solver + ": diffscope uses the midpoint form of DPM-Solver++(2M)");
    for (const char* key : {"lower_order_final", "euler_at_final", "final_sigmas_type", "lambda_min_clipped",
                            "interpolation_type", "timestep_type", "sigma_min", "sigma_max", "skip_prk_steps",
                            "use_lu_lambdas"})
        if (f.has(key))
            notes.push_back(std::string(key) + ": ignored (diffscope's sampler has no such option)");
    if (className == "EulerAncestralDiscreteScheduler") {
        o.eta = 1.0;
        notes.push_back("eta 1: EulerAncestralDiscreteScheduler adds the full ancestral noise");
    }
}

} // namespace

DiffusersScheduler diffusersSchedulerFromJson(const nlohmann::json& j, const std::string& where)
{
    require(j.is_object(), where + ": a scheduler config must be a JSON object");
    Fields f(j, where);
    DiffusersScheduler out;
    out.className = f.text("_class_name", "");
    out.sampler = samplerFor(out.className, out.notes);
    out.schedule = readSchedule(f, out.notes);
    out.prediction = readPrediction(f);
    out.defaults.eta = 0.0;
    readClipping(f, out.className, out.defaults, out.notes);
    readSpacing(f, out.className, out.defaults, out.notes);
    readVariance(f, out.defaults, out.notes);
    noteApproximations(f, out.className, out.defaults, out.notes);
    if (out.schedule.rescaleZeroTerminalSnr) {
        out.notes.push_back("rescale_betas_zero_snr: alpha-bar_T floored at 2^-24 (diffusers' Euler value; its "
                            "DDIM/DDPM keep an exact 0)");
        if (out.prediction == Prediction::Epsilon)
            out.notes.push_back("zero terminal SNR with epsilon prediction: x0 from epsilon is ill-conditioned at the "
                                "last index (Lin et al. 2024 use v_prediction)");
    }
    for (const auto& key : f.unused())
        out.notes.push_back("field '" + key + "' ignored (unknown to diffscope)");
    return out;
}

DiffusersScheduler readDiffusersScheduler(const std::string& path)
{
    return diffusersSchedulerFromJson(readJsonFile(path), path);
}

} // namespace ds
