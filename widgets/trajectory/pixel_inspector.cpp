#include "pixel_inspector.h"

#include "trajectory_document.h"

#include <QFormLayout>
#include <QLabel>

#include <cmath>

namespace ds {
namespace {

QString joined(const QVector<double>& values, char format = 'f', int precision = 4)
{
    if (values.isEmpty())
        return QStringLiteral("—");
    QStringList parts;
    for (double v : values)
        parts << (std::isinf(v) ? QStringLiteral("∞") : QString::number(v, format, precision));
    return parts.join(QStringLiteral(", "));
}

// Wraps instead of clipping: the side panel is narrow and a colour pixel has three values.
QLabel* valueLabel()
{
    auto* l = new QLabel(QStringLiteral("—"));
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    l->setMinimumWidth(120);
    return l;
}

bool forwardRun(const PixelReadout& r) { return r.basis == QLatin1String("x0"); }

} // namespace

PixelInspector::PixelInspector(QWidget* parent) : QGroupBox(tr("Pixel"), parent)
{
    position_ = valueLabel();
    value_ = valueLabel();
    x0_ = valueLabel();
    alphaBar_ = valueLabel();
    snr_ = valueLabel();
    note_ = valueLabel();
    note_->setText(QString());
    note_->setObjectName(QStringLiteral("inspectorNote"));
    note_->setStyleSheet(QStringLiteral("color: palette(mid)"));
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->addRow(tr("where"), position_);
    form->addRow(tr("x_t"), value_);
    form->addRow(tr("x0 (model)"), x0_); // no combining hat: some fonts drop it (issue 14 screenshots)
    form->addRow(tr("ᾱ(t)"), alphaBar_);
    form->addRow(tr("SNR(t)"), snr_);
    form->addRow(note_);
    setToolTip(tr("SNR_j = x̃0_j² ᾱ_j / (1 − ᾱ_j) with x̃0 the data rescaled to [ε, 1] (seed 002 eq. 11)"));
}

void PixelInspector::show(const PixelReadout& r)
{
    if (!r.valid)
        return clear();
    setEnabled(true);
    position_->setText(tr("sample %1, x %2, y %3, t %4 / %5").arg(r.sample).arg(r.x).arg(r.y).arg(r.t).arg(r.T));
    value_->setText(joined(r.value));
    if (!r.x0.isEmpty())
        x0_->setText(joined(r.x0));
    else if (forwardRun(r)) // the forward process needs no model; the x̂0 view asks it
        x0_->setText(tr("— (a forward run asks no model; Show → predicted data asks it)"));
    else
        x0_->setText(tr("— (none for this frame)"));
    alphaBar_->setText(joined(r.alphaBar, 'g', 5));
    snr_->setText(joined(r.snr, 'g', 4));
    if (r.snr.isEmpty())
        note_->setText(QString());
    else if (forwardRun(r))
        note_->setText(tr("ᾱ(t) and SNR from the schedule and the data x0 (forward process)"));
    else
        note_->setText(tr("ᾱ(t) and SNR from the schedule and the model's estimate of x0"));
}

void PixelInspector::clear()
{
    setEnabled(true);
    for (auto* l : {position_, value_, x0_, alphaBar_, snr_})
        l->setText(QStringLiteral("—"));
    note_->setText(QString());
}

void PixelInspector::showUnavailable(const QString& why)
{
    clear();
    note_->setText(why);
    setEnabled(false); // greyed: nothing here follows the mouse
}

QString PixelInspector::text() const
{
    return QStringList{position_->text(), value_->text(), x0_->text(), alphaBar_->text(), snr_->text(), note_->text()}.join('\n');
}

} // namespace ds
