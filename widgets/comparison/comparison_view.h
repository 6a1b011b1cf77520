#pragma once
// Sampler comparison: two to six panes side by side, each with its own sampler, steps,
// spacing and σ/η, all started from the same x_T (the shared seed's first draw). One slider
// scrubs every pane by normalised time t/T; the stochastic-σ toggle applies live to the panes
// that follow it.
#include "widgets/common/sampler_settings.h"
#include "widgets/engine/metric_hook.h"

#include <QList>
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace ds {

class ComparisonPane;
class ModelSession;
class StochasticSigmaBar;

class ComparisonView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMinPanes = 2;
    static constexpr int kMaxPanes = 6;

    explicit ComparisonView(ModelSession& model, QWidget* parent = nullptr);

    int paneCount() const { return int(panes_.size()); }
    ComparisonPane* pane(int i) const { return panes_.value(i); }
    // Adds a pane (nullptr at kMaxPanes); it runs at once when a model is open.
    ComparisonPane* addPane(const SamplerSettings& settings, bool followSigma = true);
    // Removes pane i (false at kMinPanes).
    bool removePane(int i);
    QList<SamplerSettings> paneSettings() const;
    void setPaneSettings(const QList<SamplerSettings>& settings); // 2..6 panes, no run

    void runAll();
    void runPane(ComparisonPane* pane);
    bool running() const;
    void setTime(double time); // t/T: 1 = x_T, 0 = samples
    double time() const;
    StochasticSigmaBar& sigmaBar() const { return *sigma_; }
    void setMetric(const SampleMetric& metric) { metric_ = metric; }

Q_SIGNALS:
    void paneCountChanged(int count);
    void allFinished();

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* makeTopRow();
    void applySigmaToggle();
    void alignEditors();
    void renumber();
    void updateButtons();

    ModelSession& model_;
    QList<ComparisonPane*> panes_;
    QHBoxLayout* paneRow_;
    StochasticSigmaBar* sigma_;
    QSpinBox* seed_;
    QSpinBox* batch_;
    QPushButton* add_;
    QSlider* time_;
    QLabel* timeLabel_;
    SampleMetric metric_;
    bool stale_ = true; // a model opened while hidden: run when shown
};

} // namespace ds
