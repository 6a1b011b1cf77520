#pragma once
// Screenshots of the instrument windows (screenshot_runner.cpp's captures "spectrum",
// "roundtrip", "health"): each fills its window as a user would and saves a PNG into `dir`.
#include <QDir>

namespace ds {

class MainWindow;

bool captureSpectrum(MainWindow& w, const QDir& dir);  // spectrum.png: the trajectory tab with the panel
bool captureRoundTrip(MainWindow& w, const QDir& dir); // round-trip.png: the demo Fashion-MNIST DDPM, 4 held-out images
bool captureHealth(MainWindow& w, const QDir& dir);    // health-report.png: the demo Fashion-MNIST DDPM

} // namespace ds
