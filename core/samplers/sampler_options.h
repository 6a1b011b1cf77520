#pragma once
// SamplerOptions by their one spelling: JSON keys (checkpoints' recommended options, manifests,
// the GUI's QSettings), CLI flags ("--" + key with '_' → '-') and the GUI's controls all come
// from this table, so a new option is one row here plus its field in sampler.h.
#include "sampler.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ds {

enum class OptionKind { Int, Real, Flag, Spacing, Sigma };

struct SamplerOptionField {
    std::string_view key;  // "sigma_scale"
    std::string_view help; // one line for --help and tooltips
    OptionKind kind;
};
const std::vector<SamplerOptionField>& samplerOptionFields();
const SamplerOptionField& samplerOptionField(std::string_view key); // throws ds::Error for an unknown key

// The value of one field as JSON (numbers, booleans, spellings).
nlohmann::json optionValue(const SamplerOptions& options, std::string_view key);
// Sets one field from JSON, or from text as typed on a command line ("0.5", "true", "karras").
// Throws ds::Error naming `where`, the key and the problem.
void setOptionValue(SamplerOptions& options, std::string_view key, const nlohmann::json& value, const std::string& where);
void setOptionText(SamplerOptions& options, std::string_view key, const std::string& text, const std::string& where);

nlohmann::json toJson(const SamplerOptions& options);
// Applies the keys present in `j` over `base`; unknown keys are refused by name.
SamplerOptions samplerOptionsFromJson(const nlohmann::json& j, const std::string& where, SamplerOptions base = {});

} // namespace ds
