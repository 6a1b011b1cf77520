#include "elided_label.h"

#include <QPainter>
#include <QStyle>

#include <algorithm>

namespace ds {

ElidedLabel::ElidedLabel(const QString& text, QWidget* parent) : QFrame(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setText(text);
}

void ElidedLabel::setText(const QString& text)
{
    auto line = text;
    line.replace(QLatin1Char('\n'), QLatin1Char(' '));
    if (line == text_)
        return;
    text_ = line;
    updateGeometry();
    updateToolTip();
    update();
}

void ElidedLabel::setElideMode(Qt::TextElideMode mode)
{
    mode_ = mode;
    updateToolTip();
    update();
}

QString ElidedLabel::shownText() const { return fontMetrics().elidedText(text_, mode_, contentsRect().width()); }

QSize ElidedLabel::sizeHint() const
{
    const auto m = contentsMargins();
    const int w = std::min(fontMetrics().horizontalAdvance(text_), kMaxHintWidth);
    return {w + m.left() + m.right(), fontMetrics().height() + m.top() + m.bottom()};
}

QSize ElidedLabel::minimumSizeHint() const
{
    const auto m = contentsMargins();
    return {fontMetrics().horizontalAdvance(QStringLiteral("xxxx…")) + m.left() + m.right(),
            fontMetrics().height() + m.top() + m.bottom()};
}

void ElidedLabel::paintEvent(QPaintEvent* event)
{
    QFrame::paintEvent(event);
    QPainter p(this);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(contentsRect(), Qt::AlignLeft | Qt::AlignVCenter, shownText());
}

void ElidedLabel::resizeEvent(QResizeEvent* event)
{
    QFrame::resizeEvent(event);
    updateToolTip();
}

void ElidedLabel::updateToolTip() { setToolTip(elided() ? text_ : QString()); }

} // namespace ds
