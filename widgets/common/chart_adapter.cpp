#include "chart_adapter.h"

#include "axis_ticks.h"
#include "dialog_folder.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QFileDialog>
#include <QLegend>
#include <QLineSeries>
#include <QMenu>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>
#include <QTimer>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace ds {
namespace {

constexpr int kReplotMs = 40;
constexpr int kMaxLinearTicks = 6;
constexpr int kMaxDecadeLabels = 9;
constexpr int kSwatch = 24, kSwatchGap = 6, kEntryGap = 16, kLegendMargin = 8;

QString csvField(const QString& text)
{
    if (!text.contains(',') && !text.contains('"'))
        return text;
    return '"' + QString(text).replace('"', "\"\"") + '"';
}

// What a plot draws, apart from its series.
struct ChartSpec {
    QString title, xTitle, yTitle;
    bool logY = false, integerX = false;
    double xLo = std::numeric_limits<double>::quiet_NaN(), xHi = xLo; // NaN: from the data
    double markerX = xLo;
};

// The extent of the finite points (y > 0 only on log axes, where the rest sits on the floor).
struct Bounds {
    double xLo = std::numeric_limits<double>::infinity(), xHi = -xLo, yLo = xLo, yHi = -xLo;
    bool empty() const { return !std::isfinite(yLo); }
};

Bounds boundsOf(const QVector<PlotSeries>& series, bool logY)
{
    Bounds b;
    for (const auto& s : series)
        for (const auto& p : s.points) {
            if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || (logY && p.y() <= 0))
                continue;
            b.xLo = std::min(b.xLo, p.x()), b.xHi = std::max(b.xHi, p.x());
            b.yLo = std::min(b.yLo, p.y()), b.yHi = std::max(b.yHi, p.y());
        }
    return b;
}

// The labels the axes print, and the y extent in chart coordinates (log10 on log axes).
struct AxesState {
    QStringList x, y;
    double yLo = 0, yHi = 1;
};

QValueAxis* linearAxis(const LinearTicks& t, const QString& title)
{
    auto* axis = new QValueAxis;
    axis->setRange(t.lo, t.hi);
    axis->setTickCount(t.count());
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(t.decimals));
    axis->setTitleText(title);
    return axis;
}

// Log axes plot log10(y) on a category axis whose labels sit on whole decades, so each decade
// gets a label ("1e-3") however few decades the data spans (QLogValueAxis labels only the
// powers inside the data: one "1e+00" for losses between 0.2 and 2).
QCategoryAxis* decadeAxis(const DecadeTicks& d, const QString& title, QStringList& labels)
{
    auto* axis = new QCategoryAxis;
    axis->setStartValue(d.lo);
    for (int e : d.exponents) {
        labels << decadeLabel(e);
        axis->append(labels.back(), e);
    }
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setRange(d.lo, d.hi);
    axis->setTitleText(title);
    return axis;
}

QLineSeries* makeLine(const PlotSeries& s, bool logY, double floorY)
{
    auto* line = new QLineSeries;
    line->setName(s.legend.isEmpty() ? s.name : s.legend);
    QList<QPointF> points;
    points.reserve(s.points.size());
    for (auto p : s.points) {
        if (!std::isfinite(p.y()) || !std::isfinite(p.x()))
            continue;
        if (logY) // values at or below the axis floor (0 included) sit on it
            p.setY(p.y() > 0 ? std::max(std::log10(p.y()), floorY) : floorY);
        points.append(p);
    }
    line->replace(points);
    line->setPen(QPen(s.colour.isValid() ? s.colour : QColor(Qt::darkBlue), s.width, s.style));
    return line;
}

void attach(QChart* chart, QLineSeries* line, QAbstractAxis* x, QAbstractAxis* y)
{
    chart->addSeries(line);
    line->attachAxis(x);
    line->attachAxis(y);
}

// Fills an empty chart: axes with chosen ticks, the series, the marker. Qt's legend stays
// hidden (PlotLegend draws it).
AxesState fillChart(QChart* chart, const ChartSpec& spec, const QVector<PlotSeries>& series)
{
    AxesState state;
    chart->setTitle(spec.title);
    chart->legend()->hide();
    const auto b = boundsOf(series, spec.logY);
    const bool fixedX = std::isfinite(spec.xLo) && std::isfinite(spec.xHi);
    const auto xt = niceLinearTicks(fixedX ? spec.xLo : b.empty() ? 0 : b.xLo, fixedX ? spec.xHi : b.empty() ? 1 : b.xHi,
                                    kMaxLinearTicks, spec.integerX);
    auto* x = linearAxis(xt, spec.xTitle);
    for (double v : xt.values)
        state.x << tickLabel(v, xt.decimals);
    if (fixedX) // an explicit range is shown as given, even when its ends are not tick values
        x->setRange(spec.xLo, spec.xHi);
    QAbstractAxis* y = nullptr;
    if (spec.logY) {
        const auto d = decadeTicks(b.empty() ? 0.1 : b.yLo, b.empty() ? 1 : b.yHi, kMaxDecadeLabels);
        y = decadeAxis(d, spec.yTitle, state.y);
        state.yLo = d.lo, state.yHi = d.hi;
    } else {
        const auto yt = niceLinearTicks(b.empty() ? 0 : b.yLo, b.empty() ? 1 : b.yHi, kMaxLinearTicks);
        y = linearAxis(yt, spec.yTitle);
        for (double v : yt.values)
            state.y << tickLabel(v, yt.decimals);
        state.yLo = yt.lo, state.yHi = yt.hi;
    }
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (const auto& s : series)
        attach(chart, makeLine(s, spec.logY, state.yLo), x, y);
    if (std::isfinite(spec.markerX)) {
        auto* marker = new QLineSeries;
        marker->setName(QObject::tr("current t"));
        marker->append(spec.markerX, state.yLo);
        marker->append(spec.markerX, state.yHi);
        marker->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
        attach(chart, marker, x, y);
    }
    return state;
}

// ---- the legend: every entry in full, wrapped onto rows ----

struct LegendEntry {
    QString text;
    QPen pen;
};

QVector<LegendEntry> legendEntries(const QVector<PlotSeries>& series)
{
    QVector<LegendEntry> out;
    for (const auto& s : series)
        if (s.inLegend)
            out.append({s.legend.isEmpty() ? s.name : s.legend,
                        QPen(s.colour.isValid() ? s.colour : QColor(Qt::darkBlue), 2.5, s.style)});
    return out;
}

// Entry rectangles flowing left to right, wrapping at `width`; an entry wider than a row is
// elided there (its row is the whole width).
QVector<QRect> legendRects(const QVector<LegendEntry>& entries, int width, const QFontMetrics& fm)
{
    QVector<QRect> rects;
    const int rowHeight = fm.height() + 4;
    int x = 0, y = 0;
    for (const auto& e : entries) {
        // + slack: integer advances round down, and elidedText measures exactly
        const int w = std::min(width, kSwatch + kSwatchGap + fm.horizontalAdvance(e.text) + 6);
        if (x > 0 && x + w > width)
            x = 0, y += rowHeight;
        rects.append(QRect(x, y, w, rowHeight));
        x += w + kEntryGap;
    }
    return rects;
}

int legendHeight(const QVector<LegendEntry>& entries, int width, const QFontMetrics& fm)
{
    if (entries.isEmpty())
        return 0;
    return legendRects(entries, width, fm).back().bottom() + 1 + 4;
}

QRect labelRect(const QRect& entry) { return entry.adjusted(kSwatch + kSwatchGap, 0, 0, 0); }

// The texts as drawn in an area `width` wide (elided only where one entry is wider than a row).
QStringList shownTexts(const QVector<LegendEntry>& entries, int width, const QFontMetrics& fm)
{
    QStringList out;
    const auto rects = legendRects(entries, width, fm);
    for (int i = 0; i < entries.size(); ++i)
        out << fm.elidedText(entries[i].text, Qt::ElideRight, labelRect(rects[i]).width());
    return out;
}

void paintLegend(QPainter& p, QRect area, const QVector<LegendEntry>& entries, const QColor& text)
{
    const auto fm = p.fontMetrics();
    const auto rects = legendRects(entries, area.width(), fm);
    const auto texts = shownTexts(entries, area.width(), fm);
    for (int i = 0; i < entries.size(); ++i) {
        const auto r = rects[i].translated(area.topLeft());
        p.setPen(entries[i].pen);
        p.drawLine(r.left(), r.center().y(), r.left() + kSwatch, r.center().y());
        p.setPen(text);
        p.drawText(labelRect(r), Qt::AlignLeft | Qt::AlignVCenter, texts[i]);
    }
}

// The plot's legend on screen: as tall as its wrapped rows need at the current width.
class PlotLegend : public QWidget {
public:
    PlotLegend() { setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed); }
    void setEntries(const QVector<LegendEntry>& entries)
    {
        entries_ = entries;
        updateGeometry();
        setFixedHeight(heightForWidth(std::max(width(), 200)));
        update();
    }
    const QVector<LegendEntry>& entries() const { return entries_; }
    QStringList shown() const { return shownTexts(entries_, width() - 2 * kLegendMargin, fontMetrics()); }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override { return legendHeight(entries_, w - 2 * kLegendMargin, fontMetrics()); }
    QSize sizeHint() const override { return {300, heightForWidth(std::max(width(), 300))}; }

protected:
    void resizeEvent(QResizeEvent*) override { setFixedHeight(heightForWidth(width())); }
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        paintLegend(p, rect().adjusted(kLegendMargin, 0, -kLegendMargin, 0), entries_,
                    palette().color(QPalette::WindowText));
    }

private:
    QVector<LegendEntry> entries_;
};

} // namespace

struct PlotWidget::Impl {
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    PlotLegend* legend = nullptr;
    QTimer timer;
    ChartSpec spec;
    AxesState axes;
    bool legendVisible = true;
    int drawn = 0;
};

PlotWidget::PlotWidget(QWidget* parent)
    : QWidget(parent), d_(std::make_unique<Impl>()), markerX_(std::numeric_limits<double>::quiet_NaN())
{
    d_->chart = new QChart;
    d_->chart->legend()->hide();
    d_->chart->setMargins(QMargins(4, 4, 4, 4));
    d_->view = new QChartView(d_->chart);
    d_->view->setRenderHint(QPainter::Antialiasing);
    d_->legend = new PlotLegend;
    auto* exportButton = new QToolButton;
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(exportButton);
    for (const auto& format : {QStringLiteral("PNG"), QStringLiteral("SVG"), QStringLiteral("CSV")})
        menu->addAction(tr("%1…").arg(format), this, [this, format] { exportWithDialog(format); });
    exportButton->setMenu(menu);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(d_->view, 1);
    layout->addWidget(d_->legend);
    layout->addWidget(exportButton, 0, Qt::AlignRight);
    d_->timer.setSingleShot(true);
    d_->timer.setInterval(kReplotMs);
    connect(&d_->timer, &QTimer::timeout, this, &PlotWidget::replot);
    setMinimumSize(260, 200);
}

PlotWidget::~PlotWidget() = default;

void PlotWidget::setTitle(const QString& title)
{
    title_ = title;
    d_->spec.title = title;
    d_->chart->setTitle(title);
}

void PlotWidget::setAxisTitles(const QString& x, const QString& y)
{
    d_->spec.xTitle = x;
    d_->spec.yTitle = y;
    d_->timer.start();
}

void PlotWidget::setLogY(bool log)
{
    d_->spec.logY = log;
    d_->timer.start();
}

void PlotWidget::setIntegerX(bool integer)
{
    d_->spec.integerX = integer;
    d_->timer.start();
}

void PlotWidget::setXRange(double lo, double hi)
{
    d_->spec.xLo = lo;
    d_->spec.xHi = hi;
    d_->timer.start();
}

void PlotWidget::setLegendVisible(bool visible)
{
    d_->legendVisible = visible;
    d_->legend->setVisible(visible);
}

void PlotWidget::setSeries(const QVector<PlotSeries>& series)
{
    series_ = series;
    d_->timer.start();
}

void PlotWidget::setMarkerX(double x)
{
    markerX_ = x;
    d_->timer.start();
}

void PlotWidget::flush()
{
    if (d_->timer.isActive()) {
        d_->timer.stop();
        replot();
    }
}

int PlotWidget::drawnSeriesCount() const { return d_->drawn; }

QStringList PlotWidget::xTickLabels() const { return d_->axes.x; }

QStringList PlotWidget::yTickLabels() const { return d_->axes.y; }

QStringList PlotWidget::legendLabels() const
{
    QStringList out;
    for (const auto& e : d_->legend->entries())
        out << e.text;
    return out;
}

QStringList PlotWidget::shownLegendLabels() const { return d_->legend->shown(); }

void PlotWidget::replot()
{
    d_->chart->removeAllSeries(); // deletes the old series, the marker included
    for (auto* axis : d_->chart->axes())
        d_->chart->removeAxis(axis), delete axis;
    d_->spec.markerX = markerX_;
    d_->axes = fillChart(d_->chart, d_->spec, series_);
    d_->drawn = int(series_.size());
    d_->legend->setEntries(legendEntries(series_));
    Q_EMIT replotted();
}

// A fresh chart laid out at the export size (the one on screen has the screen's size and a
// scaled copy of it leaves blank bands), with the whole legend drawn below it.
void PlotWidget::render(QPainter& painter, QSize size)
{
    flush();
    const auto entries = d_->legendVisible ? legendEntries(series_) : QVector<LegendEntry>{};
    const QFontMetrics fm(painter.font());
    const int legendH = entries.isEmpty() ? 0 : legendHeight(entries, size.width() - 2 * kLegendMargin, fm) + kLegendMargin;
    auto* chart = new QChart;
    chart->setMargins(QMargins(8, 8, 8, 8));
    fillChart(chart, d_->spec, series_);
    QChartView view(chart); // owns the chart
    view.setRenderHint(QPainter::Antialiasing);
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.resize(size.width(), size.height() - legendH);
    view.show(); // lays the chart out at this size without putting a window on screen
    QCoreApplication::sendPostedEvents(chart, QEvent::LayoutRequest);
    QCoreApplication::sendPostedEvents(view.scene(), 0);
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    view.render(&painter, QRectF(0, 0, size.width(), size.height() - legendH), view.rect());
    painter.setRenderHint(QPainter::Antialiasing);
    paintLegend(painter, QRect(kLegendMargin, size.height() - legendH, size.width() - 2 * kLegendMargin, legendH), entries,
                Qt::black);
}

QString PlotWidget::savePng(const QString& path, QSize size)
{
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        render(p, size);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit())
        return tr("%1: cannot write the PNG (%2)").arg(path, file.errorString());
    return {};
}

QString PlotWidget::saveSvg(const QString& path, QSize size)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return tr("%1: cannot write the SVG (%2)").arg(path, file.errorString());
    {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(title_);
        QPainter p(&svg);
        render(p, size);
    }
    if (!file.commit())
        return tr("%1: cannot write the SVG (%2)").arg(path, file.errorString());
    return {};
}

QString PlotWidget::saveCsv(const QString& path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return tr("%1: cannot write the CSV (%2)").arg(path, file.errorString());
    QTextStream out(&file);
    out << "series,x,y\n";
    for (const auto& s : series_)
        for (const auto& p : s.points)
            out << csvField(s.name) << ',' << QString::number(p.x(), 'g', 17) << ','
                << QString::number(p.y(), 'g', 17) << '\n';
    out.flush();
    if (!file.commit())
        return tr("%1: cannot write the CSV (%2)").arg(path, file.errorString());
    return {};
}

void PlotWidget::exportWithDialog(const QString& format)
{
    const auto suffix = format.toLower();
    auto stem = title_.isEmpty() ? QStringLiteral("chart") : title_;
    stem.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]+")), QStringLiteral("-"));
    const auto path = QFileDialog::getSaveFileName(this, tr("Export chart as %1").arg(format), dialogPath(stem + "." + suffix),
                                                   tr("%1 files (*.%2)").arg(format, suffix));
    if (path.isEmpty())
        return;
    rememberDialogChoice(path);
    const auto error = suffix == "png" ? savePng(path) : suffix == "svg" ? saveSvg(path) : saveCsv(path);
    if (error.isEmpty())
        Q_EMIT exported(path);
    else
        Q_EMIT exportFailed(error);
}

} // namespace ds
