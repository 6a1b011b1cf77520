#include "chart_adapter.h"

#include <QChart>
#include <QChartView>
#include <QFileDialog>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
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
constexpr double kLogFloor = 1e-12; // a log axis cannot show 0: smaller values sit on the floor

QString csvField(const QString& text)
{
    if (!text.contains(',') && !text.contains('"'))
        return text;
    return '"' + QString(text).replace('"', "\"\"") + '"';
}

// The extent of the finite points drawn so far.
struct Bounds {
    double xLo = std::numeric_limits<double>::infinity(), xHi = -xLo, yLo = xLo, yHi = -xLo;
};

// One line series for `s` (log axes: values below the floor sit on it); widens `bounds`.
QLineSeries* makeLine(const PlotSeries& s, bool logY, Bounds& bounds)
{
    auto* line = new QLineSeries;
    line->setName(s.legend.isEmpty() ? s.name : s.legend);
    QList<QPointF> points;
    points.reserve(s.points.size());
    for (auto p : s.points) {
        if (!std::isfinite(p.y()))
            continue;
        if (logY)
            p.setY(std::max(p.y(), kLogFloor));
        points.append(p);
        bounds.xLo = std::min(bounds.xLo, p.x()), bounds.xHi = std::max(bounds.xHi, p.x());
        bounds.yLo = std::min(bounds.yLo, p.y()), bounds.yHi = std::max(bounds.yHi, p.y());
    }
    line->replace(points);
    line->setPen(QPen(s.colour.isValid() ? s.colour : QColor(Qt::darkBlue), s.width, s.style));
    return line;
}

} // namespace

struct PlotWidget::Impl {
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    QValueAxis* x = nullptr;
    QAbstractAxis* y = nullptr;
    QLineSeries* marker = nullptr;
    QTimer timer;
    bool logY = false;
    double xLo = std::numeric_limits<double>::quiet_NaN(), xHi = xLo;
    QString xTitle, yTitle;
};

PlotWidget::PlotWidget(QWidget* parent)
    : QWidget(parent), d_(std::make_unique<Impl>()), markerX_(std::numeric_limits<double>::quiet_NaN())
{
    d_->chart = new QChart;
    d_->chart->legend()->setAlignment(Qt::AlignBottom);
    d_->chart->setMargins(QMargins(4, 4, 4, 4));
    d_->view = new QChartView(d_->chart);
    d_->view->setRenderHint(QPainter::Antialiasing);
    auto* exportButton = new QToolButton;
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(exportButton);
    for (const auto& format : {QStringLiteral("PNG"), QStringLiteral("SVG"), QStringLiteral("CSV")})
        menu->addAction(tr("%1…").arg(format), this, [this, format] { exportWithDialog(format); });
    exportButton->setMenu(menu);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d_->view, 1);
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
    d_->chart->setTitle(title);
}

void PlotWidget::setAxisTitles(const QString& x, const QString& y)
{
    d_->xTitle = x;
    d_->yTitle = y;
    d_->timer.start();
}

void PlotWidget::setLogY(bool log)
{
    d_->logY = log;
    d_->timer.start();
}

void PlotWidget::setXRange(double lo, double hi)
{
    d_->xLo = lo;
    d_->xHi = hi;
    d_->timer.start();
}

void PlotWidget::setLegendVisible(bool visible) { d_->chart->legend()->setVisible(visible); }

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

int PlotWidget::drawnSeriesCount() const { return int(d_->chart->series().size()) - (d_->marker ? 1 : 0); }

// Fresh axes: a value axis for x, a value or log axis for y.
void PlotWidget::resetAxes()
{
    auto* chart = d_->chart;
    for (auto* axis : chart->axes())
        chart->removeAxis(axis), delete axis;
    d_->x = new QValueAxis;
    d_->x->setTitleText(d_->xTitle);
    if (d_->logY) {
        auto* y = new QLogValueAxis;
        y->setBase(10);
        y->setLabelFormat("%.0e");
        d_->y = y;
    } else {
        d_->y = new QValueAxis;
    }
    d_->y->setTitleText(d_->yTitle);
    chart->addAxis(d_->x, Qt::AlignBottom);
    chart->addAxis(d_->y, Qt::AlignLeft);
}

void PlotWidget::addLine(QLineSeries* line, bool inLegend)
{
    d_->chart->addSeries(line);
    line->attachAxis(d_->x);
    line->attachAxis(d_->y);
    if (!inLegend)
        for (auto* marker : d_->chart->legend()->markers(line))
            marker->setVisible(false);
}

void PlotWidget::addMarker(double yLo, double yHi)
{
    d_->marker = new QLineSeries;
    d_->marker->setName(tr("current t"));
    d_->marker->append(markerX_, yLo);
    d_->marker->append(markerX_, yHi);
    d_->marker->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    d_->chart->addSeries(d_->marker);
    d_->marker->attachAxis(d_->x);
    d_->marker->attachAxis(d_->y);
    for (auto* marker : d_->chart->legend()->markers(d_->marker))
        marker->setVisible(false);
}

void PlotWidget::replot()
{
    d_->chart->removeAllSeries(); // deletes the old series, the marker included
    d_->marker = nullptr;
    resetAxes();
    Bounds bounds;
    for (const auto& s : series_)
        addLine(makeLine(s, d_->logY, bounds), s.inLegend);
    double xLo = bounds.xLo, xHi = bounds.xHi, yLo = bounds.yLo, yHi = bounds.yHi;
    if (!std::isfinite(yLo))
        yLo = d_->logY ? 1e-3 : 0, yHi = 1, xLo = 0, xHi = 1;
    if (yHi <= yLo)
        yHi = d_->logY ? yLo * 10 : yLo + 1;
    if (std::isfinite(d_->xLo))
        xLo = d_->xLo, xHi = d_->xHi;
    d_->x->setRange(xLo, xHi);
    const double pad = d_->logY ? 0 : 0.02 * (yHi - yLo);
    d_->y->setRange(yLo - pad, yHi + pad);
    if (std::isfinite(markerX_))
        addMarker(yLo, yHi);
    Q_EMIT replotted();
}

QString PlotWidget::savePng(const QString& path, QSize size)
{
    flush();
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        d_->view->render(&p, QRectF(QPointF(0, 0), size));
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit())
        return tr("%1: cannot write the PNG (%2)").arg(path, file.errorString());
    return {};
}

QString PlotWidget::saveSvg(const QString& path, QSize size)
{
    flush();
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
        d_->view->render(&p, QRectF(QPointF(0, 0), size));
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
    const auto path = QFileDialog::getSaveFileName(this, tr("Export chart as %1").arg(format), stem + "." + suffix,
                                                   tr("%1 files (*.%2)").arg(format, suffix));
    if (path.isEmpty())
        return;
    const auto error = suffix == "png" ? savePng(path) : suffix == "svg" ? saveSvg(path) : saveCsv(path);
    if (error.isEmpty())
        Q_EMIT exported(path);
    else
        Q_EMIT exportFailed(error);
}

} // namespace ds
