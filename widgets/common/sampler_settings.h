#pragma once
// One sampler configuration as the GUI edits and remembers it. Spellings are the engine's
// (ds::name / fromString), so QSettings, the CLI and JSON agree.
#include <QString>

class QSettings;

namespace ds {

struct SamplerOptions;

struct SamplerSettings {
    QString sampler = QStringLiteral("ddim"); // a name from ds::samplerRegistry()
    int steps = 50;                           // reverse steps, 1..T
    QString spacing = QStringLiteral("logsnr"); // leading | trailing | logsnr
    QString sigma = QStringLiteral("small");  // DDPM: σ² = β̃ (small) or β (large)
    double sigmaScale = 1.0;                  // DDPM: multiplies σ; 0 is the mean path
    double eta = 0.0;                         // DDIM: 0 deterministic, 1 DDPM-like
    QString start = QStringLiteral("noise");  // noise: x_T ~ N(0, I); data: a test image forward-diffused
    QString model;                            // comparison panes: a model of their own (empty: the open one)

    // Engine options; throws ds::Error for a bad spelling.
    SamplerOptions toOptions() const;
    // "ddim 50 · logsnr · η 0"
    QString label() const;
    // Whether the sampler reads an option (the registry's `reads`, core/sampler_registry.h).
    bool uses(const char* key) const;
    bool usesSigma() const { return uses("sigma"); }
    bool usesSigmaScale() const { return uses("sigma_scale"); }
    bool usesEta() const { return uses("eta"); }

    void save(QSettings& settings, const QString& group) const;
    // Missing or invalid entries give `fallback`.
    static SamplerSettings load(QSettings& settings, const QString& group, const SamplerSettings& fallback);

    bool operator==(const SamplerSettings&) const = default;
};

} // namespace ds
