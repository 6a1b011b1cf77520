#include "status_panel.h"

#include "widgets/engine/engine_messages.h"
#include "widgets/engine/job_progress.h"

#include <QFileInfo>
#include <QLabel>
#include <QStatusBar>

namespace ds {

StatusPanel::StatusPanel(QStatusBar* bar) : QObject(bar)
{
    model_ = new QLabel;
    schedule_ = new QLabel;
    shape_ = new QLabel;
    exports_ = new JobProgress;
    for (auto* l : {model_, schedule_, shape_})
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(exports_);
    bar->addPermanentWidget(model_);
    bar->addPermanentWidget(schedule_);
    bar->addPermanentWidget(shape_);
    showNoModel();
}

void StatusPanel::showModel(const ModelSummary& s)
{
    const auto source = s.source.startsWith(QStringLiteral("oracle:")) ? s.source : QFileInfo(s.source).fileName();
    model_->setText(tr("Model: %1 (%2) on %3").arg(source, s.kind, s.device));
    model_->setToolTip(s.source);
    schedule_->setText(tr("Schedule: %1").arg(s.schedule));
    shape_->setText(tr("Data: %1 in %2%3").arg(s.shape, s.range, s.dataset.isEmpty() ? QString() : " · " + s.dataset));
}

void StatusPanel::showLoading(const QString& source) { model_->setText(tr("Model: opening %1…").arg(source)); }

void StatusPanel::showNoModel()
{
    model_->setText(tr("Model: none"));
    schedule_->clear();
    shape_->clear();
}

QString StatusPanel::modelText() const { return model_->text() + " | " + schedule_->text() + " | " + shape_->text(); }

} // namespace ds
