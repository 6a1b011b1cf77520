#include "job_progress.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

namespace ds {

JobProgress::JobProgress(QWidget* parent) : QWidget(parent)
{
    label_ = new QLabel;
    bar_ = new QProgressBar;
    bar_->setMaximumWidth(220);
    bar_->setTextVisible(true);
    cancel_ = new QToolButton;
    cancel_->setText(tr("Cancel"));
    cancel_->setFocusPolicy(Qt::NoFocus);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(label_);
    row->addWidget(bar_);
    row->addWidget(cancel_);
    connect(cancel_, &QToolButton::clicked, this, &JobProgress::cancelRequested);
    finish();
}

void JobProgress::start(const QString& what, qint64 total)
{
    active_ = true;
    label_->setText(what);
    bar_->setRange(0, int(std::max<qint64>(0, total)));
    bar_->setValue(0);
    bar_->show();
    cancel_->show();
}

void JobProgress::setProgress(qint64 done, qint64 total)
{
    if (!active_)
        return;
    bar_->setRange(0, int(total));
    bar_->setValue(int(done));
}

void JobProgress::finish(const QString& message)
{
    active_ = false;
    label_->setText(message);
    bar_->hide();
    cancel_->hide();
}

QString JobProgress::message() const { return label_->text(); }

} // namespace ds
