#include "device_selector.h"

#include <ATen/Context.h>

#include <QStandardItemModel>

namespace ds {

DeviceSelector::DeviceSelector(QWidget* parent) : QComboBox(parent)
{
    addItem(tr("CPU"), QStringLiteral("cpu"));
    addItem(tr("CUDA"), QStringLiteral("cuda"));
    if (!cudaAvailable()) {
        auto* items = qobject_cast<QStandardItemModel*>(model());
        items->item(1)->setEnabled(false);
        setItemData(1, tr("this LibTorch build has no CUDA (or no GPU is visible)"), Qt::ToolTipRole);
    }
    setToolTip(tr("device the model runs on"));
    connect(this, &QComboBox::activated, this, [this] { Q_EMIT deviceChosen(device()); });
}

QString DeviceSelector::device() const { return currentData().toString(); }

void DeviceSelector::setDevice(const QString& device)
{
    const int i = findData(device);
    if (i >= 0)
        setCurrentIndex(i);
}

bool DeviceSelector::cudaAvailable() { return at::hasCUDA(); }

} // namespace ds
