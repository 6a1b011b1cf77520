#pragma once
// One sampler configuration as the GUI edits and remembers it: a registry sampler name, the
// engine's own SamplerOptions (core/samplers/sampler_options.h: one JSON spelling shared with
// the CLI and checkpoints), where the run starts, and a comparison pane's own model.
#include "core/samplers/sampler.h"

#include <QString>
#include <QStringList>

class QSettings;

namespace ds {

class Denoiser;

struct SamplerSettings {
    QString sampler = QStringLiteral("ddim"); // a name from ds::samplerRegistry()
    SamplerOptions options;                   // every engine option; the sampler reads some (registry `reads`)
    QString start = QStringLiteral("noise");  // noise: x_T ~ N(0, I); data: a test image forward-diffused
    QString model;                            // comparison panes: a model of their own (empty: the open one)

    // The registry's defaults for `sampler`, with `steps` if given (> 0).
    static SamplerSettings of(const QString& sampler, int steps = 0);

    const SamplerOptions& toOptions() const { return options; }
    // "ddim 50 · logsnr · η 0"
    QString label() const;
    // Whether the sampler reads an option (the registry's `reads`, core/samplers/sampler_registry.h).
    bool uses(const char* key) const;
    bool usesSigma() const { return uses("sigma"); }
    bool usesSigmaScale() const { return uses("sigma_scale"); }
    bool usesEta() const { return uses("eta"); }
    // The same settings on another sampler: options left at the old sampler's defaults take
    // the new one's (euler-ancestral's η 1), options the user set are kept.
    SamplerSettings withSampler(const QString& name) const;

    // QSettings holds the options as sampler_options.h's JSON ("options"); files written before
    // (steps, spacing, sigma, sigmaScale, eta keys) are read once and rewritten as JSON.
    void save(QSettings& settings, const QString& group) const;
    // Missing or invalid entries give `fallback`.
    static SamplerSettings load(QSettings& settings, const QString& group, const SamplerSettings& fallback);

    bool operator==(const SamplerSettings& other) const;
};

// The samplers that can drive `model`: its role's registry entries, the pixel-aware sampler for
// the exact per-pixel oracle, oracle-ancestral only for exact oracles. Registry order.
QStringList samplersFor(const Denoiser& model);

// What opening `model` selects: its own recommendation (diffusers scheduler configs), else
// DDIM for denoisers and the registry's first sampler for DNM and pixel-aware models, at the
// registry's few-step defaults (capped at T). A model whose x_T is not N(0, I) (priorNote)
// starts from data when its data set can be loaded. `why` (if given) receives the reasons, one
// line each, for the status bar.
SamplerSettings modelDefaults(const Denoiser& model, QString* why = nullptr);

// `settings` made runnable on `model`: a sampler it can drive (else modelDefaults), steps
// within T. The start is the user's (modelDefaults alone picks it). Unchanged when already fine.
SamplerSettings fitToModel(const SamplerSettings& settings, const Denoiser& model, QString* why = nullptr);

// Why runs of `model` should start from data ("starting from data: per-pixel schedule: …"):
// its x_T is not N(0, I) (priorNote) and its data set is known. Empty when noise is right.
QString dataStartReason(const Denoiser& model);

} // namespace ds
