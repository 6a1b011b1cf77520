#include "status_panel.h"

#include "widgets/common/elided_label.h"
#include "widgets/engine/engine_messages.h"
#include "widgets/engine/job_progress.h"

#include <QFileInfo>
#include <QStatusBar>

namespace ds {
namespace {

// Widest each permanent part may grow; together about half of a 1500-pixel window.
constexpr int kModelWidth = 340, kScheduleWidth = 260, kShapeWidth = 220;

ElidedLabel* part(int maxWidth, int leftGap)
{
    auto* l = new ElidedLabel;
    l->setMaximumWidth(maxWidth);
    l->setContentsMargins(leftGap, 0, 6, 0);
    l->setFrameShape(QFrame::NoFrame);
    return l;
}

} // namespace

StatusPanel::StatusPanel(QStatusBar* bar) : QObject(bar)
{
    model_ = part(kModelWidth, 24); // the gap that keeps a message off it
    schedule_ = part(kScheduleWidth, 6);
    shape_ = part(kShapeWidth, 6);
    model_->setObjectName(QStringLiteral("statusModel"));
    exports_ = new JobProgress;
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
    schedule_->setText(tr("Schedule: %1").arg(s.schedule));
    shape_->setText(tr("Data: %1 in %2%3").arg(s.shape, s.range, s.dataset.isEmpty() ? QString() : " · " + s.dataset));
}

void StatusPanel::showLoading(const QString& source) { model_->setText(tr("Model: opening %1…").arg(source)); }

void StatusPanel::showNoModel()
{
    model_->setText(tr("Model: none"));
    schedule_->setText({});
    shape_->setText({});
}

QString StatusPanel::modelText() const { return model_->text() + " | " + schedule_->text() + " | " + shape_->text(); }

} // namespace ds
