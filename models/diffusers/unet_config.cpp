// DiffusersUNetConfig ⇄ diffusers' config.json, with every check a hand-edited file needs.
#include "models/diffusers_unet.h"

#include "models/error.h"
#include "models/config_check.h"
#include "models/diffusers/layers.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace ds {

using nlohmann::json;

namespace {

// Reads typed fields of one config object; every message starts with the file and the key.
class FieldReader {
public:
    FieldReader(const json& j, const std::string& where) : j_(j), where_(where) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const
    {
        throw Error(where_ + ": " + key + " " + problem);
    }
    const json* find(const std::string& key) const
    {
        auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    void integer(const std::string& key, int64_t& out, int64_t min, int64_t max) const
    {
        if (const json* v = find(key)) {
            if (!inRange(*v, min, max))
                fail(key, "must be an integer " + range(min, max) + ", not " + shown(*v));
            out = v->get<int64_t>();
        }
    }
    void optionalInteger(const std::string& key, std::optional<int64_t>& out, int64_t min, int64_t max) const
    {
        if (const json* v = find(key)) {
            if (v->is_null())
                out.reset();
            else if (!inRange(*v, min, max))
                fail(key, "must be null or an integer " + range(min, max) + ", not " + shown(*v));
            else
                out = v->get<int64_t>();
        }
    }
    void number(const std::string& key, double& out) const
    {
        if (const json* v = find(key)) {
            if (!v->is_number() || !std::isfinite(v->get<double>()))
                fail(key, "must be a number, not " + shown(*v));
            out = v->get<double>();
        }
    }
    void boolean(const std::string& key, bool& out) const
    {
        if (const json* v = find(key)) {
            if (!v->is_boolean())
                fail(key, "must be true or false, not " + shown(*v));
            out = v->get<bool>();
        }
    }
    void string(const std::string& key, std::string& out) const
    {
        if (const json* v = find(key)) {
            if (!v->is_string())
                fail(key, "must be a string, not " + shown(*v));
            out = v->get<std::string>();
        }
    }
    void optionalString(const std::string& key, std::optional<std::string>& out) const
    {
        if (const json* v = find(key)) {
            if (v->is_null())
                out.reset();
            else if (!v->is_string())
                fail(key, "must be null or a string, not " + shown(*v));
            else
                out = v->get<std::string>();
        }
    }
    void strings(const std::string& key, std::vector<std::string>& out) const
    {
        if (const json* v = find(key)) {
            if (!v->is_array() || v->empty() || !std::all_of(v->begin(), v->end(), [](const json& e) { return e.is_string(); }))
                fail(key, "must be a non-empty list of strings, not " + shown(*v));
            out = v->get<std::vector<std::string>>();
        }
    }
    void positiveIntegers(const std::string& key, std::vector<int64_t>& out, size_t maxCount, int64_t max) const
    {
        if (const json* v = find(key)) {
            auto fits = [max](const json& e) { return inRange(e, 1, max); };
            if (!v->is_array() || v->empty() || v->size() > maxCount || !std::all_of(v->begin(), v->end(), fits))
                fail(key, "must be a non-empty list of at most " + std::to_string(maxCount) + " integers " + range(1, max) + ", not " +
                              shown(*v));
            out = v->get<std::vector<int64_t>>();
        }
    }

private:
    // An integer (not 3.0, not 1e300: nlohmann casts a double to int64 unchecked) in [min, max].
    static bool inRange(const json& v, int64_t min, int64_t max)
    {
        if (v.is_number_unsigned())
            return v.get<uint64_t>() <= uint64_t(max) && v.get<uint64_t>() >= uint64_t(std::max<int64_t>(min, 0));
        return v.is_number_integer() && v.get<int64_t>() >= min && v.get<int64_t>() <= max;
    }
    static std::string range(int64_t min, int64_t max) { return "≥ " + std::to_string(min) + " and ≤ " + std::to_string(max); }
    static std::string shown(const json& v)
    {
        std::string s = v.dump();
        return s.size() > 60 ? s.substr(0, 57) + "..." : s;
    }
    const json& j_;
    const std::string& where_;
};

// Bounds that keep every width product in int64 and the module count small; real UNet2DModels
// have ≤ 6 levels, ≤ 4 resnets per block and ≤ 1024 channels. Sizes in between are left to the
// parameter budget (kMaxNetworkParameters, models/config_check.h).
constexpr int64_t kMaxWidth = 65536;
constexpr size_t kMaxLevels = 8;
constexpr int64_t kMaxLayersPerBlock = 64;
constexpr int64_t kMaxTimesteps = 100000000; // rows of the "learned" embedding table

const std::set<std::string> kKnownKeys{
    "sample_size", "in_channels", "out_channels", "center_input_sample", "time_embedding_type",
    "time_embedding_dim", "freq_shift", "flip_sin_to_cos", "down_block_types", "mid_block_type", "up_block_types",
    "block_out_channels", "layers_per_block", "mid_block_scale_factor", "downsample_padding", "downsample_type",
    "upsample_type", "dropout", "act_fn", "attention_head_dim", "norm_num_groups", "attn_norm_num_groups",
    "norm_eps", "resnet_time_scale_shift", "add_attention", "class_embed_type", "num_class_embeds",
    "num_train_timesteps"};

const std::vector<std::string> kDownTypes{"DownBlock2D", "AttnDownBlock2D", "ResnetDownsampleBlock2D", "SkipDownBlock2D",
                                          "AttnSkipDownBlock2D"};
const std::vector<std::string> kUpTypes{"UpBlock2D", "AttnUpBlock2D", "ResnetUpsampleBlock2D", "SkipUpBlock2D",
                                        "AttnSkipUpBlock2D"};

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// diffusers' get_down_block/get_up_block drop a "UNetRes" prefix before matching.
void checkBlockTypes(std::vector<std::string>& types, const std::vector<std::string>& allowed, const std::string& key,
                     const FieldReader& r)
{
    for (size_t i = 0; i < types.size(); ++i) {
        if (types[i].rfind("UNetRes", 0) == 0)
            types[i] = types[i].substr(7);
        if (std::find(allowed.begin(), allowed.end(), types[i]) == allowed.end())
            r.fail(key + "[" + std::to_string(i) + "]",
                   "\"" + types[i] + "\" is not a block type diffscope builds (" + joined(allowed) + ")");
    }
}

void checkOneOf(const std::string& value, const std::vector<std::string>& allowed, const std::string& key,
                const FieldReader& r)
{
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
        r.fail(key, "\"" + value + "\" is not supported (" + joined(allowed) + ")");
}

void refuseUnsupportedKeys(const json& j, const FieldReader& r)
{
    for (const char* key : {"class_embed_type", "num_class_embeds"})
        if (const json* v = r.find(key); v && !v->is_null())
            r.fail(key, "is " + v->dump() + ": class-conditioned UNet2DModels are not supported");
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key().rfind('_', 0) != 0 && !kKnownKeys.count(it.key()) && !it.value().is_null())
            r.fail(it.key(), "is not a UNet2DModel option diffscope knows (value " + it.value().dump() + ")");
}

// Channel counts and group/head sizes that only fit together.
void checkWidths(const DiffusersUNetConfig& c, const FieldReader& r)
{
    const auto& ch = c.blockOutChannels;
    for (int64_t width : ch)
        if (width % c.normNumGroups != 0)
            r.fail("norm_num_groups", std::to_string(c.normNumGroups) + " does not divide block_out_channels entry " +
                                          std::to_string(width));
    const bool midAttention = c.midBlockType && c.addAttention;
    if (midAttention && c.attnNormNumGroups && ch.back() % *c.attnNormNumGroups != 0)
        r.fail("attn_norm_num_groups", std::to_string(*c.attnNormNumGroups) + " does not divide the mid block's " +
                                           std::to_string(ch.back()) + " channels");
    if (!c.attentionHeadDim)
        return;
    const int64_t n = int64_t(ch.size());
    for (int64_t i = 0; i < n; ++i) {
        const bool tooNarrow = (c.downBlockTypes[i].rfind("Attn", 0) == 0 && ch[i] < *c.attentionHeadDim) ||
                               (c.upBlockTypes[i].rfind("Attn", 0) == 0 && ch[n - 1 - i] < *c.attentionHeadDim);
        if (tooNarrow || (i == n - 1 && midAttention && ch.back() < *c.attentionHeadDim))
            r.fail("attention_head_dim",
                   std::to_string(*c.attentionHeadDim) + " exceeds the channels of a block with attention");
    }
}

// The Skip blocks' image path is hard-wired to 3 channels (skip_conv 3 → C and C → 3).
void checkSkipChannels(const DiffusersUNetConfig& c, const FieldReader& r)
{
    const size_t last = c.blockOutChannels.size() - 1;
    for (size_t i = 0; i < last; ++i) {
        if (c.downBlockTypes[i].find("Skip") != std::string::npos && c.inChannels != 3)
            r.fail("in_channels", "must be 3 for " + c.downBlockTypes[i] + " (its skip_conv reads the RGB input)");
        if (c.upBlockTypes[i].find("Skip") != std::string::npos && c.outChannels != 3)
            r.fail("out_channels", "must be 3 for " + c.upBlockTypes[i] + " (its skip_conv writes RGB)");
    }
}

void checkValues(DiffusersUNetConfig& c, const FieldReader& r)
{
    if (c.downBlockTypes.size() != c.blockOutChannels.size() || c.upBlockTypes.size() != c.blockOutChannels.size())
        r.fail("down_block_types", "and up_block_types must have one entry per block_out_channels entry (" +
                                       std::to_string(c.downBlockTypes.size()) + ", " + std::to_string(c.upBlockTypes.size()) +
                                       ", " + std::to_string(c.blockOutChannels.size()) + ")");
    checkBlockTypes(c.downBlockTypes, kDownTypes, "down_block_types", r);
    checkBlockTypes(c.upBlockTypes, kUpTypes, "up_block_types", r);
    if (c.midBlockType && *c.midBlockType != "UNetMidBlock2D")
        r.fail("mid_block_type", "\"" + *c.midBlockType + "\" is not supported (UNetMidBlock2D or null)");
    checkOneOf(c.timeEmbeddingType, {"positional", "fourier", "learned"}, "time_embedding_type", r);
    checkOneOf(c.resnetTimeScaleShift, {"default", "scale_shift"}, "resnet_time_scale_shift", r);
    checkOneOf(c.downsampleType, {"conv", "resnet"}, "downsample_type", r);
    checkOneOf(c.upsampleType, {"conv", "resnet"}, "upsample_type", r);
    try {
        diffusers::activationFromName(c.actFn);
    } catch (const Error& e) {
        r.fail("act_fn", std::string(e.what()).substr(7)); // "act_fn " is the key already
    }
    if (c.timeEmbeddingType == "learned" && !c.numTrainTimesteps)
        r.fail("num_train_timesteps", "must be set for time_embedding_type \"learned\"");
    if (c.timeEmbeddingType == "positional" && double(c.blockOutChannels[0] / 2) == c.freqShift)
        r.fail("freq_shift", "equals half of block_out_channels[0]: the frequencies divide by zero");
    if (!(c.normEps > 0))
        r.fail("norm_eps", "must be > 0");
    if (!(c.dropout >= 0 && c.dropout < 1))
        r.fail("dropout", "must lie in [0, 1)");
    if (c.midBlockScaleFactor == 0)
        r.fail("mid_block_scale_factor", "must not be 0");
    checkWidths(c, r);
    checkSkipChannels(c, r);
}

} // namespace

DiffusersUNetConfig DiffusersUNetConfig::fromJson(const json& j, const std::string& where)
{
    FieldReader r(j, where);
    if (!j.is_object())
        throw Error(where + ": a UNet2DModel config must be a JSON object");
    if (const json* name = r.find("_class_name"); name && *name != "UNet2DModel")
        r.fail("_class_name", "is " + name->dump() + ", not \"UNet2DModel\"");
    refuseUnsupportedKeys(j, r);
    DiffusersUNetConfig c;
    if (const json* v = r.find("sample_size"))
        c.sampleSize = *v;
    r.integer("in_channels", c.inChannels, 1, kMaxWidth);
    r.integer("out_channels", c.outChannels, 1, kMaxWidth);
    r.boolean("center_input_sample", c.centerInputSample);
    r.string("time_embedding_type", c.timeEmbeddingType);
    r.optionalInteger("time_embedding_dim", c.timeEmbeddingDim, 1, 4 * kMaxWidth);
    r.number("freq_shift", c.freqShift);
    r.boolean("flip_sin_to_cos", c.flipSinToCos);
    r.strings("down_block_types", c.downBlockTypes);
    r.optionalString("mid_block_type", c.midBlockType);
    r.strings("up_block_types", c.upBlockTypes);
    r.positiveIntegers("block_out_channels", c.blockOutChannels, kMaxLevels, kMaxWidth);
    r.integer("layers_per_block", c.layersPerBlock, 1, kMaxLayersPerBlock);
    r.number("mid_block_scale_factor", c.midBlockScaleFactor);
    // A 3×3 stride-2 conv halves an even side only with padding 1 (or 0 after diffusers' own
    // right/bottom pad): padding 2 gives H/2 + 1 and the skip connections no longer fit (found
    // by fuzz_network_config).
    r.integer("downsample_padding", c.downsamplePadding, 0, 1);
    r.string("downsample_type", c.downsampleType);
    r.string("upsample_type", c.upsampleType);
    r.number("dropout", c.dropout);
    r.string("act_fn", c.actFn);
    r.optionalInteger("attention_head_dim", c.attentionHeadDim, 1, kMaxWidth);
    r.integer("norm_num_groups", c.normNumGroups, 1, kMaxWidth); // null would fail in diffusers' resnets too
    r.optionalInteger("attn_norm_num_groups", c.attnNormNumGroups, 1, kMaxWidth);
    r.number("norm_eps", c.normEps);
    r.string("resnet_time_scale_shift", c.resnetTimeScaleShift);
    r.boolean("add_attention", c.addAttention);
    r.optionalInteger("num_train_timesteps", c.numTrainTimesteps, 1, kMaxTimesteps);
    checkValues(c, r);
    const double parameters = c.parameterCount(); // from the config: nothing is allocated yet
    if (parameters > kMaxNetworkParameters)
        r.fail("block_out_channels", "with layers_per_block " + std::to_string(c.layersPerBlock) + " asks for " +
                                         std::to_string(int64_t(std::min(parameters, 9.2e18))) +
                                         " parameters, over the limit of " + std::to_string(int64_t(kMaxNetworkParameters)));
    return c;
}

json DiffusersUNetConfig::toJson() const
{
    auto optional = [](const auto& v) { return v ? json(*v) : json(nullptr); };
    const bool integralShift = freqShift == std::floor(freqShift);
    json j{{"_class_name", "UNet2DModel"},
           {"sample_size", sampleSize},
           {"in_channels", inChannels},
           {"out_channels", outChannels},
           {"center_input_sample", centerInputSample},
           {"time_embedding_type", timeEmbeddingType},
           {"freq_shift", integralShift ? json(int64_t(freqShift)) : json(freqShift)},
           {"flip_sin_to_cos", flipSinToCos},
           {"down_block_types", downBlockTypes},
           {"up_block_types", upBlockTypes},
           {"block_out_channels", blockOutChannels},
           {"layers_per_block", layersPerBlock},
           {"mid_block_scale_factor", midBlockScaleFactor},
           {"downsample_padding", downsamplePadding},
           {"downsample_type", downsampleType},
           {"upsample_type", upsampleType},
           {"dropout", dropout},
           {"act_fn", actFn},
           {"attention_head_dim", optional(attentionHeadDim)},
           {"norm_num_groups", normNumGroups},
           {"attn_norm_num_groups", optional(attnNormNumGroups)},
           {"norm_eps", normEps},
           {"resnet_time_scale_shift", resnetTimeScaleShift},
           {"add_attention", addAttention},
           {"class_embed_type", nullptr},
           {"num_class_embeds", nullptr},
           {"num_train_timesteps", optional(numTrainTimesteps)}};
    // Keys diffusers 0.27 does not know are written only when they matter.
    if (timeEmbeddingDim)
        j["time_embedding_dim"] = *timeEmbeddingDim;
    if (midBlockType != std::optional<std::string>("UNetMidBlock2D"))
        j["mid_block_type"] = optional(midBlockType);
    return j;
}

} // namespace ds
