#pragma once
// What the diffscope command line asks for.
#include <QString>

namespace ds {

struct StartOptions {
    // The model to open at start: a .pt / .dsckpt file or an oracle spec. The default is the
    // exact Fashion-MNIST denoiser, which needs no download and no training.
    QString model = QStringLiteral("oracle:fashion-mnist?n=2000");
    QString device = QStringLiteral("cpu"); // "cpu" or "cuda"
    QString screenshots;                    // folder: save a PNG of each main view, then quit
    bool restoreSettings = true;            // read QSettings (window layout, last sampler settings)
};

// Parses the command line of the running QApplication (exits on --help / bad options).
StartOptions parseCommandLine();

} // namespace ds
