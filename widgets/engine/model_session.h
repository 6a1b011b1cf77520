#pragma once
// The open model: a denoiser (TorchScript file or exact oracle) loaded on the engine thread
// and shared with the jobs that use it. Only engine jobs call into the denoiser; the UI reads
// the summary made when it was opened.
#include "engine_messages.h"

#include <QObject>
#include <QString>

#include <memory>

namespace ds {

class Denoiser;
class EngineThread;

class ModelSession : public QObject {
    Q_OBJECT
public:
    explicit ModelSession(EngineThread& engine, QObject* parent = nullptr);
    ~ModelSession() override;

    // Opens a .pt file or an oracle spec ("oracle:fashion-mnist?n=2000") off the UI thread.
    // Files are first tried in a helper process when diffscope-cli is available.
    void open(const QString& spec);
    // Moves the model to "cpu" or "cuda" (on the engine thread, after queued jobs).
    void setDevice(const QString& device);

    bool hasModel() const { return bool(denoiser_); }
    bool loading() const { return loading_ > 0; }
    std::shared_ptr<Denoiser> denoiser() const { return denoiser_; }
    const ModelSummary& summary() const { return summary_; }
    QString device() const { return device_; }
    EngineThread& engine() const { return engine_; }
    // Program used to try files first; empty disables the helper-process check.
    void setProbeProgram(const QString& cli) { probeProgram_ = cli; }
    QString probeProgram() const { return probeProgram_; }

Q_SIGNALS:
    void loadingStarted(const QString& source);
    void opened(const ds::ModelSummary& summary);
    void openFailed(const QString& source, const QString& message);
    void deviceChanged(const QString& device);

private:
    void adopt(const ModelPacket& packet);

    EngineThread& engine_;
    std::shared_ptr<Denoiser> denoiser_;
    ModelSummary summary_;
    QString device_ = QStringLiteral("cpu");
    QString probeProgram_;
    int loading_ = 0;
};

} // namespace ds
