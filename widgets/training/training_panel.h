#pragma once
// The Training tab: a form to launch jobs, the job list (state, progress, ETA, loss), a live
// loss chart and preview grid of the selected job; cancel, resume, and open the checkpoint in
// the viewer. Jobs run on core's JobQueue threads (TrainingService): the UI never waits.
// A second page scrubs a run's checkpoints against sampling steps (training_scrubber.h).
#include "widgets/engine/training_service.h"

#include <QWidget>

#include <map>

class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;

namespace ds {

class PlotWidget;
class TrainingForm;
class TrainingScrubber;

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    TrainingForm& form() const { return *form_; }
    TrainingService& service() const { return *service_; }
    // The job whose chart and preview are shown (−1: none).
    int selectedJob() const;
    PlotWidget& lossChart() const { return *chart_; }
    // The preview of the selected job (null while none has arrived) and what the panel says instead.
    QImage previewImage() const;
    QString previewText() const;

    // Starts a job from the form; returns its id or −1 (the error is shown in the panel).
    int startFromForm();
    void cancelSelected();
    int resumeSelected();
    // The training × sampling scrubber, the panel's second page (made on first use), and
    // "Scrub checkpoints": the selected job's run folder in it.
    TrainingScrubber& scrubber();
    void scrubSelected();

Q_SIGNALS:
    void openCheckpointRequested(const QString& path);
    void errorOccurred(const QString& message);

private:
    void onJobChanged(const JobSnapshot& s);
    void onProgress(int id, const TrainingProgress& p);
    void onLossPoints(int id, const QVector<QPointF>& points);
    void onPreview(int id, int step, const QImage& image);
    void showJob(int id);
    QString previewPlaceholder(int id) const;
    int rowOf(int id);
    void updateButtons();

    TrainingService* service_;
    TrainingForm* form_;
    QTableWidget* table_;
    PlotWidget* chart_;
    QLabel* preview_;
    QLabel* message_;
    QPushButton* cancel_;
    QPushButton* resume_;
    QPushButton* open_;
    QSpinBox* resumeSteps_;
    QPushButton* scrub_;
    QTabWidget* pages_;
    TrainingScrubber* scrubber_ = nullptr;
    std::map<int, QVector<QPointF>> losses_;  // per job: (step, loss)
    std::map<int, QImage> previews_;          // per job: the newest grid
    std::map<int, int> previewSteps_;         // per job: the step of that grid
    std::map<int, JobSnapshot> snapshots_;
};

} // namespace ds
