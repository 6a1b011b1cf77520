#include "start_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace ds {

StartOptions parseCommandLine()
{
    StartOptions options;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "diffscope: watch diffusion models turn noise into data, frame by frame."));
    parser.addHelpOption();
    parser.addPositionalArgument("model", QCoreApplication::translate(
                                              "main", "a TorchScript .pt, a native .dsckpt or an oracle spec such as "
                                                      "oracle:fashion-mnist?n=2000 (the default)"),
                                 "[model]");
    QCommandLineOption device("device", QCoreApplication::translate("main", "cpu or cuda"), "device", "cpu");
    QCommandLineOption shots("screenshots",
                             QCoreApplication::translate("main", "save a PNG of each main view into <dir>, then quit"),
                             "dir");
    QCommandLineOption fresh("no-settings", QCoreApplication::translate("main", "ignore saved settings"));
    parser.addOptions({device, shots, fresh});
    parser.process(*QCoreApplication::instance());
    if (!parser.positionalArguments().isEmpty())
        options.model = parser.positionalArguments().first();
    options.device = parser.value(device);
    options.screenshots = parser.value(shots);
    options.restoreSettings = !parser.isSet(fresh);
    return options;
}

} // namespace ds
