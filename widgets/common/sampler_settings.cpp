#include "sampler_settings.h"

#include "core/samplers/sampler.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/timesteps.h"

#include <QSettings>

namespace ds {

bool SamplerSettings::uses(const char* key) const
{
    for (const auto& e : samplerRegistry())
        if (QLatin1String(e.name.data(), qsizetype(e.name.size())) == sampler)
            return e.readsOption(key);
    return false;
}

SamplerOptions SamplerSettings::toOptions() const
{
    auto o = defaultOptions(sampler.toStdString()); // the registry's defaults for what the editor does not show
    o.steps = steps;
    o.spacing = spacingFromString(spacing.toStdString());
    o.sigma = sigmaModeFromString(sigma.toStdString());
    o.sigmaScale = sigmaScale;
    o.eta = eta;
    return o;
}

QString SamplerSettings::label() const
{
    auto text = QStringLiteral("%1 %2 · %3").arg(sampler).arg(steps).arg(spacing);
    if (usesSigma())
        text += QStringLiteral(" · σ %1×%2").arg(sigma).arg(sigmaScale);
    else if (usesSigmaScale())
        text += QStringLiteral(" · s %1").arg(sigmaScale);
    if (usesEta())
        text += QStringLiteral(" · η %1").arg(eta);
    if (start == QLatin1String("data"))
        text += QStringLiteral(" · from data");
    return text;
}

void SamplerSettings::save(QSettings& s, const QString& group) const
{
    s.beginGroup(group);
    s.setValue("sampler", sampler);
    s.setValue("steps", steps);
    s.setValue("spacing", spacing);
    s.setValue("sigma", sigma);
    s.setValue("sigmaScale", sigmaScale);
    s.setValue("eta", eta);
    s.setValue("start", start);
    s.setValue("model", model);
    s.endGroup();
}

SamplerSettings SamplerSettings::load(QSettings& s, const QString& group, const SamplerSettings& fallback)
{
    SamplerSettings out;
    s.beginGroup(group);
    out.sampler = s.value("sampler", fallback.sampler).toString();
    out.steps = s.value("steps", fallback.steps).toInt();
    out.spacing = s.value("spacing", fallback.spacing).toString();
    out.sigma = s.value("sigma", fallback.sigma).toString();
    out.sigmaScale = s.value("sigmaScale", fallback.sigmaScale).toDouble();
    out.eta = s.value("eta", fallback.eta).toDouble();
    out.start = s.value("start", fallback.start).toString();
    out.model = s.value("model", fallback.model).toString();
    s.endGroup();
    try { // a hand-edited or stale settings file must not break start-up
        out.toOptions();
        makeSampler(out.sampler.toStdString());
        if (out.steps < 1 || (out.start != QLatin1String("noise") && out.start != QLatin1String("data")))
            return fallback;
    } catch (const std::exception&) {
        return fallback;
    }
    return out;
}

} // namespace ds
