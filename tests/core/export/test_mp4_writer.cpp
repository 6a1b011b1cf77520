// core/export/mp4_writer: MP4 files that OpenCV decodes back, frame for frame.
#include "core/export/animation_probe.h"
#include "core/export/mp4_writer.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

#include <cctype>
#include <filesystem>

using namespace ds;

class Mp4WriterTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        if (!videoExportAvailable())
            QSKIP("built without OpenCV");
        QVERIFY(dir_.isValid());
    }

    void grayFramesDecodeAtScale()
    {
        const auto path = dir_.filePath("gray.mp4").toStdString();
        FrameSequence frames{12, [](int64_t i) { return at::full({28, 28, 1}, double(20 * i), at::kByte); }};
        AnimationOptions options;
        options.scale = 3;
        options.fps = 10;
        auto result = saveMp4(path, frames, options);
        QCOMPARE(result.frames, int64_t(12));
        auto info = probeVideo(path);
        QCOMPARE(info.frames, int64_t(12));
        QCOMPARE(info.width, int64_t(84));
        QCOMPARE(info.height, int64_t(84));
    }

    // H.264 where this OpenCV has an encoder for it; either way the result names the codec the
    // decoder then finds in the stream.
    void prefersH264AndSaysWhichCodec()
    {
        const auto path = dir_.filePath("codec.mp4").toStdString();
        FrameSequence frames{4, [](int64_t i) { return at::full({16, 16, 3}, double(50 * i), at::kByte); }};
        const auto result = saveMp4(path, frames);
        const auto info = probeVideo(path);
        qInfo("MP4 codec: %s (stream fourcc %s)", result.codec.c_str(), info.codec.c_str());
        const bool h264 = result.codec == "H.264 (avc1)", mpeg4 = result.codec == "MPEG-4 Part 2 (mp4v)";
        QVERIFY2(h264 || mpeg4, result.codec.c_str());
        auto lower = info.codec;
        for (auto& c : lower)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        if (h264)
            QVERIFY2(lower == "avc1" || lower == "h264", info.codec.c_str());
        else
            QVERIFY2(lower == "fmp4" || lower == "mp4v", info.codec.c_str());
    }

    void oddSizesArePaddedToEven()
    {
        const auto path = dir_.filePath("odd.mp4").toStdString();
        FrameSequence frames{5, [](int64_t) { return at::randint(0, 255, {33, 45, 3}).to(at::kByte); }};
        saveMp4(path, frames);
        auto info = probeVideo(path);
        QCOMPARE(info.frames, int64_t(5));
        QCOMPARE(info.width, int64_t(46));
        QCOMPARE(info.height, int64_t(34));
    }

    void cancelWritesNothing()
    {
        const auto path = dir_.filePath("cancel.mp4").toStdString();
        FrameSequence frames{20, [](int64_t) { return at::zeros({16, 16, 3}, at::kByte); }};
        auto result = saveMp4(path, frames, {}, [](int64_t done, int64_t) { return done < 4; });
        QVERIFY(result.cancelled);
        QVERIFY(!std::filesystem::exists(path));
        // No temp file left behind either (they are named ".cancel.mp4.tmp-<pid>.mp4").
        for (const auto& entry : std::filesystem::directory_iterator(dir_.path().toStdString()))
            QVERIFY2(entry.path().filename().string().rfind(".cancel.mp4", 0) != 0, entry.path().c_str());
    }

    void badInputNamesTheFile()
    {
        const auto path = dir_.filePath("bad.mp4").toStdString();
        AnimationOptions options;
        options.fps = 0;
        FrameSequence frames{2, [](int64_t) { return at::zeros({4, 4, 3}, at::kByte); }};
        DS_EXPECT_ERROR(saveMp4(path, frames, options), "frames per second");
        DS_EXPECT_ERROR(probeVideo(dir_.filePath("none.mp4").toStdString()), "no such file");
    }

private:
    QTemporaryDir dir_;
};

DS_TEST_SUITE(Mp4WriterTest, "mp4_writer");
#include "test_mp4_writer.moc"
