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

QLabel* valueLabel()
{
    auto* l = new QLabel(QStringLiteral("—"));
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setMinimumWidth(160);
    return l;
}

} // namespace

PixelInspector::PixelInspector(QWidget* parent) : QGroupBox(tr("Pixel"), parent)
{
    position_ = valueLabel();
    value_ = valueLabel();
    x0_ = valueLabel();
    alphaBar_ = valueLabel();
    snr_ = valueLabel();
    auto* form = new QFormLayout(this);
    form->addRow(tr("where"), position_);
    form->addRow(tr("x_t"), value_);
    form->addRow(tr("x̂0"), x0_);
    form->addRow(tr("ᾱ(t)"), alphaBar_);
    form->addRow(tr("SNR(t)"), snr_);
    setToolTip(tr("SNR_j = x̃0_j² ᾱ_j / (1 − ᾱ_j) with x̃0 the data rescaled to [ε, 1] (seed 002 eq. 11)"));
}

void PixelInspector::show(const PixelReadout& r)
{
    if (!r.valid)
        return clear();
    position_->setText(tr("sample %1, x %2, y %3, t %4 / %5").arg(r.sample).arg(r.x).arg(r.y).arg(r.t).arg(r.T));
    value_->setText(joined(r.value));
    x0_->setText(r.x0.isEmpty() ? tr("— (not computed for this frame)") : joined(r.x0));
    alphaBar_->setText(joined(r.alphaBar, 'g', 5));
    snr_->setText(r.snr.isEmpty() ? QStringLiteral("—") : joined(r.snr, 'g', 4) + tr("  (from %1)").arg(r.basis));
}

void PixelInspector::clear()
{
    for (auto* l : {position_, value_, x0_, alphaBar_, snr_})
        l->setText(QStringLiteral("—"));
}

QString PixelInspector::text() const
{
    return QStringList{position_->text(), value_->text(), x0_->text(), alphaBar_->text(), snr_->text()}.join('\n');
}

} // namespace ds
