#include "sampler_options.h"

#include "models/error.h"

#include <nlohmann/json.hpp>

#include <variant>

namespace ds {
namespace {

using Member = std::variant<int64_t SamplerOptions::*, double SamplerOptions::*, bool SamplerOptions::*,
                            Spacing SamplerOptions::*, SigmaMode SamplerOptions::*>;

struct Row {
    SamplerOptionField field;
    Member member;
};

const std::vector<Row>& rows()
{
    using O = SamplerOptions;
    static const std::vector<Row> table{
        {{"steps", "reverse steps (grid points), 1..T", OptionKind::Int}, &O::steps},
        {{"spacing", "timestep grid: leading|trailing|linspace|logsnr|karras|exponential", OptionKind::Spacing}, &O::spacing},
        {{"steps_offset", "diffusers steps_offset, added to leading and linspace grids", OptionKind::Int}, &O::stepsOffset},
        {{"karras_rho", "Karras grid: rho", OptionKind::Real}, &O::karrasRho},
        {{"eta", "DDIM: sigma = eta * sqrt(beta-tilde); ancestral and SDE samplers: noise fraction", OptionKind::Real}, &O::eta},
        {{"sigma", "DDPM: sigma^2 = beta-tilde (small) or beta (large)", OptionKind::Sigma}, &O::sigma},
        {{"sigma_scale", "DDPM: multiplies sigma (0 = mean path); DNM: s in sigma_t = s sqrt(dt)", OptionKind::Real}, &O::sigmaScale},
        {{"clip_denoised", "clamp x0-hat to the clip range before each update (static thresholding)", OptionKind::Flag}, &O::clipDenoised},
        {{"clip_range", "clip to [-r, r]; 0 = the model's data range", OptionKind::Real}, &O::clipRange},
        {{"dynamic_threshold", "Imagen's dynamic thresholding of x0-hat", OptionKind::Flag}, &O::dynamicThreshold},
        {{"threshold_quantile", "dynamic thresholding: quantile p of |x0-hat| per sample", OptionKind::Real}, &O::thresholdQuantile},
        {{"threshold_max", "dynamic thresholding: largest s", OptionKind::Real}, &O::thresholdMax},
        {{"churn", "EDM: S_churn (0 = deterministic Heun)", OptionKind::Real}, &O::churn},
        {{"churn_tmin", "EDM: S_tmin", OptionKind::Real}, &O::churnTMin},
        {{"churn_tmax", "EDM: S_tmax", OptionKind::Real}, &O::churnTMax},
        {{"churn_noise", "EDM and ancestral samplers: S_noise, scale of the added noise", OptionKind::Real}, &O::churnNoise},
        {{"window", "Picard: steps solved together per round", OptionKind::Int}, &O::window},
        {{"tolerance", "Picard: tau in ParaDiGMS' rule |dx|^2/D <= tau^2 sigma_step^2", OptionKind::Real}, &O::tolerance},
    };
    return table;
}

const Row& row(std::string_view key)
{
    for (const auto& r : rows())
        if (r.field.key == key)
            return r;
    std::string known;
    for (const auto& r : rows())
        known += (known.empty() ? "" : ", ") + std::string(r.field.key);
    throw Error("unknown sampler option '" + std::string(key) + "' (known: " + known + ")");
}

} // namespace

const std::vector<SamplerOptionField>& samplerOptionFields()
{
    static const std::vector<SamplerOptionField> fields = [] {
        std::vector<SamplerOptionField> out;
        for (const auto& r : rows())
            out.push_back(r.field);
        return out;
    }();
    return fields;
}

const SamplerOptionField& samplerOptionField(std::string_view key) { return row(key).field; }

nlohmann::json optionValue(const SamplerOptions& options, std::string_view key)
{
    return std::visit(
        [&](auto member) -> nlohmann::json {
            const auto& v = options.*member;
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, Spacing> || std::is_same_v<V, SigmaMode>)
                return std::string(name(v));
            else
                return v;
        },
        row(key).member);
}

void setOptionValue(SamplerOptions& options, std::string_view key, const nlohmann::json& value, const std::string& where)
{
    const auto& r = row(key);
    const std::string what = where + ": sampler option '" + std::string(key) + "'";
    std::visit(
        [&](auto member) {
            auto& v = options.*member;
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, Spacing> || std::is_same_v<V, SigmaMode>) {
                require(value.is_string(), what + " must be a name");
                try {
                    if constexpr (std::is_same_v<V, Spacing>)
                        v = spacingFromString(value.get<std::string>());
                    else
                        v = sigmaModeFromString(value.get<std::string>());
                } catch (const Error& e) {
                    throw Error(what + ": " + e.what());
                }
            } else if constexpr (std::is_same_v<V, bool>) {
                require(value.is_boolean(), what + " must be true or false");
                v = value.get<bool>();
            } else if constexpr (std::is_same_v<V, int64_t>) {
                require(value.is_number_integer(), what + " must be an integer");
                v = value.get<int64_t>();
            } else {
                require(value.is_number(), what + " must be a number");
                v = value.get<double>();
                require(std::isfinite(v), what + " must be finite");
            }
        },
        r.member);
}

void setOptionText(SamplerOptions& options, std::string_view key, const std::string& text, const std::string& where)
{
    const auto kind = row(key).field.kind;
    nlohmann::json value = text;
    if (kind == OptionKind::Flag) {
        require(text == "true" || text == "false" || text == "1" || text == "0",
                where + ": " + std::string(key) + " must be true or false, got '" + text + "'");
        value = text == "true" || text == "1";
    } else if (kind == OptionKind::Int || kind == OptionKind::Real) {
        value = nlohmann::json::parse(text, nullptr, false);
        require(!value.is_discarded() && value.is_number(),
                where + ": " + std::string(key) + " must be a number, got '" + text + "'");
    }
    setOptionValue(options, key, value, where);
}

nlohmann::json toJson(const SamplerOptions& options)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& r : rows())
        j[std::string(r.field.key)] = optionValue(options, r.field.key);
    return j;
}

SamplerOptions samplerOptionsFromJson(const nlohmann::json& j, const std::string& where, SamplerOptions base)
{
    require(j.is_object(), where + ": sampler options must be a JSON object");
    for (const auto& [key, value] : j.items()) {
        try {
            row(key);
        } catch (const Error& e) {
            throw Error(where + ": " + e.what());
        }
        setOptionValue(base, key, value, where);
    }
    return base;
}

} // namespace ds
