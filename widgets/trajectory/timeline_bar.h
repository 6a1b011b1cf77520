#pragma once
// Scrubbing and playback over the frames of a trajectory: a slider, step buttons, play/pause
// with a speed (frames per second), and a label with the frame's t. It only reports the frame
// the user asks for; the view decides what to draw.
#include <QStyle>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace ds {

class TimelineBar : public QWidget {
    Q_OBJECT
public:
    explicit TimelineBar(QWidget* parent = nullptr);

    void setFrameCount(int count); // keeps the current frame where it can
    int frameCount() const { return count_; }
    int frame() const { return frame_; }
    // Text shown for a frame, e.g. "t = 523 / 1000".
    void setFrameLabel(std::function<QString(int)> label) { labelText_ = std::move(label); }

    bool playing() const;
    double framesPerSecond() const;
    void setFramesPerSecond(double fps);

public Q_SLOTS:
    void setFrame(int frame); // clamps; emits frameChanged when it moves
    void stepBy(int delta);
    void first() { setFrame(0); }
    void last() { setFrame(count_ - 1); }
    void play();
    void pause();
    void togglePlay();

Q_SIGNALS:
    void frameChanged(int frame);
    void playingChanged(bool playing);

private:
    QToolButton* button(QStyle::StandardPixmap icon, const QString& tip);
    void advance();
    void refresh();

    QSlider* slider_;
    QToolButton* playButton_;
    QComboBox* speed_;
    QLabel* label_;
    QTimer* timer_;
    std::function<QString(int)> labelText_;
    int count_ = 0;
    int frame_ = 0;
};

} // namespace ds
