# Third-party dependencies, found once for every target.
#   Torch          tensors, autograd, TorchScript loading (required everywhere)
#   nlohmann_json  JSON headers of checkpoints and TorchScript extras (header-only)
#   CLI11          command-line parsing of diffscope-cli (header-only)
#   ZLIB           reading the gzipped IDX files of Fashion-MNIST
#   OpenCV         image files and MP4 export (optional in the headless build)
#   giflib         GIF export (optional: libgif-dev)
#   Qt6            the desktop app, its widgets and the Qt Test suites

find_package(Torch REQUIRED)  # the imported target carries TORCH_CXX_FLAGS (libstdc++ ABI)

find_package(nlohmann_json 3.9 QUIET)
if(NOT nlohmann_json_FOUND)
  # GPU boxes without the Debian package: point DIFFSCOPE_NLOHMANN_INCLUDE at a copy of the headers.
  find_path(DIFFSCOPE_NLOHMANN_INCLUDE nlohmann/json.hpp REQUIRED)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  target_include_directories(nlohmann_json::nlohmann_json INTERFACE "${DIFFSCOPE_NLOHMANN_INCLUDE}")
endif()

find_package(CLI11 QUIET)
if(NOT CLI11_FOUND)
  find_path(DIFFSCOPE_CLI11_INCLUDE CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE "${DIFFSCOPE_CLI11_INCLUDE}")
endif()

find_package(ZLIB REQUIRED)

# Only the modules we use: Debian's highgui links Qt 5, which clashes with Qt 6 in one process.
find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs videoio)
set(DIFFSCOPE_HAVE_OPENCV ${OpenCV_FOUND})
message(STATUS "diffscope: OpenCV ${OpenCV_VERSION} found: ${OpenCV_FOUND}")

# giflib has no CMake package on Debian: find the header and the library by hand. Optional, so
# a GPU box without libgif-dev still builds the engine (GIF export then throws ds::Error).
find_path(DIFFSCOPE_GIF_INCLUDE gif_lib.h)
find_library(DIFFSCOPE_GIF_LIBRARY NAMES gif)
if(DIFFSCOPE_GIF_INCLUDE AND DIFFSCOPE_GIF_LIBRARY)
  set(DIFFSCOPE_HAVE_GIF ON)
  if(NOT TARGET diffscope::gif)
    add_library(diffscope::gif UNKNOWN IMPORTED)
    set_target_properties(diffscope::gif PROPERTIES
      IMPORTED_LOCATION "${DIFFSCOPE_GIF_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${DIFFSCOPE_GIF_INCLUDE}")
  endif()
else()
  set(DIFFSCOPE_HAVE_GIF OFF)
endif()
message(STATUS "diffscope: giflib found: ${DIFFSCOPE_HAVE_GIF}")

if(DIFFSCOPE_GUI)
  find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets Charts Svg Test Concurrent)
elseif(DIFFSCOPE_TESTS)
  # Engine tests use Qt Test, which needs QtCore only; without Qt the CLI tests still run.
  find_package(Qt6 QUIET COMPONENTS Core Test)
endif()

# Applies the project's warnings and definitions to a target.
function(diffscope_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS)
endfunction()
