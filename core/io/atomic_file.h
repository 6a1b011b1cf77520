#pragma once
// Writes a file so that readers see the old content or the new one, never a torn mix:
// write to a temp file in the same folder, fsync it, rename over the target, fsync the folder.
// A failure (full disk, no permission) leaves the previous file untouched. A committed file has
// the mode any new file gets (0666 minus the umask, e.g. 0644), whoever created the temp file.
#include <sys/types.h>

#include <functional>
#include <ostream>
#include <string>

namespace ds {

// Calls `write` with a stream to the temp file, then commits it to `path`.
// Throws ds::Error naming `path` if any step fails; the temp file is removed then.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// 0666 & ~umask: the mode open(2) gives a new file by default.
mode_t defaultFileMode();

// Commits an already written temp file: mode as above, fsync, rename to `path`, fsync the folder.
void commitTempFile(const std::string& tempPath, const std::string& path);

// Commits the temp file, or removes it when the work was cancelled.
void commitOrDiscard(const std::string& tempPath, const std::string& path, bool commit);

// A temp path next to `path` (same folder, so rename is atomic).
std::string tempPathFor(const std::string& path);

} // namespace ds
