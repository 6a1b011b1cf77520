#include "schedule_preview.h"

#include "snr_analysis.h"
#include "widgets/common/tensor_image.h"

#include "core/data/dataset.h"
#include "core/denoisers/denoiser_loader.h"
#include "core/denoisers/empirical_denoiser.h"
#include "core/forward_process.h"
#include "core/noise_source.h"
#include "core/samplers/sampler.h"
#include "core/samplers/sampler_registry.h"
#include "core/user_message.h"

#include <ATen/ATen.h>

#include <QObject>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ds {
namespace {

constexpr int kMaxPlotPoints = 400; // a curve of T = 4000 is drawn from every 10th index

// ᾱ (or SNR = ᾱ/(1 − ᾱ)) of a scalar schedule against t/T.
QVector<QPointF> curve(const Schedule& s, bool snr)
{
    const int64_t T = s.steps(), stride = std::max<int64_t>(1, T / kMaxPlotPoints);
    QVector<QPointF> points;
    for (int64_t k = 0; k < T; k += stride) {
        const double a = s.alphaBarAt(k);
        points.append({double(k + 1) / double(T), snr ? a / (1 - a) : a});
    }
    if ((T - 1) % stride != 0) {
        const double a = s.terminalAlphaBar();
        points.append({1.0, snr ? a / (1 - a) : a});
    }
    return points;
}

PlotSeries series(const QString& name, QVector<QPointF> points, QColor colour, Qt::PenStyle style)
{
    PlotSeries s;
    s.name = name;
    s.points = std::move(points);
    s.colour = colour;
    s.style = style;
    return s;
}

void addCurves(SchedulePreview& out, const Schedule& edited, const Schedule& reference)
{
    const QColor colour(31, 119, 180), grey(120, 120, 120);
    for (bool snr : {false, true}) {
        auto& target = snr ? out.snr : out.alphaBar;
        target = {series(QObject::tr("edited"), curve(edited, snr), colour, Qt::SolidLine),
                  series(QObject::tr("preset"), curve(reference, snr), grey, Qt::DashLine)};
    }
}

// x_t = √ᾱ_t x0 + √(1 − ᾱ_t) ε of the item at each kForwardFractions, with the one cached ε.
QImage forwardStrip(const Schedule& s, const SchedulePreviewData& data)
{
    std::vector<at::Tensor> frames;
    for (double u : kForwardFractions)
        frames.push_back(u == 0.0 ? data.x0 : diffuse(s, data.x0, snrIndexAt(u, s.steps()), data.eps));
    const auto batch = at::cat(frames, 0);
    return batchImage(batch, data.range, int64_t(frames.size()));
}

// Rows: the first kPathRows samples; columns: x_T, the x̂0 at kPathFractions of the run, the sample.
QImage pathImage(const at::Tensor& path, DataRange range)
{
    const int64_t rows = std::min(kPathRows, path.size(1)), columns = path.size(0);
    const auto batch = path.slice(1, 0, rows).transpose(0, 1).reshape({rows * columns, path.size(2), path.size(3), path.size(4)});
    return batchImage(batch, range, columns);
}

// Deterministic DDIM (η = 0) on the exact oracle: no noise is drawn after x_T. The exact
// empirical oracle ends on training images (its x̂0 is a softmax-weighted mean of them that
// saturates), so two schedules often give the same samples; the path shows where they differ.
bool runDdim(SchedulePreview& out, const SchedulePreviewRequest& q, const SchedulePreviewData& data,
             const StopToken& stop)
{
    EmpiricalDenoiser oracle(data.oracle, q.schedule, data.range, data.dataset,
                             "oracle:" + data.dataset + "?n=" + std::to_string(data.oracle.size(0)));
    auto sampler = makeSampler("ddim");
    SamplerOptions options;
    options.steps = std::clamp<int64_t>(q.ddimSteps, 1, q.schedule.T);
    options.eta = 0.0;
    std::vector<int64_t> keep; // the steps whose state is a path column (0: x_T)
    for (double u : kPathFractions)
        keep.push_back(std::llround(u * double(options.steps)));
    std::vector<at::Tensor> path{data.xT};
    NoiseSource noise(0); // unused: η = 0 draws nothing, x_T is the cached one
    const auto start = std::chrono::steady_clock::now();
    const auto run = runSampler(*sampler, oracle, data.xT, options, noise, [&](const StepEvent& e) {
        if (std::find(keep.begin() + 1, keep.end(), e.step) != keep.end()) // x̂0 on the way, then the sample
            path.push_back((e.step == options.steps ? e.x : e.x0).to(at::kFloat).cpu());
        return true;
    }, &stop);
    if (run.cancelled)
        return false;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    out.sampleTensor = run.x.to(at::kFloat).contiguous();
    out.pathTensor = at::stack(path).contiguous();
    out.samples = pathImage(out.pathTensor, data.range);
    out.summary += QObject::tr("DDIM η = 0, %1 steps on the exact oracle of %2 %3 items (its samples are "
                               "training images): %4 ms")
                       .arg(options.steps)
                       .arg(data.oracle.size(0))
                       .arg(QString::fromStdString(data.dataset))
                       .arg(ms, 0, 'f', 0);
    return true;
}

} // namespace

SchedulePreviewData makeSchedulePreviewData(const std::string& dataset, int64_t items, int64_t samples, uint64_t seed)
{
    DatasetOptions options;
    options.limit = items;
    const auto set = loadDataset(dataset, options);
    SchedulePreviewData d;
    d.dataset = dataset;
    d.range = set.range;
    d.oracle = set.images.contiguous();
    d.x0 = d.oracle.slice(0, 0, 1).clone();
    NoiseSource noise(seed); // x_T first, then the forward ε (the project's draw order)
    d.xT = noise.normal({samples, d.x0.size(1), d.x0.size(2), d.x0.size(3)});
    d.eps = noise.normal(d.x0.sizes());
    return d;
}

SchedulePreview computeSchedulePreview(const SchedulePreviewRequest& q, const SchedulePreviewData& data,
                                       const StopToken& stop)
{
    SchedulePreview out;
    out.ticket = q.ticket;
    out.schedule = q.schedule;
    try {
        const Schedule edited(q.schedule, data.range), reference(q.reference, data.range);
        edited.requireScalar("the schedule editor");
        addCurves(out, edited, reference);
        out.forward = forwardStrip(edited, data);
        const double abarT = edited.terminalAlphaBar();
        out.summary = QObject::tr("ᾱ_T = %1, log-SNR from %2 to %3. ")
                          .arg(abarT, 0, 'g', 3)
                          .arg(std::log(edited.alphaBarAt(0) / (1 - edited.alphaBarAt(0))), 0, 'f', 2)
                          .arg(std::log(abarT / (1 - abarT)), 0, 'f', 2);
        const auto prior = QString::fromStdString(priorNote(edited)).simplified();
        if (!prior.isEmpty())
            out.summary += prior.mid(prior.indexOf(':') + 1).trimmed() + QStringLiteral(". ");
        out.cancelled = !runDdim(out, q, data, stop);
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(userMessage(e));
    }
    return out;
}

} // namespace ds
