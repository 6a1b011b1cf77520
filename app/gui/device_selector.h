#pragma once
// CPU or CUDA for the open model. CUDA is offered only when this LibTorch has it.
#include <QComboBox>

namespace ds {

class DeviceSelector : public QComboBox {
    Q_OBJECT
public:
    explicit DeviceSelector(QWidget* parent = nullptr);
    QString device() const; // "cpu" or "cuda"
    void setDevice(const QString& device);
    static bool cudaAvailable();

Q_SIGNALS:
    void deviceChosen(const QString& device);
};

} // namespace ds
