// core/export/gif_writer: animated GIFs that decode, exact gray levels, cancellation, bad input.
#include "core/export/animation_probe.h"
#include "core/export/gif_writer.h"
#include "core/io/atomic_file.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#if DIFFSCOPE_HAVE_GIF
#include <gif_lib.h>
#endif

using namespace ds;

namespace {

// `count` frames [h, w, c] whose value is 10·i + 7 everywhere.
FrameSequence flatFrames(int64_t count, int64_t h, int64_t w, int64_t c)
{
    return {count, [=](int64_t i) { return at::full({h, w, c}, double(10 * i + 7), at::kByte); }};
}

} // namespace

class GifWriterTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        if (!gifExportAvailable())
            QSKIP("built without giflib");
        QVERIFY(dir_.isValid());
    }

    // giflib creates its file 0600; the export must end with the mode of any new file (umask 022: 0644).
    void fileGetsTheUmasksNormalMode()
    {
        const mode_t old = ::umask(022);
        const auto path = dir_.filePath("mode.gif").toStdString();
        saveGif(path, flatFrames(2, 4, 4, 1));
        ::umask(old);
        const auto perms = std::filesystem::status(path).permissions();
        QCOMPARE(int(perms & std::filesystem::perms::all), 0644);
        QCOMPARE(int(defaultFileMode()), int(0666 & ~old)); // what the process' umask gives
    }

    void writesEveryFrameAtScale()
    {
        const auto path = dir_.filePath("gray.gif").toStdString();
        AnimationOptions options;
        options.scale = 2;
        auto result = saveGif(path, flatFrames(5, 10, 12, 1), options);
        QCOMPARE(result.frames, int64_t(5));
        QVERIFY(!result.cancelled);
        QCOMPARE(QString::fromStdString(result.codec), QStringLiteral("GIF"));
        auto info = probeGif(path);
        QCOMPARE(info.frames, int64_t(5));
        QCOMPARE(info.width, int64_t(24));
        QCOMPARE(info.height, int64_t(20));
    }

    void grayLevelsAreExact()
    {
#if DIFFSCOPE_HAVE_GIF
        const auto path = dir_.filePath("levels.gif").toStdString();
        saveGif(path, flatFrames(3, 4, 4, 1));
        int error = 0;
        GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
        QVERIFY(gif != nullptr);
        QCOMPARE(DGifSlurp(gif), GIF_OK);
        const auto& image = gif->SavedImages[2];
        const auto* map = image.ImageDesc.ColorMap ? image.ImageDesc.ColorMap : gif->SColorMap;
        const auto colour = map->Colors[image.RasterBits[5]];
        DGifCloseFile(gif, &error);
        QCOMPARE(int(colour.Red), 27); // frame 2: 10·2 + 7
        QCOMPARE(int(colour.Green), 27);
#endif
    }

    void colourFramesDecode()
    {
        const auto path = dir_.filePath("colour.gif").toStdString();
        FrameSequence frames{4, [](int64_t i) {
                                 auto f = at::zeros({9, 7, 3}, at::kByte);
                                 f.select(2, i % 3).fill_(255);
                                 return f;
                             }};
        saveGif(path, frames);
        auto info = probeGif(path);
        QCOMPARE(info.frames, int64_t(4));
        QCOMPARE(info.width, int64_t(7));
    }

    void cancelLeavesPreviousFile()
    {
        const auto path = dir_.filePath("keep.gif").toStdString();
        std::ofstream(path) << "old";
        auto result = saveGif(path, flatFrames(10, 4, 4, 1), {}, [](int64_t done, int64_t) { return done < 3; });
        QVERIFY(result.cancelled);
        QCOMPARE(result.frames, int64_t(3));
        QCOMPARE(int64_t(std::filesystem::file_size(path)), int64_t(3));
        StopToken stop;
        stop.requestStop();
        QVERIFY(saveGif(path, flatFrames(10, 4, 4, 1), {}, {}, &stop).cancelled);
        QCOMPARE(int64_t(std::filesystem::file_size(path)), int64_t(3));
    }

    void badInputNamesTheFile()
    {
        const auto path = dir_.filePath("bad.gif").toStdString();
        DS_EXPECT_ERROR(saveGif(path, FrameSequence{}), "bad.gif");
        FrameSequence floats{2, [](int64_t) { return at::zeros({4, 4, 1}); }};
        DS_EXPECT_ERROR(saveGif(path, floats), "not a uint8");
        FrameSequence growing{2, [](int64_t i) { return at::zeros({4 + i, 4, 1}, at::kByte); }};
        DS_EXPECT_ERROR(saveGif(path, growing), "differs in size");
        QVERIFY(!std::filesystem::exists(path));
        DS_EXPECT_ERROR(probeGif(dir_.filePath("none.gif").toStdString()), "no such file");
    }

private:
    QTemporaryDir dir_;
};

DS_TEST_SUITE(GifWriterTest, "gif_writer");
#include "test_gif_writer.moc"
