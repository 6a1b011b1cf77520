#pragma once
// The stochastic-σ toggle of the comparison view. On: DDPM panes use σ² = β̃ (small) or β
// (large) times the scale, DDIM panes use η, DNM panes use the scale as s. Off: all follow
// their mean path (σ scale 0, η 0). It applies, live, to the panes whose "σ toggle" box is
// ticked.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

namespace ds {

struct SamplerSettings;

class StochasticSigmaBar : public QWidget {
    Q_OBJECT
public:
    explicit StochasticSigmaBar(QWidget* parent = nullptr);

    bool stochastic() const;
    void setStochastic(bool on);
    // `settings` with the toggle's σ mode, scale and η applied where its sampler reads them
    // (everything else unchanged).
    SamplerSettings applied(SamplerSettings settings) const;

Q_SIGNALS:
    void changed();

private:
    QCheckBox* on_;
    QComboBox* mode_;
    QDoubleSpinBox* scale_;
    QDoubleSpinBox* eta_;
};

} // namespace ds
