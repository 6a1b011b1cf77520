#pragma once
// Everything the SNR panel draws for one image, computed off the UI thread from core/snr.h:
// per-pixel SNR curves of the pixel-aware schedule against linear DDPM (seed 002 eq. 11) for
// chosen pixels and for pixel-value bins, E[x_t] and Var[x_t] against t/T (seed 002 Fig. 2),
// a per-pixel map at the current t (SNR, variance or KL to N(0, 1)) and the terminal
// prior-mismatch summary. Both schedules see the same image in x̃0 ∈ [ε, 1].
#include "widgets/common/chart_adapter.h"
#include "widgets/common/colour_map.h"

#include "core/schedule.h"

#include <ATen/core/Tensor.h>
#include <QImage>
#include <QPoint>
#include <QString>
#include <QVector>

namespace ds {

enum class SnrMapKind { Snr, Variance, Kl };

struct SnrRequest {
    quint64 ticket = 0;
    QString source;             // fashionSource(i) or an image path (snr_image_source.h)
    int channel = 0;            // channel the curves and the map read (colour photos: R, G, B)
    ScheduleSpec pixelAware = ScheduleSpec::pixelAware(200, 20.0);
    ScheduleSpec linear = ScheduleSpec::linear(1000);
    QVector<QPoint> pixels;     // (x, y) of the chosen pixels
    int bins = 4;               // pixel-value bins over [ε, 1]; 0 = none
    double time = 0.5;          // the current t/T in (0, 1]
    SnrMapKind map = SnrMapKind::Snr;
    bool mapPixelAware = true;  // map of the pixel-aware schedule (else linear DDPM)
};

struct SnrResult {
    quint64 ticket = 0;
    QString error;              // set when the image or a schedule could not be made
    QImage image;               // the clean image, one pixel per pixel
    int channels = 1;
    QVector<QPoint> pixels;     // the chosen pixels that lie inside the image
    QVector<PlotSeries> snr;    // SNR against t/T (log scale)
    QVector<PlotSeries> mean;   // E[x_t] against t/T
    QVector<PlotSeries> variance; // Var[x_t] against t/T
    QImage map;                 // colour map at the current t
    ColourScale scale;
    QString mapTitle;           // "SNR, pixel-aware, t = 100 / 200"
    QString summary;            // terminal prior mismatch of both schedules
};

// Pure: throws nothing (errors come back in `error`).
SnrResult analyzeSnr(const SnrRequest& request);

// Index k of the current time for a schedule of T steps: t = round(u·T) clamped to 1..T.
int64_t snrIndexAt(double time, int64_t T);

} // namespace ds
