#include "sampler_settings.h"

#include "core/denoisers/denoiser.h"
#include "core/denoisers/denoiser_loader.h"
#include "core/samplers/sampler_options.h"
#include "core/samplers/sampler_registry.h"
#include "core/samplers/start_state.h"
#include "core/samplers/timesteps.h"
#include "core/user_message.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <QObject>
#include <QRegularExpression>
#include <QSettings>

namespace ds {
namespace {

std::string text(const QString& s) { return s.toStdString(); }
QString qtext(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

const SamplerEntry* entryFor(const QString& sampler)
{
    for (const auto& e : samplerRegistry())
        if (qtext(e.name) == sampler)
            return &e;
    return nullptr;
}

// Settings written before the options were one JSON value: five keys of their own.
SamplerOptions migratedOptions(QSettings& s, const SamplerSettings& fallback)
{
    auto o = fallback.options;
    o.steps = s.value("steps", qlonglong(o.steps)).toLongLong();
    o.spacing = spacingFromString(text(s.value("spacing", qtext(name(o.spacing))).toString()));
    o.sigma = sigmaModeFromString(text(s.value("sigma", qtext(name(o.sigma))).toString()));
    o.sigmaScale = s.value("sigmaScale", o.sigmaScale).toDouble();
    o.eta = s.value("eta", o.eta).toDouble();
    return o;
}

void addReason(QString* why, const QString& line)
{
    if (why && !line.isEmpty())
        *why += (why->isEmpty() ? QString() : QStringLiteral("\n")) + line;
}

} // namespace

SamplerSettings SamplerSettings::of(const QString& sampler, int steps)
{
    SamplerSettings s;
    s.sampler = sampler;
    if (entryFor(sampler))
        s.options = defaultOptions(text(sampler));
    if (steps > 0)
        s.options.steps = steps;
    return s;
}

bool SamplerSettings::uses(const char* key) const
{
    const auto* e = entryFor(sampler);
    return e && e->readsOption(key);
}

SamplerSettings SamplerSettings::withSampler(const QString& name) const
{
    auto out = *this;
    out.sampler = name;
    if (!entryFor(sampler) || !entryFor(name))
        return out;
    const auto was = toJson(defaultOptions(text(sampler)));
    const auto becomes = toJson(defaultOptions(text(name)));
    const auto now = toJson(options);
    for (const auto& [key, value] : now.items())
        if (value == was.at(key))
            setOptionValue(out.options, key, becomes.at(key), "sampler defaults");
    return out;
}

QString SamplerSettings::label() const
{
    const auto& o = options;
    auto out = QStringLiteral("%1 %2").arg(sampler).arg(o.steps);
    if (uses("spacing"))
        out += QStringLiteral(" · ") + qtext(name(o.spacing));
    if (usesSigma())
        out += QStringLiteral(" · σ %1×%2").arg(qtext(name(o.sigma))).arg(o.sigmaScale);
    else if (usesSigmaScale())
        out += QStringLiteral(" · s %1").arg(o.sigmaScale);
    if (usesEta())
        out += QStringLiteral(" · η %1").arg(o.eta);
    if (uses("churn") && o.churn > 0)
        out += QStringLiteral(" · churn %1").arg(o.churn);
    if (uses("window"))
        out += QStringLiteral(" · window %1 τ %2").arg(o.window).arg(o.tolerance);
    if (uses("clip_denoised") && o.clipDenoised)
        out += QStringLiteral(" · clip");
    if (uses("dynamic_threshold") && o.dynamicThreshold)
        out += QStringLiteral(" · dyn. threshold");
    if (start == QLatin1String("data"))
        out += QStringLiteral(" · from data");
    return out;
}

void SamplerSettings::save(QSettings& s, const QString& group) const
{
    s.beginGroup(group);
    for (const auto* old : {"steps", "spacing", "sigma", "sigmaScale", "eta"})
        s.remove(old); // migrated: the JSON below is the one record
    s.setValue("sampler", sampler);
    s.setValue("options", QString::fromStdString(toJson(options).dump()));
    s.setValue("start", start);
    s.setValue("model", model);
    s.endGroup();
}

SamplerSettings SamplerSettings::load(QSettings& s, const QString& group, const SamplerSettings& fallback)
{
    SamplerSettings out;
    s.beginGroup(group);
    try { // a hand-edited or stale settings file must not break start-up
        out.sampler = s.value("sampler", fallback.sampler).toString();
        if (s.contains("options")) {
            const auto json = nlohmann::json::parse(text(s.value("options").toString()));
            out.options = samplerOptionsFromJson(json, "settings " + text(group), defaultOptions(text(out.sampler)));
        } else {
            out.options = migratedOptions(s, fallback);
        }
        out.start = s.value("start", fallback.start).toString();
        out.model = s.value("model", fallback.model).toString();
    } catch (const std::exception& e) { // start-up goes on with the fallback; the log says why
        s.endGroup();
        qWarning("settings %s: not used (%s)", qPrintable(group), userMessage(e).c_str());
        return fallback;
    }
    s.endGroup();
    if (!entryFor(out.sampler) || out.options.steps < 1
        || (out.start != QLatin1String("noise") && out.start != QLatin1String("data")))
        return fallback;
    return out;
}

bool SamplerSettings::operator==(const SamplerSettings& o) const
{
    return sampler == o.sampler && start == o.start && model == o.model && toJson(options) == toJson(o.options);
}

QString dataStartReason(const Denoiser& model)
{
    const auto note = priorNote(model.schedule());
    if (note.empty())
        return {};
    try {
        startDataset(model.info());
    } catch (const std::exception&) {
        return {}; // no data to start from: noise it is (the note still shows in `info`)
    }
    auto reason = QString::fromStdString(note).trimmed();
    reason.remove(QRegularExpression(QStringLiteral("^prior:\\s*")));
    reason.remove(QRegularExpression(QStringLiteral(";\\s*start from data$"))); // said in front already
    return QObject::tr("starting from data: %1").arg(reason);
}

QStringList samplersFor(const Denoiser& model)
{
    const auto& info = model.info();
    if (model.schedule().perPixel()) // ᾱ depends on the image: only Algorithm 1 runs on it
        return {QStringLiteral("pixel-aware")};
    const bool oracle = info.kind.rfind("oracle", 0) == 0;
    QStringList out;
    for (const auto& e : samplerRegistry())
        if (e.role == info.role && (oracle || e.name != "oracle-ancestral"))
            out << qtext(e.name);
    return out;
}

SamplerSettings modelDefaults(const Denoiser& model, QString* why)
{
    const auto& info = model.info();
    const auto offered = samplersFor(model);
    const auto recommended = QString::fromStdString(info.recommendedSampler);
    SamplerSettings s;
    // The grid measured best for the sampler on this schedule (sampler_registry.h).
    const auto measuredDefaults = [&](const QString& name) {
        auto out = SamplerSettings::of(name);
        if (entryFor(name))
            out.options = defaultOptions(text(name), info.schedule);
        return out;
    };
    if (!recommended.isEmpty() && offered.contains(recommended)) {
        s = measuredDefaults(recommended);
        try {
            const auto options = info.recommendedOptions.empty() ? nlohmann::json::object()
                                                                   : nlohmann::json::parse(info.recommendedOptions);
            for (const auto& [key, value] : options.items())
                if (s.uses(key.c_str()))
                    setOptionValue(s.options, key, value, info.source);
            addReason(why, QObject::tr("%1 as the model's scheduler config recommends").arg(recommended));
        } catch (const std::exception& e) { // a bad recommendation: its sampler, registry defaults, and why
            s = measuredDefaults(recommended);
            addReason(why, QObject::tr("%1 as the model's scheduler config recommends, with the registry's options: "
                                       "its recommended options were not used (%2)")
                               .arg(recommended, QString::fromStdString(userMessage(e))));
        }
    } else {
        const auto preferred = QString::fromStdString(defaultSamplerFor(info));
        s = measuredDefaults(offered.contains(preferred) ? preferred : offered.value(0, preferred));
    }
    s.options.steps = std::min<int64_t>(s.options.steps, model.schedule().steps());
    const auto reason = dataStartReason(model);
    if (!reason.isEmpty())
        s.start = QStringLiteral("data");
    addReason(why, reason);
    return s;
}

SamplerSettings fitToModel(const SamplerSettings& settings, const Denoiser& model, QString* why)
{
    if (!samplersFor(model).contains(settings.sampler)) {
        auto s = modelDefaults(model, why);
        s.model = settings.model;
        return s;
    }
    auto s = settings;
    s.options.steps = std::clamp<int64_t>(s.options.steps, 1, model.schedule().steps());
    return s;
}

} // namespace ds
