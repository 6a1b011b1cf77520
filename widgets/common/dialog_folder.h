#pragma once
// The folder a file dialog opens in: the last folder the user chose in any of the app's
// file dialogs (kept in QSettings, so it survives a restart), else the home folder; never
// the process's working folder, which for a desktop launch is arbitrary.
#include <QString>

namespace ds {

// The remembered folder, if it still exists; else the home folder.
QString dialogFolder();

// `name` (a bare file name such as "strip.png") inside dialogFolder().
QString dialogPath(const QString& name);

// Remembers the folder of `chosen`: a file's folder, or `chosen` itself when it is a folder.
// An empty string (the dialog was cancelled) changes nothing.
void rememberDialogChoice(const QString& chosen);

} // namespace ds
