#pragma once
// The one place that knows about Qt Charts: a line plot with named series, an optional log
// y axis and a vertical marker (the current t), exportable as PNG, SVG and CSV. Qt Charts is
// deprecated from Qt 6.10; moving to Qt Graphs means rewriting chart_adapter.cpp only.
// Ticks come from axis_ticks.h: nice linear steps (whole numbers for integer x such as
// training steps) and one label per decade on log axes. The legend is drawn by the plot
// itself under the chart, wrapped onto as many rows as it needs (Qt Charts' own legend cuts
// long names); exports draw the chart and that legend at the export size.
// Replots are coalesced by a 40 ms timer, so a burst of updates draws once.
#include <QColor>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>

class QPainter;

namespace ds {

struct PlotSeries {
    QString name;
    QVector<QPointF> points;
    QColor colour;
    Qt::PenStyle style = Qt::SolidLine;
    double width = 1.6;
    QString legend;       // legend label; empty: `name`
    bool inLegend = true; // false: drawn but not listed (e.g. the dashed twin of a solid curve)
};

class PlotWidget : public QWidget {
    Q_OBJECT
public:
    explicit PlotWidget(QWidget* parent = nullptr);
    ~PlotWidget() override;

    void setTitle(const QString& title);
    void setAxisTitles(const QString& x, const QString& y);
    void setLogY(bool log);
    void setIntegerX(bool integer); // x counts something (steps): ticks on whole numbers
    void setXRange(double lo, double hi);
    void setLegendVisible(bool visible);
    // Replaces every series; drawn at the next coalesced replot.
    void setSeries(const QVector<PlotSeries>& series);
    // A vertical line at x (e.g. the current t/T); NaN hides it.
    void setMarkerX(double x);
    const QVector<PlotSeries>& series() const { return series_; }
    QString title() const { return title_; }

    // Applies pending changes now (exports and tests call it).
    void flush();
    int drawnSeriesCount() const; // series on the chart, marker excluded
    // What the axes and the legend print now (after flush()), for tests.
    QStringList xTickLabels() const;
    QStringList yTickLabels() const;
    QStringList legendLabels() const;
    QStringList shownLegendLabels() const; // as drawn at the current width

    // Exports; each returns an empty string on success, or a message naming the file.
    // The image is the chart drawn at `size` with the whole legend below it.
    QString savePng(const QString& path, QSize size = {1200, 800});
    QString saveSvg(const QString& path, QSize size = {1200, 800});
    // Long format, one row per point: series,x,y (full precision), with a header row.
    QString saveCsv(const QString& path) const;

Q_SIGNALS:
    void replotted();
    void exported(const QString& path);
    void exportFailed(const QString& message);

private:
    void replot();
    void render(QPainter& painter, QSize size);
    void exportWithDialog(const QString& format);

    struct Impl;
    std::unique_ptr<Impl> d_;
    QVector<PlotSeries> series_;
    QString title_;
    double markerX_;
};

} // namespace ds
