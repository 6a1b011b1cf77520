// app/gui/export_actions over widgets/export_service: every export decodes (PNG via QImage,
// GIF via QImageReader, MP4 via OpenCV, .npy via ds::loadNpy, CSV by its lines, SVG by its
// root element), runs in the background with progress, can be cancelled, and reports failures.
#include "tests/widgets/widget_test_support.h"

#include "export_actions.h"
#include "main_window.h"

#include "tests/support/test_registry.h"
#include "widgets/common/chart_adapter.h"
#include "widgets/comparison/comparison_pane.h"
#include "widgets/comparison/comparison_view.h"
#include "widgets/engine/export_service.h"
#include "widgets/engine/metric_hook.h"
#include "widgets/snr/snr_panel.h"
#include "widgets/trajectory/trajectory_document.h"
#include "widgets/trajectory/trajectory_runner.h"
#include "widgets/trajectory/trajectory_view.h"

#include "core/export/animation_probe.h"
#include "core/export/gif_writer.h"
#include "core/export/mp4_writer.h"
#include "core/instruments/manifest.h"
#include "core/io/npy.h"
#include "core/io/sha256.h"

#include <ATen/ATen.h>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <filesystem>
#include <sys/stat.h>

using namespace ds;
using namespace ds::test;

namespace {

// A window whose trajectory view holds a finished DDIM run: 51 frames of 16 colour 16×16 images.
struct Fixture {
    MainWindow window;
    QTemporaryDir dir;
    bool ready = false;
    Fixture() : window(options())
    {
        window.show();
        auto& view = window.trajectoryView();
        ready = QTest::qWaitFor(
            [&] { return window.model().hasModel() && !view.runner().running() && view.document().frameCount() == 51; },
            60000);
    }
    static StartOptions options()
    {
        StartOptions o;
        o.model = "oracle:gaussian?mean=0&std=0.5&shape=3x16x16&T=200";
        o.restoreSettings = false;
        return o;
    }
    QString path(const QString& name) const { return dir.filePath(name); }
    // Waits for the running export; returns the files it wrote (empty on failure), less the
    // manifest the window writes beside the first (exportsWriteTheirManifest reads those).
    QStringList finish()
    {
        QSignalSpy done(&window.exportService(), &ExportService::finished);
        QSignalSpy failed(&window.exportService(), &ExportService::failed);
        if (!QTest::qWaitFor([&] { return !done.isEmpty() || !failed.isEmpty(); }, 60000) || done.isEmpty())
            return {};
        auto files = done.first().at(1).toStringList();
        if (files.size() < 2 || files.last() != files.first() + ".manifest.json")
            return {QStringLiteral("no manifest beside %1").arg(files.value(0))};
        files.removeLast();
        return files;
    }
};

int lineCount(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return int(f.readAll().count('\n'));
}

} // namespace

class ExportTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void framePngDecodes()
    {
        Fixture f;
        QVERIFY(f.ready);
        QSignalSpy progress(&f.window.exportService(), &ExportService::progress);
        QVERIFY(f.window.exportActions().exportFramePng(f.path("frame.png")));
        QCOMPARE(f.finish(), QStringList{f.path("frame.png")});
        QVERIFY(!progress.isEmpty());
        QImage image(f.path("frame.png"));
        QVERIFY(!image.isNull());
        // 4 × 4 tiles of 16 pixels upscaled 7× (to ≥ 112) with 1-pixel gaps.
        QCOMPARE(image.width(), 4 * (16 * 7 + 1) + 1);
        QVERIFY(image.allGray() == false);
        // The window's provenance: the app, the open model, the trajectory's sampler and seed.
        const auto m = loadManifest(f.path("frame.png.manifest.json").toStdString());
        QVERIFY2(m.program.rfind("diffscope ", 0) == 0, m.program.c_str());
        QCOMPARE(m.command, std::string(kGuiExportCommand));
        QVERIFY(!m.checkpoint.empty());
        QVERIFY(m.settings.contains("sampler") && m.settings.contains("seed") && m.settings.contains("options"));
        QCOMPARE(m.outputs.size(), size_t(1));
        QCOMPARE(m.outputs[0].sha256, sha256File(f.path("frame.png").toStdString()));
    }

    void stripAndContactSheetDecode()
    {
        Fixture f;
        QVERIFY(f.ready);
        QVERIFY(f.window.exportActions().exportStripPng(f.path("strip.png")));
        QVERIFY(!f.finish().isEmpty());
        QImage strip(f.path("strip.png"));
        QVERIFY(!strip.isNull());
        QVERIFY(strip.width() > 5 * strip.height()); // 11 frames side by side
        QVERIFY(f.window.exportActions().exportContactSheetPng(f.path("sheet.png")));
        QVERIFY(!f.finish().isEmpty());
        QImage sheet(f.path("sheet.png"));
        QVERIFY(!sheet.isNull());
        QVERIFY(sheet.height() > sheet.width()); // 11 frame rows × 8 sample columns
    }

    void gifDecodesFrameForFrame()
    {
        if (!gifExportAvailable())
            QSKIP("built without giflib");
        Fixture f;
        QVERIFY(f.ready);
        const mode_t umask = ::umask(022);
        QVERIFY(f.window.exportActions().exportAnimation(f.path("run.gif")));
        const auto files = f.finish();
        ::umask(umask);
        QCOMPARE(files, QStringList{f.path("run.gif")});
        QImageReader reader(f.path("run.gif"));
        QVERIFY2(reader.canRead(), qPrintable(reader.errorString()));
        QCOMPARE(reader.imageCount(), 51);
        const auto info = probeGif(f.path("run.gif").toStdString());
        QCOMPARE(info.frames, int64_t(51));
        // Written with the umask's normal mode (giflib alone makes it 0600).
        QCOMPARE(int(std::filesystem::status(f.path("run.gif").toStdString()).permissions() & std::filesystem::perms::all), 0644);
        // t labels are on by default: a band under the 4 × 4 grid of 16-pixel tiles.
        QVERIFY(f.window.exportActions().frameLabels());
        QVERIFY(info.height > info.width); // the grid is square
        f.window.exportActions().setFrameLabels(false);
        QVERIFY(f.window.exportActions().exportAnimation(f.path("plain.gif")));
        QVERIFY(!f.finish().isEmpty());
        const auto plain = probeGif(f.path("plain.gif").toStdString());
        QCOMPARE(plain.width, info.width);
        QCOMPARE(plain.height, plain.width);
    }

    void mp4DecodesFrameForFrame()
    {
        if (!videoExportAvailable())
            QSKIP("built without OpenCV");
        Fixture f;
        QVERIFY(f.ready);
        QSignalSpy done(&f.window.exportService(), &ExportService::finished);
        QVERIFY(f.window.exportActions().exportAnimation(f.path("run.mp4")));
        QCOMPARE(f.finish(), QStringList{f.path("run.mp4")});
        QCOMPARE(probeVideo(f.path("run.mp4").toStdString()).frames, int64_t(51));
        QVERIFY(!done.isEmpty()); // the message says which codec wrote it
        const auto message = done.first().first().toString();
        QVERIFY2(message.contains("H.264 (avc1)") || message.contains("MPEG-4 Part 2 (mp4v)"), qPrintable(message));
    }

    void arraysLoadBack()
    {
        Fixture f;
        QVERIFY(f.ready);
        QVERIFY(f.window.exportActions().exportTrajectoryNpy(f.path("traj.npy")));
        QCOMPARE(f.finish().size(), 4); // frames, t, x̂0 and what each x̂0 row holds
        auto frames = loadNpy(f.path("traj.npy").toStdString());
        // x̂0 is stored with the frame it was computed from: frames 0..49 hold the model's; the
        // final sample (t = 0) is its own x̂0, written as the data and marked so in the JSON.
        auto x0 = loadNpy(f.path("traj.x0.npy").toStdString());
        QCOMPARE(x0.size(0), int64_t(51));
        QVERIFY(at::isfinite(x0).all().item<bool>());
        QFile json(f.path("traj.x0.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const auto meta = QJsonDocument::fromJson(json.readAll()).object();
        const auto rows = meta["frames"].toArray();
        QCOMPARE(rows.size(), 51);
        QCOMPARE(rows[0].toObject()["x0"].toString(), QStringLiteral("model"));
        QCOMPARE(rows[0].toObject()["t"].toInt(), 200);
        QCOMPARE(rows[49].toObject()["x0"].toString(), QStringLiteral("model"));
        QCOMPARE(rows[50].toObject()["x0"].toString(), QStringLiteral("data"));
        QVERIFY(meta["kinds"].toObject()["missing"].toString().contains("NaN"));
        QCOMPARE(frames.sizes().vec(), (std::vector<int64_t>{51, 16, 3, 16, 16}));
        auto ts = loadNpy(f.path("traj.t.npy").toStdString());
        QCOMPARE(ts[0].item<int64_t>(), int64_t(200));
        QCOMPARE(ts[50].item<int64_t>(), int64_t(0));
        QVERIFY(f.window.exportActions().exportSamplesNpy(f.path("samples.npy")));
        QVERIFY(!f.finish().isEmpty());
        auto samples = loadNpy(f.path("samples.npy").toStdString());
        QCOMPARE(samples.sizes().vec(), (std::vector<int64_t>{16, 3, 16, 16}));
        QVERIFY(at::allclose(samples, frames[50], 1e-2, 1e-2)); // float16 storage
    }

    void chartsExportWithTheirData()
    {
        if (!fashionMnistInstalled())
            QSKIP("Fashion-MNIST not installed (the SNR panel starts on an item of it)");
        Fixture f;
        QVERIFY(f.ready);
        auto& snr = f.window.snrPanel();
        QTRY_VERIFY_WITH_TIMEOUT(!snr.busy() && !snr.snrPlot().series().isEmpty(), 30000);
        QSignalSpy written(&f.window.exportActions(), &ExportActions::chartsExported);
        QVERIFY(f.window.exportActions().exportCharts(f.dir.path()));
        QCOMPARE(written.first().first().toStringList().size(), 9);
        int points = 0;
        for (const auto& s : snr.snrPlot().series())
            points += int(s.points.size());
        QCOMPARE(lineCount(f.path("snr.csv")), 1 + points);
        QVERIFY(!QImage(f.path("variance.png")).isNull());
        QFile svg(f.path("mean.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
    }

    void comparisonExportsEveryPane()
    {
        Fixture f;
        QVERIFY(f.ready);
        auto& comparison = f.window.comparisonView();
        SamplerSettings ddim, ddpm;
        ddim.sampler = "ddim";
        ddim.options.steps = 5;
        ddpm.sampler = "ddpm";
        ddpm.options.steps = 10;
        comparison.setPaneSettings({ddim, ddpm});
        comparison.runAll();
        QVERIFY(!f.window.exportActions().exportComparison(f.dir.path())); // still running
        QTRY_VERIFY_WITH_TIMEOUT(!comparison.running() && comparison.pane(1)->summary().passes == 10, 60000);
        QVERIFY(f.window.exportActions().exportComparison(f.dir.path()));
        QVERIFY(f.finish().contains(f.path("comparison.csv")));
        QCOMPARE(lineCount(f.path("comparison.csv")), 3); // header + one row per pane
        auto frames = loadNpy(f.path("pane2.npy").toStdString());
        QCOMPARE(frames.size(0), comparison.pane(1)->trajectory().size());
        QCOMPARE(frames.sizes().vec().back(), int64_t(16));
        QImage samples(f.path("pane1.png"));
        QVERIFY(!samples.isNull());
        QVERIFY(samples.width() > 16 * 4); // the batch as a grid, upscaled
    }

    // comparison.csv holds the metric as numbers in columns of their own.
    void comparisonCsvHasMetricColumns()
    {
        QTemporaryDir dir;
        auto s = forwardTrajectoryOf(2, 1, 8, 20);
        std::vector<PaneRecord> panes{{"pane1", "ddim 5", s.trajectory, {-1, 1}, 1.5, 5, 5, "FID proxy 37.3 (n=64)"},
                                      {"pane2", "ddpm 10", s.trajectory, {-1, 1}, 2.0, 10, 10, "MMD² 0.0123 ± 0.002 (n=512)"},
                                      {"pane3", "dpm, \"quoted\"", s.trajectory, {-1, 1}, 0.5, 3, 3, "FID proxy needs a batch of ≥ 32"},
                                      {"pane4", "euler", s.trajectory, {-1, 1}, 0.5, 3, 3, ""}};
        ExportService service;
        QSignalSpy finished(&service, &ExportService::finished);
        QVERIFY(service.start("comparison", comparisonTask(dir.path(), panes)));
        service.waitForIdle();
        QCOMPARE(finished.size(), 1);
        QFile csv(dir.filePath("comparison.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
        const auto lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], QStringLiteral("pane,sampler,frames,wall_s,network_passes,sequential_rounds,metric,value,n,std,note"));
        QVERIFY2(lines[1].endsWith(",\"FID proxy\",37.3,64,,"), qPrintable(lines[1]));
        QVERIFY2(lines[2].endsWith(",\"MMD²\",0.0123,512,0.002,"), qPrintable(lines[2]));
        QVERIFY2(lines[3].endsWith(",,,,,\"FID proxy needs a batch of ≥ 32\""), qPrintable(lines[3]));
        QVERIFY2(lines[4].endsWith(",,,,,"), qPrintable(lines[4]));
        // The pane text and the columns are one source: the parser inverts the formatter.
        const auto m = MetricValue::of(QStringLiteral("FID proxy"), 41.2, 64);
        const auto back = parseMetricText(metricText(m));
        QCOMPARE(back.name, m.name);
        QCOMPARE(back.value, 41.2);
        QCOMPARE(back.n, int64_t(64));
        QVERIFY(!std::isfinite(back.std));
    }

    void cancelLeavesNoFile()
    {
        ExportService service;
        QTemporaryDir dir;
        const auto path = dir.filePath("slow.gif");
        FrameSequence slow{500, [](int64_t) {
                               QThread::msleep(5);
                               return at::zeros({32, 32, 3}, at::kByte);
                           }};
        QSignalSpy progress(&service, &ExportService::progress);
        QSignalSpy finished(&service, &ExportService::finished);
        QVERIFY(service.start("slow", animationTask(path, slow, {})));
        QVERIFY(!service.start("second", animationTask(path, slow, {}))); // one at a time
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), 10000);
        service.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 10000);
        QVERIFY2(finished.first().first().toString().contains("cancelled"), qPrintable(finished.first().first().toString()));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!service.busy());
    }

    // With a provenance set, each export leaves FILE.manifest.json naming every file it wrote
    // with its SHA-256 and the settings the window gave; without one, none (tests, scripts).
    void exportsWriteTheirManifest()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("traj.npy");
        auto s = forwardTrajectoryOf(2, 1, 8, 20);
        ExportService service;
        QString asked;
        service.setProvenance([&asked](const QString& what) {
            asked = what;
            return ExportProvenance{"diffscope test", {{"sampler", "ddim"}, {"seed", 7}}, "oracle:two-moons", "cpu"};
        });
        QSignalSpy finished(&service, &ExportService::finished);
        QVERIFY(service.start("trajectory arrays", trajectoryNpyTask(path, s.trajectory)));
        service.waitForIdle();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(asked, QStringLiteral("trajectory arrays"));
        const auto files = finished.first().at(1).toStringList();
        QVERIFY2(files.contains(path + ".manifest.json"), qPrintable(files.join(',')));
        const auto m = loadManifest((path + ".manifest.json").toStdString());
        QCOMPARE(m.command, std::string("gui-export"));
        QCOMPARE(m.settings.at("seed").get<int>(), 7);
        QCOMPARE(m.settings.at("export").get<std::string>(), std::string("trajectory arrays"));
        QCOMPARE(m.checkpoint, std::string("oracle:two-moons"));
        QCOMPARE(qsizetype(m.outputs.size()), files.size() - 1); // every file but the manifest itself
        for (const auto& o : m.outputs)
            QCOMPARE(o.sha256, sha256File(o.path));

        ExportService plain;
        const auto other = dir.filePath("plain.npy");
        QVERIFY(plain.start("npy", arrayNpyTask(other, at::zeros({2}))));
        plain.waitForIdle();
        QVERIFY(QFile::exists(other));
        QVERIFY(!QFile::exists(other + ".manifest.json"));
    }

    void failureNamesTheFile()
    {
        ExportService service;
        QSignalSpy failed(&service, &ExportService::failed);
        QVERIFY(service.start("npy", arrayNpyTask("/no/such/folder/a.npy", at::zeros({2}))));
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 10000);
        QVERIFY2(failed.first().first().toString().contains("/no/such/folder/a.npy"),
                 qPrintable(failed.first().first().toString()));
    }
};

DS_TEST_SUITE(ExportTest, "export");
#include "test_export.moc"
