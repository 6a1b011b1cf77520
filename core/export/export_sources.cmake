# Sources of core/export (animations, image strips); included by core/CMakeLists.txt.
set(DIFFSCOPE_CORE_EXPORT_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/animation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/animation_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/frame_labels.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gif_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mp4_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trajectory_arrays.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trajectory_images.cpp
)
