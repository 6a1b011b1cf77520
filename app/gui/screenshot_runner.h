#pragma once
// `diffscope --screenshots DIR`: waits for each main view to fill (the start-up run, the SNR
// panel, the sampler comparison), saves a PNG of the window per view, then quits. Used to make
// docs/images/ under Xvfb.
#include <QString>

namespace ds {

class MainWindow;

// Schedules the captures on the event loop; the application quits when they are done
// (exit code 1 if a view did not fill within its time limit).
void scheduleScreenshots(MainWindow& window, const QString& folder);

} // namespace ds
