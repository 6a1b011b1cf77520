#include "timeline_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace ds {

TimelineBar::TimelineBar(QWidget* parent) : QWidget(parent)
{
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, 0);
    slider_->setFocusPolicy(Qt::NoFocus); // keys go to the view, which handles ←/→/Home/End
    slider_->setToolTip(tr("scrub: drag, or ←/→, Home/End"));
    playButton_ = button(QStyle::SP_MediaPlay, tr("play / pause (space)"));
    speed_ = new QComboBox;
    for (int fps : {2, 5, 10, 25, 50, 100, 200})
        speed_->addItem(tr("%1 fps").arg(fps), fps);
    speed_->setCurrentIndex(3);
    speed_->setFocusPolicy(Qt::NoFocus);
    speed_->setToolTip(tr("playback speed, frames per second"));
    label_ = new QLabel;
    label_->setMinimumWidth(150);
    timer_ = new QTimer(this);

    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    auto* home = button(QStyle::SP_MediaSkipBackward, tr("first frame (Home)"));
    auto* back = button(QStyle::SP_MediaSeekBackward, tr("previous frame (←)"));
    auto* next = button(QStyle::SP_MediaSeekForward, tr("next frame (→)"));
    auto* end = button(QStyle::SP_MediaSkipForward, tr("last frame (End)"));
    for (QWidget* w : {static_cast<QWidget*>(home), static_cast<QWidget*>(back), static_cast<QWidget*>(playButton_),
                       static_cast<QWidget*>(next), static_cast<QWidget*>(end)})
        row->addWidget(w);
    row->addWidget(slider_, 1);
    row->addWidget(label_);
    row->addWidget(speed_);

    connect(home, &QToolButton::clicked, this, &TimelineBar::first);
    connect(back, &QToolButton::clicked, this, [this] { stepBy(-1); });
    connect(next, &QToolButton::clicked, this, [this] { stepBy(1); });
    connect(end, &QToolButton::clicked, this, &TimelineBar::last);
    connect(playButton_, &QToolButton::clicked, this, &TimelineBar::togglePlay);
    connect(slider_, &QSlider::valueChanged, this, &TimelineBar::setFrame);
    connect(timer_, &QTimer::timeout, this, &TimelineBar::advance);
    connect(speed_, &QComboBox::currentIndexChanged, this, [this] { timer_->setInterval(int(1000 / framesPerSecond())); });
    timer_->setInterval(int(1000 / framesPerSecond()));
    refresh();
}

QToolButton* TimelineBar::button(QStyle::StandardPixmap icon, const QString& tip)
{
    auto* b = new QToolButton;
    b->setIcon(style()->standardIcon(icon));
    b->setToolTip(tip);
    b->setAutoRaise(true);
    b->setFocusPolicy(Qt::NoFocus); // space must toggle playback, not press a focused button
    return b;
}

void TimelineBar::setFrameCount(int count)
{
    count_ = std::max(0, count);
    const QSignalBlocker block(slider_);
    slider_->setRange(0, std::max(0, count_ - 1));
    if (frame_ >= count_)
        frame_ = std::max(0, count_ - 1);
    slider_->setValue(frame_);
    refresh();
}

void TimelineBar::setFrame(int frame)
{
    frame = std::clamp(frame, 0, std::max(0, count_ - 1));
    if (frame == frame_ && slider_->value() == frame) {
        refresh();
        return;
    }
    frame_ = frame;
    {
        const QSignalBlocker block(slider_);
        slider_->setValue(frame);
    }
    refresh();
    Q_EMIT frameChanged(frame_);
}

void TimelineBar::stepBy(int delta) { setFrame(frame_ + delta); }

bool TimelineBar::playing() const { return timer_->isActive(); }

double TimelineBar::framesPerSecond() const { return speed_->currentData().toDouble(); }

void TimelineBar::setFramesPerSecond(double fps)
{
    int best = 0;
    for (int i = 0; i < speed_->count(); ++i)
        if (std::abs(speed_->itemData(i).toDouble() - fps) < std::abs(speed_->itemData(best).toDouble() - fps))
            best = i;
    speed_->setCurrentIndex(best);
}

void TimelineBar::play()
{
    if (count_ < 2 || playing())
        return;
    if (frame_ >= count_ - 1)
        setFrame(0); // play again from the start
    timer_->start();
    playButton_->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    Q_EMIT playingChanged(true);
}

void TimelineBar::pause()
{
    if (!playing())
        return;
    timer_->stop();
    playButton_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    Q_EMIT playingChanged(false);
}

void TimelineBar::togglePlay() { playing() ? pause() : play(); }

void TimelineBar::advance()
{
    if (frame_ >= count_ - 1) {
        pause();
        return;
    }
    setFrame(frame_ + 1);
}

void TimelineBar::refresh()
{
    if (count_ == 0)
        label_->setText(tr("no frames"));
    else
        label_->setText(labelText_ ? labelText_(frame_) : tr("frame %1 / %2").arg(frame_ + 1).arg(count_));
}

} // namespace ds
