#include "job_progress.h"

#include "widgets/common/elided_label.h"

#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QProgressBar>
#include <QToolButton>

#include <algorithm>
#include <cmath>

namespace ds {

QString etaText(double seconds)
{
    const auto s = qint64(std::ceil(std::max(0.0, seconds)));
    if (s < 60)
        return QObject::tr("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

JobProgress::JobProgress(QWidget* parent) : QWidget(parent)
{
    label_ = new ElidedLabel;
    bar_ = new QProgressBar;
    bar_->setMaximumWidth(240);
    bar_->setTextVisible(true);
    cancel_ = new QToolButton;
    cancel_->setText(tr("Cancel"));
    cancel_->setFocusPolicy(Qt::NoFocus);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(label_, 1);
    row->addWidget(bar_);
    row->addWidget(cancel_);
    setMinimumHeight(std::max({bar_->sizeHint().height(), cancel_->sizeHint().height(), label_->sizeHint().height()}));
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    clock_ = [timer] { return timer->elapsed(); };
    connect(cancel_, &QToolButton::clicked, this, &JobProgress::cancelRequested);
    finish();
}

void JobProgress::start(const QString& what, qint64 total)
{
    active_ = true;
    what_ = what;
    detail_.clear();
    firstMs_ = -1;
    showLabel();
    bar_->setRange(0, int(std::max<qint64>(0, total)));
    bar_->setValue(0);
    bar_->setFormat(QStringLiteral("%p%"));
    bar_->show();
    cancel_->show();
}

void JobProgress::setProgress(qint64 done, qint64 total)
{
    if (!active_)
        return;
    bar_->setRange(0, int(total));
    bar_->setValue(int(done));
    const qint64 now = clock_();
    if (firstMs_ < 0) {
        firstMs_ = now;
        firstDone_ = done;
        return;
    }
    // Rate from the first report on: the run's start-up (x_T, a data start) does not count.
    const qint64 measured = done - firstDone_;
    if (measured <= 0 || total <= done) {
        bar_->setFormat(QStringLiteral("%p%"));
        return;
    }
    const double seconds = double(now - firstMs_) / 1000.0 / double(measured) * double(total - done);
    bar_->setFormat(tr("%p% · ETA %1").arg(etaText(seconds)));
}

void JobProgress::setDetail(const QString& detail)
{
    detail_ = detail;
    showLabel();
}

void JobProgress::showLabel()
{
    label_->setText(detail_.isEmpty() ? what_ : what_ + QStringLiteral(" — ") + detail_);
}

void JobProgress::finish(const QString& message)
{
    active_ = false;
    what_ = message;
    detail_.clear();
    showLabel();
    bar_->hide();
    cancel_->hide();
}

QString JobProgress::message() const { return label_->text(); }

QString JobProgress::barText() const { return bar_->isVisible() || active_ ? bar_->text() : QString(); }

} // namespace ds
