#pragma once
// Screenshots of the instrument windows (screenshot_runner.cpp's captures "spectrum",
// "roundtrip", "health"): each fills its window as a user would and saves a PNG into `dir`.
#include <QDir>

#include <functional>

namespace ds {

class MainWindow;

// Spins the event loop until `done` holds or `ms` pass (shared with screenshot_runner.cpp).
bool waitUntil(const std::function<bool()>& done, int ms);

bool captureSpectrum(MainWindow& w, const QDir& dir);  // spectrum.png: the trajectory tab with the panel
bool captureRoundTrip(MainWindow& w, const QDir& dir); // round-trip.png: the demo Fashion-MNIST DDPM, 4 held-out images
bool captureHealth(MainWindow& w, const QDir& dir);    // health-report.png: the demo Fashion-MNIST DDPM

} // namespace ds
