#pragma once
// One line of text that elides (…) to the width it is given, with the full text in its tooltip
// when cut. Its minimum width is a few characters, so a long message (a failed run's error, a
// path) can never set the window's minimum width.
#include <QFrame>
#include <QString>

namespace ds {

class ElidedLabel : public QFrame {
    Q_OBJECT
public:
    explicit ElidedLabel(const QString& text = {}, QWidget* parent = nullptr);

    void setText(const QString& text); // newlines become spaces
    QString text() const { return text_; }
    QString shownText() const;         // the text as drawn at the current width
    bool elided() const { return shownText() != text_; }
    void setElideMode(Qt::TextElideMode mode);

    QSize sizeHint() const override;        // the whole line, up to kMaxHintWidth
    QSize minimumSizeHint() const override; // a few characters

    static constexpr int kMaxHintWidth = 480;

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateToolTip();

    QString text_;
    Qt::TextElideMode mode_ = Qt::ElideRight;
};

} // namespace ds
